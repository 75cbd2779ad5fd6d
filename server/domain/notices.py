"""Notices to citizens (短信/微信通知): what each one says, when a failed one is tried again, and what
the gateway receives. Plain rules; the outbox and the worker around them are in server/services/.

A notice is one sentence to one phone, for one reason (its `kind`). Its `dedupe_key` names that
reason for that subject (a ticket's call at a window, a case ready for pickup …), so the same notice
is never queued twice however many commands, processes or retries meet it.
"""
from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from enum import StrEnum

from .cases import mask_phone


class NoticeKind(StrEnum):
    AHEAD = "ahead"  # the ticket has [notices] ahead tickets (or fewer) before it
    CALLED = "called"
    CASE_READY = "case_ready"
    APPOINTMENT_BOOKED = "appointment_booked"
    APPOINTMENT_REMINDER = "appointment_reminder"


def dedupe_key(kind: NoticeKind, *subject: str) -> str:
    """`called:TICKET:WINDOW`, `ahead:TICKET`, `case_ready:CASE` …"""
    return ":".join((kind.value, *subject))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""  # a value the notice does not have (a ticket without a matter) reads as nothing


def render(template: str, values: dict) -> str:
    """The template with its named placeholders filled (`{number}` → A023); the config checked the names."""
    return string.Formatter().vformat(template, (), _Blank({k: "" if v is None else v for k, v in values.items()}))


def retry_delay(attempts: int, base_s: float, cap_s: float) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base … at most cap."""
    return dt.timedelta(seconds=min(cap_s, base_s * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Notice:
    """A notice as the worker claimed it from the outbox."""
    id: int
    kind: str
    phone: str
    text: str
    ticket: str | None
    case: str | None
    attempts: int  # failed attempts so far

    def payload(self) -> dict:
        """What the gateway receives (CONTRACT v2); `id` lets it drop a notice it already has."""
        body = {"id": str(self.id), "phone": self.phone, "event": self.kind, "text": self.text}
        if self.ticket:
            body["ticket"] = self.ticket
        if self.case:
            body["case"] = self.case
        return body

    def __str__(self) -> str:
        """How logs name it: never the full phone."""
        return f"notice {self.id} ({self.kind}) to {mask_phone(self.phone)}"


@dataclass(frozen=True)
class Failure:
    """What a failed attempt leads to: try again at `retry_at`, or give up (`retry_at` None)."""
    attempts: int
    retry_at: dt.datetime | None


def after_failure(notice: Notice, now: dt.datetime, max_attempts: int, base_s: float, cap_s: float) -> Failure:
    attempts = notice.attempts + 1
    if attempts >= max_attempts:
        return Failure(attempts, None)
    return Failure(attempts, now + retry_delay(attempts, base_s, cap_s))
