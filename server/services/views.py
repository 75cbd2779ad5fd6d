"""Wire views: the contract's TICKET, WINDOW and CASE (and the catalogue), built from domain facts.

Every answer and every push that carries one of them is built here, so an HTTP answer and the push
of the same change cannot differ. Who sees a case's applicant: the back-office staff of a department
the case involves see all (FULL); the clerk of the accepting window sees it masked with the pickup
code, for the receipt (DESK); other staff see it masked (MASKED); the public tracking page and screens
see no applicant, no pickup code, nor who handled it (PUBLIC). The pickup code goes to FULL and DESK
only (docs/security.md, "Cases and pickup tickets").
"""
from __future__ import annotations

import datetime as dt
import json

from ..config import HallConfig
from ..domain import events as ev
from ..domain.cases import Applicant, Case, DeadlinePolicy, mask_name, mask_phone
from ..domain.prediction import Wait
from ..domain.ratings import LEVELS
from .actors import Actor
from .search_keys import matter_search_keys

FULL, DESK, MASKED, PUBLIC = "full", "desk", "masked", "public"


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def ticket(facts: ev.TicketFacts, ahead: int | None = None, wait: Wait | None = None, holder: bool = True) -> dict:
    """TICKET. `holder`: with the citizen it is tied to, masked (not in a WINDOW, which screens show).
    A waiting ticket's `eta_minutes` and `eta_range` are null when nobody staffs its queue; a ticket that
    no longer waits has none left: 0 and [0, 0]."""
    waiting = facts.status == "waiting"
    if not waiting:
        wait = Wait(0, 0, 0)
    return {
        "id": facts.id, "number": facts.number, "queue": facts.queue, "matter": facts.matter,
        "floor": facts.floor, "zone": facts.zone, "priority": facts.priority, "status": facts.status,
        "issued_at": iso(facts.issued_at), "called_at": iso(facts.called_at), "window": facts.window,
        "ahead": ahead if waiting else 0,
        "eta_minutes": wait.minutes if wait else None, "eta_range": wait.range if wait else None,
        "recalls": facts.recalls, "case": facts.case, "kind": facts.kind, "holder": facts.holder if holder else None,
        "requeued": facts.requeued,
    }


def window(facts: ev.WindowFacts, current: ev.TicketFacts | None) -> dict:
    return {
        "number": facts.number, "floor": facts.floor, "kind": facts.kind, "department": facts.department,
        "queues": list(facts.queues), "state": facts.state, "clerk": facts.clerk, "clerk_name": facts.clerk_name,
        "current": ticket(current, holder=False) if current else None, "version": facts.version,
        "pause_reason": facts.pause_reason, "state_since": iso(facts.state_since),
    }


def public_window(facts: ev.WindowFacts, current: ev.TicketFacts | None) -> dict:
    """WINDOW as anonymous screens get it (CONTRACT v2 "Public data is only what screens show"): the
    clerk by display name only, and the ticket at the window without its id (the id is the key to the
    citizen's tracking page and case) or its case number."""
    out = window(facts, current)
    out["clerk"] = None
    if out["current"] is not None:
        out["current"] = {**out["current"], "id": None, "case": None}
    return out


def history_entry(row) -> dict:
    """One row of the event log as a ticket's history: kind, the ticket's status, queue and window after
    it, who, and the event's own details."""
    payload = json.loads(row.payload)
    facts = payload.pop("ticket", None) or {}
    return {"at": iso(row.at), "kind": row.kind, "status": facts.get("status"), "queue": facts.get("queue"),
            "window": facts.get("window"), "actor": row.actor, "detail": _detail(payload, ())}


def _detail(payload: dict, common: tuple[str, ...]) -> dict | None:
    detail = {k: v for k, v in payload.items() if k not in common and v not in (None, [], ())}
    return detail or None


class CaseViews:
    def __init__(self, config: HallConfig, policy: DeadlinePolicy):
        self.config = config
        self.policy = policy

    @staticmethod
    def audience(case: Case, actor: Actor) -> str:
        if actor.kind == "staff" and actor.role == "backoffice" and set(actor.departments) & set(case.departments):
            return FULL
        return MASKED if actor.is_staff else PUBLIC

    def matter_name(self, case: Case) -> str:
        matter = self.config.matters.get(case.matter)  # a matter may leave the catalogue; its cases stay
        return matter.name if matter else case.matter

    def view(self, case: Case, audience: str, now: dt.datetime, history: list | None = None) -> dict:
        public = audience == PUBLIC
        applicant = case.applicant
        if audience != FULL:
            applicant = Applicant(mask_name(applicant.name), mask_phone(applicant.phone))
        # Public: the tracking page needs the case's steps, not whose case it is (a ticket id read off a
        # screen once led here).
        departments = self.config.departments
        out = {
            "id": case.id, "number": case.number, "ticket": case.ticket, "ticket_number": case.ticket_number,
            "matter": case.matter, "matter_name": self.matter_name(case),
            "departments": [{
                "code": r.department, "name": departments[r.department].name if r.department in departments else r.department,
                "status": r.status.value, "claimed_by": None if public else r.claimed_by, "note": r.note,
                "requested": r.requested, "decided_at": iso(r.decided_at)} for r in case.reviews],
            "status": case.status.value, "accepted_at": iso(case.accepted_at), "due_at": iso(case.due_at),
            "window": case.window, "clerk": None if public else case.clerk,
            "applicant": None if public else {"name": applicant.name, "phone": applicant.phone},
            "materials": case.materials, "supplements": case.supplements, "note": None if public else case.note,
            "deadline": case.deadline(self.policy, now).value, "clock_stopped": case.stopped_at is not None,
            "decided_at": iso(case.decided_at), "returned_at": iso(case.returned_at),
            "handed_over": case.handed_over, "tracking": None if public else case.tracking,
            "handed_over_at": iso(case.handed_over_at),
            "pickup_code": case.pickup_code if audience in (FULL, DESK) else None,
        }
        if history is not None:
            out["history"] = [self._step(row, public) for row in history]
        return out

    @staticmethod
    def _step(row, public: bool) -> dict:
        payload = json.loads(row.payload)
        return {"at": iso(row.at), "kind": row.kind, "actor": None if public else row.actor,
                "department": payload.get("department"),
                "detail": None if public else _detail(payload, ("case_id", "number", "department"))}


def catalog(config: HallConfig, issuing_open: bool) -> dict:
    c = config
    search_keys = matter_search_keys(c)
    return {
        "hall": {"name": c.hall.name, "notice": c.hall.notice, "issuing_hours": c.hall.issuing_hours,
                 "issuing_open": issuing_open, "pause_reasons": list(c.supervision.pause_reasons),
                 "rating_levels": {str(level): label for level, label in LEVELS.items()},
                 "elder_age": c.hall.elder_age, "requeue_minutes": c.hall.requeue_minutes,
                 "timezone": c.hall.timezone},
        "floors": [{"number": f.number, "zone": f.zone, "name": f.name} for f in c.floors.values()],
        "departments": [{"code": d.code, "name": d.name, "kind": d.kind, "floors": d.floors, "name_en": d.name_en}
                        for d in c.departments.values()],
        "queues": [{"code": q.code, "name": q.name, "floor": q.floor, "prefix": q.prefix, "purpose": q.purpose,
                    "name_en": q.name_en, "windows": [n for n, w in c.windows.items() if q.code in w.queues]}
                   for q in c.queues.values()],
        "matters": [{"id": m.id, "name": m.name, "department": m.department, "queue": m.queue,
                     "floor": c.queues[m.queue].floor, "zone": c.zone_of_floor(c.queues[m.queue].floor),
                     "promised_days": m.promised_days, "avg_minutes": m.avg_minutes,
                     "materials": m.materials, "involves": m.involves, "appointment_quota": m.appointment_quota,
                     "name_en": m.name_en, "search_keys": search_keys[m.id]}
                    for m in c.matters.values()],
    }


def alert(facts: ev.AlertFacts) -> dict:
    """CONTRACT v2's ALERT, and `detail`: what the board shows and jumps to (window, ticket, case …)."""
    return {"id": facts.id, "rule": facts.rule, "level": facts.level,
            "subject": {"kind": facts.subject_kind, "id": facts.subject_id}, "message": facts.message,
            "raised_at": iso(facts.raised_at), "cleared_at": iso(facts.cleared_at),
            "acknowledged_by": facts.acknowledged_by, "acknowledged_at": iso(facts.acknowledged_at),
            "note": facts.note, "detail": facts.detail}
