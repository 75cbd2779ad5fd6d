"""Appointments (预约取号): slots per matter, the booking rules, check-in and the no-show (爽约) ban.

Times of day are the hall's local times; a booking's `start` and `end` are aware moments. The rules
(`BookingRules`) are the hall's `[appointments]` config with its working calendar; an `Appointment`
checks its own state changes and records its events.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from . import events
from .calendar import WorkingCalendar
from .errors import Conflict, Invalid, Reason
from .identity import Holder


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    MISSED = "missed"


def new_code() -> str:
    """Six digits: what the citizen types on the kiosk's number pad."""
    return f"{secrets.randbelow(1_000_000):06d}"


def _hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class BookingRules:
    tz: ZoneInfo
    calendar: WorkingCalendar
    hours: tuple[str, str]
    days_ahead: int
    slot_minutes: int
    early_minutes: int
    late_minutes: int
    per_id_per_day: int
    per_id_per_week: int
    misses_to_ban: int
    ban_window_days: int
    ban_days: int

    # -------------------------------------------------------------- slots
    def slots(self, day: dt.date) -> list[Slot]:
        """The day's slots, `slot_minutes` long, from the first hour while a whole slot fits."""
        opens, closes = (dt.datetime.combine(day, _hhmm(h), self.tz) for h in self.hours)
        length = dt.timedelta(minutes=self.slot_minutes)
        out, start = [], opens
        while start + length <= closes:
            out.append(Slot(start, start + length))
            start += length
        return out

    def slot_at(self, day: dt.date, start: str) -> Slot:
        try:
            wanted = dt.datetime.combine(day, _hhmm(start), self.tz)
        except (ValueError, TypeError):
            raise Invalid("start is a time of day HH:MM.", Reason.NO_SUCH_SLOT)
        for slot in self.slots(day):
            if slot.start == wanted:
                return slot
        raise Invalid(f"{start} is not the start of a slot on {day}.", Reason.NO_SUCH_SLOT,
                      slots=[s.start.astimezone(self.tz).strftime("%H:%M") for s in self.slots(day)])

    def bookable_days(self, today: dt.date) -> list[dt.date]:
        """The first `days_ahead` working days from today, today included."""
        days, day = [], today
        while len(days) < self.days_ahead:
            if self.calendar.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def require_bookable(self, slot: Slot, now: dt.datetime) -> None:
        day = slot.start.astimezone(self.tz).date()
        if slot.start <= now:
            raise Conflict("That slot has begun or passed; choose a later one.", Reason.SLOT_PASSED)
        if not self.calendar.is_working_day(day):
            raise Conflict(f"The hall takes no bookings for {day} (not a working day).", Reason.NOT_A_WORKING_DAY)
        last = self.bookable_days(now.astimezone(self.tz).date())[-1]
        if day > last:
            raise Conflict(f"Bookings open {self.days_ahead} working days ahead; the last bookable day is {last}.",
                           Reason.TOO_FAR_AHEAD, last=last.isoformat())

    # -------------------------------------------------------------- per ID
    def require_within_limits(self, day: dt.date, held_days: Sequence[dt.date]) -> None:
        """`held_days`: the days of the ID's live bookings (booked or checked in)."""
        if sum(1 for d in held_days if d == day) >= self.per_id_per_day:
            raise Conflict(f"This ID already holds {self.per_id_per_day} booking(s) for {day}.", Reason.ID_LIMIT,
                           period="day")
        week = day.isocalendar()[:2]
        if sum(1 for d in held_days if d.isocalendar()[:2] == week) >= self.per_id_per_week:
            raise Conflict(f"This ID already holds {self.per_id_per_week} bookings in that week.", Reason.ID_LIMIT,
                           period="week")

    def banned_until(self, miss_days: Iterable[dt.date], today: dt.date) -> dt.date | None:
        """The day the ID may book again, if its misses ban it today: `misses_to_ban` misses within
        `ban_window_days` ban it for `ban_days` from the miss that reached the count."""
        misses = sorted(miss_days)
        until = None
        for i in range(self.misses_to_ban - 1, len(misses)):
            first, reaching = misses[i - self.misses_to_ban + 1], misses[i]
            if (reaching - first).days < self.ban_window_days:
                ends = reaching + dt.timedelta(days=self.ban_days)
                if ends > today and (until is None or ends > until):
                    until = ends
        return until

    @property
    def miss_lookback(self) -> dt.timedelta:
        """How far back misses can still matter to a ban."""
        return dt.timedelta(days=self.ban_window_days + self.ban_days)

    # -------------------------------------------------------------- check-in
    def check_in_opens(self, start: dt.datetime) -> dt.datetime:
        return start - dt.timedelta(minutes=self.early_minutes)

    def check_in_closes(self, start: dt.datetime) -> dt.datetime:
        return start + dt.timedelta(minutes=self.late_minutes)

    def missed_after(self, appointment: "Appointment") -> dt.datetime:
        """CONTRACT v2: a booking not checked in by the end of its slot plus `late_minutes` is missed."""
        return appointment.end + dt.timedelta(minutes=self.late_minutes)


@dataclass
class Appointment:
    id: str
    code: str
    matter: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    holder: Holder
    booked_by: str
    booked_at: dt.datetime
    status: AppointmentStatus = AppointmentStatus.BOOKED
    ticket: str | None = None
    changed_at: dt.datetime | None = None
    events: list = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def book(cls, **fields) -> "Appointment":
        appointment = cls(**fields)
        appointment.events.append(events.AppointmentBooked(appointment.facts()))
        return appointment

    def facts(self) -> events.AppointmentFacts:
        masked = self.holder.masked()
        return events.AppointmentFacts(
            id=self.id, code=self.code, matter=self.matter, day=self.day, start=self.start, end=self.end,
            status=self.status.value, name=masked["name"], id_number=masked["id_number"], ticket=self.ticket,
            booked_by=self.booked_by, phone=masked["phone"])

    def _require_booked(self) -> None:
        if self.status is AppointmentStatus.CANCELLED:
            raise Conflict("This booking was cancelled.", Reason.APPOINTMENT_CANCELLED)
        if self.status is AppointmentStatus.MISSED:
            raise Conflict("This booking was missed (爽约): its check-in time is over.", Reason.APPOINTMENT_MISSED)
        if self.status is AppointmentStatus.CHECKED_IN:
            raise Conflict("This booking is checked in already.", Reason.APPOINTMENT_CHECKED_IN, ticket=self.ticket)

    def check_in(self, rules: BookingRules, now: dt.datetime, ticket_id: str) -> None:
        self._require_booked()
        today = now.astimezone(rules.tz).date()
        if self.day != today:
            raise Conflict(f"This booking is for {self.day}.", Reason.APPOINTMENT_NOT_TODAY, date=self.day.isoformat())
        opens = rules.check_in_opens(self.start)
        if now < opens:
            local = opens.astimezone(rules.tz).strftime("%H:%M")
            raise Conflict(f"Check-in for this booking opens at {local}; please come back then.",
                           Reason.APPOINTMENT_TOO_EARLY, **{"from": local})
        if now > rules.check_in_closes(self.start):
            raise Conflict("Check-in for this booking has closed; please take a walk-in ticket.",
                           Reason.APPOINTMENT_MISSED)
        self.status, self.ticket, self.changed_at = AppointmentStatus.CHECKED_IN, ticket_id, now
        self.events.append(events.AppointmentCheckedIn(self.facts()))

    def cancel(self, now: dt.datetime) -> None:
        self._require_booked()
        self.status, self.changed_at = AppointmentStatus.CANCELLED, now
        self.events.append(events.AppointmentCancelled(self.facts()))

    def mark_missed(self, now: dt.datetime) -> None:
        self._require_booked()
        self.status, self.changed_at = AppointmentStatus.MISSED, now
        self.events.append(events.AppointmentMissed(self.facts()))
