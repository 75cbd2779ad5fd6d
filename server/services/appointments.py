"""Appointment commands (预约): the free places of a matter's slots, booking (by the provincial platform or
staff), cancelling, checking in at the kiosk (by the booking's code or the ID card), the day's bookings
for the admin board, and turning bookings nobody checked in into misses (爽约) that ban an ID."""
from __future__ import annotations

import datetime as dt
import secrets

from ..config import HallConfig
from ..domain.text import require_name
from ..domain.appointments import Appointment, AppointmentStatus, BookingRules, new_code
from ..domain.calendar import WorkingCalendar
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound, Reason
from ..domain.events import AppointmentFacts
from ..domain.identity import Holder, IdNumber
from ..domain.model import Priority, TicketKind
from .actors import READS_EVERYTHING, STAFF_ROLES, Actor
from .messages import IdempotencyKey, Outcome
from .notices import Notices
from .runner import CommandRunner
from .tickets import TicketCommands
from .unit_of_work import UnitOfWork


def rules_of(config: HallConfig, calendar: WorkingCalendar) -> BookingRules:
    a = config.appointments
    return BookingRules(
        tz=config.hall.tz, calendar=calendar, hours=a.hours, days_ahead=a.days_ahead, slot_minutes=a.slot_minutes,
        early_minutes=a.early_minutes, late_minutes=a.late_minutes, per_id_per_day=a.per_id_per_day,
        per_id_per_week=a.per_id_per_week, misses_to_ban=a.misses_to_ban, ban_window_days=a.ban_window_days,
        ban_days=a.ban_days)


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid("date must be YYYY-MM-DD.", Reason.INVALID_DATE)


class Appointments:
    def __init__(self, config: HallConfig, runner: CommandRunner, calendar: WorkingCalendar,
                 tickets: TicketCommands, notices: Notices):
        self.config = config
        self.runner = runner
        self.rules = rules_of(config, calendar)
        self.tickets = tickets
        self.notices = notices

    # ---------------------------------------------------------------- views
    def view(self, appointment: Appointment) -> dict:
        """CONTRACT v2's APPOINTMENT (name, ID number and phone masked), with the matter's name and the ticket."""
        return self.view_of(appointment.facts())

    def view_of(self, a: AppointmentFacts) -> dict:
        """The same APPOINTMENT from an event's facts (masked already): an answer and the push of the same
        change cannot differ."""
        tz = self.config.hall.tz
        matter = self.config.matters.get(a.matter)
        return {"id": a.id, "code": a.code, "matter": a.matter, "matter_name": matter.name if matter else a.matter,
                "date": a.day.isoformat(), "start": a.start.astimezone(tz).isoformat(),
                "end": a.end.astimezone(tz).isoformat(), "status": a.status, "name": a.name,
                "id_number": a.id_number, "phone": a.phone, "ticket": a.ticket}

    def _matter(self, matter_id: str):
        matter = self.config.matters.get(matter_id)
        if matter is None:
            raise NotFound(f"There is no matter {matter_id!r} in the catalogue.", Reason.NO_SUCH_MATTER)
        if matter.appointment_quota <= 0:
            raise Conflict(f"{matter.name} takes no bookings; take a ticket at the hall.",
                           Reason.MATTER_TAKES_NO_BOOKINGS)
        return matter

    # ---------------------------------------------------------------- reads
    def slots(self, matter_id: str, date: str) -> dict:
        """Every slot of the matter's day with its free places (0 for a slot already begun)."""
        matter, day = self._matter(matter_id), parse_day(date)

        def read(uow: UnitOfWork, now: dt.datetime) -> dict:
            open_day = self.rules.calendar.is_working_day(day)
            taken = uow.appointments.taken(matter.id, day) if open_day else {}
            tz = self.config.hall.tz
            return {"matter": matter.id, "date": day.isoformat(), "slots": [
                {"start": s.start.astimezone(tz).strftime("%H:%M"), "end": s.end.astimezone(tz).strftime("%H:%M"),
                 "free": max(0, matter.appointment_quota - taken.get(s.start, 0)) if open_day and s.start > now else 0}
                for s in self.rules.slots(day)]}
        return self.runner.read(read, public=True)  # anyone may ask

    def day(self, actor: Actor, date: str | None) -> dict:
        """The admin board's view of a day: its bookings per matter and slot, with check-ins."""
        actor.require_staff(*READS_EVERYTHING, "clerk")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self.mark_missed_in(uow, now)
            day = parse_day(date) if date is not None else now.astimezone(self.config.hall.tz).date()
            bookings = uow.appointments.of_day(day)
            slots: dict[tuple[str, str], dict] = {}
            for a in bookings:
                start = a.start.astimezone(self.config.hall.tz).strftime("%H:%M")
                row = slots.setdefault((a.matter, start), {
                    "matter": a.matter, "start": start, "quota": self.config.matters[a.matter].appointment_quota
                    if a.matter in self.config.matters else 0, "booked": 0, "checked_in": 0, "missed": 0,
                    "cancelled": 0})
                row["booked" if a.status is AppointmentStatus.BOOKED else a.status.value] += 1
            return {"date": day.isoformat(), "appointments": [self.view(a) for a in bookings],
                    "slots": sorted(slots.values(), key=lambda r: (r["start"], r["matter"]))}
        return self.runner.run(actor, None, command).body

    def get(self, actor: Actor, appointment_id: str) -> dict:
        platform = self._require_booker(actor)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self.mark_missed_in(uow, now)
            appointment = uow.appointments.get(appointment_id)
            if appointment is None or (platform and appointment.booked_by != actor.principal):
                raise NotFound("There is no such booking.", Reason.NO_SUCH_APPOINTMENT)
            return {"appointment": self.view(appointment)}
        return self.runner.run(actor, None, command).body

    @staticmethod
    def _require_booker(actor: Actor) -> bool:
        """The provincial platform (a `platform` device) or staff book and cancel; True for the platform."""
        if actor.kind == "device" and actor.role == "platform":
            return True
        actor.require_staff(*STAFF_ROLES)
        return False

    # ---------------------------------------------------------------- booking
    def book(self, actor: Actor, matter_id: str, date: str, start: str, id_number: str, name: str,
             phone: str | None, idempotency: IdempotencyKey | None = None) -> Outcome:
        self._require_booker(actor)
        matter, day = self._matter(matter_id), parse_day(date)
        number = IdNumber.parse(id_number).value
        require_name(name, "citizen's name")
        slot = self.rules.slot_at(day, start)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self.rules.require_bookable(slot, now)
            uow.appointments.lock(f"id:{number}")
            self.mark_missed_in(uow, now, number)
            held = uow.appointments.of_holder(number, now.astimezone(self.config.hall.tz).date() - self.rules.miss_lookback)
            until = self.rules.banned_until([a.day for a in held if a.status is AppointmentStatus.MISSED],
                                            now.astimezone(self.config.hall.tz).date())
            if until is not None:
                raise Conflict(f"This ID missed too many bookings and may book again from {until}.",
                               Reason.ID_BANNED, until=until.isoformat())
            self.rules.require_within_limits(day, [a.day for a in held if a.status in
                                                   (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)])
            uow.appointments.lock(f"slot:{matter.id}:{slot.start.isoformat()}")
            if uow.appointments.taken(matter.id, day).get(slot.start, 0) >= matter.appointment_quota:
                raise Conflict(f"The {start} slot of {day} is fully booked; choose another.", Reason.SLOT_FULL)
            code = new_code()
            while uow.appointments.code_in_use(day, code):
                code = new_code()
            appointment = Appointment.book(
                id=secrets.token_urlsafe(12), code=code, matter=matter.id, day=day, start=slot.start, end=slot.end,
                holder=Holder(name, number, phone), booked_by=actor.principal, booked_at=now)
            uow.appointments.add(appointment)
            return {"appointment": self.view(appointment)}
        return self.runner.run(actor, idempotency, command)

    def cancel(self, actor: Actor, appointment_id: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        platform = self._require_booker(actor)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            appointment = uow.appointments.get(appointment_id, for_update=True)
            if appointment is None:
                raise NotFound("There is no such booking.", Reason.NO_SUCH_APPOINTMENT)
            if platform and appointment.booked_by != actor.principal:
                raise Forbidden("A platform cancels only the bookings it made.", Reason.APPOINTMENT_OF_OTHER_BOOKER)
            appointment.cancel(now)
            uow.appointments.save(appointment)
            return {"appointment": self.view(appointment)}
        return self.runner.run(actor, idempotency, command)

    # ---------------------------------------------------------------- check-in
    def check_in(self, actor: Actor, code: str | None = None, id_card: dict | None = None,
                 idempotency: IdempotencyKey | None = None) -> Outcome:
        """At the kiosk (or the guide desk): the booking's code, or the ID card it was made with, gives an
        `appointment` ticket in the matter's queue, called before the walk-ins of that queue."""
        actor.require_issuer()
        number = IdNumber.parse(id_card.get("number", "")).value if id_card is not None else None
        self.tickets.require_issuing_hours()

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            appointment = self._find_for_check_in(uow, now, code, number)
            matter = self.config.matters.get(appointment.matter)
            if matter is None:
                raise NotFound("The booked matter left the catalogue; please ask at the guide desk.",
                               Reason.NO_SUCH_MATTER)
            ticket_id = secrets.token_urlsafe(16)
            appointment.check_in(self.rules, now, ticket_id)
            uow.appointments.save(appointment)
            holder = appointment.holder
            prio = Priority.GREEN if self.tickets.is_elder(holder.id_number, now) else Priority.NORMAL
            return self.tickets.issue_in(uow, now, actor, self.config.queues[matter.queue], matter.id, prio,
                                         kind=TicketKind.APPOINTMENT, holder=holder, appointment=appointment.id,
                                         ticket_id=ticket_id)
        return self.runner.run(actor, idempotency, command)

    def _find_for_check_in(self, uow: UnitOfWork, now: dt.datetime, code: str | None,
                           id_number: str | None) -> Appointment:
        today = now.astimezone(self.config.hall.tz).date()
        if id_number is not None:
            mine = [a for a in uow.appointments.of_holder(id_number, today, for_update=True) if a.day == today]
            live = [a for a in mine if a.status is AppointmentStatus.BOOKED] or mine
            if not live:
                raise NotFound("This ID card holds no booking for today.", Reason.NO_APPOINTMENT_FOR_ID)
            # Of several, the one whose check-in is open, else the next to open.
            return min(live, key=lambda a: (now > self.rules.check_in_closes(a.start), a.start))
        found = uow.appointments.with_code((code or "").strip(), for_update=True)
        if not found:
            raise NotFound("No booking has this code; please check the code in your booking message.",
                           Reason.NO_SUCH_APPOINTMENT)
        # Today's first, a live one before the rest, then the newest day (its refusal says which day).
        return min(found, key=lambda a: (a.day != today, a.status is not AppointmentStatus.BOOKED, -a.day.toordinal()))

    # ---------------------------------------------------------------- misses
    def mark_missed_in(self, uow: UnitOfWork, now: dt.datetime, id_number: str | None = None) -> int:
        """Bookings nobody checked in by the end of their slot plus late_minutes become missed (爽约): every
        one, or (a booking's check) only those of `id_number`, so a booking locks no other ID's rows."""
        late = dt.timedelta(minutes=self.rules.late_minutes)
        count = 0
        for appointment in uow.appointments.overdue(now - late, id_number):
            appointment.mark_missed(now)
            uow.appointments.save(appointment)
            count += 1
        return count

    def sweep(self, actor: Actor) -> dict:
        """The periodic sweep (housekeeping, once a minute): misses, and the reminders of bookings that
        start within `[notices] reminder_minutes` (each reminded once)."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            missed = self.mark_missed_in(uow, now)
            soon = uow.appointments.booked_starting(now, now + dt.timedelta(minutes=self.config.notices.reminder_minutes))
            return {"missed": missed, "reminded": self.notices.reminders_in(uow, now, soon)}
        return self.runner.run(actor, None, command).body
