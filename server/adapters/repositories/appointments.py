"""Bookings (预约): loading and saving them, the counts a slot's quota and an ID's limits are checked
against, and the misses a ban is worked out from."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, insert, select, update

from ...domain.appointments import Appointment, AppointmentStatus
from ...domain.identity import Holder
from .. import tables as t
from .common import hold_lock, insert_unique

_LIVE = (AppointmentStatus.BOOKED.value, AppointmentStatus.CHECKED_IN.value)


class AppointmentRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[str, Appointment] = {}

    def _track(self, row) -> Appointment:
        if row.id in self.seen:
            return self.seen[row.id]
        appointment = Appointment(
            id=row.id, code=row.code, matter=row.matter, day=row.day, start=row.start, end=row.end,
            holder=Holder(row.name, row.id_number, row.phone), booked_by=row.booked_by, booked_at=row.booked_at,
            status=AppointmentStatus(row.status), ticket=row.ticket, changed_at=row.changed_at)
        self.seen[appointment.id] = appointment
        return appointment

    def _select(self, *where, for_update: bool = False) -> list[Appointment]:
        stmt = select(t.appointments).where(*where).order_by(t.appointments.c.start, t.appointments.c.id)
        if for_update:
            stmt = stmt.with_for_update()
        return [self._track(row) for row in self.conn.execute(stmt).all()]

    def get(self, appointment_id: str, for_update: bool = False) -> Appointment | None:
        found = self._select(t.appointments.c.id == appointment_id, for_update=for_update)
        return found[0] if found else None

    def with_code(self, code: str, for_update: bool = False) -> list[Appointment]:
        """Bookings with this code (unique within a day; several days may share it)."""
        return self._select(t.appointments.c.code == code, for_update=for_update)

    def of_holder(self, id_number: str, since: dt.date, for_update: bool = False) -> list[Appointment]:
        c = t.appointments.c
        return self._select(c.id_number == id_number, c.day >= since, for_update=for_update)

    def of_day(self, day: dt.date, matter: str | None = None) -> list[Appointment]:
        c = t.appointments.c
        return self._select(c.day == day, *([c.matter == matter] if matter else []))

    def overdue(self, before: dt.datetime, id_number: str | None = None) -> list[Appointment]:
        """Bookings still `booked` whose slot ended before `before` (the caller adds late_minutes); of one
        ID only, when given."""
        c = t.appointments.c
        of_id = [c.id_number == id_number] if id_number is not None else []
        return self._select(c.status == AppointmentStatus.BOOKED.value, c.end < before, *of_id, for_update=True)

    def booked_starting(self, after: dt.datetime, until: dt.datetime) -> list[Appointment]:
        c = t.appointments.c
        return self._select(c.status == AppointmentStatus.BOOKED.value, c.start > after, c.start <= until)

    def taken(self, matter: str, day: dt.date) -> dict[dt.datetime, int]:
        """Live bookings per slot start of a matter's day."""
        c = t.appointments.c
        rows = self.conn.execute(select(c.start, func.count()).where(
            c.matter == matter, c.day == day, c.status.in_(_LIVE)).group_by(c.start)).all()
        return {start: n for start, n in rows}

    def code_in_use(self, day: dt.date, code: str) -> bool:
        c = t.appointments.c
        return self.conn.execute(select(c.id).where(c.day == day, c.code == code)).first() is not None

    def lock(self, key: str) -> None:
        """Until the transaction ends, no other booking checks the same slot or ID (PostgreSQL)."""
        hold_lock(self.conn, f"hallq-appointment:{key}")

    def add(self, appointment: Appointment) -> None:
        a = appointment
        insert_unique(self.conn, insert(t.appointments), dict(
            id=a.id, code=a.code, matter=a.matter, day=a.day, start=a.start, end=a.end,
            id_number=a.holder.id_number, name=a.holder.name, phone=a.holder.phone, status=a.status.value,
            booked_by=a.booked_by, booked_at=a.booked_at, ticket=a.ticket, changed_at=a.changed_at))
        self.seen[a.id] = a

    def save(self, appointment: Appointment) -> None:
        a = appointment
        self.conn.execute(update(t.appointments).where(t.appointments.c.id == a.id).values(
            status=a.status.value, ticket=a.ticket, changed_at=a.changed_at))
