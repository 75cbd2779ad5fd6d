"""Repositories: load and save domain objects over one open transaction (a SQLAlchemy Connection).

The two guarantees of the contract live here, in the database and not in process memory:
- numbering: a per-(day, queue) counter bumped by a single UPDATE … RETURNING, plus a unique
  constraint on (day, queue, seq);
- call-next: candidates read with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite's BEGIN IMMEDIATE
  already serialises writers) and claimed by a conditional UPDATE … WHERE status = 'waiting'.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.errors import Conflict
from ..domain.model import Priority, Ticket, TicketStatus, Window, WindowState
from . import tables as t


@functools.lru_cache(maxsize=1024)
def _queue_tuple(queues_json: str) -> tuple[str, ...]:
    return tuple(json.loads(queues_json))


def _upsert_nothing(conn: Connection, table, values: dict):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values).on_conflict_do_nothing()


class TicketRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[str, Ticket] = {}

    # -- numbering --------------------------------------------------------------------------
    def next_seq(self, day: dt.date, queue: str) -> int:
        self.conn.execute(_upsert_nothing(self.conn, t.counters, {"day": day, "queue": queue, "last_seq": 0}))
        return self.conn.execute(
            update(t.counters)
            .where(and_(t.counters.c.day == day, t.counters.c.queue == queue))
            .values(last_seq=t.counters.c.last_seq + 1)
            .returning(t.counters.c.last_seq)
        ).scalar_one()

    # -- loading ----------------------------------------------------------------------------
    def _track(self, row) -> Ticket:
        ticket = Ticket(
            id=row.id, day=row.day, series_queue=row.series_queue, seq=row.seq, number=row.number,
            queue=row.queue, matter=row.matter, floor=row.floor, zone=row.zone,
            priority=Priority(row.priority), issued_at=row.issued_at, status=TicketStatus(row.status),
            called_at=row.called_at, finished_at=row.finished_at, window=row.window, clerk=row.clerk,
            recalls=row.recalls, case=row.case_number)
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

    def call_candidates(self, queues: Iterable[str]) -> list[Ticket]:
        """The longest-waiting green and normal ticket of each queue, locked (skipping rows that
        another window is claiming right now)."""
        found = []
        for queue in queues:
            for priority in (Priority.GREEN, Priority.NORMAL):
                stmt = (select(t.tickets)
                        .where(t.tickets.c.status == TicketStatus.WAITING.value,
                               t.tickets.c.queue == queue, t.tickets.c.priority == priority.value)
                        .order_by(t.tickets.c.issued_at, t.tickets.c.seq, t.tickets.c.id)
                        .limit(1)
                        .with_for_update(skip_locked=True))
                row = self.conn.execute(stmt).first()
                if row:
                    found.append(self._track(row))
        return found

    def waiting(self, queues: Iterable[str] | None = None) -> list:
        """Waiting tickets (of these queues, or all), lightly: (id, queue, priority, issued_at, seq)."""
        c = t.tickets.c
        stmt = select(c.id, c.queue, c.priority, c.issued_at, c.seq).where(c.status == TicketStatus.WAITING.value)
        if queues is not None:
            stmt = stmt.where(c.queue.in_(list(queues)))
        return self.conn.execute(stmt).all()

    def waiting_summary(self, queues: Iterable[str] | None = None) -> list:
        """Per (queue, priority) of the waiting tickets: how many, and the oldest issue time."""
        c = t.tickets.c
        stmt = (select(c.queue, c.priority, func.count().label("n"), func.min(c.issued_at).label("oldest"))
                .where(c.status == TicketStatus.WAITING.value).group_by(c.queue, c.priority))
        if queues is not None:
            stmt = stmt.where(c.queue.in_(list(queues)))
        return self.conn.execute(stmt).all()

    def stale(self, today: dt.date) -> list[Ticket]:
        """Tickets of an earlier business day still waiting or called."""
        rows = self.conn.execute(select(t.tickets).where(
            t.tickets.c.day < today,
            t.tickets.c.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]))).all()
        return [self._track(r) for r in rows]

    def measured_service(self, day: dt.date) -> dict[str, tuple[float, int]]:
        """Per queue: mean service seconds of tickets finished today, and how many."""
        c = t.tickets.c
        rows = self.conn.execute(
            select(c.queue, func.avg(c.service_seconds), func.count())
            .where(c.day == day, c.status == TicketStatus.DONE.value, c.service_seconds.is_not(None))
            .group_by(c.queue)).all()
        return {q: (float(avg), n) for q, avg, n in rows}

    def served_today(self, day: dt.date) -> dict[str, int]:
        c = t.tickets.c
        rows = self.conn.execute(
            select(c.window, func.count()).where(c.day == day, c.status == TicketStatus.DONE.value,
                                                 c.window.is_not(None)).group_by(c.window)).all()
        return dict(rows)

    def recent_calls(self, floor: int | None, window: str | None, limit: int = 10) -> list:
        """The latest calls (newest first) on a floor or at a window, from the event log."""
        e, tk = t.ticket_events.c, t.tickets.c
        stmt = (select(e.id, e.at, e.window, e.queue, tk.number, tk.floor)
                .join(t.tickets, tk.id == e.ticket_id)
                .where(e.kind == "called"))
        if floor is not None:
            stmt = stmt.where(tk.floor == floor)
        if window is not None:
            stmt = stmt.where(e.window == window)
        return self.conn.execute(stmt.order_by(e.id.desc()).limit(limit)).all()

    # -- saving -----------------------------------------------------------------------------
    def _values(self, ticket: Ticket) -> dict:
        return dict(
            queue=ticket.queue, floor=ticket.floor, zone=ticket.zone, status=ticket.status.value, called_at=ticket.called_at,
            finished_at=ticket.finished_at, window=ticket.window, clerk=ticket.clerk,
            recalls=ticket.recalls, service_seconds=ticket.service_seconds, case_number=ticket.case)

    def add(self, ticket: Ticket, issued_by: str | None) -> None:
        self.conn.execute(insert(t.tickets).values(
            id=ticket.id, day=ticket.day, series_queue=ticket.series_queue, seq=ticket.seq,
            number=ticket.number, matter=ticket.matter,
            priority=ticket.priority.value, issued_at=ticket.issued_at, issued_by=issued_by,
            **self._values(ticket)))
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

    def log(self, ticket: Ticket, kind: str, at: dt.datetime, actor: str | None, detail: dict | None = None) -> int:
        return self.conn.execute(insert(t.ticket_events).values(
            ticket_id=ticket.id, at=at, kind=kind, status=ticket.status.value, queue=ticket.queue,
            window=ticket.window, actor=actor, detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        ).returning(t.ticket_events.c.id)).scalar_one()

    def history(self, ticket_id: str) -> list:
        e = t.ticket_events.c
        return self.conn.execute(select(t.ticket_events).where(e.ticket_id == ticket_id).order_by(e.id)).all()


class WindowRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[str, Window] = {}

    def _track(self, row) -> Window:
        window = Window(number=row.number, floor=row.floor, kind=row.kind, department=row.department,
                        queues=_queue_tuple(row.queues), state=WindowState(row.state), clerk=row.clerk,
                        current_ticket=row.current_ticket, green_streak=row.green_streak, version=row.version)
        self.seen[window.number] = window
        return window

    def get(self, number: str, for_update: bool = False) -> Window | None:
        if number in self.seen:
            return self.seen[number]
        stmt = select(t.windows).where(t.windows.c.number == number)
        if for_update:
            stmt = stmt.with_for_update()  # one command at a time per window
        row = self.conn.execute(stmt).first()
        return self._track(row) if row else None

    def all(self) -> list[Window]:
        rows = self.conn.execute(select(t.windows)).all()
        out = []
        for row in rows:
            out.append(self.seen.get(row.number) or self._track(row))
        return out

    def serving(self) -> list[tuple[str, tuple[str, ...]]]:
        """(number, queues) of every window that is not closed, without loading whole windows."""
        c = t.windows.c
        rows = self.conn.execute(select(c.number, c.queues).where(c.state != WindowState.CLOSED.value)).all()
        return [(number, _queue_tuple(queues)) for number, queues in rows]

    def of_clerk(self, clerk: str) -> list[Window]:
        rows = self.conn.execute(select(t.windows).where(t.windows.c.clerk == clerk)).all()
        return [self.seen.get(r.number) or self._track(r) for r in rows]

    def add(self, window: Window, now: dt.datetime) -> None:
        self.conn.execute(_upsert_nothing(self.conn, t.windows, dict(
            number=window.number, floor=window.floor, kind=window.kind, department=window.department,
            queues=json.dumps(list(window.queues)), state=window.state.value, clerk=None, current_ticket=None,
            green_streak=0, version=0, updated_at=now)))

    def save(self, window: Window, now: dt.datetime) -> None:
        result = self.conn.execute(
            update(t.windows)
            .where(t.windows.c.number == window.number, t.windows.c.version == window.version)
            .values(queues=json.dumps(list(window.queues)), state=window.state.value, clerk=window.clerk,
                    current_ticket=window.current_ticket, green_streak=window.green_streak,
                    version=window.version + 1, updated_at=now))
        if result.rowcount != 1:  # cannot happen under the row lock; refuse rather than overwrite
            raise Conflict(f"Window {window.number} changed meanwhile; try again.")
        window.version += 1


class AccountRepository:
    """Staff accounts, staff tokens, device tokens and sign-in attempts."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def user(self, username: str):
        return self.conn.execute(select(t.users).where(t.users.c.username == username)).first()

    def add_user(self, username: str, password_hash: str, role: str, department: str | None, now) -> None:
        self.conn.execute(insert(t.users).values(username=username, password_hash=password_hash, role=role,
                                                 department=department, active=True, created_at=now))

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.conn.execute(update(t.users).where(t.users.c.username == username).values(password_hash=password_hash))

    def users(self) -> list:
        return self.conn.execute(select(t.users).order_by(t.users.c.username)).all()

    def add_token(self, token_hash: str, username: str, now, expires_at) -> None:
        self.conn.execute(insert(t.staff_tokens).values(token_hash=token_hash, username=username,
                                                        created_at=now, expires_at=expires_at))

    def staff_by_token(self, token_hash: str, now):
        return self.conn.execute(
            select(t.users).join(t.staff_tokens, t.staff_tokens.c.username == t.users.c.username)
            .where(t.staff_tokens.c.token_hash == token_hash, t.staff_tokens.c.expires_at > now,
                   t.users.c.active.is_(True))).first()

    def drop_token(self, token_hash: str) -> None:
        self.conn.execute(delete(t.staff_tokens).where(t.staff_tokens.c.token_hash == token_hash))

    def device(self, name: str):
        return self.conn.execute(select(t.devices).where(t.devices.c.name == name)).first()

    def device_by_token(self, token_hash: str):
        return self.conn.execute(select(t.devices).where(t.devices.c.token_hash == token_hash)).first()

    def add_device(self, name: str, kind: str, token_hash: str, now) -> None:
        self.conn.execute(insert(t.devices).values(name=name, kind=kind, token_hash=token_hash, created_at=now))

    def purge(self, now, attempts_before) -> None:
        self.conn.execute(delete(t.staff_tokens).where(t.staff_tokens.c.expires_at < now))
        self.conn.execute(delete(t.login_attempts).where(t.login_attempts.c.at < attempts_before))

    def record_attempt(self, username: str, address: str, ok: bool, now) -> None:
        self.conn.execute(insert(t.login_attempts).values(username=username, address=address, ok=ok, at=now))

    def failures_since(self, since, username: str | None = None, address: str | None = None) -> int:
        c = t.login_attempts.c
        stmt = select(func.count()).where(c.at > since, c.ok.is_(False))
        stmt = stmt.where(c.username == username) if username is not None else stmt.where(c.address == address)
        return self.conn.execute(stmt).scalar_one()


class IdempotencyRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, principal: str, key: str):
        c = t.idempotency.c
        return self.conn.execute(select(t.idempotency).where(c.principal == principal, c.key == key)).first()

    def put(self, principal: str, key: str, request: str, status_code: int, body: str, now) -> None:
        self.conn.execute(insert(t.idempotency).values(principal=principal, key=key, request=request,
                                                       status_code=status_code, body=body, created_at=now))

    def purge_before(self, when) -> None:
        self.conn.execute(delete(t.idempotency).where(t.idempotency.c.created_at < when))
