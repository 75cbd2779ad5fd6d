"""The unit of work over SQLAlchemy: one short transaction on one connection, and the repositories on it.

On SQLite every transaction first takes the database's gate (one connection per process, handed out
in arrival order: engine.py); under group commit it is a SAVEPOINT of the open batch, and `commit()`
returns only once the batch's COMMIT is durable (group_commit.py). A database that cannot be reached,
or is too busy, is `Unavailable`.
"""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

from ..domain.errors import Reason, Unavailable
from ..services.unit_of_work import UnitOfWork
from .engine import Database
from .group_commit import unavailable
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
        if self.database.group:
            self._join_batch()
            return self._open_repositories()
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
        return self._open_repositories()

    def _join_batch(self) -> None:
        """Group commit: this unit of work is a savepoint of the open batch (begun if there is none)."""
        group = self.database.group
        self._finished = self._broken = False
        try:
            self.connection = group.open().connection
            self.transaction = self.connection.begin_nested()
        except BaseException as exc:
            self._finish(wrote=False, broken=group.batch is not None)  # a batch without its savepoint is suspect
            if isinstance(exc, DBAPIError):
                raise unavailable(exc) from exc
            raise

    def _finish(self, wrote: bool, broken: bool = False) -> None:
        """Waits for the batch's durable commit (raises `Unavailable` if it failed); the gate is released."""
        self._finished = True
        self._holding_gate = False
        self.database.group.finish(wrote, broken)

    def _open_repositories(self) -> "SqlUnitOfWork":
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
        if self.database.group:
            try:
                super().__exit__(exc_type, exc, tb)  # ROLLBACK TO its savepoint, unless committed
            finally:
                if not self._finished:  # a read, a refusal, a failure: it answers after the batch too
                    self._finish(wrote=False, broken=self._broken)
            return
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            self.connection.close()
            self._release_gate()

    def _commit(self) -> None:
        if not self.database.group:
            self.transaction.commit()
            return
        try:
            self.transaction.commit()  # RELEASE SAVEPOINT
        except DBAPIError as exc:
            self._finish(wrote=False, broken=True)  # its writes may or may not be in the batch: none commits
            raise unavailable(exc) from exc
        self._finish(wrote=True)  # returns once the batch's COMMIT is durable

    def rollback(self) -> None:
        if not self.transaction.is_active:
            return
        if not self.database.group:
            self.transaction.rollback()
            return
        try:
            self.transaction.rollback()
        except Exception:
            # The batch's transaction itself is gone (SQLite ends it on I/O errors): none of it commits.
            self._broken = True

    def _release_gate(self) -> None:
        if self._holding_gate:
            self.database.gate.release()
            self._holding_gate = False
