"""The HTTP API under /api/v1 (CONTRACT.md). Each route parses, authenticates and calls one service
command; the service layer does the checking and the work."""
from __future__ import annotations

import re

from flask import Response, current_app, request

from ..domain.errors import Invalid, NotFound, Unauthorized
from ..services.actors import Actor
from ..services.hall import IdempotencyKey, Outcome
from . import schemas as s
from .routing import Api, body_fingerprint, idempotency_key

api = Api("api", "/api/v1")
route = api.route


def hall():
    return current_app.extensions["hallq"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the token as 'Authorization: Bearer TOKEN'.")
    return token.strip()


def actor() -> Actor:
    return hall().accounts.authenticate(bearer_token())


def idem() -> IdempotencyKey | None:
    key = idempotency_key()
    return IdempotencyKey(key, f"{request.method} {request.path} {body_fingerprint()}") if key else None


def answer(outcome: Outcome):
    # A repeat of an Idempotency-Key says so, which helps when tracing a kiosk's retries.
    return outcome.body, outcome.status, ({"Idempotent-Replayed": "true"} if outcome.replayed else None)


_WINDOW = re.compile(r"[0-9]{1,6}")
_FLOOR = re.compile(r"-?[0-9]{1,4}")


def window_number(window: str) -> str:
    if not _WINDOW.fullmatch(window):
        raise Invalid(f"{window[:20]!r} is not a window number.")
    return str(int(window))


def floor_arg() -> int | None:
    floor = request.args.get("floor")
    if floor is None:
        return None
    if not _FLOOR.fullmatch(floor):
        raise Invalid("floor must be a floor number such as 1.")
    return int(floor)


# ---------------------------------------------------------------- public
@route("GET", "/catalog", answer=s.CatalogOut, summary="The hall's floors, departments, queues and matters")
def get_catalog():
    return hall().service.catalog()


@route("GET", "/stats", answer=s.StatsOut, summary="Per queue: waiting, open windows, longest wait, estimated wait",
       query=(("floor", "integer", "only the queues of this floor"),))
def get_stats():
    return hall().service.stats(floor_arg())


@route("GET", "/tickets/{ticket_id}", answer=s.TicketEnvelope, summary="Track a ticket (public; ids are unguessable)",
       errors=(404,))
def get_ticket(ticket_id: str):
    return hall().service.get_ticket(ticket_id)


@route("GET", "/openapi.json", answer=s.OpenApiOut, summary="This document")
def get_openapi():
    return Response(current_app.extensions["hallq"].openapi_json, mimetype="application/json")


# ---------------------------------------------------------------- auth
@route("POST", "/auth/login", body=s.LoginBody, answer=s.LoginOut, summary="Staff sign-in: returns a bearer token",
       errors=(401, 429), idempotent=False)
def login(body: s.LoginBody):
    token, role = hall().accounts.login(body.username, body.password, request.remote_addr or "-")
    return {"token": token, "role": role}


@route("POST", "/auth/logout", answer=s.OkOut, summary="Invalidate this token", auth="staff", errors=(401,),
       idempotent=False)
def logout(_body):
    who = actor()
    who.require_staff()
    hall().accounts.logout(bearer_token())
    return {"ok": True}


@route("GET", "/me", answer=s.MeOut, summary="Who this token is, and the window a clerk is signed in to",
       auth="staff or device", errors=(401,))
def me():
    who = actor()
    if who.kind == "anonymous":
        raise Unauthorized("Send a token as 'Authorization: Bearer TOKEN'.")
    window = hall().service.window_of_clerk(who.name) if who.is_staff else None
    return {"kind": who.kind, "name": who.name, "role": who.role, "department": who.department, "window": window}


@route("POST", "/users", body=s.NewUserBody, answer=s.UserOut, status=201, summary="Create a staff account",
       auth="admin", errors=(401, 403, 409))
def add_user(body: s.NewUserBody):
    admin = actor()
    admin.require_staff("admin")

    def create() -> dict:
        hall().accounts.add_user(body.username, body.password, body.role, body.department)
        return {"username": body.username, "role": body.role, "department": body.department}
    return answer(hall().service.remember(admin, idem(), 201, create))


# ---------------------------------------------------------------- tickets
@route("POST", "/tickets", body=s.TakeTicketBody, answer=s.TicketEnvelope, status=201,
       summary="Take a ticket for a matter", auth="kiosk device or staff",
       errors=(401, 403, 404, 409, 503))
def take_ticket(body: s.TakeTicketBody):
    if body.case is not None:
        return answer(hall().cases.take_pickup_ticket(actor(), body.case, idempotency=idem()))
    return answer(hall().service.take_ticket(actor(), body.matter, body.priority, idempotency=idem()))


@route("GET", "/tickets/{ticket_id}/history", answer=s.HistoryOut, summary="Every transition of a ticket",
       auth="staff", errors=(401, 403, 404))
def ticket_history(ticket_id: str):
    return {"events": hall().service.ticket_history(actor(), ticket_id)}


# ---------------------------------------------------------------- windows
@route("GET", "/windows", answer=s.WindowList, summary="Every window", auth="staff", errors=(401, 403),
       query=(("floor", "integer", "only this floor's windows"),))
def list_windows():
    return hall().service.windows(actor(), floor_arg())


@route("GET", "/windows/{window}", answer=s.WindowEnvelope, summary="One window", auth="staff",
       errors=(401, 403, 404))
def get_window(window: str):
    return {"window": hall().service.window(actor(), window_number(window))}


_CLERK = "the clerk signed in at the window"


@route("POST", "/windows/{window}/sign-in", answer=s.WindowEnvelope, summary="Bind the clerk to the window",
       auth="clerk", errors=(401, 403, 404, 409))
def sign_in(_body, window: str):
    return answer(hall().service.sign_in(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/sign-out", answer=s.WindowEnvelope, summary="Leave the window (it closes)",
       auth=_CLERK, errors=(401, 403, 404, 409))
def sign_out(_body, window: str):
    return answer(hall().service.sign_out(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/call-next", answer=s.TicketEnvelope,
       summary="Call the next ticket (the current one, if any, is finished)", auth=_CLERK,
       errors=(401, 403, 404, 409))
def call_next(_body, window: str):
    return answer(hall().service.call_next(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/recall", answer=s.TicketEnvelope, summary="Call the current ticket again",
       auth=_CLERK, errors=(401, 403, 404, 409))
def recall(_body, window: str):
    return answer(hall().service.recall(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/no-show", answer=s.TicketEnvelope, summary="The current ticket did not come",
       auth=_CLERK, errors=(401, 403, 404, 409))
def no_show(_body, window: str):
    return answer(hall().service.no_show(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/finish", answer=s.TicketEnvelope, summary="The current ticket is served",
       auth=_CLERK, errors=(401, 403, 404, 409))
def finish(_body, window: str):
    return answer(hall().service.finish(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/transfer", body=s.TransferBody, answer=s.TicketEnvelope,
       summary="Send the current ticket back to waiting in another queue, keeping its place by issue time",
       auth=_CLERK, errors=(401, 403, 404, 409))
def transfer(body: s.TransferBody, window: str):
    return answer(hall().service.transfer(actor(), window_number(window), body.queue, idempotency=idem()))


@route("POST", "/windows/{window}/pause", answer=s.WindowEnvelope, summary="Stop taking calls",
       auth=_CLERK, errors=(401, 403, 404, 409))
def pause(_body, window: str):
    return answer(hall().service.pause(actor(), window_number(window), idempotency=idem()))


@route("POST", "/windows/{window}/resume", answer=s.WindowEnvelope, summary="Take calls again",
       auth=_CLERK, errors=(401, 403, 404, 409))
def resume(_body, window: str):
    return answer(hall().service.resume(actor(), window_number(window), idempotency=idem()))


@route("PUT", "/windows/{window}/queues", body=s.QueuesBody, answer=s.WindowEnvelope,
       summary="Which queues the window serves, in order of preference", auth="admin", errors=(401, 403, 404, 409))
def set_queues(body: s.QueuesBody, window: str):
    return answer(hall().service.set_window_queues(actor(), window_number(window), body.queues))


@route("PUT", "/windows/{window}/state", body=s.StateBody, answer=s.WindowEnvelope,
       summary="Open, pause or close a window", auth="admin", errors=(401, 403, 404, 409))
def set_state(body: s.StateBody, window: str):
    return answer(hall().service.set_window_state(actor(), window_number(window), body.state))


@route("POST", "/windows/{window}/route", body=s.RouteBody, answer=s.CaseEnvelope, status=201,
       summary="Accept the current ticket as a case and route it to the back office (the ticket ends as routed)",
       auth=_CLERK + ", at a comprehensive or one-thing window (or a professional one, for its own department)",
       errors=(401, 403, 404, 409))
def route_case(body: s.RouteBody, window: str):
    return answer(hall().cases.route(actor(), window_number(window), body.applicant.name, body.applicant.phone,
                                     body.note, body.matter, idempotency=idem()))


@route("POST", "/windows/{window}/hand-over", body=s.HandOverBody, answer=s.CaseEnvelope,
       summary="Hand a ready result over at the window, or record that it was mailed (统一出件)",
       auth=_CLERK, errors=(401, 403, 404, 409))
def hand_over(body: s.HandOverBody, window: str):
    return answer(hall().cases.hand_over(actor(), window_number(window), body.how, body.case, body.tracking,
                                         idempotency=idem()))


@route("GET", "/windows/{window}/cases", answer=s.CaseList,
       summary="The cases accepted at this window (masked), soonest due first: the clerk console's list",
       auth=_CLERK, errors=(401, 403, 404),
       query=(("status", "string", "in_review, approved, rejected, ready_for_pickup or picked_up"),))
def window_cases(window: str):
    return hall().cases.at_window(actor(), window_number(window), request.args.get("status"))


@route("GET", "/tickets/{ticket_id}/case", answer=s.CaseEnvelope,
       summary="Track the case of a ticket (routed from it, or picked up with it): public, masked", errors=(404,))
def ticket_case(ticket_id: str):
    return hall().cases.case_of_ticket(ticket_id)


# ---------------------------------------------------------------- cases (back office)
@route("GET", "/cases", answer=s.CaseList, summary="Cases: the back office sees its own department's, the admin all",
       auth="backoffice, admin", errors=(401, 403),
       query=(("status", "string", "in_review, approved, rejected, ready_for_pickup or picked_up"),))
def list_cases():
    return hall().cases.cases(actor(), request.args.get("status"))


@route("GET", "/cases/{case_id}", answer=s.CaseEnvelope,
       summary="Track a case with its audit trail (public, masked; ids are unguessable)", errors=(404,))
def get_case(case_id: str):
    return hall().cases.get_case(actor(), case_id)


_DEPARTMENT = "backoffice of a department the case involves"


@route("POST", "/cases/{case_id}/claim", answer=s.CaseEnvelope, summary="Take the case on (others of the department see who)",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def claim_case(_body, case_id: str):
    return answer(hall().cases.claim(actor(), case_id, idempotency=idem()))


@route("POST", "/cases/{case_id}/decide", body=s.DecideBody, answer=s.CaseEnvelope,
       summary="Approve or reject for this department; the case is decided when all its departments have",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def decide_case(body: s.DecideBody, case_id: str):
    return answer(hall().cases.decide(actor(), case_id, body.result, body.note, idempotency=idem()))


@route("POST", "/cases/{case_id}/request-materials", body=s.MaterialsBody, answer=s.CaseEnvelope,
       summary="Ask for more materials (补正): the case's clock stops until the window records them",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def request_materials(body: s.MaterialsBody, case_id: str):
    return answer(hall().cases.request_materials(actor(), case_id, body.materials, body.note, idempotency=idem()))


@route("POST", "/cases/{case_id}/materials", body=s.MaterialsBody, answer=s.CaseEnvelope,
       summary="The window records the requested materials: review resumes and the clock restarts",
       auth="clerk, admin", errors=(401, 403, 404, 409))
def record_materials(body: s.MaterialsBody, case_id: str):
    return answer(hall().cases.record_materials(actor(), case_id, body.materials, body.note, idempotency=idem()))


@route("POST", "/cases/{case_id}/return", answer=s.CaseEnvelope,
       summary="Send the decided result back to the accepting window: the case is ready for pickup",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def return_case(_body, case_id: str):
    return answer(hall().cases.return_to_window(actor(), case_id, idempotency=idem()))


@route("GET", "/health", answer=s.OkOut, summary="The server and its database answer")
def health():
    hall().service.ping()
    return {"ok": True}


# ---------------------------------------------------------------- devices (drivers/, docs/hardware.md)
@route("GET", "/devices", answer=s.DevicesOut, summary="Health of every configured printer, speaker, LED screen, pager and evaluator",
       auth="admin", errors=(401, 403))
def list_devices():
    actor().require_staff("admin")
    devices = hall().devices
    return {"devices": devices.health(), "unprinted": sorted(devices.unprinted.values()),
            "unprinted_tickets": devices.unprinted_tickets()}


@route("POST", "/tickets/{ticket_id}/reprint", answer=s.ReprintOut, status=202,
       summary="Print a ticket again (a kiosk on its own printer; an admin on any)", auth="admin or kiosk device",
       errors=(401, 403, 404), idempotent=False,
       query=(("printer", "string", "admin: the printer to use (default: the one that printed it)"),))
def reprint(_body, ticket_id: str):
    who = actor()
    if who.kind == "device" and who.role == "kiosk":
        kiosk, printer = who.name, None
    else:
        who.require_staff("admin")
        kiosk, printer = None, request.args.get("printer")
    ticket = hall().service.get_ticket(ticket_id)["ticket"]
    try:
        name = hall().devices.reprint(ticket, printer=printer, kiosk=kiosk)
    except LookupError:
        raise NotFound("No printer fits: name one of GET /devices, or attach a printer to this kiosk.")
    return {"ticket": ticket["id"], "number": ticket["number"], "printer": name, "queued": True}, 202
