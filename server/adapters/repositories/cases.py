"""Cases with their department reviews."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import Connection, insert, select, update

from ...domain.cases import Applicant, Case, CaseStatus, Deadline, Review, ReviewStatus
from .. import tables as t


class CaseRepository:
    """Cases with their department reviews. The event log, not this table, keeps each case's steps."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[str, Case] = {}
        self._saved: dict[str, Case] = {}  # in the order first saved: each gets one CaseUpdated

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
            tracking=row.tracking, handed_over_at=row.handed_over_at, pickup_code=row.pickup_code,
            applicant_id=row.applicant_id, pickup_failures=row.pickup_failures,
            alerted=Deadline(row.alerted) if row.alerted else None)
        self.seen[case.id] = case
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

    def listing(self, departments: Iterable[str] | None = None, status: str | None = None,
                window: str | None = None) -> list[Case]:
        """Cases (of the ones some departments review, or accepted at a window, or all), soonest due first."""
        c = t.cases.c
        stmt = select(t.cases)
        if window is not None:
            stmt = stmt.where(c.window == window)
        if departments is not None:
            stmt = stmt.where(c.id.in_(select(t.case_reviews.c.case_id)
                                       .where(t.case_reviews.c.department.in_(list(departments)))))
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

    def add(self, case: Case) -> None:
        self.conn.execute(insert(t.cases).values(
            id=case.id, number=case.number, ticket_id=case.ticket, ticket_number=case.ticket_number,
            matter=case.matter, applicant_name=case.applicant.name, applicant_phone=case.applicant.phone,
            materials=json.dumps(case.materials, ensure_ascii=False), note=case.note, window=case.window,
            clerk=case.clerk, accepted_at=case.accepted_at, pickup_code=case.pickup_code,
            applicant_id=case.applicant_id, **self._values(case)))
        self.conn.execute(insert(t.case_reviews), [self._review_values(case, i, r) for i, r in enumerate(case.reviews)])
        self.seen[case.id] = case
        self._saved[case.id] = case

    @staticmethod
    def _review_values(case: Case, position: int, review: Review) -> dict:
        return dict(case_id=case.id, department=review.department, position=position, status=review.status.value,
                    claimed_by=review.claimed_by, note=review.note,
                    requested=json.dumps(review.requested, ensure_ascii=False), decided_by=review.decided_by,
                    decided_at=review.decided_at)

    def save(self, case: Case) -> None:
        self.conn.execute(update(t.cases).where(t.cases.c.id == case.id).values(**self._values(case)))
        r = t.case_reviews.c
        for i, review in enumerate(case.reviews):
            values = self._review_values(case, i, review)
            self.conn.execute(update(t.case_reviews).where(r.case_id == case.id, r.department == review.department)
                              .values(**{k: v for k, v in values.items() if k not in ("case_id", "department")}))
        self._saved[case.id] = case

    def count_pickup_failure(self, case: Case) -> None:
        """A wrong pickup code at a kiosk: counted in the database itself (not a read-then-write), and
        without saving the case, so no case_updated goes out for a guess."""
        c = t.cases.c
        self.conn.execute(update(t.cases).where(c.id == case.id).values(pickup_failures=c.pickup_failures + 1))
        case.pickup_failures += 1

    def reset_pickup_failures(self, case: Case) -> None:
        """The pickup ticket was issued: the kiosk takes codes for the case again."""
        self.conn.execute(update(t.cases).where(t.cases.c.id == case.id).values(pickup_failures=0))
        case.pickup_failures = 0

    def saved(self) -> list[Case]:
        return list(self._saved.values())
