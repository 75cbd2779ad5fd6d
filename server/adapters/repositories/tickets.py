"""Tickets: numbering, loading, the call-next candidates, and the figures read from waiting tickets.

The two guarantees of the contract live here, in the database and not in process memory:
- numbering: a per-(day, queue) counter created or bumped by a single INSERT … ON CONFLICT DO
  UPDATE … RETURNING, plus a unique constraint on (day, queue, seq);
- call-next: candidates read with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite's BEGIN IMMEDIATE
  already serialises writers) and claimed by a conditional UPDATE … WHERE status = 'waiting'.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ...domain.identity import Holder
from ...domain.model import Priority, Ticket, TicketKind, TicketStatus
from .. import tables as t
from .common import hold_lock

# The statements of the ticket-issue path, built once: SQLAlchemy otherwise builds each statement and
# its cache key again per call, which was about a fifth of a ticket's CPU in the bench's profile
# (docs/performance.md).
_INSERT_TICKET = insert(t.tickets)
_LIVE = (TicketStatus.WAITING.value, TicketStatus.CALLED.value)
# Waiting means waiting today: an earlier day's waiting ticket is never called nor counted once the day
# has turned, whether or not housekeeping has cancelled it yet (docs/security.md, the day change).
_WAITING_SUMMARY = (
    select(t.tickets.c.queue, t.tickets.c.priority, func.count().label("n"),
           func.min(t.tickets.c.issued_at).label("oldest"))
    .where(t.tickets.c.status == TicketStatus.WAITING.value, t.tickets.c.day == bindparam("day"))
    .group_by(t.tickets.c.queue, t.tickets.c.priority))
_WAITING_COUNTS_OF = (
    select(t.tickets.c.queue, t.tickets.c.priority, func.count())
    .where(t.tickets.c.status == TicketStatus.WAITING.value, t.tickets.c.day == bindparam("day"),
           t.tickets.c.queue.in_(bindparam("queues", expanding=True)))
    .group_by(t.tickets.c.queue, t.tickets.c.priority))


@functools.cache
def _next_seq_statement(dialect_name: str):
    """Create the (day, queue) counter at 1 or bump it, in one statement: atomic in the database,
    one round trip per ticket (built once; SQLAlchemy then reuses its compiled form)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    c = t.counters.c
    return (dialect.insert(t.counters)
            .on_conflict_do_update(index_elements=[c.day, c.queue], set_={"last_seq": c.last_seq + 1})
            .returning(c.last_seq))


class TicketRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[str, Ticket] = {}

    # -- numbering --------------------------------------------------------------------------
    def next_seq(self, day: dt.date, queue: str) -> int:
        return self.conn.execute(_next_seq_statement(self.conn.dialect.name),
                                 {"day": day, "queue": queue, "last_seq": 1}).scalar_one()

    def highest_live_seq(self, series: str, before: dt.date) -> int | None:
        """The highest number of this series that a ticket of an earlier day still carries, live
        (waiting or called); None when none is."""
        c = t.tickets.c
        return self.conn.execute(select(func.max(c.seq)).where(
            c.series_queue == series, c.day < before, c.status.in_(_LIVE))).scalar_one()

    def continue_series(self, day: dt.date, series: str, seq: int) -> None:
        """Set the (day, series) counter, just created by this transaction, to `seq`."""
        c = t.counters.c
        self.conn.execute(update(t.counters).where(c.day == day, c.queue == series).values(last_seq=seq))

    # -- loading ----------------------------------------------------------------------------
    def _track(self, row) -> Ticket:
        ticket = Ticket(
            id=row.id, day=row.day, series_queue=row.series_queue, seq=row.seq, number=row.number,
            queue=row.queue, matter=row.matter, floor=row.floor, zone=row.zone,
            priority=Priority(row.priority), issued_at=row.issued_at, status=TicketStatus(row.status),
            called_at=row.called_at, finished_at=row.finished_at, window=row.window, clerk=row.clerk,
            recalls=row.recalls, case=row.case_number, kind=TicketKind(row.kind), placed_at=row.placed_at,
            holder=Holder(row.holder_name, row.id_number, row.phone), appointment=row.appointment,
            requeued=row.requeued)
        self.seen[ticket.id] = ticket
        return ticket

    def get(self, ticket_id: str, for_update: bool = False) -> Ticket | None:
        if ticket_id in self.seen:
            return self.seen[ticket_id]
        stmt = select(t.tickets).where(t.tickets.c.id == ticket_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).first()
        return self._track(row) if row else None

    def call_candidates(self, queues: Iterable[str], day: dt.date) -> list[Ticket]:
        """The longest-waiting green and normal ticket of `day` in each queue, locked (skipping rows that
        another window is claiming right now)."""
        found = []
        for queue in queues:
            for priority in (Priority.GREEN, Priority.NORMAL):
                stmt = (select(t.tickets)
                        .where(t.tickets.c.status == TicketStatus.WAITING.value, t.tickets.c.day == day,
                               t.tickets.c.queue == queue, t.tickets.c.priority == priority.value)
                        # 'appointment' sorts before 'walk_in' (the index is built for this order)
                        .order_by(t.tickets.c.kind, t.tickets.c.placed_at, t.tickets.c.seq, t.tickets.c.id)
                        .limit(1)
                        .with_for_update(skip_locked=True))
                row = self.conn.execute(stmt).first()
                if row:
                    found.append(self._track(row))
        return found

    def waiting(self, day: dt.date, queues: Iterable[str] | None = None) -> list:
        """Tickets of `day` waiting (in these queues, or all), lightly: (id, queue, priority, placed_at, seq, kind,
        matter)."""
        c = t.tickets.c
        stmt = select(c.id, c.queue, c.priority, c.placed_at, c.seq, c.kind, c.matter).where(
            c.status == TicketStatus.WAITING.value, c.day == day)
        if queues is not None:
            stmt = stmt.where(c.queue.in_(list(queues)))
        return self.conn.execute(stmt).all()

    def waiting_summary(self, day: dt.date) -> list:
        """Per (queue, priority) of the tickets of `day` waiting: how many, and the oldest issue time."""
        return self.conn.execute(_WAITING_SUMMARY, {"day": day}).all()

    def waiting_counts(self, day: dt.date, queues: Iterable[str]) -> dict[tuple[str, bool], int]:
        """(queue, green) -> how many wait, in these queues only (a new ticket's `ahead`). Counts only:
        the oldest issue time cost a third of the query with thousands waiting."""
        rows = self.conn.execute(_WAITING_COUNTS_OF, {"day": day, "queues": list(queues)}).all()
        return {(queue, priority == Priority.GREEN.value): n for queue, priority, n in rows}

    def waiting_matters(self, day: dt.date, queue: str) -> dict[tuple[str | None, bool], int]:
        """(matter, green) -> how many wait in `queue`: what the tickets before a new one will take."""
        c = t.tickets.c
        rows = self.conn.execute(select(c.matter, c.priority, func.count()).where(
            c.status == TicketStatus.WAITING.value, c.day == day, c.queue == queue).group_by(c.matter, c.priority)).all()
        found: dict[tuple[str | None, bool], int] = {}
        for matter, priority, n in rows:
            key = (matter, priority == Priority.GREEN.value)
            found[key] = found.get(key, 0) + n
        return found

    def issued_today(self, day: dt.date) -> dict[str, int]:
        """Per queue: how many numbers its series gave today (the daily quota's count)."""
        c = t.counters.c
        return dict(self.conn.execute(select(c.queue, c.last_seq).where(c.day == day)).all())

    def lock_holder(self, id_number: str) -> None:
        """Until the transaction ends, no other command counts this ID's tickets (the per-ID cap)."""
        hold_lock(self.conn, f"hallq-id:{id_number}")

    def count_of_holder(self, day: dt.date, id_number: str) -> int:
        c = t.tickets.c
        return self.conn.execute(select(func.count()).where(
            c.day == day, c.id_number == id_number, c.status != TicketStatus.CANCELLED.value)).scalar_one()

    def by_number(self, day: dt.date, number: str, for_update: bool = False) -> Ticket | None:
        stmt = select(t.tickets).where(t.tickets.c.day == day, t.tickets.c.number == number)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt.order_by(t.tickets.c.issued_at.desc()).limit(1)).first()
        return (self.seen.get(row.id) or self._track(row)) if row else None

    def stale(self, today: dt.date) -> list[Ticket]:
        """Tickets of an earlier business day still waiting (those at a window finish there)."""
        rows = self.conn.execute(select(t.tickets).where(
            t.tickets.c.day < today, t.tickets.c.status == TicketStatus.WAITING.value)).all()
        return [self._track(r) for r in rows]

    def measured_service(self, day: dt.date, since: dt.datetime | None = None) -> dict[str, tuple[float, int]]:
        """Per queue: mean service seconds of tickets finished today (since `since`, when given), and how many."""
        c = t.tickets.c
        where = [c.day == day, c.status == TicketStatus.DONE.value, c.service_seconds.is_not(None)]
        if since is not None:
            where.append(c.finished_at >= since)
        rows = self.conn.execute(
            select(c.queue, func.avg(c.service_seconds), func.count()).where(*where).group_by(c.queue)).all()
        return {q: (float(avg), n) for q, avg, n in rows}

    def measured_by_matter(self, day: dt.date, since: dt.datetime | None = None) -> dict[tuple[str, str | None], tuple[float, int]]:
        """`measured_service` per (queue, matter): how the day's matters compare with their configured averages."""
        c = t.tickets.c
        where = [c.day == day, c.status == TicketStatus.DONE.value, c.service_seconds.is_not(None)]
        if since is not None:
            where.append(c.finished_at >= since)
        rows = self.conn.execute(select(c.queue, c.matter, func.avg(c.service_seconds), func.count())
                                 .where(*where).group_by(c.queue, c.matter)).all()
        return {(q, m): (float(avg), n) for q, m, avg, n in rows}

    def visit_spread(self, day: dt.date) -> dict[tuple[str, str | None], tuple[int, float, float]]:
        """Per (queue, matter) of the tickets finished today: how many, the sum of their service seconds and
        of its square (how much the visits of a matter vary)."""
        c = t.tickets.c
        rows = self.conn.execute(select(c.queue, c.matter, func.count(), func.sum(c.service_seconds),
                                        func.sum(c.service_seconds * c.service_seconds))
                                 .where(c.day == day, c.status == TicketStatus.DONE.value, c.service_seconds.is_not(None))
                                 .group_by(c.queue, c.matter)).all()
        return {(q, m): (n, float(total or 0), float(squares or 0)) for q, m, n, total, squares in rows}

    def arrivals(self, day: dt.date, since: dt.datetime) -> dict[str, int]:
        """Per queue (the one each ticket is in now): tickets of `day` issued at or after `since`."""
        c = t.tickets.c
        rows = self.conn.execute(
            select(c.queue, func.count()).where(c.day == day, c.issued_at >= since).group_by(c.queue)).all()
        return dict(rows)

    def served_today(self, day: dt.date) -> dict[str, int]:
        c = t.tickets.c
        rows = self.conn.execute(
            select(c.window, func.count()).where(c.day == day, c.status == TicketStatus.DONE.value,
                                                 c.window.is_not(None)).group_by(c.window)).all()
        return dict(rows)

    # -- saving -----------------------------------------------------------------------------
    def _values(self, ticket: Ticket) -> dict:
        return dict(
            queue=ticket.queue, floor=ticket.floor, zone=ticket.zone, status=ticket.status.value, called_at=ticket.called_at,
            finished_at=ticket.finished_at, window=ticket.window, clerk=ticket.clerk,
            recalls=ticket.recalls, service_seconds=ticket.service_seconds, case_number=ticket.case,
            placed_at=ticket.placed_at, requeued=ticket.requeued)

    def add(self, ticket: Ticket, issued_by: str | None) -> None:
        self.conn.execute(_INSERT_TICKET, dict(
            id=ticket.id, day=ticket.day, series_queue=ticket.series_queue, seq=ticket.seq,
            number=ticket.number, matter=ticket.matter,
            priority=ticket.priority.value, issued_at=ticket.issued_at, issued_by=issued_by,
            kind=ticket.kind.value, id_number=ticket.holder.id_number, holder_name=ticket.holder.name,
            phone=ticket.holder.phone, appointment=ticket.appointment, **self._values(ticket)))
        self.seen[ticket.id] = ticket

    def claim(self, ticket: Ticket) -> bool:
        """Save a just-called ticket only if it is still waiting; False if another window got it."""
        result = self.conn.execute(
            update(t.tickets)
            .where(t.tickets.c.id == ticket.id, t.tickets.c.status == TicketStatus.WAITING.value)
            .values(**self._values(ticket)))
        return result.rowcount == 1

    def save(self, ticket: Ticket) -> None:
        self.conn.execute(update(t.tickets).where(t.tickets.c.id == ticket.id).values(**self._values(ticket)))

    def open_for_case(self, case_number: str) -> Ticket | None:
        """A pickup ticket of this case that is still waiting or being served."""
        row = self.conn.execute(select(t.tickets).where(
            t.tickets.c.case_number == case_number,
            t.tickets.c.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]))).first()
        return (self.seen.get(row.id) or self._track(row)) if row else None
