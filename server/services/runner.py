"""The command runner: every command of every entry point runs here, in one transaction.

Inside the transaction: a repeated Idempotency-Key returns the stored answer; the command runs; its
events are collected and handed to the consumers that must act in the same transaction (the notices'
outbox: a notice an event causes commits with it, or not at all); the facts among them are written
to the event log; the answer is stored under the key. After the commit, and only then, the events go
to the message bus. Nothing here knows HTTP.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable

from ..domain import events as ev
from ..domain.errors import Conflict, Reason, Unavailable
from .actors import Actor
from .bus import MessageBus
from .messages import IdempotencyKey, Outcome
from .unit_of_work import AlreadyStored, UnitOfWork

Command = Callable[[UnitOfWork, dt.datetime], dict]
# Runs inside the command's transaction, after its events are collected; may write, never does I/O.
InTransaction = Callable[[UnitOfWork, list[ev.Event], dt.datetime], None]
# Anonymous reads (screens' snapshots, public tracking, GET /stats) stand in the database's queue at
# most this many at a time per process, so a kiosk's or clerk's transaction never waits behind a crowd
# of them (issue 14: "a fair share of the database for kiosks and clerks whatever screens do").
PUBLIC_READERS = 2
PUBLIC_WAIT_S = 5.0


class CommandRunner:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], bus: MessageBus, clock: Callable[[], dt.datetime]):
        self.unit_of_work = unit_of_work
        self.bus = bus
        self.clock = clock
        self._in_transaction: list[InTransaction] = []
        self._public_lane = threading.BoundedSemaphore(PUBLIC_READERS)

    def also_in_transaction(self, consumer: InTransaction) -> None:
        """Registered by the composition root before anything runs (like a bus subscription)."""
        self._in_transaction.append(consumer)

    def run(self, actor: Actor, idempotency: IdempotencyKey | None, command: Command) -> Outcome:
        now = self.clock()
        try:
            with self.unit_of_work() as uow:
                if idempotency:
                    stored = uow.idempotency.get(actor.principal, idempotency.key)
                    if stored:
                        return self._replay(stored, idempotency)
                body = command(uow, now)
                events = uow.collect_events()
                for consumer in self._in_transaction:
                    consumer(uow, events, now)
                uow.log.append([e for e in events if e.stored], actor.principal, now)
                if idempotency:
                    uow.idempotency.put(actor.principal, idempotency.key, idempotency.request,
                                        json.dumps(body, ensure_ascii=False), now)
                uow.commit()
        except AlreadyStored:
            # Another request with the same key committed first (PostgreSQL; SQLite serialises).
            if not idempotency:
                raise
            return self._stored_answer(actor, idempotency)
        self.bus.publish(events)
        return Outcome(body)

    def read(self, query: Callable[[UnitOfWork, dt.datetime], object], public: bool = False):
        """A query in its own short transaction (no events, nothing stored). `public`: for an anonymous
        client, through the public lane (PUBLIC_READERS at a time; `Unavailable` when it stays full)."""
        if public:
            if not self._public_lane.acquire(timeout=PUBLIC_WAIT_S):
                raise Unavailable("The hall is busy with public requests; try again in a few seconds.",
                                  Reason.TOO_MANY_REQUESTS)
            try:
                return self.read(query)
            finally:
                self._public_lane.release()
        now = self.clock()
        with self.unit_of_work() as uow:
            return query(uow, now)

    def remember(self, actor: Actor, idempotency: IdempotencyKey | None, action: Callable[[], dict]) -> Outcome:
        """Idempotency for actions that keep their own transaction (creating an account, whose password
        is hashed outside any transaction): the answer is stored right after the action."""
        if idempotency:
            with self.unit_of_work() as uow:
                stored = uow.idempotency.get(actor.principal, idempotency.key)
            if stored:
                return self._replay(stored, idempotency)
        body = action()
        if idempotency:
            try:
                with self.unit_of_work() as uow:
                    uow.idempotency.put(actor.principal, idempotency.key, idempotency.request,
                                        json.dumps(body, ensure_ascii=False), self.clock())
                    uow.commit()
            except AlreadyStored:
                pass  # a concurrent twin stored the same answer
        return Outcome(body)

    def _stored_answer(self, actor: Actor, idempotency: IdempotencyKey) -> Outcome:
        with self.unit_of_work() as uow:
            stored = uow.idempotency.get(actor.principal, idempotency.key)
        if not stored:
            raise AlreadyStored(idempotency.key)
        return self._replay(stored, idempotency)

    @staticmethod
    def _replay(stored, idempotency: IdempotencyKey) -> Outcome:
        if stored.request != idempotency.request:
            raise Conflict("This Idempotency-Key was already used for a different request; use a new key.",
                           Reason.IDEMPOTENCY_KEY_REUSED)
        return Outcome(json.loads(stored.body), replayed=True)
