"""Call-next policy: which waiting ticket a window takes next.

One replaceable object. The service layer hands it the window and the head candidates of the
window's queues (the longest-waiting green and normal ticket of each); it returns them best first.
The service takes the first one it can still claim atomically in the database.
"""
from __future__ import annotations

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
