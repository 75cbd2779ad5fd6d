"""电子监察's store: the alerts with their life, and the reads that tell the rules what the hall holds.

An open alert holds its `open_key` (rule, subject, level) under a unique index, so however many
processes watch, an alert is raised once: the insert that meets another's key does nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import Connection, func, select, text, update

from ...domain import events as ev
from ...domain import supervision as sv
from ...domain.ratings import BAD_FROM, LEVELS
from .. import tables as t
from .common import dialect_of, queue_tuple

_OPEN_FOLLOW_UP = ("open", "contacted", "fixed", "appealed")


def _facts(row) -> ev.AlertFacts:
    return ev.AlertFacts(
        id=str(row.id), rule=row.rule, level=row.level, subject_kind=row.subject_kind, subject_id=row.subject_id,
        message=row.message, detail=json.loads(row.detail), raised_at=row.raised_at, cleared_at=row.cleared_at,
        acknowledged_by=row.acknowledged_by, acknowledged_at=row.acknowledged_at, note=row.note)


class AlertRepository:
    def __init__(self, conn: Connection, hall: str):
        self.conn = conn
        self.hall = hall

    def take_watch(self) -> bool:
        """Only one process applies the rules at a time (PostgreSQL: a lock held until this transaction
        ends; SQLite has one process). False: another process is at it now."""
        if self.conn.dialect.name != "postgresql":
            return True
        key = int.from_bytes(hashlib.sha256(f"hallq-supervision:{self.hall}".encode()).digest()[:8], "big", signed=True)
        return bool(self.conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar())

    def open(self) -> dict[str, ev.AlertFacts]:
        """Every open alert by its key (rule|subject kind|subject id|level)."""
        c = t.alerts.c
        rows = self.conn.execute(select(t.alerts).where(c.cleared_at.is_(None), c.hall == self.hall)).all()
        return {row.open_key: _facts(row) for row in rows}

    def raise_(self, condition: sv.Condition, now: dt.datetime) -> ev.AlertFacts | None:
        """Store the alert; None if an open one with its key is there already."""
        insert = dialect_of(self.conn).insert(t.alerts).values(
            hall=self.hall, rule=condition.rule.value, level=condition.level.value,
            subject_kind=condition.subject_kind, subject_id=condition.subject_id, open_key=condition.key,
            message=condition.message, detail=json.dumps(condition.detail, ensure_ascii=False), raised_at=now)
        new_id = self.conn.execute(insert.on_conflict_do_nothing().returning(t.alerts.c.id)).scalar()
        return self.get(new_id) if new_id is not None else None

    def clear(self, alert_id: str, now: dt.datetime) -> ev.AlertFacts | None:
        """Close the alert; None if it was closed already (by another process)."""
        c = t.alerts.c
        done = self.conn.execute(update(t.alerts).where(c.id == int(alert_id), c.cleared_at.is_(None))
                                 .values(cleared_at=now, open_key=None))
        return self.get(alert_id) if done.rowcount == 1 else None

    def get(self, alert_id, for_update: bool = False) -> ev.AlertFacts | None:
        stmt = select(t.alerts).where(t.alerts.c.id == int(alert_id), t.alerts.c.hall == self.hall)
        row = self.conn.execute(stmt.with_for_update() if for_update else stmt).first()
        return _facts(row) if row else None

    def acknowledge(self, alert_id: str, who: str, note: str, now: dt.datetime) -> ev.AlertFacts | None:
        c = t.alerts.c
        done = self.conn.execute(update(t.alerts).where(c.id == int(alert_id), c.acknowledged_at.is_(None))
                                 .values(acknowledged_by=who, acknowledged_at=now, note=note))
        return self.get(alert_id) if done.rowcount == 1 else None

    def listing(self, open_only: bool, since: dt.datetime | None, until: dt.datetime | None,
                limit: int = 2000) -> list[ev.AlertFacts]:
        """Newest first."""
        c = t.alerts.c
        stmt = select(t.alerts).where(c.hall == self.hall)
        if open_only:
            stmt = stmt.where(c.cleared_at.is_(None))
        if since is not None:
            stmt = stmt.where(c.raised_at >= since)
        if until is not None:
            stmt = stmt.where(c.raised_at < until)
        return [_facts(r) for r in self.conn.execute(stmt.order_by(c.id.desc()).limit(limit)).all()]


class HallWatchReader:
    """What the rules look at, read lightly (plain rows, no aggregates)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def tickets(self) -> tuple[tuple[sv.TicketInHall, ...], tuple[sv.TicketInHall, ...]]:
        """(waiting, at a window) tickets."""
        c = t.tickets.c
        rows = self.conn.execute(select(c.id, c.number, c.queue, c.floor, c.status, c.issued_at, c.called_at,
                                        c.window, c.clerk).where(c.status.in_(("waiting", "called")))).all()
        waiting = tuple(sv.TicketInHall(r.id, r.number, r.queue, r.floor, r.issued_at)
                        for r in rows if r.status == "waiting")
        serving = tuple(sv.TicketInHall(r.id, r.number, r.queue, r.floor, r.called_at, r.window, r.clerk)
                        for r in rows if r.status == "called" and r.called_at is not None)
        return waiting, serving

    def windows(self, now: dt.datetime) -> tuple[sv.WatchedWindow, ...]:
        c = t.windows.c
        rows = self.conn.execute(select(c.number, c.floor, c.state, c.clerk, c.current_ticket, c.queues,
                                        c.state_since, c.active_at, c.pause_reason, c.updated_at)
                                 .where(c.state != "closed")).all()
        return tuple(sv.WatchedWindow(r.number, r.floor, r.state, r.clerk, r.current_ticket is not None,
                                      queue_tuple(r.queues), r.state_since or r.updated_at or now,
                                      r.active_at or r.updated_at or now, r.pause_reason) for r in rows)

    def no_shows(self, day: dt.date) -> dict[str, int]:
        c = t.tickets.c
        rows = self.conn.execute(select(c.clerk, func.count()).where(c.day == day, c.status == "no_show",
                                                                     c.clerk.is_not(None)).group_by(c.clerk)).all()
        return {clerk: count for clerk, count in rows}

    def bad_ratings(self) -> tuple[sv.BadRating, ...]:
        """差评 still counted whose follow-up is not closed (ratings from before follow-ups existed have none)."""
        r, f = t.ratings.c, t.follow_ups.c
        rows = self.conn.execute(
            select(r.id, r.level, r.window, r.number, r.clerk, f.status, f.contact_due, f.fix_due)
            .select_from(t.ratings.join(t.follow_ups, f.rating_id == r.id))
            .where(r.level >= BAD_FROM, r.removed_at.is_(None), f.status.in_(_OPEN_FOLLOW_UP))).all()
        return tuple(sv.BadRating(str(x.id), x.level, LEVELS[x.level], x.window, x.number, x.clerk, x.status,
                                  x.contact_due, x.fix_due) for x in rows)

    def cases_due_before(self, when: dt.datetime) -> list[tuple]:
        """Cases in review due before `when`: (id, number, matter, due_at, stopped_at, departments not decided)."""
        c, r = t.cases.c, t.case_reviews.c
        rows = self.conn.execute(select(c.id, c.number, c.matter, c.due_at, c.stopped_at)
                                 .where(c.status == "in_review", c.due_at <= when)).all()
        if not rows:
            return []
        waiting: dict[str, list[str]] = {}
        for case_id, department in self.conn.execute(
                select(r.case_id, r.department).where(r.case_id.in_([row.id for row in rows]),
                                                      r.status.not_in(("approved", "rejected")))
                .order_by(r.case_id, r.position)).all():
            waiting.setdefault(case_id, []).append(department)
        return [(row.id, row.number, row.matter, row.due_at, row.stopped_at, tuple(waiting.get(row.id, ())))
                for row in rows]

    def device_states(self) -> dict[str, tuple[str, str]]:
        """name → (state, detail), as the drivers last reported."""
        c = t.device_health.c
        return {r.name: (r.state, r.detail) for r in self.conn.execute(select(c.name, c.state, c.detail)).all()}

