"""The composition root, first half: the service layer, built in order, each part given what it needs;
nothing is patched afterwards. The message bus is made first; its consumers subscribe before anything
runs.

`build_services` makes the service layer over a unit of work (tests give an in-memory one);
`build_hall` over a database (what the command line, the bench and the tests use). The server
process adds the web adapter, the Socket.IO push and the devices in serve.py.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from server.adapters.engine import Database, migrate, open_database
from server.adapters.gateway import HttpGateway
from server.adapters.sql_uow import SqlUnitOfWork
from server.config import HallConfig, load_config
from server.domain.calendar import WorkingCalendar
from server.domain.cases import DeadlinePolicy
from server.domain.policy import CallNextPolicy, PreferenceWithGreenChannel
from server.services.account_admin import AccountAdmin
from server.services.accounts import Accounts
from server.services.advice import Advice
from server.services.appointments import Appointments
from server.services.bus import Audience, MessageBus
from server.services.cases import CaseCommands
from server.services.devices import DeviceDesk, DeviceHealth
from server.services.figures import QueueFiguresTicker
from server.services.follow_ups import FollowUps
from server.services.hall import Hall
from server.services.housekeeping import Housekeeping
from server.services.notice_delivery import NoticeDelivery
from server.services.notices import Notices
from server.services.pagers import PagerKeys
from server.services.printing import Printing
from server.services.queries import Queries
from server.services.ratings import Ratings
from server.services.reports import Reports
from server.services.runner import CommandRunner
from server.services.signin import SignIn
from server.services.supervision import Supervision
from server.services.tickets import TicketCommands
from server.services.unit_of_work import UnitOfWork
from server.services.views import CaseViews
from server.services.waits import WaitEstimates
from server.services.windows import WindowCommands


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def thread_runner(async_mode: str | None):
    """A function running CPU-heavy or blocking work on a real OS thread without blocking the event loop."""
    if async_mode == "eventlet":
        from eventlet import tpool
        return tpool.execute
    if async_mode == "gevent":
        import gevent
        return lambda fn, *args: gevent.get_hub().threadpool.apply(fn, args)
    return None


def migrate_in_child(db_url: str) -> None:
    """`migrate` in a child process: Alembic, Mako and the migration scripts (~10 MB) then never load in
    the server, whose peak memory they were part of (docs/performance.md "Memory at start-up")."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); from server.adapters.engine import migrate; migrate(sys.argv[2])"
    # The child keeps this process's working directory: a relative SQLite path names the same file.
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).resolve().parents[1]), db_url])
    if done.returncode != 0:
        raise RuntimeError(f"migrating the database failed (its child process exited {done.returncode}; "
                           "its error is above)")


def build_hall(config_path: str | None, db_url: str, async_mode: str | None = None,
               clock: Callable[[], dt.datetime] = utc_now, migrate_apart: bool = False) -> tuple[Hall, Database]:
    """The service layer over its database (migrated first; `migrate_apart`: in a child process)."""
    config = load_config(config_path)
    (migrate_in_child if migrate_apart else migrate)(db_url)
    run_blocking = thread_runner(async_mode)
    database = open_database(db_url, run_blocking, config.database.group_commit)
    return build_services(config, partial(SqlUnitOfWork, database, config.hall.code), clock, run_blocking), database


def build_services(config: HallConfig, unit_of_work: Callable[[], UnitOfWork], clock: Callable[[], dt.datetime],
                   run_blocking=None, policy: CallNextPolicy | None = None) -> Hall:
    """The service layer over any unit of work (tests give an in-memory one). `policy`: the call-next rule
    (the hall's default unless the simulator compares another)."""
    bus = MessageBus()
    runner = CommandRunner(unit_of_work, bus, clock)
    waits = WaitEstimates(config)
    notices = Notices(config, waits)
    runner.also_in_transaction(notices.in_transaction)  # the outbox: queued in the command's transaction
    gateway = HttpGateway(config.notices.url, config.notices.timeout_seconds) if config.notices.url else None
    notice_delivery = NoticeDelivery(config, runner, gateway, run_blocking)
    bus.subscribe(Audience.NOTICES, notice_delivery.wake)
    queries = Queries(config, runner, waits)
    printing = Printing(config, runner, queries)
    tickets = TicketCommands(config, runner, queries, waits, printing)
    windows = WindowCommands(config, runner, queries, waits, policy or PreferenceWithGreenChannel(config.hall.green_max_in_row))
    cal = config.calendar
    calendar = WorkingCalendar.of(cal.holidays, cal.workdays)
    case_views = CaseViews(config, DeadlinePolicy(calendar, config.hall.tz, cal.due_soon_working_days))
    ratings = Ratings(config, runner, calendar)
    pagers = PagerKeys(windows, queries, config.supervision.pager_pause_reason)
    device_health = DeviceHealth(config, runner, printing)
    figures = QueueFiguresTicker(queries, bus)
    bus.subscribe(Audience.QUEUE_FIGURES, figures.moved)
    bus.subscribe(Audience.QUEUE_FIGURES, queries.figures_moved)  # GET /stats is read anew after a change
    accounts = Accounts(unit_of_work, clock, set(config.departments), run_blocking,
                        dt.timedelta(hours=config.security.staff_token_hours))
    account_admin = AccountAdmin(accounts, runner)
    supervision = Supervision(config, runner, case_views)
    bus.subscribe(Audience.SUPERVISION, supervision.moved)
    appointments = Appointments(config, runner, calendar, tickets, notices)
    return Hall(
        config=config, clock=clock, bus=bus, runner=runner, queries=queries, tickets=tickets, windows=windows,
        cases=CaseCommands(config, runner, case_views, tickets, windows), case_views=case_views, ratings=ratings,
        follow_ups=FollowUps(runner),
        printing=printing, pagers=pagers, device_health=device_health,
        device_desk=DeviceDesk(device_health, printing, pagers, ratings), figures=figures, accounts=accounts,
        account_admin=account_admin, signin=SignIn(accounts, account_admin, unit_of_work, clock),
        reports=Reports(config, runner),
        housekeeping=Housekeeping(config, runner, queries, case_views, accounts, appointments),
        supervision=supervision, appointments=appointments, notices=notices, notice_delivery=notice_delivery,
        advice=Advice(config, runner), **({"run_blocking": run_blocking} if run_blocking else {}))
