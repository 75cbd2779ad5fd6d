"""The service layer as the adapters see it: one object holding every service, built in order by the
composition root (hallq/bootstrap.py)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..config import HallConfig
from .account_admin import AccountAdmin
from .accounts import Accounts
from .signin import SignIn
from .advice import Advice
from .appointments import Appointments
from .bus import MessageBus
from .cases import CaseCommands
from .devices import DeviceDesk, DeviceHealth
from .figures import QueueFiguresTicker
from .follow_ups import FollowUps
from .housekeeping import Housekeeping
from .notice_delivery import NoticeDelivery
from .notices import Notices
from .pagers import PagerKeys
from .printing import Printing
from .queries import Queries
from .ratings import Ratings
from .reports import Reports
from .runner import CommandRunner
from .supervision import Supervision
from .tickets import TicketCommands
from .views import CaseViews
from .windows import WindowCommands


@dataclass(frozen=True)
class Hall:
    config: HallConfig
    clock: Callable[[], dt.datetime]
    bus: MessageBus
    runner: CommandRunner
    queries: Queries
    tickets: TicketCommands
    windows: WindowCommands
    cases: CaseCommands
    case_views: CaseViews
    ratings: Ratings
    follow_ups: FollowUps
    printing: Printing
    pagers: PagerKeys
    device_health: DeviceHealth
    device_desk: DeviceDesk
    figures: QueueFiguresTicker
    accounts: Accounts
    account_admin: AccountAdmin  # passwd, disable, remove, logout; device revoke and rotate
    signin: SignIn  # sign-in and its throttle, own password changes, unlocks
    housekeeping: Housekeeping
    supervision: Supervision
    reports: Reports
    appointments: Appointments
    notices: Notices  # queue(): for the services that send their own (appointments)
    notice_delivery: NoticeDelivery
    advice: Advice  # 调度建议: the staffing model's moves
    # Runs CPU-heavy work that touches no database (a spreadsheet) on a real OS thread, so the event loop
    # keeps serving meanwhile; in-line where there is no loop (tests of the service layer, the CLI).
    run_blocking: Callable = field(default=lambda fn, *args: fn(*args))
