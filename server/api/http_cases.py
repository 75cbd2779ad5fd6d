"""The HTTP API under /api/v1: cases (办件: routed at a window, reviewed in the back office, handed over)
and the hall's devices (health, reprints)."""
from __future__ import annotations

from flask import request

from ..services.actors import READS_EVERYTHING
from . import schemas as s
from . import schemas_cases as sc
from ..domain.cases import CaseStatus
from .fields import CODE_QUERY, one_of
from .common import CLERK_AT_WINDOW, actor, answer, hall, idem, route, window_number

CASE_STATUS = one_of(*(s.value for s in CaseStatus))

@route("POST", "/windows/{window}/route", body=s.RouteBody, answer=sc.CaseEnvelope, status=201,
       summary="Accept the current ticket as a case and route it to the back office (the ticket ends as routed)",
       auth=CLERK_AT_WINDOW + ", at a comprehensive or one-thing window (or a professional one, for its own department)",
       errors=(401, 403, 404, 409))
def route_case(body: s.RouteBody, window: str):
    return answer(hall().cases.route(actor(), window_number(window), body.applicant.name, body.applicant.phone,
                                     body.note, body.matter, idempotency=idem()))


@route("POST", "/windows/{window}/hand-over", body=s.HandOverBody, answer=sc.CaseEnvelope,
       summary="Hand a ready result over at the window, or record that it was mailed (统一出件)",
       auth=CLERK_AT_WINDOW + ", for a case of its desk (accepted there, at a window of its department or, for "
                              "a hall-staffed window, at one of its floor) or whose pickup ticket it serves", errors=(401, 403, 404, 409))
def hand_over(body: s.HandOverBody, window: str):
    return answer(hall().cases.hand_over(actor(), window_number(window), body.how, body.case, body.tracking,
                                         idempotency=idem()))


@route("GET", "/windows/{window}/cases", answer=sc.CaseList,
       summary="The cases accepted at this window (masked), soonest due first: the clerk console's list",
       auth=CLERK_AT_WINDOW, errors=(401, 403, 404),
       query=(("status", CASE_STATUS, "only cases in this status"),))
def window_cases(window: str):
    return hall().cases.at_window(actor(), window_number(window), request.args.get("status"))


@route("GET", "/tickets/{ticket_id}/case", answer=sc.CaseEnvelope,
       summary="Track the case of a ticket (routed from it, or picked up with it): public, masked", errors=(404,))
def ticket_case(ticket_id: str):
    return hall().cases.case_of_ticket(ticket_id)


# ---------------------------------------------------------------- cases (back office)
@route("GET", "/cases", answer=sc.CaseList, summary="Cases: the back office sees its own department's, the admin all",
       auth="backoffice, admin", errors=(401, 403),
       query=(("status", CASE_STATUS, "only cases in this status"),))
def list_cases():
    return hall().cases.cases(actor(), request.args.get("status"))


@route("GET", "/cases/{case_id}", answer=sc.CaseEnvelope,
       summary="Track a case with its audit trail (public, masked; ids are unguessable)", errors=(401, 404))
def get_case(case_id: str):
    return hall().cases.get_case(actor(), case_id)


_DEPARTMENT = "backoffice of a department the case involves"


@route("POST", "/cases/{case_id}/claim", answer=sc.CaseEnvelope, summary="Take the case on (others of the department see who)",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def claim_case(_body, case_id: str):
    return answer(hall().cases.claim(actor(), case_id, idempotency=idem()))


@route("POST", "/cases/{case_id}/decide", body=s.DecideBody, answer=sc.CaseEnvelope,
       summary="Approve or reject for this department; the case is decided when all its departments have",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def decide_case(body: s.DecideBody, case_id: str):
    return answer(hall().cases.decide(actor(), case_id, body.result, body.note, idempotency=idem()))


@route("POST", "/cases/{case_id}/request-materials", body=s.MaterialsBody, answer=sc.CaseEnvelope,
       summary="Ask for more materials (补正): the case's clock stops until the window records them",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def request_materials(body: s.MaterialsBody, case_id: str):
    return answer(hall().cases.request_materials(actor(), case_id, body.materials, body.note, idempotency=idem()))


@route("POST", "/cases/{case_id}/materials", body=s.MaterialsBody, answer=sc.CaseEnvelope,
       summary="The window records the requested materials: review resumes and the clock restarts",
       auth="admin, or a clerk signed in at a window of the case's desk (as for hand-over)",
       errors=(401, 403, 404, 409))
def record_materials(body: s.MaterialsBody, case_id: str):
    return answer(hall().cases.record_materials(actor(), case_id, body.materials, body.note, idempotency=idem()))


@route("POST", "/cases/{case_id}/return", answer=sc.CaseEnvelope,
       summary="Send the decided result back to the accepting window: the case is ready for pickup",
       auth=_DEPARTMENT, errors=(401, 403, 404, 409))
def return_case(_body, case_id: str):
    return answer(hall().cases.return_to_window(actor(), case_id, idempotency=idem()))


# ---------------------------------------------------------------- devices (drivers/, docs/hardware.md)
@route("GET", "/devices", answer=s.DevicesOut, summary="Health of every configured printer, speaker, LED screen, pager and evaluator",
       auth="admin or supervisor", errors=(401, 403))
def list_devices():
    actor().require_staff(*READS_EVERYTHING)
    owed = hall().printing.unprinted()
    return {"devices": hall().device_health.listing(), "unprinted": sorted(o.number for o in owed),
            "unprinted_tickets": [{"id": o.ticket_id, "number": o.number, "printer": o.printer} for o in owed]}


@route("POST", "/tickets/{ticket_id}/reprint", answer=s.ReprintOut, status=202,
       summary="Print a ticket again (补打: a kiosk on its own printer; a clerk, the guide desk or an admin on any; "
               "refused with reason printer_down while that printer is down)",
       auth="clerk, admin or kiosk device",
       errors=(401, 403, 404, 409), idempotent=False,
       query=(("printer", CODE_QUERY, "admin: the printer to use (default: the one that printed it)"),))
def reprint(_body, ticket_id: str):
    return answer(hall().printing.reprint(actor(), ticket_id, request.args.get("printer")))
