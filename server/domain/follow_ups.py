"""回访整改: every 差评 is followed up. The citizen is contacted and the cause fixed within working days of
the rating; or the window appeals (申诉) and a supervisor upholds the rating or removes it from the
statistics. Each step needs a note of what was done or why."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import events
from .calendar import WorkingCalendar
from .errors import Conflict, Invalid, Reason

OPEN, CONTACTED, FIXED, APPEALED, CLOSED = "open", "contacted", "fixed", "appealed", "closed"
STATUSES = (OPEN, CONTACTED, FIXED, APPEALED, CLOSED)
ACTIONS = ("contact", "fix", "close", "appeal", "uphold", "remove")
UPHELD, REMOVED = "upheld", "removed"

# (status now, action) → status after. An appeal may come at any point before the follow-up closes.
STEPS = {
    (OPEN, "contact"): CONTACTED,
    (CONTACTED, "fix"): FIXED,
    (FIXED, "close"): CLOSED,
    (OPEN, "appeal"): APPEALED,
    (CONTACTED, "appeal"): APPEALED,
    (FIXED, "appeal"): APPEALED,
    (APPEALED, "uphold"): CLOSED,
    (APPEALED, "remove"): CLOSED,
}
OUTCOMES = {"uphold": UPHELD, "remove": REMOVED}


def deadlines(calendar: WorkingCalendar, rated_on: dt.date, contact_days: int, fix_days: int) -> tuple[dt.date, dt.date]:
    """(contact_due, fix_due): working days counted from the day after the rating's local date."""
    return calendar.add_working_days(rated_on, contact_days), calendar.add_working_days(rated_on, fix_days)


def require_action(action: str) -> None:
    if action not in ACTIONS:
        raise Invalid(f"A follow-up action is one of {', '.join(ACTIONS)}, not {action!r}.",
                      Reason.INVALID_FOLLOW_UP_ACTION)


@dataclass
class FollowUp:
    id: str | None
    rating_id: str
    status: str
    outcome: str | None
    contact_due: dt.date
    fix_due: dt.date
    opened_at: dt.datetime
    updated_at: dt.datetime
    events: list = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def new(cls, rating_id: str, contact_due: dt.date, fix_due: dt.date, now: dt.datetime) -> "FollowUp":
        """Not stored yet: the store gives its id, then `opened()` tells it."""
        return cls(None, rating_id, OPEN, None, contact_due, fix_due, now, now)

    def opened(self) -> events.FollowUpOpened:
        event = events.FollowUpOpened(self.id, self.rating_id, self.status, None, self.opened_at,
                                      contact_due=self.contact_due, fix_due=self.fix_due)
        self.events.append(event)
        return event

    def take(self, action: str, note: str | None, now: dt.datetime) -> None:
        """One step of the follow-up, with its note (what was done, or why)."""
        require_action(action)
        note = (note or "").strip()
        if not note:
            raise Invalid(f"Say what was done or why: the step {action!r} needs a note.", Reason.NOTE_REQUIRED)
        after = STEPS.get((self.status, action))
        if after is None:
            allowed = [a for (status, a) in STEPS if status == self.status]
            raise Conflict(f"The follow-up is {self.status}; {action!r} is not a step it can take now"
                           + (f" (allowed now: {', '.join(allowed)})." if allowed else "."),
                           Reason.FOLLOW_UP_STEP_NOT_ALLOWED, status=self.status, allowed=allowed)
        self.status, self.updated_at = after, now
        self.outcome = OUTCOMES.get(action, self.outcome)
        self.events.append(events.FollowUpStep(self.id, self.rating_id, self.status, note, now, action=action,
                                               outcome=self.outcome))

    @property
    def removes_rating(self) -> bool:
        return self.outcome == REMOVED
