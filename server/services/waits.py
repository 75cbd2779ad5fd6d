"""Wait estimates: how many are ahead of a ticket (server/domain/eta.py) and about how long it will wait
(server/domain/prediction.py), from the windows staffed now and the service times measured lately."""
from __future__ import annotations

import datetime as dt
import math

from ..config import HallConfig
from ..domain.eta import ServingWindow, WaitEstimator, WaitingTicket
from ..domain.model import Priority, Ticket, TicketKind, WindowState, business_day
from ..domain.prediction import (MEASURED_MIN_SAMPLES, OPEN, QueueRate, Slowdown, Wait, WindowStaffing, capacities,
                                 idle_windows, window_shares)
from ..domain.residual import PRIOR_CV, visit_cv
from .unit_of_work import UnitOfWork

RATES_TTL_S = 10
CV_TTL_S = 300  # the visits' spread moves slowly, and its query scans the day's finished tickets
RECENT = dt.timedelta(minutes=60)  # "live" service times and arrivals: those of the last hour
# The configured averages weigh as much as this many finished tickets that took exactly them: a few short
# visits must not set a queue's pace (the first finished are the short ones), a day of them does.
PRIOR_TICKETS = 30
MODEL_SLACK = 0.05  # the least widening: green tickets, transfers and no-shows move a place after the fact
MIN_LUNCH_PACE = 0.1  # lunch_minutes as long as the break itself: the hall still serves a little
PAUSE_BACK_MINUTES = 10  # a window paused outside the lunch break (会议, 临时离岗) is expected back this soon after pausing
PAUSE_LEFT_MINUTES = 2  # … and, once its pause has lasted that long, at least this much later


class WaitEstimates:
    """Kept per process: the estimator is reused while the windows' staffing, the rates and a paused
    window's expected return are unchanged (all read per ticket; the rest is config), which the bench's
    profile showed matters (docs/performance.md)."""

    def __init__(self, config: HallConfig):
        self.config = config
        self._rates: tuple[dt.datetime | None, dict[str, QueueRate]] = (None, {})
        # ((staffing rows, rates, each paused window's minutes away), capacities, each staffed window's (queue, share))
        self._capacities: tuple | None = None
        self._ordering: tuple | None = None  # (the windows' queues and closedness, WaitEstimator without staffing)
        self._cv, self._cv_at = PRIOR_CV, None  # the visits' spread measured today, and when

    def estimator(self, uow: UnitOfWork, now: dt.datetime) -> WaitEstimator:
        rows = tuple(uow.windows.staffing())
        rates = self._rates_of(uow, now)
        away = self._paused_away_minutes(now, rows)
        # Who stands before whom changes only when a window opens, closes or changes its queues; the
        # windows' shares when staffing, rates or a pause's expected return do; which window is idle with
        # every call. Each part is kept as long as what it depends on.
        layout = tuple((w.number, w.queues, w.state == WindowState.CLOSED.value) for w in rows)
        ordering = self._ordering
        if ordering is None or ordering[0] != layout:
            ordering = self._ordering = (layout, self._order(rows))
        staffing = (tuple(w[:4] for w in rows), rates, tuple(sorted(away.items())))
        shares = self._capacities
        if shares is None or shares[0] != staffing:
            by_window: dict[str, list] = {}
            for w, queue, share in window_shares(rows, rates):
                by_window.setdefault(w.number, []).append((queue, share))
            shares = self._capacities = (staffing, capacities(rows, rates, away), by_window)
        return ordering[1].with_staffing(shares[1], rates, idle_windows(rows), self._slowdowns(now),
                                         self._under_way(rows, shares[2], rates, now), self._cv)

    def _under_way(self, rows, by_window: dict[str, list], rates: dict[str, QueueRate],
                   now: dt.datetime) -> dict[str, list]:
        """Per queue: (share, mean of the visit at it, minutes elapsed) of the staffed open windows serving
        it with a ticket at them (server/domain/residual.py). The visit's mean: its matter's configured
        average at its queue's pace."""
        found: dict[str, list] = {}
        for w in rows:
            if not w.busy or w.called_at is None or w.state != OPEN or w.number not in by_window:
                continue
            own = rates.get(w.ticket_queue)
            mean = self.configured_minutes(w.ticket_queue or w.queues[0], w.matter) * (own.pace if own else 1.0)
            elapsed = (now - w.called_at).total_seconds() / 60
            for queue, share in by_window[w.number]:
                found.setdefault(queue, []).append((share, mean, elapsed))
        return found

    def _order(self, rows: tuple[WindowStaffing, ...]) -> WaitEstimator:
        serving = [ServingWindow(w.number, w.queues) for w in rows if w.state != WindowState.CLOSED.value]
        open_queues = {q for w in serving for q in w.queues}
        # Who stands before whom in a queue no window is open for yet (before opening time, say) follows
        # the windows the hall plans for it; its minutes wait for a clerk.
        for spec in self.config.windows.values():
            planned = tuple(q for q in spec.queues if q not in open_queues)
            if planned:
                serving.append(ServingWindow(f"planned:{spec.number}", planned))
        return WaitEstimator(serving, {}, {})

    def _rates_of(self, uow: UnitOfWork, now: dt.datetime) -> dict[str, QueueRate]:
        """Each queue's mean service time: its configured average × how long the tickets finished lately took
        against their matters' configured averages (the last hour's, or today's while the last hour has
        fewer than MEASURED_MIN_SAMPLES), the configured averages counting as PRIOR_TICKETS tickets that
        took exactly that; and the last hour's arrivals. Re-read at most every RATES_TTL_S: an estimate
        does not need the last second, and the queries scan the day's tickets."""
        cached_at, rates = self._rates
        if cached_at is not None and abs((now - cached_at).total_seconds()) <= RATES_TTL_S:
            return rates
        day = business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)
        since = now - RECENT
        recent, today = self._against_configured(uow.tickets.measured_by_matter(day, since)), None
        arrivals = uow.tickets.arrivals(day, since)
        rates = {}
        for code in self.config.queues:
            taken, configured, n = recent.get(code, (0.0, 0.0, 0))
            if n < MEASURED_MIN_SAMPLES:
                today = today if today is not None else self._against_configured(uow.tickets.measured_by_matter(day))
                taken, configured, n = today.get(code, (0.0, 0.0, 0))
            average = self.config.queue_avg_minutes(code)
            prior = PRIOR_TICKETS * average
            pace = (taken + prior) / (configured + prior)
            minutes = average * pace
            # the relative standard error of a mean of exponential times, a cautious stand-in for the spread
            uncertainty = max(MODEL_SLACK, 1 / math.sqrt(n + PRIOR_TICKETS))
            rates[code] = QueueRate(max(minutes, 0.1), uncertainty, arrivals.get(code, 0) / (RECENT.total_seconds() / 60),
                                    pace)
        self._rates = (now, rates)
        if self._cv_at is None or abs((now - self._cv_at).total_seconds()) > CV_TTL_S:
            self._cv, self._cv_at = self._visit_cv(uow.tickets.visit_spread(day)), now
        return rates

    def _visit_cv(self, spread: dict) -> float:
        """The coefficient of variation of today's visits, each against its matter's configured average."""
        count, ratio, ratio2 = 0, 0.0, 0.0
        for (queue, matter), (n, seconds, squares) in spread.items():
            expected = self.configured_minutes(queue, matter) * 60
            count, ratio, ratio2 = count + n, ratio + seconds / expected, ratio2 + squares / expected ** 2
        return visit_cv(count, ratio, ratio2)

    def configured_minutes(self, queue: str, matter: str | None) -> float:
        """A matter's configured average (a ticket without a known matter: its queue's)."""
        spec = self.config.matters.get(matter) if matter else None
        return spec.avg_minutes if spec is not None else self.config.queue_avg_minutes(queue)

    def _work_before(self, me: WaitingTicket, waiting: list[WaitingTicket]) -> tuple[int, float]:
        """(how many tickets of its queue stand before `me`, what their matters take by the configured averages)."""
        before = WaitEstimator.before_in_queue(me, waiting)
        return len(before), sum(self.configured_minutes(t.queue, t.matter) for t in before)

    def _against_configured(self, measured: dict) -> dict[str, tuple[float, float, int]]:
        """Per queue: (minutes the finished tickets took, minutes their matters' configured averages give,
        how many), from `measured_by_matter`."""
        totals: dict[str, tuple[float, float, int]] = {}
        for (queue, matter), (seconds, n) in measured.items():
            expected = self.configured_minutes(queue, matter)
            taken, configured, count = totals.get(queue, (0.0, 0.0, 0))
            totals[queue] = (taken + seconds / 60 * n, configured + expected * n, count + n)
        return totals

    def _slowdowns(self, now: dt.datetime) -> tuple[Slowdown, ...]:
        """The lunch breaks still ahead today (or under way), in minutes from now, at the pace the windows
        keep while each clerk takes `[supervision] lunch_minutes` of them; none when the hall states no
        lunch_minutes."""
        rules = self.config.supervision
        if not rules.lunch_minutes:
            return ()
        local = now.astimezone(self.config.hall.tz)
        spans = []
        for start, end in rules.lunch_breaks:
            begins, ends = (self._minutes_until(local, clock) for clock in (start, end))
            if ends > 0:
                pace = max(MIN_LUNCH_PACE, 1 - rules.lunch_minutes / (ends - begins))
                spans.append(Slowdown(begins, ends, pace))
        return tuple(spans)

    @staticmethod
    def _minutes_until(local: dt.datetime, clock: str) -> float:
        hours, minutes = map(int, clock.split(":"))
        return (local.replace(hour=hours, minute=minutes, second=0, microsecond=0) - local).total_seconds() / 60

    def _paused_away_minutes(self, now: dt.datetime, rows) -> dict[str, int]:
        """How long each paused window is expected to stay away: until the end of the lunch break
        ([supervision] lunch_breaks) when it is one, else PAUSE_BACK_MINUTES from when its pause began,
        at least PAUSE_LEFT_MINUTES more (a pause that has run past it is expected to end soon; the clerk
        is not known to be back before they are)."""
        paused = [w for w in rows if w.state == WindowState.PAUSED.value]
        local = now.astimezone(self.config.hall.tz)
        clock = local.strftime("%H:%M")
        for start, end in self.config.supervision.lunch_breaks:
            if start <= clock < end:
                if self.config.supervision.lunch_minutes:
                    return {w.number: 0 for w in paused}  # the break's pace (`_slowdowns`) stands for the clerks at lunch
                hours, minutes = map(int, end.split(":"))
                back = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
                return {w.number: math.ceil((back - local).total_seconds() / 60) for w in paused}
        return {w.number: PAUSE_BACK_MINUTES if w.since is None else
                max(PAUSE_LEFT_MINUTES, math.ceil(PAUSE_BACK_MINUTES - (now - w.since).total_seconds() / 60))
                for w in paused}

    def of_newcomer(self, uow: UnitOfWork, now: dt.datetime, queue: str, green: bool,
                    appointment: bool = False) -> tuple[int, Wait | None]:
        """(ahead, wait) of a ticket about to be issued: a walk-in stands behind every waiting one it
        competes with, counted in SQL rather than loading the queues (the bench's profile); a checked-in
        appointment goes before the walk-ins of its queue, so its place is worked out ticket by ticket."""
        estimator = self.estimator(uow, now)
        if appointment:
            me = WaitingTicket("", queue, green, now, 2**62, appointment=True)
            waiting = self.waiting(uow, now, estimator.related_queues(queue))
            return estimator.ahead_of(me, waiting), estimator.estimate(queue, *self._work_before(me, waiting))
        counts = uow.tickets.waiting_counts(self.today(now), estimator.related_queues(queue))
        in_queue = estimator.in_queue_of_newest(queue, green, counts)
        work = 0.0
        if in_queue:  # every green ticket of its queue stands before it, and every normal one unless it is green
            work = sum(self.configured_minutes(queue, matter) * n
                       for (matter, other_green), n in uow.tickets.waiting_matters(self.today(now), queue).items()
                       if other_green or not green)
        return estimator.ahead_of_newest(queue, green, counts), estimator.estimate(queue, in_queue, work)

    def of_ticket(self, uow: UnitOfWork, now: dt.datetime, ticket: Ticket, queue: str | None = None) -> tuple[int, Wait | None]:
        """(ahead, wait) of a waiting ticket (in `queue`, when it is about to move there)."""
        queue = queue or ticket.queue
        estimator = self.estimator(uow, now)
        me = WaitingTicket(ticket.id, queue, ticket.priority is Priority.GREEN, ticket.placed_at, ticket.seq,
                           ticket.kind is TicketKind.APPOINTMENT, ticket.matter)
        waiting = [w for w in self.waiting(uow, now, estimator.related_queues(queue)) if w.id != ticket.id]
        return estimator.ahead_of(me, waiting), estimator.estimate(queue, *self._work_before(me, waiting))

    def places(self, uow: UnitOfWork, now: dt.datetime, ticket_ids: list[str],
               in_queues: set[str] | None = None) -> list[dict]:
        """`{"id", "ahead", "eta_minutes", "eta_range"}` of those of the tickets that still wait; one read of the
        waiting tickets serves them all. `in_queues`: the tickets' queues, when known, so that only the
        queues that can stand before them are read."""
        estimator = self.estimator(uow, now)
        related = set().union(*(estimator.related_queues(q) for q in in_queues)) if in_queues is not None else None
        waiting = self.waiting(uow, now, related)
        wanted = set(ticket_ids)
        places = []
        for me in (w for w in waiting if w.id in wanted):
            related = estimator.related_queues(me.queue)
            ahead = estimator.ahead_of(me, [w for w in waiting if w.queue in related])
            wait = estimator.estimate(me.queue, *self._work_before(me, waiting))
            places.append({"id": me.id, "ahead": ahead, "eta_minutes": wait.minutes if wait else None,
                           "eta_range": wait.range if wait else None})
        return places

    def today(self, now: dt.datetime) -> dt.date:
        return business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)

    def waiting(self, uow: UnitOfWork, now: dt.datetime, queues=None) -> list[WaitingTicket]:
        """The tickets waiting today (the business day of `now`), in these queues or all."""
        return [WaitingTicket(r.id, r.queue, r.priority == Priority.GREEN.value, r.placed_at, r.seq,
                              r.kind == TicketKind.APPOINTMENT.value, r.matter) for r in uow.tickets.waiting(self.today(now), queues)]
