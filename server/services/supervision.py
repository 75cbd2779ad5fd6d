"""电子监察: the watch over the hall, and the alerts it keeps.

One sweep reads what the hall holds, asks the rules (server/domain/supervision.py) which alerts
should be open now, raises the new ones and clears the ended ones, each step a fact in the event log
(AlertRaised, AlertCleared) that the bus pushes to /admin after the commit. A background task sweeps
every SWEEP_S seconds, so timed rules fire without any request; the event stream wakes it sooner
after anything that can start or end a condition. Alerts live in the database: a restart, or
another process, picks up where the last sweep left off; only one process sweeps at a time.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import replace

from ..config import HallConfig
from ..domain import events as ev
from ..domain import supervision as sv
from ..domain.cases import Deadline
from ..domain.errors import Conflict, Invalid, NotFound, Reason
from ..domain.model import business_day
from .actors import READS_EVERYTHING, SYSTEM, Actor
from .alerts import place
from .background import one_round
from .messages import IdempotencyKey, Outcome
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .views import CaseViews, alert

log = logging.getLogger("hallq.supervision")
SWEEP_S = 2.0  # the longest a timed rule waits past its threshold (CONTRACT v2: within 5 s)
SOONEST_S = 0.5  # after an event, the next sweep comes this soon, but no sooner
CASE_HORIZON = dt.timedelta(days=40)  # a case can turn due soon only this close to its due date


class Supervision:
    def __init__(self, config: HallConfig, runner: CommandRunner, case_views: CaseViews):
        self.config = config
        self.runner = runner
        self.policy = case_views.policy
        rules = config.supervision
        self.limits = sv.Thresholds(
            wait=config.wait_thresholds, service_yellow=rules.service_yellow_minutes,
            service_red=rules.service_red_minutes, pause_red=rules.pause_red_minutes,
            idle_window=rules.idle_window_minutes, unstaffed_window=rules.unstaffed_window_minutes,
            no_show_per_clerk_day=rules.no_show_per_clerk_day)
        self.clock = sv.ServiceClock.of(config.hall.tz, rules.lunch_breaks)
        self._moved = False  # an event since the last sweep: sweep soon

    # ---------------------------------------------------------------- the watch
    def moved(self, _event: ev.Event, _audience) -> None:
        """Bus consumer: something that may start or end a condition happened."""
        self._moved = True

    def sweep(self) -> dict:
        """Raise the alerts whose condition now holds; clear those whose condition ended."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            if not uow.alerts.take_watch():
                return {"raised": 0, "cleared": 0, "skipped": True}
            wanted = {c.key: c for c in sv.conditions(self._watch(uow, now), self.limits, self.clock, now,
                                                      self._queue_name)}
            held = uow.alerts.open()
            cleared = [uow.alerts.clear(a.id, now) for key, a in held.items() if key not in wanted]
            raised = [uow.alerts.raise_(self._escalated(c, held), now) for key, c in wanted.items() if key not in held]
            uow.record(*(ev.AlertCleared(a) for a in cleared if a), *(ev.AlertRaised(a) for a in raised if a))
            return {"raised": sum(1 for a in raised if a), "cleared": sum(1 for a in cleared if a)}
        return self.runner.run(SYSTEM, None, command).body

    @staticmethod
    def _escalated(condition: sv.Condition, held: dict[str, ev.AlertFacts]) -> sv.Condition:
        """A red alert names the yellow one it follows (the same rule and subject), so the board can
        show one line that changed level."""
        yellow = held.get(condition.key.removesuffix(sv.Level.RED) + sv.Level.YELLOW)
        if condition.level is not sv.Level.RED or yellow is None:
            return condition
        return replace(condition, detail={**condition.detail, "after": yellow.id})

    def run(self, sleep) -> None:
        """The background task: sweep every SWEEP_S seconds, sooner after an event."""
        last = 0.0
        while True:
            since = time.monotonic() - last
            if since >= SWEEP_S or (self._moved and since >= SOONEST_S):
                self._moved = False
                last = time.monotonic()
                one_round(log, "supervision sweep", self.sweep)
            sleep(0.1)

    def _watch(self, uow: UnitOfWork, now: dt.datetime) -> sv.HallWatch:
        today = business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)
        reader = uow.watch
        waiting, serving = reader.tickets()
        return sv.HallWatch(
            today=today, waiting=waiting, serving=serving, windows=reader.windows(now),
            no_shows=reader.no_shows(today), bad_ratings=reader.bad_ratings(),
            devices=self._devices(reader.device_states()), cases=self._cases(reader, now))

    def _devices(self, states: dict[str, tuple[str, str]]) -> tuple[sv.DeviceState, ...]:
        return tuple(sv.DeviceState(d.name, d.kind, place(d.attach), *states[d.name], attach=d.attach)
                     for d in self.config.devices if d.name in states)

    def _cases(self, reader, now: dt.datetime) -> tuple[sv.CaseDeadline, ...]:
        out = []
        tz = self.config.hall.tz
        for case_id, number, matter, due_at, stopped_at, waiting in reader.cases_due_before(now + CASE_HORIZON):
            state = self.policy.state(due_at, stopped_at or now)
            if state is Deadline.ON_TIME:
                continue
            name = self.config.matters[matter].name if matter in self.config.matters else matter
            out.append(sv.CaseDeadline(case_id, number, name, state is Deadline.OVERDUE,
                                       due_at.astimezone(tz).date(), waiting))
        return tuple(out)

    def _queue_name(self, code: str) -> str:
        queue = self.config.queues.get(code)
        return queue.name if queue else code

    # ---------------------------------------------------------------- the board
    def alerts(self, actor: Actor, status: str = "open", since: dt.date | None = None,
               until: dt.date | None = None) -> list[dict]:
        actor.require_staff(*READS_EVERYTHING)
        if status not in ("open", "all"):
            raise Invalid("status must be open or all.", Reason.INVALID_STATUS_FILTER)
        if since and until and since > until:
            raise Invalid("from must not be after to.", Reason.INVALID_DATE_RANGE)
        tz = self.config.hall.tz
        start = dt.datetime.combine(since, dt.time(), tz) if since else None
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tz) if until else None
        return self.runner.read(lambda uow, now: [alert(a) for a in uow.alerts.listing(status == "open", start, end)])

    def acknowledge(self, actor: Actor, alert_id: str, note: str,
                    idempotency: IdempotencyKey | None = None) -> Outcome:
        """A supervisor (or the admin) saw the alert and says what was done; it stays open until its
        condition ends."""
        actor.require_staff(*READS_EVERYTHING)
        if not note.strip():
            raise Invalid("Write what was done about the alert.", Reason.NOTE_REQUIRED)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            found = uow.alerts.get(alert_id, for_update=True) if alert_id.isdigit() and len(alert_id) < 16 else None
            if found is None:
                raise NotFound(f"There is no alert {alert_id[:20]}.", Reason.NO_SUCH_ALERT)
            done = uow.alerts.acknowledge(found.id, actor.name, note.strip(), now)
            if done is None:
                raise Conflict(f"Alert {found.id} was acknowledged already by {found.acknowledged_by}.",
                               Reason.ALERT_ALREADY_ACKNOWLEDGED, acknowledged_by=found.acknowledged_by)
            uow.record(ev.AlertAcknowledged(done))
            return {"alert": alert(done)}
        return self.runner.run(actor, idempotency, command)
