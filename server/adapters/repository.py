"""Repositories: load and save domain objects over one open transaction (a SQLAlchemy Connection).

The two guarantees of the contract live here, in the database and not in process memory:
- numbering: a per-(day, queue) counter created or bumped by a single INSERT … ON CONFLICT DO
  UPDATE … RETURNING, plus a unique constraint on (day, queue, seq);
- call-next: candidates read with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite's BEGIN IMMEDIATE
  already serialises writers) and claimed by a conditional UPDATE … WHERE status = 'waiting'.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.cases import Applicant, Case, CaseStatus, Deadline, Review, ReviewStatus
from ..domain.errors import Conflict
from ..domain.model import Priority, Ticket, TicketStatus, Window, WindowState
from . import tables as t


@functools.lru_cache(maxsize=1024)
def _queue_tuple(queues_json: str) -> tuple[str, ...]:
    return tuple(json.loads(queues_json))


def _upsert_nothing(conn: Connection, table, values: dict):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values).on_conflict_do_nothing()


# The statements of the ticket-issue path (and of the token lookup every request makes), built once:
# SQLAlchemy otherwise builds each statement and its cache key again per call, which was about a
# fifth of a ticket's CPU in the bench's profile (docs/performance.md).
_INSERT_TICKET = insert(t.tickets)
_INSERT_TICKET_EVENT = insert(t.ticket_events).returning(t.ticket_events.c.id)
_WAITING_SUMMARY = (
    select(t.tickets.c.queue, t.tickets.c.priority, func.count().label("n"),
           func.min(t.tickets.c.issued_at).label("oldest"))
    .where(t.tickets.c.status == TicketStatus.WAITING.value).group_by(t.tickets.c.queue, t.tickets.c.priority))
_WAITING_COUNTS_OF = (
    select(t.tickets.c.queue, t.tickets.c.priority, func.count())
    .where(t.tickets.c.status == TicketStatus.WAITING.value, t.tickets.c.queue.in_(bindparam("queues", expanding=True)))
    .group_by(t.tickets.c.queue, t.tickets.c.priority))
_SERVING_WINDOWS = select(t.windows.c.number, t.windows.c.queues).where(t.windows.c.state != WindowState.CLOSED.value)
_STAFF_BY_TOKEN = (
    select(t.users).join(t.staff_tokens, t.staff_tokens.c.username == t.users.c.username)
    .where(t.staff_tokens.c.token_hash == bindparam("token_hash"), t.staff_tokens.c.expires_at > bindparam("now"),
           t.users.c.active.is_(True)))
_DEVICE_BY_TOKEN = select(t.devices).where(t.devices.c.token_hash == bindparam("token_hash"))
_STORED_ANSWER = select(t.idempotency).where(t.idempotency.c.principal == bindparam("principal"),
                                             t.idempotency.c.key == bindparam("key"))
_STORE_ANSWER = insert(t.idempotency)


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

    def waiting_summary(self) -> list:
        """Per (queue, priority) of the waiting tickets: how many, and the oldest issue time."""
        return self.conn.execute(_WAITING_SUMMARY).all()

    def waiting_counts(self, queues: Iterable[str]) -> dict[tuple[str, bool], int]:
        """(queue, green) -> how many wait, in these queues only (a new ticket's `ahead`). Counts only:
        the oldest issue time cost a third of the query with thousands waiting."""
        rows = self.conn.execute(_WAITING_COUNTS_OF, {"queues": list(queues)}).all()
        return {(queue, priority == Priority.GREEN.value): n for queue, priority, n in rows}

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
        self.conn.execute(_INSERT_TICKET, dict(
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
        return self.conn.execute(_INSERT_TICKET_EVENT, dict(
            ticket_id=ticket.id, at=at, kind=kind, status=ticket.status.value, queue=ticket.queue,
            window=ticket.window, actor=actor, detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        )).scalar_one()

    def history(self, ticket_id: str) -> list:
        e = t.ticket_events.c
        return self.conn.execute(select(t.ticket_events).where(e.ticket_id == ticket_id).order_by(e.id)).all()


    def open_for_case(self, case_number: str) -> Ticket | None:
        """A pickup ticket of this case that is still waiting or being served."""
        row = self.conn.execute(select(t.tickets).where(
            t.tickets.c.case_number == case_number,
            t.tickets.c.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]))).first()
        return (self.seen.get(row.id) or self._track(row)) if row else None


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
        rows = self.conn.execute(_SERVING_WINDOWS).all()
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
        return self.conn.execute(_STAFF_BY_TOKEN, {"token_hash": token_hash, "now": now}).first()

    def drop_token(self, token_hash: str) -> None:
        self.conn.execute(delete(t.staff_tokens).where(t.staff_tokens.c.token_hash == token_hash))

    def device(self, name: str):
        return self.conn.execute(select(t.devices).where(t.devices.c.name == name)).first()

    def device_by_token(self, token_hash: str):
        return self.conn.execute(_DEVICE_BY_TOKEN, {"token_hash": token_hash}).first()

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
        return self.conn.execute(_STORED_ANSWER, {"principal": principal, "key": key}).first()

    def put(self, principal: str, key: str, request: str, status_code: int, body: str, now) -> None:
        self.conn.execute(_STORE_ANSWER, dict(principal=principal, key=key, request=request,
                                              status_code=status_code, body=body, created_at=now))

    def purge_before(self, when) -> None:
        self.conn.execute(delete(t.idempotency).where(t.idempotency.c.created_at < when))


class RatingRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def ticket_to_rate(self, window: str, current: str | None, day: dt.date):
        """The window's current ticket, else the last one it ended today (rating follows service)."""
        c = t.tickets.c
        cols = (c.id, c.number, c.clerk)
        if current:
            row = self.conn.execute(select(*cols).where(c.id == current)).first()
            if row:
                return row
        return self.conn.execute(
            select(*cols).where(c.day == day, c.window == window, c.finished_at.is_not(None))
            .order_by(c.finished_at.desc()).limit(1)).first()

    def add(self, at: dt.datetime, window: str, ticket_id: str | None, clerk: str | None, level: int,
            source: str) -> int:
        return self.conn.execute(insert(t.ratings).values(
            at=at, window=window, ticket_id=ticket_id, clerk=clerk, level=level, source=source)
        ).inserted_primary_key[0]

    def of_ticket(self, ticket_id: str) -> list:
        c = t.ratings.c
        return self.conn.execute(select(t.ratings).where(c.ticket_id == ticket_id).order_by(c.id)).all()

class CaseRepository:
    """Cases with their department reviews; saving a case also appends its new steps to the audit trail."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[str, Case] = {}
        self._logged: dict[str, int] = {}  # case id -> steps already in case_events

    def _track_all(self, rows) -> list[Case]:
        """Cases from their rows, with all their reviews read in one query."""
        fresh = [row.id for row in rows if row.id not in self.seen]
        reviews: dict[str, list[Review]] = {}
        if fresh:
            r = t.case_reviews.c
            for x in self.conn.execute(select(t.case_reviews).where(r.case_id.in_(fresh)).order_by(r.case_id, r.position)):
                reviews.setdefault(x.case_id, []).append(Review(
                    department=x.department, status=ReviewStatus(x.status), claimed_by=x.claimed_by, note=x.note,
                    requested=json.loads(x.requested), decided_by=x.decided_by, decided_at=x.decided_at))
        return [self.seen.get(row.id) or self._track(row, reviews.get(row.id, [])) for row in rows]

    def _track(self, row, reviews: list[Review]) -> Case:
        case = Case(
            id=row.id, number=row.number, ticket=row.ticket_id, ticket_number=row.ticket_number, matter=row.matter,
            applicant=Applicant(row.applicant_name, row.applicant_phone), materials=json.loads(row.materials),
            note=row.note, window=row.window, clerk=row.clerk, accepted_at=row.accepted_at, due_at=row.due_at,
            reviews=reviews, status=CaseStatus(row.status), decided_at=row.decided_at, returned_at=row.returned_at,
            stopped_at=row.stopped_at, supplements=json.loads(row.supplements), handed_over=row.handed_over,
            tracking=row.tracking, handed_over_at=row.handed_over_at,
            alerted=Deadline(row.alerted) if row.alerted else None)
        self.seen[case.id] = case
        self._logged[case.id] = 0
        return case

    def get(self, case_id: str, for_update: bool = False) -> Case | None:
        if case_id in self.seen:
            return self.seen[case_id]
        stmt = select(t.cases).where(t.cases.c.id == case_id)
        if for_update:
            stmt = stmt.with_for_update()  # one command at a time per case
        row = self.conn.execute(stmt).first()
        return self._track_all([row])[0] if row else None

    def by_number(self, number: str, for_update: bool = False) -> Case | None:
        stmt = select(t.cases).where(t.cases.c.number == number)
        row = self.conn.execute(stmt.with_for_update() if for_update else stmt).first()
        return self._track_all([row])[0] if row else None

    def listing(self, department: str | None = None, status: str | None = None,
                window: str | None = None) -> list[Case]:
        """Cases (of the ones a department reviews, or accepted at a window, or all), soonest due first."""
        c = t.cases.c
        stmt = select(t.cases)
        if window is not None:
            stmt = stmt.where(c.window == window)
        if department is not None:
            stmt = stmt.where(c.id.in_(select(t.case_reviews.c.case_id).where(t.case_reviews.c.department == department)))
        if status is not None:
            stmt = stmt.where(c.status == status)
        return self._track_all(self.conn.execute(stmt.order_by(c.due_at, c.number)).all())

    def open_due_before(self, when: dt.datetime) -> list[Case]:
        """Cases in review, due before `when`, not yet alerted as overdue: the deadline check's work.
        Locked, skipping rows another server process is checking, so an alert is raised once."""
        c = t.cases.c
        rows = self.conn.execute(select(t.cases).where(
            c.status == CaseStatus.IN_REVIEW.value, c.due_at <= when,
            (c.alerted.is_(None)) | (c.alerted != Deadline.OVERDUE.value))
            .order_by(c.due_at).with_for_update(skip_locked=True)).all()
        return self._track_all(rows)

    def ready_numbers(self, windows: Iterable[str]) -> list[str]:
        """Numbers of cases ready for pickup at these windows, oldest first (for the floor screens)."""
        c = t.cases.c
        return list(self.conn.execute(select(c.number).where(
            c.status == CaseStatus.READY_FOR_PICKUP.value, c.window.in_(list(windows))).order_by(c.returned_at)).scalars())

    def _values(self, case: Case) -> dict:
        return dict(status=case.status.value, supplements=json.dumps(case.supplements, ensure_ascii=False),
                    due_at=case.due_at, decided_at=case.decided_at, returned_at=case.returned_at,
                    stopped_at=case.stopped_at, handed_over=case.handed_over, tracking=case.tracking,
                    handed_over_at=case.handed_over_at, alerted=case.alerted.value if case.alerted else None)

    def add(self, case: Case, now: dt.datetime) -> None:
        self.conn.execute(insert(t.cases).values(
            id=case.id, number=case.number, ticket_id=case.ticket, ticket_number=case.ticket_number,
            matter=case.matter, applicant_name=case.applicant.name, applicant_phone=case.applicant.phone,
            materials=json.dumps(case.materials, ensure_ascii=False), note=case.note, window=case.window,
            clerk=case.clerk, accepted_at=case.accepted_at, **self._values(case)))
        self.conn.execute(insert(t.case_reviews), [self._review_values(case, i, r) for i, r in enumerate(case.reviews)])
        self.seen[case.id] = case
        self._logged[case.id] = 0
        self._log(case, now)

    @staticmethod
    def _review_values(case: Case, position: int, review: Review) -> dict:
        return dict(case_id=case.id, department=review.department, position=position, status=review.status.value,
                    claimed_by=review.claimed_by, note=review.note,
                    requested=json.dumps(review.requested, ensure_ascii=False), decided_by=review.decided_by,
                    decided_at=review.decided_at)

    def save(self, case: Case, now: dt.datetime) -> None:
        self.conn.execute(update(t.cases).where(t.cases.c.id == case.id).values(**self._values(case)))
        r = t.case_reviews.c
        for i, review in enumerate(case.reviews):
            values = self._review_values(case, i, review)
            self.conn.execute(update(t.case_reviews).where(r.case_id == case.id, r.department == review.department)
                              .values(**{k: v for k, v in values.items() if k not in ("case_id", "department")}))
        self._log(case, now)

    def _log(self, case: Case, now: dt.datetime) -> None:
        new = case.steps[self._logged[case.id]:]
        if new:
            self.conn.execute(insert(t.case_events), [dict(
                case_id=case.id, at=now, kind=s.kind, actor=s.actor, department=s.department,
                detail=json.dumps(s.detail, ensure_ascii=False) if s.detail else None) for s in new])
            self._logged[case.id] = len(case.steps)

    def history(self, case_id: str) -> list:
        e = t.case_events.c
        return self.conn.execute(select(t.case_events).where(e.case_id == case_id).order_by(e.id)).all()
