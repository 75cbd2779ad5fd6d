"""Call-next policy: which waiting ticket a window takes next.

One replaceable object. The service layer hands it the window and the head candidates of the
window's queues (the longest-waiting green and normal ticket of each); it returns them best first.
The service takes the first one it can still claim atomically in the database.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from .model import Priority, Ticket, TicketKind, Window


class CallNextPolicy(Protocol):
    def rank(self, window: Window, candidates: Sequence[Ticket]) -> list[Ticket]: ...


class PreferenceWithGreenChannel:
    """The hall's default rule.

    - A window serves its queues in order of preference; within one queue a checked-in appointment
      goes before walk-ins (CONTRACT v2), then the ticket placed first goes first (by issue time, so
      a transferred ticket keeps its place; a re-queued no-show is placed later).
    - Green-channel tickets go before normal ones, from any of the window's queues; but after
      `green_max_in_row` green calls in a row the window takes one normal ticket, if any waits, so
      the normal line never starves.
    """

    def __init__(self, green_max_in_row: int):
        self.green_max_in_row = green_max_in_row

    def rank(self, window: Window, candidates: Sequence[Ticket]) -> list[Ticket]:
        preference = {code: i for i, code in enumerate(window.queues)}
        served = [t for t in candidates if t.queue in preference]

        def by_preference(t: Ticket):
            return (preference[t.queue], t.kind is not TicketKind.APPOINTMENT, t.placed_at, t.seq, t.id)

        green = sorted((t for t in served if t.priority is Priority.GREEN), key=by_preference)
        normal = sorted((t for t in served if t.priority is not Priority.GREEN), key=by_preference)
        if window.green_streak >= self.green_max_in_row and normal:
            return normal + green
        return green + normal


class WaitedAcrossQueues:
    """Weighs waiting time across the window's queues, so a long-waiting ticket of a back-up queue is
    not starved by a busy first queue.

    - Within one queue the order is today's (a checked-in appointment before walk-ins, then by the
      time placed).
    - Across queues the heads compete by their placed time plus `minutes_per_preference` for each
      step down the window's order: with 10, the window's second queue goes first once its head has
      waited 10 minutes longer than the first queue's head. The handicap is additive, so any waiting
      ticket is called after a bounded number of later arrivals (nothing starves); the time placed
      needs no clock, so ranking stays a pure function of the candidates.
    - The green channel and its no-starvation cap are today's (PreferenceWithGreenChannel).
    """

    def __init__(self, green_max_in_row: int, minutes_per_preference: float = 10.0):
        self.green_max_in_row = green_max_in_row
        self.handicap = dt.timedelta(minutes=minutes_per_preference)

    def rank(self, window: Window, candidates: Sequence[Ticket]) -> list[Ticket]:
        preference = {code: i for i, code in enumerate(window.queues)}
        green = self._merged([t for t in candidates if t.queue in preference and t.priority is Priority.GREEN], preference)
        normal = self._merged([t for t in candidates if t.queue in preference and t.priority is not Priority.GREEN], preference)
        if window.green_streak >= self.green_max_in_row and normal:
            return normal + green
        return green + normal

    def _merged(self, tickets: list[Ticket], preference: dict[str, int]) -> list[Ticket]:
        """Each queue's tickets in today's order; the queues' turns by their head's handicapped time."""
        lines: dict[str, list[Ticket]] = {}
        for t in sorted(tickets, key=lambda t: (t.kind is not TicketKind.APPOINTMENT, t.placed_at, t.seq, t.id)):
            lines.setdefault(t.queue, []).append(t)

        def turn(queue: str):
            return (lines[queue][0].placed_at + self.handicap * preference[queue], preference[queue])
        return [t for queue in sorted(lines, key=turn) for t in lines[queue]]


POLICIES = {
    "preference": "today's rule: queue preference, then time placed; green first with its cap",
    "waited": "waiting time across the window's queues, a back-up queue handicapped 10 minutes per step",
}


def policy_named(name: str, config) -> CallNextPolicy:
    """The call-next policy called `name` (one of POLICIES) for a hall (its config: the green-channel cap)."""
    cap = config.hall.green_max_in_row
    if name == "preference":
        return PreferenceWithGreenChannel(cap)
    if name == "waited":
        return WaitedAcrossQueues(cap)
    raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICIES)}")
