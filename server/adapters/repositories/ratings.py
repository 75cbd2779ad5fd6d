"""好差评 and 回访整改: ratings (one per ticket: the table's UNIQUE on ticket_id decides between two at
once) and the follow-ups of 差评."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, select, update

from ...domain.follow_ups import FollowUp
from ...domain.model import TicketStatus
from ...domain.ratings import Rating
from .. import tables as t
from .common import insert_unique

_SERVED = (TicketStatus.DONE.value, TicketStatus.ROUTED.value)


def _int(value: str) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


def _rating(row) -> Rating:
    return Rating(id=str(row.id), at=row.at, window=row.window, ticket_id=row.ticket_id, number=row.number,
                  clerk=row.clerk, matter=row.matter, department=row.department, level=row.level,
                  channel=row.channel, comment=row.comment, source=row.source, removed_at=row.removed_at)


class RatingRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def last_served(self, window: str, day: dt.date) -> str | None:
        """The id of the ticket the window served last on that business day (done or routed)."""
        c = t.tickets.c
        return self.conn.execute(
            select(c.id).where(c.day == day, c.window == window, c.status.in_(_SERVED), c.finished_at.is_not(None))
            .order_by(c.finished_at.desc(), c.id.desc()).limit(1)).scalar()

    def add(self, rating: Rating) -> str:
        """Store it and return its id; a rating of the same ticket already there is AlreadyStored."""
        values = dict(at=rating.at, window=rating.window, ticket_id=rating.ticket_id, number=rating.number,
                      clerk=rating.clerk, matter=rating.matter, department=rating.department, level=rating.level,
                      channel=rating.channel, comment=rating.comment, source=rating.source)
        return str(insert_unique(self.conn, insert(t.ratings).values(**values)).inserted_primary_key[0])

    def get(self, rating_id: str) -> Rating | None:
        key = _int(rating_id)
        row = self.conn.execute(select(t.ratings).where(t.ratings.c.id == key)).first() if key else None
        return _rating(row) if row else None

    def by_ids(self, rating_ids) -> dict[str, Rating]:
        keys = [k for k in (_int(i) for i in rating_ids) if k]
        rows = self.conn.execute(select(t.ratings).where(t.ratings.c.id.in_(keys))).all() if keys else []
        return {str(r.id): _rating(r) for r in rows}

    def of_ticket(self, ticket_id: str) -> Rating | None:
        row = self.conn.execute(select(t.ratings).where(t.ratings.c.ticket_id == ticket_id)).first()
        return _rating(row) if row else None

    def between(self, start: dt.datetime, end: dt.datetime, level: int | None = None,
                counted_only: bool = False) -> list[Rating]:
        """Ratings given from `start` (inclusive) to `end` (exclusive), oldest first."""
        c = t.ratings.c
        stmt = select(t.ratings).where(c.at >= start, c.at < end)
        if level is not None:
            stmt = stmt.where(c.level == level)
        if counted_only:
            stmt = stmt.where(c.removed_at.is_(None))
        return [_rating(r) for r in self.conn.execute(stmt.order_by(c.at, c.id)).all()]

    def cases_of(self, ticket_ids) -> dict[str, tuple[str, str | None]]:
        """ticket id → (case number, applicant's name) for those of the tickets that have a case."""
        ids = [i for i in ticket_ids if i]
        if not ids:
            return {}
        tc, cc = t.tickets.c, t.cases.c
        rows = self.conn.execute(
            select(tc.id, tc.case_number, cc.applicant_name)
            .select_from(t.tickets.outerjoin(t.cases, cc.number == tc.case_number))
            .where(tc.id.in_(ids), tc.case_number.is_not(None))).all()
        return {r.id: (r.case_number, r.applicant_name) for r in rows}

    def remove(self, rating_id: str, at: dt.datetime) -> None:
        c = t.ratings.c
        self.conn.execute(update(t.ratings).where(c.id == _int(rating_id), c.removed_at.is_(None)).values(removed_at=at))


def _follow_up(row) -> FollowUp:
    return FollowUp(id=str(row.id), rating_id=str(row.rating_id), status=row.status, outcome=row.outcome,
                    contact_due=row.contact_due, fix_due=row.fix_due, opened_at=row.opened_at,
                    updated_at=row.updated_at)


class FollowUpRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, follow_up: FollowUp) -> str:
        return str(self.conn.execute(insert(t.follow_ups).values(
            rating_id=int(follow_up.rating_id), status=follow_up.status, outcome=follow_up.outcome,
            contact_due=follow_up.contact_due, fix_due=follow_up.fix_due, opened_at=follow_up.opened_at,
            updated_at=follow_up.updated_at)).inserted_primary_key[0])

    def get(self, follow_up_id: str, for_update: bool = False) -> FollowUp | None:
        key = _int(follow_up_id)
        if not key:
            return None
        stmt = select(t.follow_ups).where(t.follow_ups.c.id == key)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).first()
        return _follow_up(row) if row else None

    def listing(self, status: str | None = None) -> list[FollowUp]:
        """Newest first."""
        c = t.follow_ups.c
        stmt = select(t.follow_ups)
        if status is not None:
            stmt = stmt.where(c.status == status)
        return [_follow_up(r) for r in self.conn.execute(stmt.order_by(c.id.desc())).all()]

    def save(self, follow_up: FollowUp) -> None:
        c = t.follow_ups.c
        self.conn.execute(update(t.follow_ups).where(c.id == int(follow_up.id)).values(
            status=follow_up.status, outcome=follow_up.outcome, updated_at=follow_up.updated_at))
