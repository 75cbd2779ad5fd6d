"""The unit of work: one short transaction, the repositories that work in it, and the events it collects.

`server/adapters/sql_uow.py` is the real one (SQLAlchemy); tests use an in-memory one. Nothing else in
the service layer knows how data is stored. Never do I/O (emit, print, speak) inside `with uow:`:
events are published only after a successful commit, so nothing is ever pushed for a change that
was rolled back.
"""
from __future__ import annotations

import abc
import copy

from ..domain import events as ev


class AlreadyStored(Exception):
    """An insert met a row with the same key (a user's name, an Idempotency-Key): another request stored
    it first. The caller decides what that means."""


class UnitOfWork(abc.ABC):
    # Repositories, set by each implementation when the transaction opens:
    tickets: object
    windows: object
    cases: object
    accounts: object
    idempotency: object
    ratings: object
    follow_ups: object  # 回访整改 of 差评
    prints: object
    devices: object
    log: object  # the hall's event log: the audit trail
    alerts: object  # 电子监察's alerts
    watch: object  # what the supervision rules read
    reports: object  # what reports read (a day's ticket facts and ratings)
    appointments: object  # 预约: bookings
    notices: object  # the notices' outbox (短信/微信通知)

    def __enter__(self) -> "UnitOfWork":
        self._recorded: list[ev.Event] = []
        self._committed = False
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._committed:
            self.rollback()

    def commit(self) -> None:
        self._commit()
        self._committed = True
        for aggregate in self._aggregates():
            aggregate.events.clear()
        self._recorded.clear()

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    def record(self, *events: ev.Event) -> None:
        """Events a command raises itself (a floor's ready cases, a rating's facts)."""
        self._recorded.extend(events)

    def _aggregates(self) -> list:
        return [*self.tickets.seen.values(), *self.windows.seen.values(), *self.cases.seen.values(),
                *self.appointments.seen.values()]

    def collect_events(self) -> list[ev.Event]:
        """The command's facts in the order they happened, then one WindowUpdated per window it saved
        and one CaseUpdated per case it saved (read here, inside the transaction: exactly what commits)."""
        facts = sorted([e for a in self._aggregates() for e in a.events] + self._recorded, key=lambda e: e.order)
        states: list[ev.Event] = []
        for window in self.windows.saved():
            current = self.tickets.get(window.current_ticket) if window.current_ticket else None
            states.append(ev.WindowUpdated(window.facts(), current.facts() if current else None))
        for case in self.cases.saved():
            routed = any(isinstance(e, ev.CaseRouted) for e in case.events)
            snapshot = copy.copy(case)
            snapshot.reviews = [copy.copy(r) for r in case.reviews]
            snapshot.events = []
            states.append(ev.CaseUpdated(snapshot, routed))
        return facts + states
