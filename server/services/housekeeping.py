"""Housekeeping: set-up at start, the deadline watch (限时办结) and the day's turn."""
from __future__ import annotations

import datetime as dt
import logging

from ..config import HallConfig
from ..domain.model import Window
from .accounts import Accounts
from .actors import SYSTEM
from .appointments import Appointments
from .queries import Queries
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .views import CaseViews

log = logging.getLogger("hallq.housekeeping")
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
CHECK_EVERY_S = 60


class Housekeeping:
    def __init__(self, config: HallConfig, runner: CommandRunner, queries: Queries, case_views: CaseViews,
                 accounts: Accounts, appointments: Appointments):
        self.config = config
        self.runner = runner
        self.queries = queries
        self.policy = case_views.policy
        self.accounts = accounts
        self.appointments = appointments
        cal = config.calendar
        # Only cases due within this many calendar days can turn due soon before the next check
        # (the longest run of holidays and weekends is 9 days).
        self.alert_horizon = dt.timedelta(days=2 * cal.due_soon_working_days + 20)

    def install_windows(self) -> None:
        """Create rows for windows in the config that the database does not have yet. Existing rows
        keep their runtime state (queues set by the admin, open/paused/closed)."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            for spec in self.config.windows.values():
                uow.windows.add(Window(spec.number, spec.floor, spec.kind, spec.department, spec.queues), now)
            return {}
        self.runner.run(SYSTEM, None, command)

    def close_stale_day(self) -> int:
        """Cancel tickets left waiting from an earlier business day; returns how many. Calling and the
        figures already passed them over at the day's turn; a ticket still at a window (called) is never
        cancelled: it finishes there normally (docs/security.md, the day change)."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            stale = uow.tickets.stale(self.queries.today(now))
            for ticket in stale:
                ticket.cancel(now, reason="day_closed")
                uow.tickets.save(ticket)
            return {"cancelled": len(stale)}
        return self.runner.run(SYSTEM, None, command).body["cancelled"]

    def check_deadlines(self) -> int:
        """Raise due-soon and overdue alerts, once per case per state; returns how many were raised."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            raised = 0
            for case in uow.cases.open_due_before(now + self.alert_horizon):
                if case.observe_deadline(self.policy, now):
                    uow.cases.save(case)
                    raised += 1
            return {"raised": raised}
        return self.runner.run(SYSTEM, None, command).body["raised"]

    def purge(self) -> None:
        """Drop old Idempotency-Keys, expired tokens and old sign-in attempts."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            uow.idempotency.purge_before(now - IDEMPOTENCY_TTL)
            return {}
        self.runner.run(SYSTEM, None, command)
        self.accounts.purge()

    def start_of_service(self) -> None:
        self.install_windows()
        self.close_stale_day()
        self.purge()

    def run(self, sleep) -> None:
        """Once a minute: the deadline watch, the bookings' misses (爽约) and reminders; after the day's turn, cancel
        what yesterday left waiting and purge (nothing waits for this: the day turns for issuing and calling
        at the rollover instant itself)."""
        day = self.queries.today()
        while True:
            try:
                self.check_deadlines()
                self.appointments.sweep(SYSTEM)
            except Exception:
                log.exception("deadline or booking check failed")
            sleep(CHECK_EVERY_S)
            try:
                if self.queries.today() != day:
                    day = self.queries.today()
                    self.close_stale_day()
                    self.purge()
            except Exception:  # the database may be restarting; try again next minute
                log.exception("housekeeping failed")
