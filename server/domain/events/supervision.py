"""电子监察 and the follow-up of 差评: an alert's life and a follow-up's steps, as facts of the event log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from .base import Event


# ---------------------------------------------------------------- alerts
@dataclass(frozen=True)
class AlertFacts:
    """An alert as CONTRACT v2's ALERT (server/services/views.py alert()), after the step."""
    id: str
    rule: str  # wait service pause idle_window unstaffed_window no_show case_due case_overdue bad_rating
    #            follow_up_overdue device
    level: str  # yellow | red
    subject_kind: str  # ticket window clerk case rating device
    subject_id: str
    message: str
    detail: dict  # what the board shows and jumps to: window, floor, number, ticket …
    raised_at: dt.datetime
    cleared_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: dt.datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class AlertEvent(Event):
    subject: ClassVar[str] = "alert"
    alert: AlertFacts

    @property
    def subject_id(self) -> str:
        return self.alert.id


@dataclass(frozen=True)
class AlertRaised(AlertEvent):
    kind: ClassVar[str] = "raised"


@dataclass(frozen=True)
class AlertCleared(AlertEvent):
    """Its condition ended (the ticket was called, the window resumed …)."""
    kind: ClassVar[str] = "cleared"


@dataclass(frozen=True)
class AlertAcknowledged(AlertEvent):
    """A supervisor or the admin saw it and wrote a note."""
    kind: ClassVar[str] = "acknowledged"


# ---------------------------------------------------------------- follow-ups (回访整改)
@dataclass(frozen=True)
class FollowUpEvent(Event):
    subject: ClassVar[str] = "follow_up"
    follow_up_id: str
    rating_id: str
    status: str  # after the step
    note: str | None
    at: dt.datetime

    @property
    def subject_id(self) -> str:
        return self.follow_up_id


@dataclass(frozen=True)
class FollowUpOpened(FollowUpEvent):
    kind: ClassVar[str] = "opened"
    contact_due: dt.date | None = None
    fix_due: dt.date | None = None


@dataclass(frozen=True)
class FollowUpStep(FollowUpEvent):
    """contact, fix, close, appeal, uphold or remove (`action`), by a supervisor or the admin."""
    kind: ClassVar[str] = "step"
    action: str = ""
    outcome: str | None = None  # after an appeal's decision: upheld | removed


@dataclass(frozen=True)
class RatingRemoved(Event):
    """An appeal (申诉) was upheld for the window: the rating no longer counts in the statistics."""
    subject: ClassVar[str] = "rating"
    kind: ClassVar[str] = "removed"
    rating_id: str
    ticket_id: str | None
    at: dt.datetime

    @property
    def subject_id(self) -> str:
        return self.rating_id
