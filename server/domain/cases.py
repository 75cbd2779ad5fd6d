"""Cases (办件): what a window accepts and routes to the back office, in plain Python.

前台综合受理、后台分类审批、窗口统一出件: a window accepts a case; every department it involves reviews
it at once (并联审批: a one-thing case involves several); when all have decided, a department returns
the result to the window; the citizen picks it up there (or it is mailed). Asking for more materials
(补正) stops the case's clock until the window records them. Every step records a typed event
(server/domain/events/): the event log is the case's audit trail, and the unit of work adds a
`CaseUpdated` for the pushes.
"""
from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from . import events
from .calendar import WorkingCalendar
from .errors import Conflict, Forbidden, Invalid, Reason
from .identity import mask_name, mask_phone  # noqa: F401  (re-exported: cases mask their applicant)


class CaseStatus(StrEnum):
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    READY_FOR_PICKUP = "ready_for_pickup"
    PICKED_UP = "picked_up"


class ReviewStatus(StrEnum):
    PENDING = "pending"  # in the department's inbox
    CLAIMED = "claimed"  # a staff member works on it
    AWAITING_MATERIALS = "awaiting_materials"  # 补正: the clock stops
    APPROVED = "approved"
    REJECTED = "rejected"


DECIDED = frozenset({ReviewStatus.APPROVED, ReviewStatus.REJECTED})


class Deadline(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


_SEVERITY = {None: 0, Deadline.ON_TIME: 0, Deadline.DUE_SOON: 1, Deadline.OVERDUE: 2}


@dataclass(frozen=True)
class DeadlinePolicy:
    """When a case falls due and how close it is. A case is due at the end of its last working day,
    hall time; it is due soon from `due_soon_days` working days before that day."""
    calendar: WorkingCalendar
    tz: ZoneInfo
    due_soon_days: int = 1

    def _end_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=self.tz).astimezone(dt.timezone.utc)

    def _day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def due(self, accepted_at: dt.datetime, promised_days: int) -> dt.datetime:
        return self._end_of(self.calendar.add_working_days(self._day(accepted_at), promised_days))

    def resumed(self, due_at: dt.datetime, stopped_at: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
        """The due time after the clock stood still from `stopped_at` to `resumed_at`: the working days
        that were left when it stopped are counted again from the day it restarts."""
        left = self.calendar.working_days_between(self._day(stopped_at), self._day(due_at))
        return max(due_at, self._end_of(self.calendar.add_working_days(self._day(resumed_at), left)))

    def state(self, due_at: dt.datetime, at: dt.datetime) -> Deadline:
        if at > due_at:
            return Deadline.OVERDUE
        if self.calendar.working_days_between(self._day(at), self._day(due_at)) <= self.due_soon_days:
            return Deadline.DUE_SOON
        return Deadline.ON_TIME


@dataclass(frozen=True)
class Applicant:
    name: str
    phone: str


# -- who may act on a case, and how the citizen proves the case is theirs -----------------------------
PICKUP_CODE_DIGITS = 6
PICKUP_FAILURE_LIMIT = 5  # wrong pickup codes before the kiosk stops taking codes for the case
# A mail's tracking number as the carriers print them (EMS EA123456789CN, SF1234567890123, JDVA…, 12 digits):
# a carrier's few letters, at least 8 digits (so a word is not taken for one), maybe a country's letters.
TRACKING_PATTERN = r"^[A-Za-z]{0,4}[0-9]{8,26}[A-Za-z]{0,4}$"
_TRACKING = re.compile(TRACKING_PATTERN)
TRACKING_RULE = ("A tracking number is as printed on the mail's waybill: up to 4 letters, 8 to 26 digits, up to 4 "
                 "letters (EA123456789CN, SF1234567890123).")


def is_tracking_number(value: str) -> bool:
    return bool(_TRACKING.match(value))


def new_pickup_code() -> str:
    """The 取件码 printed on the acceptance receipt: what only the citizen holding it knows."""
    return f"{secrets.randbelow(10 ** PICKUP_CODE_DIGITS):0{PICKUP_CODE_DIGITS}d}"


class Place(Protocol):
    """Where a window stands (a domain Window or a configured window)."""
    number: str
    floor: int
    department: str | None


def same_desk(accepting: Place, acting: Place) -> bool:
    """The windows that answer for a case accepted at `accepting` (前台受理、窗口统一出件): the window
    itself; a department's window, any window of that department (its clerks stand in for each other);
    a hall-staffed window (综合受理, 一件事), the hall-staffed windows of its floor, which share one
    front desk and its pickup queue."""
    if acting.number == accepting.number:
        return True
    if accepting.department is not None:
        return acting.department == accepting.department
    return acting.department is None and acting.floor == accepting.floor


@dataclass
class Review:
    """One department's part of a case."""
    department: str
    status: ReviewStatus = ReviewStatus.PENDING
    claimed_by: str | None = None
    note: str | None = None
    requested: list[str] = field(default_factory=list)
    decided_by: str | None = None
    decided_at: dt.datetime | None = None


@dataclass
class Case:
    id: str
    number: str
    ticket: str  # the ticket id it was accepted from
    ticket_number: str
    matter: str
    applicant: Applicant
    materials: list[str]
    note: str | None
    window: str  # the accepting window, where the result goes out
    clerk: str | None
    accepted_at: dt.datetime
    due_at: dt.datetime
    reviews: list[Review]
    status: CaseStatus = CaseStatus.IN_REVIEW
    decided_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None  # the clock stands still (补正) since then
    supplements: list[str] = field(default_factory=list)
    handed_over: str | None = None  # pickup | mail
    tracking: str | None = None  # the mail's tracking number
    handed_over_at: dt.datetime | None = None
    pickup_code: str | None = None  # 取件码 on the receipt (none on cases accepted before there were codes)
    applicant_id: str | None = None  # the applicant's ID number, when the ticket was taken with the ID card
    pickup_failures: int = 0  # wrong pickup codes given at a kiosk since the last pickup ticket
    alerted: Deadline | None = None  # the worst deadline state already raised as an alert
    events: list = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def accept(cls, *, id: str, number: str, ticket: str, ticket_number: str, matter: str, departments: list[str],
               applicant: Applicant, materials: list[str], note: str | None, window: str, clerk: str | None,
               now: dt.datetime, due_at: dt.datetime, applicant_id: str | None = None) -> "Case":
        if not departments:
            raise Invalid("A case needs at least one department to review it.", Reason.NO_DEPARTMENTS)
        case = cls(id=id, number=number, ticket=ticket, ticket_number=ticket_number, matter=matter,
                   applicant=applicant, materials=list(materials), note=note, window=window, clerk=clerk,
                   accepted_at=now, due_at=due_at, reviews=[Review(d) for d in dict.fromkeys(departments)],
                   pickup_code=new_pickup_code(), applicant_id=applicant_id)
        case.events.append(events.CaseRouted(id, number, window, tuple(case.departments)))
        return case

    @property
    def departments(self) -> list[str]:
        return [r.department for r in self.reviews]

    def review_of(self, department: str | None) -> Review:
        for review in self.reviews:
            if review.department == department:
                return review
        raise Forbidden(f"Case {self.number} is not for your department; only the departments it involves can act on it.",
                        Reason.CASE_OF_OTHER_DEPARTMENT)

    def _require_in_review(self, action: str) -> None:
        if self.status is not CaseStatus.IN_REVIEW:
            raise Conflict(f"Case {self.number} is {self.status.value}; it can no longer be {action}.",
                           Reason.CASE_NOT_IN_REVIEW)

    # -- back office ------------------------------------------------------------------------
    def claim(self, department: str | None, user: str) -> None:
        review = self.review_of(department)
        self._require_in_review("claimed")
        if review.status in DECIDED:
            raise Conflict(f"Your department already decided case {self.number}.", Reason.ALREADY_DECIDED)
        if review.claimed_by and review.claimed_by != user:
            raise Conflict(f"Case {self.number} is already claimed by {review.claimed_by}.", Reason.CLAIMED_BY_OTHER,
                           claimed_by=review.claimed_by)
        review.claimed_by = user
        if review.status is ReviewStatus.PENDING:
            review.status = ReviewStatus.CLAIMED
        self.events.append(events.CaseClaimed(self.id, self.number, review.department))

    def _open_review(self, department: str | None, user: str, action: str) -> Review:
        review = self.review_of(department)
        self._require_in_review(action)
        if review.status in DECIDED:
            raise Conflict(f"Your department already decided case {self.number} ({review.status.value}).",
                           Reason.ALREADY_DECIDED)
        if review.claimed_by and review.claimed_by != user:
            raise Conflict(f"Case {self.number} is claimed by {review.claimed_by}; only they can act on it.",
                           Reason.CLAIMED_BY_OTHER, claimed_by=review.claimed_by)
        return review

    def decide(self, department: str | None, user: str, approved: bool, note: str | None, now: dt.datetime) -> None:
        review = self._open_review(department, user, "decided")
        if review.status is ReviewStatus.AWAITING_MATERIALS:
            raise Conflict(f"Case {self.number} waits for materials (补正); decide once the window has recorded them.",
                           Reason.AWAITING_MATERIALS)
        review.status = ReviewStatus.APPROVED if approved else ReviewStatus.REJECTED
        review.claimed_by = review.claimed_by or user
        review.note, review.decided_by, review.decided_at = note, user, now
        decided = events.CaseApproved if approved else events.CaseRejected
        self.events.append(decided(self.id, self.number, review.department, note))
        if all(r.status in DECIDED for r in self.reviews):
            # Parallel approval: the case is decided only when every department has decided.
            approved_all = all(r.status is ReviewStatus.APPROVED for r in self.reviews)
            self.status = CaseStatus.APPROVED if approved_all else CaseStatus.REJECTED
            self.decided_at = now
            self.events.append(events.CaseDecided(self.id, self.number, review.department, self.status.value))

    def request_materials(self, department: str | None, user: str, materials: list[str], note: str | None,
                          now: dt.datetime) -> None:
        review = self._open_review(department, user, "sent back for materials")
        if review.status is ReviewStatus.AWAITING_MATERIALS:
            raise Conflict(f"Case {self.number} already waits for materials from your request.",
                           Reason.MATERIALS_ALREADY_REQUESTED)
        review.status = ReviewStatus.AWAITING_MATERIALS
        review.claimed_by = review.claimed_by or user  # who asked decides once the materials are in
        review.requested, review.note = list(materials), note
        if self.stopped_at is None:
            self.stopped_at = now
        self.events.append(events.MaterialsRequested(self.id, self.number, review.department, tuple(materials), note))

    def record_materials(self, received: list[str], note: str | None, now: dt.datetime, policy: DeadlinePolicy) -> None:
        """The window records the supplements: waiting departments review again; the clock restarts."""
        self._require_in_review("given materials")
        waiting = [r for r in self.reviews if r.status is ReviewStatus.AWAITING_MATERIALS]
        if not waiting:
            raise Conflict(f"Case {self.number} is not waiting for materials.", Reason.NOT_AWAITING_MATERIALS)
        for review in waiting:
            review.status = ReviewStatus.CLAIMED if review.claimed_by else ReviewStatus.PENDING
            review.requested = []
        self.supplements.extend(received)
        before = self.due_at
        self.due_at = policy.resumed(self.due_at, self.stopped_at or now, now)
        self.stopped_at = None
        self.events.append(events.MaterialsReceived(self.id, self.number, tuple(received), note, before, self.due_at))

    def return_to_window(self, department: str | None, now: dt.datetime) -> None:
        review = self.review_of(department)
        if self.status is CaseStatus.IN_REVIEW:
            waiting = [r.department for r in self.reviews if r.status not in DECIDED]
            raise Conflict(f"Case {self.number} is not decided yet: waiting for {', '.join(waiting)}.",
                           Reason.CASE_NOT_DECIDED, waiting=waiting)
        if self.status not in (CaseStatus.APPROVED, CaseStatus.REJECTED):
            raise Conflict(f"Case {self.number} is {self.status.value}; its result was already returned.",
                           Reason.CASE_ALREADY_RETURNED)
        self.status, self.returned_at = CaseStatus.READY_FOR_PICKUP, now
        self.events.append(events.CaseReturned(self.id, self.number, review.department, self.window))

    # -- window -----------------------------------------------------------------------------
    def require_desk(self, accepting: Place, acting: Place, action: str) -> None:
        """Materials, hand-over and mail are the accepting desk's work (same_desk)."""
        if not same_desk(accepting, acting):
            raise Forbidden(f"Case {self.number} was accepted at window {self.window}; window {acting.number} "
                            f"cannot {action} it.", Reason.CASE_OF_OTHER_WINDOW, window=self.window)

    # -- pickup at a kiosk (取件) --------------------------------------------------------------
    @property
    def pickup_locked(self) -> bool:
        return self.pickup_failures >= PICKUP_FAILURE_LIMIT

    def proves_holder(self, pickup_code: str | None, id_number: str | None) -> bool:
        """The receipt's pickup code, or the applicant's ID card (when the case recorded the ID)."""
        if pickup_code is not None and self.pickup_code is not None:
            return hmac.compare_digest(pickup_code.encode(), self.pickup_code.encode())
        if id_number is not None and self.applicant_id is not None:
            return hmac.compare_digest(id_number.upper().encode(), self.applicant_id.upper().encode())
        return False

    def require_ready(self) -> None:
        if self.status is not CaseStatus.READY_FOR_PICKUP:
            raise Conflict(f"Case {self.number} is {self.status.value}, not ready for pickup.", Reason.CASE_NOT_READY,
                           status=self.status.value)

    def hand_over(self, how: str, tracking: str | None, now: dt.datetime) -> None:
        self.require_ready()
        if how not in ("pickup", "mail"):
            raise Invalid("how must be 'pickup' or 'mail'.", Reason.INVALID_HAND_OVER)
        if how == "mail":
            tracking = self._tracking_number(tracking)
        else:
            tracking = None
        self.status, self.handed_over, self.tracking, self.handed_over_at = CaseStatus.PICKED_UP, how, tracking, now
        self.events.append(events.CasePickedUp(self.id, self.number) if how == "pickup"
                           else events.CaseMailed(self.id, self.number, tracking))

    @staticmethod
    def _tracking_number(tracking: str | None) -> str:
        tracking = (tracking or "").strip()
        if not tracking:
            raise Invalid("A mailed result needs the mail's tracking number.", Reason.TRACKING_NUMBER_REQUIRED)
        if not is_tracking_number(tracking):
            raise Invalid(TRACKING_RULE, Reason.INVALID_TRACKING_NUMBER)
        return tracking.upper()

    # -- 限时办结 ----------------------------------------------------------------------------
    def deadline(self, policy: DeadlinePolicy, now: dt.datetime) -> Deadline:
        """Judged now while in review; at the moment the clock stopped (补正) while it stands still;
        at the decision once decided (a late decision stays late)."""
        at = self.decided_at or self.stopped_at or now
        return policy.state(self.due_at, at)

    def observe_deadline(self, policy: DeadlinePolicy, now: dt.datetime) -> Deadline | None:
        """Raise the deadline state as an alert once per case per state; returns the state raised."""
        if self.status is not CaseStatus.IN_REVIEW:
            return None
        state = self.deadline(policy, now)
        if _SEVERITY[state] <= _SEVERITY[self.alerted]:
            return None
        self.alerted = state
        waiting = tuple(r.department for r in self.reviews if r.status not in DECIDED)
        raised = events.CaseOverdue if state is Deadline.OVERDUE else events.CaseDueSoon
        self.events.append(raised(self.id, self.number, self.matter, self.due_at, waiting, now))
        return state
