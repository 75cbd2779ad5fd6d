"""An in-memory unit of work: the service layer's repositories over plain dicts, so service tests run
without a database. A transaction works on a copy of the store and writes it back on commit, so a
refused command changes nothing, as with the real one.

The repositories live by kind: store.py (the shared Store), queueing.py (tickets, windows), cases.py
(cases, appointments), accounts.py (accounts, Idempotency-Key answers), ratings.py (ratings,
follow-ups), devices.py (print queue, health), records.py (event log, notices)."""
from __future__ import annotations

import copy

from server.services.unit_of_work import UnitOfWork

from .accounts import FakeAccounts, FakeIdempotency
from .cases import FakeAppointments, FakeCases
from .devices import FakeHealth, FakePrints
from .queueing import FakeTickets, FakeWindows
from .ratings import FakeFollowUps, FakeRatings
from .records import FakeLog, FakeNotices
from .store import Store

__all__ = ["FakeUnitOfWork", "Store", "fake_unit_of_work"]


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> "FakeUnitOfWork":
        self.work = copy.deepcopy(self.store)
        self.tickets, self.windows, self.cases = FakeTickets(self.work), FakeWindows(self.work), FakeCases(self.work)
        self.accounts, self.idempotency = FakeAccounts(self.work), FakeIdempotency(self.work)
        self.ratings, self.prints, self.devices = FakeRatings(self.work), FakePrints(self.work), FakeHealth(self.work)
        self.log = FakeLog(self.work)
        self.follow_ups = FakeFollowUps(self.work)
        self.appointments = FakeAppointments(self.work)
        self.notices = FakeNotices(self.work)
        return super().__enter__()

    def _commit(self) -> None:
        self.store.__dict__.update(self.work.__dict__)

    def rollback(self) -> None:
        pass  # the copy is dropped


def fake_unit_of_work():
    """A factory of units of work over one shared in-memory store."""
    store = Store()
    return lambda: FakeUnitOfWork(store)
