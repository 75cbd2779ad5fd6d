"""The notices' outbox (docs/notices.md): queued in a command's transaction, claimed by a worker with a
lease, crossed off when the gateway took them.

Claiming is safe with several processes on one PostgreSQL database: due rows are read with
FOR UPDATE SKIP LOCKED and their lease (`claimed_until`) is set and committed before any of them is
posted, so another process skips them while they are being claimed and leaves them alone until the
lease ends. SQLite has one writer at a time (BEGIN IMMEDIATE) and one server process.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, and_, exists, literal, or_, select, update

from ...domain.model import TicketStatus
from ...domain.notices import Notice
from .. import tables as t
from .common import dialect_of


class NoticeRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, kind: str, phone: str, text: str, ticket: str | None, case: str | None, key: str,
            now: dt.datetime) -> bool:
        """Queue a notice, due now; False if one with this key is queued (or sent) already."""
        insert = dialect_of(self.conn).insert(t.notices).values(
            event=kind, phone=phone, text=text, ticket_id=ticket, case_id=case, dedupe_key=key,
            created_at=now, due_at=now, attempts=0)
        return self.conn.execute(insert.on_conflict_do_nothing(index_elements=["dedupe_key"])).rowcount == 1

    def untold_waiting_with_phone(self, key_prefix: str) -> list:
        """Waiting tickets with a phone and no notice keyed `key_prefix` + their id: (id, number, matter,
        phone, queue). Reads only tickets with a phone (an index on status, phone)."""
        c, n = t.tickets.c, t.notices.c
        told = exists().where(n.dedupe_key == literal(key_prefix) + c.id)
        return self.conn.execute(select(c.id, c.number, c.matter, c.phone, c.queue).where(
            c.status == TicketStatus.WAITING.value, c.phone.is_not(None), ~told)).all()

    def claim(self, now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[Notice]:
        """Due notices, oldest first, leased to the caller until `lease_until`."""
        c = t.notices.c
        due = (select(c.id, c.event, c.phone, c.text, c.ticket_id, c.case_id, c.attempts)
               .where(c.sent_at.is_(None), c.failed_at.is_(None), c.due_at <= now,
                      or_(c.claimed_until.is_(None), c.claimed_until <= now))
               .order_by(c.due_at, c.id).limit(limit).with_for_update(skip_locked=True))
        rows = self.conn.execute(due).all()
        if rows:
            self.conn.execute(update(t.notices).where(c.id.in_([r.id for r in rows])).values(claimed_until=lease_until))
        return [Notice(r.id, r.event, r.phone, r.text, r.ticket_id, r.case_id, r.attempts) for r in rows]

    def mark_sent(self, notice_id: int, now: dt.datetime) -> bool:
        c = t.notices.c
        done = self.conn.execute(update(t.notices).where(c.id == notice_id, c.sent_at.is_(None))
                                 .values(sent_at=now, claimed_until=None))
        return done.rowcount == 1

    def mark_failed(self, notice_id: int, attempts: int, retry_at: dt.datetime | None, error: str,
                    now: dt.datetime) -> None:
        """A failed attempt: due again at `retry_at`, or given up (failed) when it is None."""
        c = t.notices.c
        values = dict(attempts=attempts, claimed_until=None, last_error=error[:200])
        if retry_at is None:
            values["failed_at"] = now
        else:
            values["due_at"] = retry_at
        self.conn.execute(update(t.notices).where(and_(c.id == notice_id, c.sent_at.is_(None))).values(**values))

    def release(self, notice_ids: list[int]) -> None:
        """Give back a lease without an attempt (the worker stopped its round)."""
        if notice_ids:
            c = t.notices.c
            self.conn.execute(update(t.notices).where(c.id.in_(notice_ids), c.sent_at.is_(None))
                              .values(claimed_until=None))

