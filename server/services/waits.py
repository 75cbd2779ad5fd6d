"""Wait estimates: how many are ahead of a ticket and about how long it will wait (server/domain/eta.py),
from what is open now and what was measured today."""
from __future__ import annotations

import datetime as dt

from ..config import HallConfig
from ..domain.eta import ServingWindow, WaitEstimator, WaitingTicket
from ..domain.model import Priority, Ticket, TicketKind, business_day
from .unit_of_work import UnitOfWork

MEASURED_MIN_SAMPLES = 3  # below this many finished tickets today, use the configured average
MEASURED_TTL_S = 10


class WaitEstimates:
    """Kept per process: the estimator is reused while the serving windows and the measured times are
    unchanged (both are read per ticket; the rest is config), which the bench's profile showed matters
    (docs/performance.md)."""

    def __init__(self, config: HallConfig):
        self.config = config
        self._measured: tuple[dt.datetime | None, dict] = (None, {})
        self._estimator: tuple | None = None  # (serving windows, measured, WaitEstimator)

    def estimator(self, uow: UnitOfWork, now: dt.datetime) -> WaitEstimator:
        serving_rows = tuple(uow.windows.serving())
        measured = self._measured_service(uow, now)
        cached = self._estimator
        if cached is not None and cached[0] == serving_rows and cached[1] is measured:
            return cached[2]
        estimator = self._build(serving_rows, measured)
        self._estimator = (serving_rows, measured, estimator)
        return estimator

    def _build(self, serving_rows, measured: dict[str, tuple[float, int]]) -> WaitEstimator:
        serving = [ServingWindow(number, queues) for number, queues in serving_rows]
        staffed = {q for w in serving for q in w.queues}
        # A queue with no window open yet (before opening time, say) is estimated with the windows
        # the hall plans for it, so a kiosk can still show a wait.
        for spec in self.config.windows.values():
            planned = tuple(q for q in spec.queues if q not in staffed)
            if planned:
                serving.append(ServingWindow(f"planned:{spec.number}", planned))
        avg = {}
        for code in self.config.queues:
            seconds, n = measured.get(code, (0.0, 0))
            avg[code] = seconds / 60 if n >= MEASURED_MIN_SAMPLES else self.config.queue_avg_minutes(code)
        return WaitEstimator(serving, avg)

    def _measured_service(self, uow: UnitOfWork, now: dt.datetime) -> dict[str, tuple[float, int]]:
        """Today's measured service times per queue, re-read at most every MEASURED_TTL: an estimate does
        not need the last second, and the query scans the day's finished tickets."""
        cached_at, value = self._measured
        if cached_at is None or abs((now - cached_at).total_seconds()) > MEASURED_TTL_S:
            value = uow.tickets.measured_service(business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour))
            self._measured = (now, value)
        return value

    def of_newcomer(self, uow: UnitOfWork, now: dt.datetime, queue: str, green: bool,
                    appointment: bool = False) -> tuple[int, int | None]:
        """(ahead, eta_minutes) of a ticket about to be issued: a walk-in stands behind every waiting one it
        competes with, counted in SQL rather than loading the queues (the bench's profile); a checked-in
        appointment goes before the walk-ins of its queue, so its place is worked out ticket by ticket."""
        estimator = self.estimator(uow, now)
        if appointment:
            me = WaitingTicket("", queue, green, now, 2**62, appointment=True)
            ahead = estimator.ahead_of(me, self.waiting(uow, estimator.related_queues(queue)))
            return ahead, estimator.eta_minutes(queue, ahead)
        counts = uow.tickets.waiting_counts(estimator.related_queues(queue))
        ahead = estimator.ahead_of_newest(queue, green, counts)
        return ahead, estimator.eta_minutes(queue, ahead)

    def of_ticket(self, uow: UnitOfWork, now: dt.datetime, ticket: Ticket, queue: str | None = None) -> tuple[int, int | None]:
        """(ahead, eta_minutes) of a waiting ticket (in `queue`, when it is about to move there)."""
        queue = queue or ticket.queue
        estimator = self.estimator(uow, now)
        me = WaitingTicket(ticket.id, queue, ticket.priority is Priority.GREEN, ticket.placed_at, ticket.seq,
                           ticket.kind is TicketKind.APPOINTMENT)
        waiting = [w for w in self.waiting(uow, estimator.related_queues(queue)) if w.id != ticket.id]
        ahead = estimator.ahead_of(me, waiting)
        return ahead, estimator.eta_minutes(queue, ahead)

    def places(self, uow: UnitOfWork, now: dt.datetime, ticket_ids: list[str],
               in_queues: set[str] | None = None) -> list[dict]:
        """`{"id", "ahead", "eta_minutes"}` of those of the tickets that still wait; one read of the
        waiting tickets serves them all. `in_queues`: the tickets' queues, when known, so that only the
        queues that can stand before them are read."""
        estimator = self.estimator(uow, now)
        related = set().union(*(estimator.related_queues(q) for q in in_queues)) if in_queues is not None else None
        waiting = self.waiting(uow, related)
        wanted = set(ticket_ids)
        places = []
        for me in (w for w in waiting if w.id in wanted):
            related = estimator.related_queues(me.queue)
            ahead = estimator.ahead_of(me, [w for w in waiting if w.queue in related])
            places.append({"id": me.id, "ahead": ahead, "eta_minutes": estimator.eta_minutes(me.queue, ahead)})
        return places

    @staticmethod
    def waiting(uow: UnitOfWork, queues=None) -> list[WaitingTicket]:
        return [WaitingTicket(r.id, r.queue, r.priority == Priority.GREEN.value, r.placed_at, r.seq,
                              r.kind == TicketKind.APPOINTMENT.value) for r in uow.tickets.waiting(queues)]
