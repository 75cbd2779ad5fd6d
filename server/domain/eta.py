"""How many tickets are ahead of each waiting ticket, and roughly how long it will wait.

`ahead(t)` counts the waiting tickets that some window able to serve t would call before t:
tickets of t's own queue that come first (green before normal, a checked-in appointment before a
walk-in, then by the time each was placed in the queue: its issue time, later for a re-queued
no-show); tickets of
another queue that shares a window with t's queue, where at least one shared window prefers that
queue (if the priority class allows); and green tickets of any queue sharing a window, when t is
normal. The green no-starvation cap is ignored: it only ever moves a normal ticket earlier, so the
estimate errs on the side of a longer wait.

How long that is, `estimate(queue, in_queue, configured_minutes)`, is worked out in
server/domain/prediction.py from the tickets of the ticket's own queue before it (and what their
matters take), the staffed windows' capacity for the queue and its service rate; None when no clerk
staffs the queue.
"""
from __future__ import annotations

import bisect
import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .prediction import Capacity, QueueRate, Slowdown, Wait, predict
from .residual import PRIOR_CV, order_wait


@dataclass(frozen=True)
class WaitingTicket:
    id: str
    queue: str
    green: bool
    placed_at: dt.datetime
    seq: int
    appointment: bool = False
    matter: str | None = None


@dataclass(frozen=True)
class ServingWindow:
    number: str
    queues: tuple[str, ...]


def _key(t: WaitingTicket):
    return (0 if t.green else 1, 0 if t.appointment else 1, t.placed_at, t.seq, t.id)


class WaitEstimator:
    def __init__(self, windows: Iterable[ServingWindow], capacity: Mapping[str, Capacity],
                 rates: Mapping[str, QueueRate]):
        """`windows`: those whose tickets may stand before each other (not closed); `capacity`: the staffed
        windows per queue and `rates` its service, for the minutes."""
        self.capacity = capacity
        self.rates = rates
        self.idle: Mapping[str, int] = {}
        self.slowdowns: tuple[Slowdown, ...] = ()
        self.under_way: Mapping[str, list[tuple[float, float, float]]] = {}
        self.cv = PRIOR_CV
        self.serving: dict[str, dict[str, int]] = defaultdict(dict)  # queue -> window -> preference index
        for w in windows:
            for i, q in enumerate(w.queues):
                self.serving[q][w.number] = i
        self._related: dict[str, frozenset[str]] = {}  # an estimator is reused while the windows stay

    def with_staffing(self, capacity: Mapping[str, Capacity], rates: Mapping[str, QueueRate],
                      idle: Mapping[str, int], slowdowns: tuple[Slowdown, ...] = (),
                      under_way: Mapping[str, list[tuple[float, float, float]]] | None = None,
                      cv: float = PRIOR_CV) -> "WaitEstimator":
        """The same order of tickets with other staffing figures (`idle`: `prediction.idle_windows`;
        `slowdowns`: the lunch break ahead; `under_way`: per queue, the busy windows serving it as
        (share, mean of the visit at it, minutes elapsed), and `cv` the visits' spread: residual.py);
        the twin shares what it remembers."""
        twin = copy.copy(self)
        twin.capacity, twin.rates, twin.idle, twin.slowdowns = capacity, rates, idle, slowdowns
        twin.under_way, twin.cv = under_way or {}, cv
        return twin

    def related_queues(self, queue: str) -> frozenset[str]:
        """The queues whose tickets can stand before a ticket of `queue`: those sharing a window."""
        related = self._related.get(queue)
        if related is None:
            found = {queue}
            for window in self.serving.get(queue, {}):
                found.update(q for q, windows in self.serving.items() if window in windows)
            related = self._related[queue] = frozenset(found)
        return related

    def _relation(self, queue: str, other: str) -> str | None:
        """How tickets of `other` stand against tickets of `queue`: 'same', 'preferred', 'after' or None."""
        if other == queue:
            return "same"
        shared = self.serving.get(queue, {}).keys() & self.serving.get(other, {}).keys()
        if not shared:
            return None
        if any(self.serving[other][w] < self.serving[queue][w] for w in shared):
            return "preferred"
        return "after"

    def ahead(self, waiting: Sequence[WaitingTicket]) -> dict[str, int]:
        by_queue: dict[str, list] = defaultdict(list)
        for t in waiting:
            by_queue[t.queue].append(_key(t))
        for keys in by_queue.values():
            keys.sort()
        greens = {q: sum(1 for k in keys if k[0] == 0) for q, keys in by_queue.items()}
        relations = {(q, o): self._relation(q, o) for q in by_queue for o in by_queue}
        result: dict[str, int] = {}
        for t in waiting:
            key = _key(t)
            count = 0
            for other, keys in by_queue.items():
                rel = relations[(t.queue, other)]
                if rel == "same":
                    count += bisect.bisect_left(keys, key)
                elif rel == "preferred":
                    count += len(keys) if not t.green else greens[other]
                elif rel == "after" and not t.green:
                    count += greens[other]
            result[t.id] = count
        return result

    def ahead_of(self, ticket: WaitingTicket, waiting: Sequence[WaitingTicket]) -> int:
        """`ahead` for one ticket, in one pass over the waiting tickets (what a kiosk asks for)."""
        key = _key(ticket)
        count = 0
        relations: dict[str, str | None] = {}
        for other in waiting:
            if other.id == ticket.id:
                continue
            rel = relations.get(other.queue, "?")
            if rel == "?":
                rel = relations[other.queue] = self._relation(ticket.queue, other.queue)
            if rel == "same":
                count += _key(other) < key
            elif rel == "preferred":
                count += other.green or not ticket.green
            elif rel == "after":
                count += other.green and not ticket.green
        return count

    def estimate(self, queue: str, in_queue: int, configured_minutes: float | None = None) -> Wait | None:
        """The wait of a ticket of `queue` with `in_queue` tickets of its own queue before it (`in_queue_of`);
        None when nobody staffs the queue. Tickets of a queue a shared window prefers are not counted again
        here: that window's share of the queue's capacity already leaves their time out (prediction.py).
        `configured_minutes`: what the matters of those tickets take by their configured averages; the
        queue's pace turns it into their mean service time (the queue's mean hides matters of 8 to 30
        minutes), the tickets at the windows counting at the queue's mean."""
        rate, capacity = self.rates.get(queue), self.capacity.get(queue)
        if rate is None:
            return None
        if capacity is not None and self.idle.get(queue):
            capacity = replace(capacity, idle=self.idle[queue])
        busy = self.under_way.get(queue)
        if busy and self._all_busy_first(in_queue + 1, capacity, busy):
            # the tickets before it each take their matter's minutes at the queue's pace
            after = configured_minutes * rate.pace / in_queue if configured_minutes and in_queue else rate.service_minutes
            return order_wait(in_queue + 1, busy, self.cv, rate.uncertainty, after, self.slowdowns)
        if configured_minutes is not None and in_queue > 0:
            work = configured_minutes * rate.pace + rate.service_minutes
            rate = replace(rate, service_minutes=max(0.1, work / (in_queue + 1)))
        return predict(in_queue, capacity, rate, self.slowdowns)

    @staticmethod
    def _all_busy_first(needed: int, capacity: Capacity | None, busy: list) -> bool:
        """Whether the visits under way decide the wait (residual.py): every window counted for the queue is
        open and busy, and at least `needed` of them serve it first."""
        return (capacity is not None and not capacity.idle and len(busy) == len(capacity.windows)
                and all(away == 0 for _share, away in capacity.windows)
                and needed <= sum(1 for share, _mean, _elapsed in busy if share >= 1))

    @staticmethod
    def in_queue_of(ticket: WaitingTicket, waiting: Sequence[WaitingTicket]) -> int:
        """How many tickets of the ticket's own queue stand before it."""
        return len(WaitEstimator.before_in_queue(ticket, waiting))

    @staticmethod
    def before_in_queue(ticket: WaitingTicket, waiting: Sequence[WaitingTicket]) -> list[WaitingTicket]:
        """The tickets of the ticket's own queue that stand before it."""
        key = _key(ticket)
        return [other for other in waiting if other.queue == ticket.queue and other.id != ticket.id and _key(other) < key]

    @staticmethod
    def in_queue_of_newest(queue: str, green: bool, counts: Mapping[tuple[str, bool], int]) -> int:
        """`in_queue_of` a ticket joining `queue` now: every green ticket of its queue, and every normal one
        unless it is green itself."""
        return counts.get((queue, True), 0) + (0 if green else counts.get((queue, False), 0))

    def ahead_of_newcomer(self, queue: str, waiting: Sequence[WaitingTicket]) -> int:
        """`ahead` for a normal ticket joining `queue` now (what the kiosk and /stats show):
        everything waiting in its queue or a preferred one, and every green ticket sharing a window."""
        return self.ahead_of_newest(queue, False, count_waiting(waiting))

    def ahead_of_newest(self, queue: str, green: bool, counts: Mapping[tuple[str, bool], int]) -> int:
        """`ahead` of a ticket joining `queue` now, from how many tickets wait per (queue, green):
        all of them are older, so their number is enough; the database counts them without the
        tickets ever being loaded (the kiosk's answer stays fast with thousands waiting)."""
        count = 0
        for (other, other_green), n in counts.items():
            rel = self._relation(queue, other)
            if rel in ("same", "preferred"):
                count += n if other_green or not green else 0
            elif rel == "after" and other_green and not green:
                count += n
        return count


def count_waiting(waiting: Iterable[WaitingTicket]) -> dict[tuple[str, bool], int]:
    counts: dict[tuple[str, bool], int] = defaultdict(int)
    for t in waiting:
        counts[(t.queue, t.green)] += 1
    return counts


def requeue_place(waiting: Sequence[WaitingTicket], me: WaitingTicket, behind: int) -> tuple[dt.datetime, int]:
    """Where a re-queued no-show (过号顺延) stands in its queue: after `behind` of the tickets waiting there
    (fewer when fewer wait). Tickets of an earlier lane (green before normal, appointments before
    walk-ins) stand before it anyway; within its lane it takes the moment just after the ticket it
    follows (tickets placed at the very same moment all stay before it). Returns (placed_at, how many
    of its queue's tickets stand before it)."""
    own = [t for t in waiting if t.queue == me.queue and t.id != me.id]
    lane = (me.green, me.appointment)
    earlier = sum(1 for t in own if _key(t)[:2] < _key(me)[:2])
    same = sorted((t for t in own if (t.green, t.appointment) == lane), key=_key)
    one = dt.timedelta(microseconds=1)
    if not same:
        placed_at = me.placed_at
    elif behind <= earlier:
        placed_at = same[0].placed_at - one
    elif behind - earlier >= len(same):
        placed_at = max(me.placed_at, same[-1].placed_at + one)
    else:
        placed_at = same[behind - earlier - 1].placed_at + one
    mine = _key(replace(me, placed_at=placed_at))
    return placed_at, sum(1 for t in own if _key(t) < mine)
