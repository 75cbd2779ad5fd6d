"""Group commit on SQLite: many requests' transactions made durable by one COMMIT (one fsync).

SQLite has one connection per process and every unit of work takes it in turn (the FifoGate). Under
group commit the connection keeps one transaction open across several gate holders: a batch. Each
holder works inside a SAVEPOINT of it; a command that succeeds RELEASEs its savepoint, one that is
refused or fails ROLLs BACK TO it (only its own writes go). Nobody answers yet: when a holder is done
and someone is waiting at the gate (and the batch is young and small enough), it hands the gate on and
waits; the last holder of the batch COMMITs on a real OS thread while keeping the gate, and then
everyone of the batch is released, in batch order, to answer and publish (docs/decisions.md §31).

A unit of work that only read, or was refused, answered from what it saw: if the batch held writes not
yet durable when it finished, it waits for the commit like a writer (and fails with it); if the batch
was clean so far, what it saw is durable already and it answers at once.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from ..domain.errors import Reason, Unavailable

MAX_BATCH = 64  # units of work per COMMIT
MAX_AGE_S = 0.010  # from the batch's BEGIN: the first holder of a batch never waits longer for others


class Member:
    """One unit of work's place in a batch: it answers when its turn comes, after the COMMIT."""

    def __init__(self):
        self.turn = threading.Event()
        self.next: Member | None = None


@dataclass
class Batch:
    connection: Connection
    transaction: RootTransaction
    started: float = field(default_factory=time.monotonic)
    members: list[Member] = field(default_factory=list)
    dirty: bool = False  # a member released a savepoint: the batch holds writes not yet durable
    broken: bool = False  # a savepoint could not be rolled back: nothing of the batch may commit
    failure: Unavailable | None = None


@dataclass(frozen=True)
class CommitFigures:
    """Since the process started: durable COMMITs of batches with writes, the units of work they made
    durable (refused and read-only ones that waited for them included), and the largest batch."""
    commits: int
    units: int
    largest_batch: int


class GroupCommit:
    """Owns the open batch. Every method is called by the gate's holder only."""

    def __init__(self, engine: Engine, gate, max_batch: int = MAX_BATCH, max_age_s: float = MAX_AGE_S):
        self.engine = engine
        self.gate = gate
        self.max_batch = max_batch
        self.max_age_s = max_age_s
        self.batch: Batch | None = None
        self._figures = CommitFigures(0, 0, 0)

    def figures(self) -> CommitFigures:
        return self._figures

    def open(self) -> Batch:
        """The open batch, begun (BEGIN IMMEDIATE) if there is none. DBAPIError if the database fails."""
        if self.batch is None:
            connection = self.engine.connect()
            try:
                self.batch = Batch(connection, connection.begin())
            except BaseException:
                connection.close()
                raise
        return self.batch

    def finish(self, wrote: bool, broken: bool = False) -> None:
        """The holder's unit of work is over (its savepoint released if `wrote`, else rolled back; `broken`:
        that failed). Returns once what it saw is durable, with the gate released; raises `Unavailable`
        when the batch could not commit (then nothing of it was acknowledged)."""
        batch = self.batch
        if batch is None:  # the batch never began (the database could not be reached)
            self.gate.release()
            return
        batch.broken |= broken
        member = None
        if wrote or batch.dirty or batch.broken:  # it wrote, or saw writes that are not durable yet
            member = Member()
            if batch.members:
                batch.members[-1].next = member
            batch.members.append(member)
        batch.dirty |= wrote
        if (not batch.broken and len(batch.members) < self.max_batch
                and time.monotonic() - batch.started < self.max_age_s and self.gate.pass_on()):
            if member is not None:  # the gate went on to the next holder, who carries on the batch
                member.turn.wait()
                if member.next is not None:
                    member.next.turn.set()
                if batch.failure:
                    raise batch.failure
            return
        self.batch = None
        try:
            self._end(batch)
        except BaseException:
            batch.failure = batch.failure or Unavailable(
                "The hall database cannot be reached right now; try again in a moment.", Reason.DATABASE_UNREACHABLE)
            raise
        finally:
            try:
                # Answers (and their events) go out in batch order: each member wakes the next; the
                # last one, this holder, keeps the gate until its turn, so the next batch comes after.
                if member is not None and batch.members[0] is not member:
                    batch.members[0].turn.set()
                    member.turn.wait()
            finally:
                self.gate.release()
        if member is not None and batch.failure:
            raise batch.failure

    def _end(self, batch: Batch) -> None:
        try:
            if batch.dirty and not batch.broken:
                # On the server the COMMIT's fsync runs on a real OS thread (engine.py's do_commit).
                batch.transaction.commit()
                units = len(batch.members)
                old = self._figures
                self._figures = CommitFigures(old.commits + 1, old.units + units, max(old.largest_batch, units))
            else:
                batch.transaction.rollback()
                if batch.broken:
                    batch.failure = Unavailable("The hall database cannot be reached right now; try again in a "
                                                "moment.", Reason.DATABASE_UNREACHABLE)
        except DBAPIError as exc:
            batch.failure = unavailable(exc)
            try:
                batch.transaction.rollback()
            except DBAPIError:
                pass
            batch.connection.invalidate()  # a connection whose COMMIT failed is not trusted again
        finally:
            batch.connection.close()


def unavailable(exc: DBAPIError) -> Unavailable:
    if "locked" in str(exc.orig) or "busy" in str(exc.orig):
        return Unavailable("The hall database is too busy right now; try again in a moment.", Reason.DATABASE_BUSY)
    return Unavailable("The hall database cannot be reached right now; try again in a moment.",
                       Reason.DATABASE_UNREACHABLE)
