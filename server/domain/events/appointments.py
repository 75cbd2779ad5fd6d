"""Appointments' facts (预约): booked, checked in, cancelled, missed. They carry the holder masked: the
event log and every push are read by people who may not see a full ID number or phone."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from .base import Event


@dataclass(frozen=True)
class AppointmentFacts:
    id: str
    code: str
    matter: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    status: str
    name: str | None  # masked
    id_number: str | None  # masked
    ticket: str | None
    booked_by: str
    phone: str | None = None  # masked (events logged before it was kept have none)


@dataclass(frozen=True)
class AppointmentEvent(Event):
    subject: ClassVar[str] = "appointment"
    appointment: AppointmentFacts

    @property
    def subject_id(self) -> str:
        return self.appointment.id


@dataclass(frozen=True)
class AppointmentBooked(AppointmentEvent):
    kind: ClassVar[str] = "booked"


@dataclass(frozen=True)
class AppointmentCheckedIn(AppointmentEvent):
    kind: ClassVar[str] = "checked_in"


@dataclass(frozen=True)
class AppointmentCancelled(AppointmentEvent):
    kind: ClassVar[str] = "cancelled"


@dataclass(frozen=True)
class AppointmentMissed(AppointmentEvent):
    """Not checked in by the end of its slot plus late_minutes: a 爽约, counted towards the ID's ban."""
    kind: ClassVar[str] = "missed"
