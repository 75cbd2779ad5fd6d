"""The HTTP API under /api/v1: 预约 (CONTRACT v2 "Appointments, identity, quotas"). Checking a booking in
is `POST /tickets` (http.py): the kiosk has one way to get a ticket."""
from __future__ import annotations

from flask import request

from . import schemas_appointments as s
from .fields import CODE_QUERY, DATE_QUERY
from .common import actor, answer, hall, idem, route

_BOOKERS = "platform device (the provincial platform) or staff"


@route("GET", "/appointments/slots", answer=s.SlotsOut, summary="A matter's slots on a date, with their free places",
       errors=(404, 409), query=(("matter", CODE_QUERY, "matter id from /catalog", True),
                                 ("date", DATE_QUERY, "local date YYYY-MM-DD", True)))
def slots():
    return hall().appointments.slots(request.args.get("matter", ""), request.args.get("date", ""))


@route("POST", "/appointments", body=s.BookBody, answer=s.AppointmentEnvelope, status=201,
       summary="Book a slot for a citizen (预约)", auth=_BOOKERS, errors=(401, 403, 404, 409))
def book(body: s.BookBody):
    return answer(hall().appointments.book(actor(), body.matter, body.date, body.start, body.id_number, body.name,
                                           body.phone, idempotency=idem()))


@route("GET", "/appointments", answer=s.DayOut, summary="A day's bookings per slot, with check-ins and misses",
       auth="admin, supervisor, clerk", errors=(401, 403),
       query=(("date", DATE_QUERY, "local date YYYY-MM-DD (default: today)"),))
def day():
    return hall().appointments.day(actor(), request.args.get("date"))


@route("GET", "/appointments/{appointment_id}", answer=s.AppointmentEnvelope, summary="One booking",
       auth=_BOOKERS, errors=(401, 403, 404))
def get_appointment(appointment_id: str):
    return hall().appointments.get(actor(), appointment_id)


@route("POST", "/appointments/{appointment_id}/cancel", answer=s.AppointmentEnvelope, summary="Cancel a booking",
       auth="the platform that booked it, or staff", errors=(401, 403, 404, 409))
def cancel(_body, appointment_id: str):
    return answer(hall().appointments.cancel(actor(), appointment_id, idempotency=idem()))
