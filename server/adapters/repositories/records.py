"""The hall's records: the event log (the audit trail), print jobs and device health (ratings: ratings.py)."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from ...domain import events as ev
from ...services.printing import PrintJob
from .. import tables as t
from .common import dialect_of

_APPEND = insert(t.events)


@dataclass(frozen=True)
class RecentCall:
    number: str
    window: str
    floor: int
    queue: str
    at: dt.datetime


class EventLog:
    def __init__(self, conn: Connection, hall: str):
        self.conn = conn
        self.hall = hall

    def append(self, events: Iterable[ev.Event], actor: str | None, at: dt.datetime) -> None:
        rows = [dict(hall=self.hall, at=at, subject=e.subject, kind=e.kind, subject_id=e.subject_id or "",
                     actor=actor, floor=getattr(e, "floor", None), window=getattr(e, "window", None),
                     payload=json.dumps(ev.encode(e), ensure_ascii=False)) for e in events]
        if rows:
            self.conn.execute(_APPEND, rows)

    def of(self, subject: str, subject_id: str) -> list:
        """One ticket's or case's events, in order: its audit trail."""
        c = t.events.c
        return self.conn.execute(select(t.events).where(c.subject == subject, c.subject_id == subject_id)
                                 .order_by(c.id)).all()

    def recent_calls(self, floor: int | None, window: str | None, limit: int = 10) -> list[RecentCall]:
        """The latest calls (newest first) on a floor or at a window."""
        c = t.events.c
        stmt = select(c.at, c.payload).where(c.subject == "ticket", c.kind == ev.TicketCalled.kind)
        if floor is not None:
            stmt = stmt.where(c.floor == floor)
        if window is not None:
            stmt = stmt.where(c.window == window)
        out = []
        for at, payload in self.conn.execute(stmt.order_by(c.id.desc()).limit(limit)).all():
            ticket = json.loads(payload)["ticket"]
            out.append(RecentCall(ticket["number"], ticket["window"], ticket["floor"], ticket["queue"], at))
        return out


class PrintJobRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, printer: str, ticket: dict, reprint: bool, at: dt.datetime, dropped: str | None = None) -> None:
        """A job for `printer`; `dropped` (a reason) records it as taken off the queue at once."""
        self.conn.execute(insert(t.print_jobs).values(
            printer=printer, ticket_id=ticket["id"], number=ticket["number"], reprint=reprint,
            payload=json.dumps(ticket, ensure_ascii=False), queued_at=at,
            dropped_at=at if dropped else None, dropped_reason=dropped))

    def owed(self, printer: str) -> list[PrintJob]:
        c = t.print_jobs.c
        rows = self.conn.execute(select(c.id, c.printer, c.reprint, c.payload, c.queued_at)
                                 .where(c.printed_at.is_(None), c.dropped_at.is_(None), c.printer == printer)
                                 .order_by(c.id)).all()
        return [PrintJob(r.id, r.printer, r.reprint, json.loads(r.payload), r.queued_at) for r in rows]

    def drop(self, job_id: int, reason: str, at: dt.datetime) -> bool:
        """Take an owed job off its printer's queue; False when it printed or was dropped meanwhile."""
        c = t.print_jobs.c
        done = self.conn.execute(update(t.print_jobs).where(c.id == job_id, c.printed_at.is_(None),
                                                            c.dropped_at.is_(None))
                                 .values(dropped_at=at, dropped_reason=reason))
        return done.rowcount == 1

    def mark_printed(self, job_id: int, at: dt.datetime) -> bool:
        c = t.print_jobs.c
        done = self.conn.execute(update(t.print_jobs).where(c.id == job_id, c.printed_at.is_(None)).values(printed_at=at))
        return done.rowcount == 1

    def last_printer(self, ticket_id: str) -> str | None:
        c = t.print_jobs.c
        return self.conn.execute(select(c.printer).where(c.ticket_id == ticket_id).order_by(c.id.desc()).limit(1)).scalar()

    def unprinted(self) -> list[ev.OwedPrint]:
        """Tickets none of whose jobs has printed yet (a pending reprint of a printed ticket is not one),
        each once, with the printer it now waits for; by number."""
        c = t.print_jobs.c
        printed = select(t.print_jobs.c.ticket_id).where(t.print_jobs.c.printed_at.is_not(None))
        rows = self.conn.execute(select(c.ticket_id, c.number, c.printer)
                                 .where(c.printed_at.is_(None), c.ticket_id.not_in(printed)).order_by(c.id)).all()
        latest = {r.ticket_id: ev.OwedPrint(r.ticket_id, r.number, r.printer) for r in rows}
        return sorted(latest.values(), key=lambda owed: owed.number)

    def owed_counts(self) -> dict[str, int]:
        c = t.print_jobs.c
        return dict(self.conn.execute(select(c.printer, func.count()).where(c.printed_at.is_(None), c.dropped_at.is_(None))
                                      .group_by(c.printer)).all())


class DeviceHealthRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, name: str):
        return self.conn.execute(select(t.device_health).where(t.device_health.c.name == name)).first()

    def all(self) -> list:
        return self.conn.execute(select(t.device_health)).all()

    def put(self, name: str, state: str, detail: str, since: dt.datetime, last_seen: dt.datetime | None) -> None:
        values = dict(state=state, detail=detail, since=since, last_seen=last_seen)
        statement = dialect_of(self.conn).insert(t.device_health).values(name=name, **values)
        self.conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))

    def set_backlog(self, name: str, calls: int | None, since: dt.datetime | None) -> None:
        c = t.device_health.c
        self.conn.execute(t.device_health.update().where(c.name == name).values(backlog_calls=calls, backlog_since=since))
