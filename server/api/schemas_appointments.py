"""Schemas of 预约 (CONTRACT v2 "Appointments, identity, quotas"): the booking body, APPOINTMENT, a
matter's slots and a day's bookings for the admin board."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from .fields import Code, Date, IdNumberText, MobilePhone, Name, TimeOfDay
from .schemas import ApplicantOut, Body, HolderOut


class BookBody(Body):
    matter: Code
    date: Date = Field(description="the hall's local date YYYY-MM-DD")
    start: TimeOfDay = Field(description="the slot's start HH:MM (GET /appointments/slots)")
    id_number: IdNumberText = Field(
        description="the citizen's 18-character ID number (GB 11643; its check digit is verified)")
    name: Name
    phone: MobilePhone | None = Field(
        None, description="a mainland mobile number for the booking's notices")


class AppointmentOut(BaseModel):
    id: str
    code: str = Field(description="what the citizen types (or scans) at the kiosk to check in")
    matter: str
    matter_name: str
    date: str
    start: str
    end: str
    status: Literal["booked", "checked_in", "cancelled", "missed"]
    name: str | None = Field(description="masked")
    id_number: str | None = Field(description="masked")
    phone: str | None = Field(description="masked")
    ticket: str | None = Field(description="the ticket a check-in gave")


class AppointmentEnvelope(BaseModel):
    appointment: AppointmentOut


class SlotOut(BaseModel):
    start: str
    end: str
    free: int


class SlotsOut(BaseModel):
    matter: str
    date: str
    slots: list[SlotOut]


class SlotSummary(BaseModel):
    matter: str
    start: str
    quota: int
    booked: int = Field(description="booked, not (yet) checked in")
    checked_in: int
    missed: int
    cancelled: int


class DayOut(BaseModel):
    date: str
    slots: list[SlotSummary]
    appointments: list[AppointmentOut]



class RequeueBody(Body):
    number: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{1,2}[0-9]{3,6}$")] = Field(
        description="the no-show ticket's number, e.g. A004 (过号顺延)")

class HolderAtWindowOut(BaseModel):
    ticket: str = Field(description="the current ticket's number")
    kind: Literal["walk_in", "appointment", "pickup"]
    holder: HolderOut | None = Field(description="in full: what the ID card or the booking gave, and the phone")
    applicant: ApplicantOut | None = Field(description="a pickup ticket's case applicant, in full")
