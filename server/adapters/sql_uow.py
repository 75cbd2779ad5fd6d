"""The unit of work over SQLAlchemy: one short transaction on one connection, and the repositories on it.

On SQLite every transaction first takes the database's gate (one connection per process, handed out
in arrival order: engine.py). A database that cannot be reached, or is too busy, is `Unavailable`.
"""
from __future__ import annotations

from sqlalchemy.exc import OperationalError

from ..domain.errors import Reason, Unavailable
from ..services.unit_of_work import UnitOfWork
from .engine import Database
from .repositories.accounts import AccountRepository, IdempotencyRepository
from .repositories.appointments import AppointmentRepository
from .repositories.alerts import AlertRepository, HallWatchReader
from .repositories.cases import CaseRepository
from .repositories.notices import NoticeRepository
from .repositories.ratings import FollowUpRepository, RatingRepository
from .repositories.records import DeviceHealthRepository, EventLog, PrintJobRepository
from .repositories.reports import ReportRecords
from .repositories.tickets import TicketRepository
from .repositories.windows import WindowRepository

GATE_TIMEOUT_S = 30


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, database: Database, hall: str):
        self.database = database
        self.hall = hall  # the hall's code, on every row of the event log

    def __enter__(self) -> "SqlUnitOfWork":
        gate = self.database.gate
        if gate and not gate.acquire(GATE_TIMEOUT_S):
            raise Unavailable("The hall database is too busy right now; try again in a moment.", Reason.DATABASE_BUSY)
        self._holding_gate = gate is not None
        self.connection = None
        try:
            self.connection = self.database.engine.connect()
            self.transaction = self.connection.begin()
        except BaseException as exc:
            if self.connection is not None:
                self.connection.close()
            self._release_gate()
            if isinstance(exc, OperationalError):
                raise Unavailable("The hall database cannot be reached right now; try again in a moment.",
                                  Reason.DATABASE_UNREACHABLE) from exc
            raise
        conn = self.connection
        self.tickets = TicketRepository(conn)
        self.windows = WindowRepository(conn)
        self.cases = CaseRepository(conn)
        self.accounts = AccountRepository(conn)
        self.idempotency = IdempotencyRepository(conn)
        self.ratings = RatingRepository(conn)
        self.follow_ups = FollowUpRepository(conn)
        self.prints = PrintJobRepository(conn)
        self.devices = DeviceHealthRepository(conn)
        self.log = EventLog(conn, self.hall)
        self.alerts = AlertRepository(conn, self.hall)
        self.watch = HallWatchReader(conn)
        self.reports = ReportRecords(conn)
        self.appointments = AppointmentRepository(conn)
        self.notices = NoticeRepository(conn)
        return super().__enter__()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            self.connection.close()
            self._release_gate()

    def _commit(self) -> None:
        self.transaction.commit()

    def rollback(self) -> None:
        if self.transaction.is_active:
            self.transaction.rollback()

    def _release_gate(self) -> None:
        if self._holding_gate:
            self.database.gate.release()
            self._holding_gate = False
