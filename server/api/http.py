"""The HTTP API under /api/v1 (CONTRACT.md): the public reads, sign-in, tickets and windows. Each route
parses, authenticates and calls one service; the service layer checks and works; the route's
declaration alone says the status code. Cases and devices: http_cases.py; ratings: http_ratings.py."""
from __future__ import annotations

import dataclasses

from flask import Response, current_app, request

from ..domain.errors import Reason, Unauthorized
from ..services.presses import Seen
from . import schemas as s
from . import schemas_appointments as sa
from .schemas_calls import CallEnvelope, CallNextBody
from .schemas_ratings import TrackedTicketEnvelope
from .fields import FLOOR_QUERY
from .common import CLERK_AT_WINDOW, actor, answer, bearer_token, floor_arg, hall, idem, route, window_number

# ---------------------------------------------------------------- public
@route("GET", "/catalog", answer=s.CatalogOut, summary="The hall's floors, departments, queues and matters")
def get_catalog():
    return hall().queries.catalog()


@route("GET", "/stats", answer=s.StatsOut, summary="Per queue: waiting, open windows, longest wait, estimated wait",
       query=(("floor", FLOOR_QUERY, "only the queues of this floor"),))
def get_stats():
    return hall().queries.public_stats(floor_arg())


@route("GET", "/tickets/{ticket_id}", answer=TrackedTicketEnvelope, summary="Track a ticket (public; ids are unguessable)",
       errors=(404,))
def get_ticket(ticket_id: str):
    return hall().queries.get_ticket(ticket_id)


@route("GET", "/openapi.json", answer=s.OpenApiOut, summary="This document")
def get_openapi():
    return Response(current_app.extensions["hallq.openapi"], mimetype="application/json")


# ---------------------------------------------------------------- auth
@route("POST", "/auth/login", body=s.LoginBody, answer=s.LoginOut, summary="Staff sign-in: returns a bearer token",
       errors=(401, 429), idempotent=False)
def login(body: s.LoginBody):
    # remote_addr is the client's real address behind a trusted proxy (server/web/proxies.py).
    token, role = hall().signin.login(body.username, body.password, request.remote_addr or "-")
    return {"token": token, "role": role}


@route("POST", "/auth/logout", answer=s.OkOut, summary="Invalidate this token and close its sockets", auth="staff",
       errors=(401, 403), idempotent=False)
def logout(_body):
    who = actor()
    who.require_staff()
    hall().account_admin.logout(who, bearer_token())
    return {"ok": True}


@route("GET", "/me", answer=s.MeOut, summary="Who this token is, and the window a clerk is signed in to",
       auth="staff or device", errors=(401,))
def me():
    who = actor()
    if who.kind == "anonymous":
        raise Unauthorized("Send a token as 'Authorization: Bearer TOKEN'.", Reason.TOKEN_MISSING)
    window = hall().queries.window_of_clerk(who.name) if who.is_staff else None
    return {"kind": who.kind, "name": who.name, "role": who.role, "department": who.department,
            "departments": list(who.departments), "window": window}


@route("POST", "/users", body=s.NewUserBody, answer=s.UserOut, status=201, summary="Create a staff account",
       auth="admin", errors=(401, 403, 409))
def add_user(body: s.NewUserBody):
    admin = actor()
    admin.require_staff("admin")

    departments = tuple(dict.fromkeys(([body.department] if body.department else []) + list(body.departments or [])))

    def create() -> dict:
        hall().accounts.add_user(body.username, body.password, body.role, departments, body.display_name)
        return {"username": body.username, "role": body.role, "department": departments[0] if departments else None,
                "departments": list(departments)}
    return answer(hall().runner.remember(admin, idem(), create))


# ---------------------------------------------------------------- tickets
@route("POST", "/tickets", body=s.TakeTicketBody, answer=s.TicketEnvelope, status=201,
       summary="Take a ticket: for a matter (optionally tied to the ID card read and a phone for notices), "
               "to collect a case's result, or by checking a booking in (its code, or the ID card alone)",
       auth="kiosk device or staff (a kiosk's pickup ticket needs the case's pickup code or the applicant's ID card)",
       errors=(401, 403, 404, 409, 503))
def take_ticket(body: s.TakeTicketBody):
    card = body.id_card.model_dump() if body.id_card is not None else None
    if body.case is not None:
        return answer(hall().cases.take_pickup_ticket(actor(), body.case, body.pickup_code, card, idempotency=idem()))
    if body.appointment is not None or body.matter is None:
        return answer(hall().appointments.check_in(actor(), code=body.appointment, id_card=card, idempotency=idem()))
    return answer(hall().tickets.take_ticket(actor(), body.matter, body.priority, idempotency=idem(), id_card=card,
                                             phone=body.phone))


@route("POST", "/tickets/requeue", body=sa.RequeueBody, answer=s.TicketEnvelope,
       summary="过号顺延: today's no-show ticket waits again, once, placed after [hall] requeue_after tickets",
       auth="kiosk device or staff", errors=(401, 403, 404, 409))
def requeue(body: sa.RequeueBody):
    return answer(hall().tickets.requeue(actor(), body.number, idempotency=idem()))


@route("GET", "/tickets/{ticket_id}/history", answer=s.HistoryOut, summary="Every transition of a ticket",
       auth="staff", errors=(401, 403, 404))
def ticket_history(ticket_id: str):
    return {"events": hall().queries.ticket_history(actor(), ticket_id)}


# ---------------------------------------------------------------- windows
@route("GET", "/windows", answer=s.WindowList, summary="Every window", auth="staff", errors=(401, 403),
       query=(("floor", FLOOR_QUERY, "only this floor's windows"),))
def list_windows():
    return hall().queries.windows(actor(), floor_arg())


@route("GET", "/windows/{window}", answer=s.WindowEnvelope, summary="One window", auth="staff",
       errors=(401, 403, 404))
def get_window(window: str):
    return {"window": hall().queries.window(actor(), window_number(window))}


@route("POST", "/windows/{window}/sign-in", answer=s.WindowEnvelope, summary="Bind the clerk to the window",
       auth="clerk", errors=(401, 403, 404, 409))
def sign_in(_body, window: str):
    return answer(hall().windows.sign_in(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/sign-out", answer=s.WindowEnvelope, summary="Leave the window (it closes)",
       auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def sign_out(_body, window: str):
    return answer(hall().windows.sign_out(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/call-next", body=CallNextBody, answer=CallEnvelope,
       summary="Call the next ticket (the current one, if any, is finished; a press overlapping the call that "
               "put the current ticket there answers with it, repeated, and changes nothing)", auth=CLERK_AT_WINDOW,
       errors=(401, 403, 404, 409))
def call_next(body: CallNextBody, window: str):
    # The press arrives now, before the token's check waits for the database: a double press is told
    # by what the device showed or else by arrival times (server/services/presses.py).
    arrived_at = hall().clock()
    seen = Seen(body.serving) if "serving" in body.model_fields_set else None
    return answer(hall().windows.call_next(actor(), window_number(window), idempotency=idem(), arrived_at=arrived_at,
                                           seen=seen))


@route("POST", "/windows/{window}/recall", answer=s.TicketEnvelope, summary="Call the current ticket again",
       auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def recall(_body, window: str):
    return answer(hall().windows.recall(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/no-show", answer=s.TicketEnvelope, summary="The current ticket did not come",
       auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def no_show(_body, window: str):
    return answer(hall().windows.no_show(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/finish", answer=s.TicketEnvelope, summary="The current ticket is served",
       auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def finish(_body, window: str):
    return answer(hall().windows.finish(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/transfer", body=s.TransferBody, answer=s.TicketEnvelope,
       summary="Send the current ticket back to waiting in another queue, keeping its place by issue time",
       auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def transfer(body: s.TransferBody, window: str):
    return answer(hall().windows.transfer(actor(), window_number(window), body.queue, idempotency=idem()))


@route("POST", "/windows/{window}/pause", body=s.PauseBody, answer=s.WindowEnvelope,
       summary="Stop taking calls, for one of the hall's pause reasons", auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def pause(body: s.PauseBody, window: str):
    return answer(hall().windows.pause(actor(), window_number(window), body.reason, idempotency=idem()))


@route("POST", "/windows/{window}/resume", answer=s.WindowEnvelope, summary="Take calls again",
       auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def resume(_body, window: str):
    return answer(hall().windows.resume(actor(), window_number(window), idempotency=idem()))


@route("PUT", "/windows/{window}/queues", body=s.QueuesBody, answer=s.WindowEnvelope,
       summary="Which queues the window serves, in order of preference", auth="admin", errors=(401, 403, 404, 409))
def set_queues(body: s.QueuesBody, window: str):
    return answer(hall().windows.set_queues(actor(), window_number(window), body.queues))


@route("PUT", "/windows/{window}/state", body=s.StateBody, answer=s.WindowEnvelope,
       summary="Open, pause or close a window", auth="admin", errors=(401, 403, 404, 409))
def set_state(body: s.StateBody, window: str):
    return answer(hall().windows.set_state(actor(), window_number(window), body.state))


@route("GET", "/health", answer=s.HealthOut, summary="The server and its database answer")
def health():
    hall().queries.ping()
    figures = current_app.extensions.get("hallq.commit_figures", lambda: None)()
    return {"ok": True, "group_commit": dataclasses.asdict(figures) if figures else None}


@route("GET", "/windows/{window}/holder", answer=sa.HolderAtWindowOut,
       summary="Who the window's current ticket belongs to, in full (ID number, name, phone; a pickup's applicant): "
               "for the clerk serving it only", auth=CLERK_AT_WINDOW, errors=(401, 403, 404, 409))
def holder_at_window(window: str):
    return hall().queries.holder_at(actor(), window_number(window))
