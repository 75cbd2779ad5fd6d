"""Unit of work: one short database transaction, its repositories, and the notifications it produced.

The service layer reads the domain events of loaded objects (and `notes`, notifications a command
adds itself) inside the transaction and publishes them only after a successful commit, so nothing
is ever pushed for a change that was rolled back. Never do I/O (emit, print, speak) inside `with uow:`.
"""
from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from ..adapters.repository import (AccountRepository, CaseRepository, IdempotencyRepository, TicketRepository,
                                  WindowRepository)
from ..domain.errors import Unavailable

GATE_TIMEOUT_S = 30


class UnitOfWork:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.notes: list = []  # Notifications a command adds directly, published after the commit

    def __enter__(self) -> "UnitOfWork":
        self._gate = getattr(self.engine, "hallq_gate", None)  # SQLite: one connection, taken in turn
        if self._gate and not self._gate.acquire(GATE_TIMEOUT_S):
            raise Unavailable("The hall database is too busy right now; try again in a moment.")
        self.connection = None
        try:
            self.connection = self.engine.connect()
            self.transaction = self.connection.begin()
        except BaseException as exc:
            if self.connection is not None:
                self.connection.close()
            self._release_gate()
            if isinstance(exc, OperationalError):
                raise Unavailable("The hall database cannot be reached right now; try again in a moment.") from exc
            raise
        self.tickets = TicketRepository(self.connection)
        self.windows = WindowRepository(self.connection)
        self.accounts = AccountRepository(self.connection)
        self.idempotency = IdempotencyRepository(self.connection)
        self.cases = CaseRepository(self.connection)
        self._committed = False
        return self

    def commit(self) -> None:
        self.transaction.commit()
        self._committed = True
        for repo in (self.tickets, self.windows):
            for obj in repo.seen.values():
                obj.events.clear()
        for case in self.cases.seen.values():
            case.steps.clear()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not self._committed and self.transaction.is_active:
                self.transaction.rollback()
        finally:
            self.connection.close()
            self._release_gate()

    def _release_gate(self) -> None:
        if self._gate:
            self._gate.release()
            self._gate = None
