"""The discrete-event loop of a hall day. It drives the real service layer (the `Hall` the composition root
built over a database and a `SimClock`): every arrival is `take_ticket`, every window's step is the
clerk's command, each run at its simulated moment. The engine only decides *when* things happen; what
happens (who is called, what the kiosk says) is the hall's own.

Events are kept in a heap ordered by (minute, sequence number), so equal times run in the order they
were scheduled and a run is repeatable. A free clerk calls next at once; a clerk whose queues are empty
waits, and the next arrival in one of their queues wakes one such clerk (no polling)."""
from __future__ import annotations

import datetime as dt
import heapq
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from server.domain.errors import HallError, QueueEmpty
from server.services.actors import Actor

from .arrivals import Arrival
from .baseline import baseline_eta
from .profile import Profile, local_moment

KIOSK = Actor("device", "sim-kiosk", "kiosk")
ADMIN = Actor("staff", "sim-admin", "admin")
LUNCH = "午休"


class SimClock:
    """The hall's clock during a run: the engine sets `now` before each command."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class TicketRecord:
    id: str
    arrival: Arrival
    floor: int
    ahead: int
    eta_minutes: int | None
    eta_range: list | None
    baseline_eta_minutes: int | None
    calls: int = 0
    first_call: float | None = None
    outcome: str = "waiting"  # waiting | called | done | no_show
    waiting: list = field(default_factory=list)  # [start, end] spans of waiting (end None while it waits)

    @property
    def wait(self) -> float | None:
        return None if self.first_call is None else self.first_call - self.arrival.minute


@dataclass
class SimWindow:
    number: str
    floor: int
    queues: tuple[str, ...]
    clerk: Actor
    lunch_at: float | None
    status: str = "closed"  # closed | idle | serving | paused
    ticket: str | None = None
    pause_due: tuple[str, float] | None = None  # (reason, minutes): taken once the current ticket is done
    leaving: bool = False
    idle_since: float = 0.0
    open_since: float | None = None


@dataclass
class DayLog:
    """What the figures are computed from."""
    records: dict[str, TicketRecord] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # reason -> arrivals the kiosk refused
    open_spans: list = field(default_factory=list)  # (start, end, floor, queues) a window was staffed and open
    served: int = 0
    end_minute: float = 0.0
    advice_moves: list = field(default_factory=list)  # (minute, window, from queues, to queues) applied


class Engine:
    def __init__(self, hall, profile: Profile, arrivals: list[Arrival], day: dt.date,
                 progress: Callable[[str], None] | None = None, breaks: dict[str, list[float]] | None = None):
        self.hall, self.profile, self.day, self.progress = hall, profile, day, progress
        self.config = hall.config
        self.tz = self.config.hall.tz
        self.clock = hall.clock
        self.behaviour = profile.behaviour
        self.pause_reason = LUNCH if LUNCH in self.config.supervision.pause_reasons else self.config.supervision.pause_reasons[0]
        self.log = DayLog()
        self.heap: list = []
        self.seq = 0
        self.hooks = 0
        self.windows = self._staff(breaks or {})
        for a in arrivals:
            self.at(a.minute, self._arrive, a)

    # ------------------------------------------------------------------ scheduling
    def at(self, minute: float, action, *args) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (minute, self.seq, action, args))

    def every(self, minutes: float, action: Callable[[object, dt.datetime], None]) -> None:
        """Run `action(hall, now)` every `minutes` from the first sign-in while the day goes on; after it,
        clerks with nothing to do look again (the action may have moved windows between queues)."""
        def tick(minute: float) -> None:
            if len(self.heap) > self.hooks - 1:  # something besides the hooks is still to happen
                action(self.hall, self.clock())
                self._refresh_queues(minute)
                self.at(minute + minutes, tick)
            else:
                self.hooks -= 1
        self.hooks += 1
        self.at(self.profile.staffing.sign_in + minutes, tick)

    def apply_advice_every(self, minutes: float) -> None:
        """调度建议 as an admin who follows it: every `minutes`, each window the advice names moves once (its
        first, best, move); a refused move is skipped."""
        def follow(hall, now) -> None:
            moved = set()
            for move in hall.advice.advise(ADMIN)["advice"]:
                if move["window"] in moved:
                    continue
                try:
                    hall.windows.set_queues(ADMIN, move["window"], list(move["to_queues"]))
                except HallError:
                    continue
                moved.add(move["window"])
                minute = round((now - local_moment(self.day, 0, self.tz)).total_seconds() / 60, 1)
                self.log.advice_moves.append((minute, move["window"], list(move["from_queues"]), list(move["to_queues"])))
        self.every(minutes, follow)

    def run(self) -> DayLog:
        minute = self.profile.staffing.sign_in
        next_report = minute + 60
        while self.heap and self.heap[0][0] <= self.profile.hard_end:
            minute, _seq, action, args = heapq.heappop(self.heap)
            self.clock.now = local_moment(self.day, minute, self.tz)
            if self.progress and minute >= next_report:
                self._report(minute)
                next_report += 60
            action(minute, *args)
        end = min(max(minute, self.profile.arrivals_until), self.profile.hard_end)
        for w in self.windows.values():
            self._close_span(w, end)
        for record in self.log.records.values():
            if record.waiting and record.waiting[-1][1] is None:
                record.waiting[-1][1] = end
        self.log.end_minute = end
        return self.log

    def _report(self, minute: float) -> None:
        records = self.log.records.values()
        waiting = sum(1 for r in records if r.outcome == "waiting")
        self.progress(f"{int(minute) // 60:02d}:{int(minute) % 60:02d}  issued {len(self.log.records):5d}  "
                      f"served {self.log.served:5d}  waiting {waiting:4d}")

    # ------------------------------------------------------------------ staffing plan
    def _staff(self, breaks: dict[str, list[float]]) -> dict[str, SimWindow]:
        plan = self.profile.staffing
        shifts = 1
        if plan.lunch:
            shifts = max(1, int((plan.lunch[1] - plan.lunch[0]) // plan.lunch_minutes))
        in_group: dict[tuple, int] = {}
        windows = {}
        for number in plan.windows:
            spec = self.config.windows[number]
            position = in_group[spec.queues] = in_group.get(spec.queues, -1) + 1
            # lunch staggered within each group of alike windows, so every group keeps most of its clerks
            lunch_at = plan.lunch[0] + (position % shifts) * plan.lunch_minutes if plan.lunch else None
            departments = (spec.department,) if spec.department else ()
            w = windows[number] = SimWindow(number, spec.floor, spec.queues,
                                            Actor("staff", f"sim-{number}", "clerk", departments), lunch_at)
            late = plan.late.get(number)
            if late:  # the admin opens the window; its clerk comes later
                self.at(plan.sign_in, self._opened_by_admin, w)
            self.at(plan.sign_in + (late or 0), self._sign_in, w)
            if lunch_at is not None:
                self.at(lunch_at, self._pause_starts, w, self.pause_reason, plan.lunch_minutes)
            for moment in breaks.get(number, ()):
                self.at(moment, self._pause_starts, w, plan.break_reason, plan.break_minutes)
            self.at(plan.sign_out, self._time_to_leave, w)
        for number, moment, minutes, reason in plan.pauses:
            self.at(moment, self._pause_starts, windows[number], reason, minutes)
        return windows

    def _sign_in(self, minute: float, w: SimWindow) -> None:
        self.hall.windows.sign_in(w.clerk, w.number)
        w.status = "idle"
        self._open_span(w, minute)
        self._next(w, minute)

    def _opened_by_admin(self, minute: float, w: SimWindow) -> None:
        self.hall.windows.set_state(ADMIN, w.number, "open")

    def _pause_starts(self, minute: float, w: SimWindow, reason: str, minutes: float) -> None:
        """Lunch or a break: taken at once by an idle clerk, after the current ticket by a busy one; a
        break falling while the clerk is away (not yet in, at lunch, gone) is skipped."""
        if w.status == "serving" and w.pause_due is None:
            w.pause_due = (reason, minutes)
        elif w.status == "idle":
            self._pause(w, minute, reason, minutes)

    def _pause(self, w: SimWindow, minute: float, reason: str, minutes: float) -> None:
        self.hall.windows.pause(w.clerk, w.number, reason)
        w.status, w.pause_due = "paused", None
        self._close_span(w, minute)
        self.at(minute + minutes, self._pause_ends, w)

    def _pause_ends(self, minute: float, w: SimWindow) -> None:
        self.hall.windows.resume(w.clerk, w.number)
        w.status = "idle"
        self._open_span(w, minute)
        self._next(w, minute)

    def _time_to_leave(self, minute: float, w: SimWindow) -> None:
        """The clerk goes once their queues are empty: everyone who took a number is served."""
        w.leaving = True
        if w.status == "idle":
            self._sign_out(w, minute)

    def _sign_out(self, w: SimWindow, minute: float) -> None:
        self.hall.windows.sign_out(w.clerk, w.number)
        w.status = "closed"
        self._close_span(w, minute)

    def _open_span(self, w: SimWindow, minute: float) -> None:
        w.open_since = minute

    def _close_span(self, w: SimWindow, minute: float) -> None:
        if w.open_since is not None:
            self.log.open_spans.append((w.open_since, minute, w.floor, w.queues))
            w.open_since = None

    def _refresh_queues(self, minute: float) -> None:
        """After a periodic action: the windows' queues as the hall has them now; idle clerks look again."""
        current = dict(self.hall.runner.read(lambda uow, now: uow.windows.serving()))
        for w in self.windows.values():
            queues = current.get(w.number, w.queues)
            if queues != w.queues:
                if w.open_since is not None:  # the open span goes on with the new queues
                    self._close_span(w, minute)
                    self._open_span(w, minute)
                w.queues = queues
        for w in self.windows.values():
            if w.status == "idle":
                self._next(w, minute)

    # ------------------------------------------------------------------ citizens and clerks
    def _arrive(self, minute: float, a: Arrival) -> None:
        try:
            ticket = self.hall.tickets.take_ticket(KIOSK, a.matter, "green" if a.green else "normal").body["ticket"]
        except HallError as refusal:  # 限号: the queue's daily quota is reached
            reason = getattr(refusal.reason, "value", str(refusal.reason))
            self.log.refused[reason] = self.log.refused.get(reason, 0) + 1
            return
        record = TicketRecord(ticket["id"], a, self.config.queues[a.queue].floor, ticket["ahead"],
                              ticket.get("eta_minutes"), ticket.get("eta_range"),
                              baseline_eta(self.hall, a.queue, ticket["ahead"]))
        record.waiting.append([minute, None])
        self.log.records[record.id] = record
        self._wake(a.queue, minute)

    def _wake(self, queue: str, minute: float) -> None:
        """One clerk with nothing to do who serves `queue` calls next: the one for whom it comes first,
        then the one idle longest."""
        idle = [w for w in self.windows.values() if w.status == "idle" and queue in w.queues]
        if idle:
            self._next(min(idle, key=lambda w: (w.queues.index(queue), w.idle_since, int(w.number))), minute)

    def _next(self, w: SimWindow, minute: float) -> None:
        """The clerk is free: lunch if it is due, else call next; with nothing waiting, wait (or leave)."""
        if w.pause_due:
            self._pause(w, minute, *w.pause_due)
            return
        try:
            ticket = self.hall.windows.call_next(w.clerk, w.number).body["ticket"]
        except QueueEmpty:
            if w.leaving:
                self._sign_out(w, minute)
            else:
                w.status, w.idle_since = "idle", minute
            return
        record = self.log.records[ticket["id"]]
        record.calls += 1
        record.outcome = "called"
        record.waiting[-1][1] = minute
        if record.first_call is None:
            record.first_call = minute
        w.status, w.ticket = "serving", record.id
        self.at(minute + self.visit_minutes(record, minute), self._visit_ends, w)

    def visit_minutes(self, record: TicketRecord, minute: float) -> float:
        """How long a window is busy with the ticket it called at `minute`: the durations drawn with the
        arrival (server/simulation/oracle.py's twin re-draws those still to come)."""
        a, rules = record.arrival, self.behaviour
        if record.calls == 1:
            return a.first_visit_minutes(rules.no_show_grace_minutes, rules.transfer_after_minutes)
        return a.transfer_service_minutes

    def _visit_ends(self, minute: float, w: SimWindow) -> None:
        record = self.log.records[w.ticket]
        a = record.arrival
        w.ticket = None
        if record.calls == 1 and a.no_show:
            self.hall.windows.no_show(w.clerk, w.number)
            record.outcome = "no_show"
        elif record.calls == 1 and a.transfer_to:
            self.hall.windows.transfer(w.clerk, w.number, a.transfer_to)
            record.outcome = "waiting"
            record.waiting.append([minute, None])
        else:
            self.hall.windows.finish(w.clerk, w.number)
            record.outcome = "done"
            self.log.served += 1
        self._next(w, minute)
        if record.outcome == "waiting":
            self._wake(a.transfer_to, minute)


def stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
