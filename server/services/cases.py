"""The service layer for cases (办件): accept at a window, review in the back office, return, hand over.

Commands run through the HallService's `_run` (one transaction, Idempotency-Key, publish after the
commit); their notifications join the hall's through `HallService.notifiers`.

Who sees the applicant's name and phone: the back-office staff of a department the case involves.
Everyone else (the window, the admin, the public tracking page) sees them masked; screens see only
case numbers.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import secrets

from ..domain.calendar import WorkingCalendar
from ..domain.cases import (Applicant, Case, CaseStatus, Deadline, DeadlinePolicy, mask_name, mask_phone)
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound
from ..domain.model import Priority, TicketStatus, Window
from .actors import SYSTEM, Actor
from .hall import HallService, IdempotencyKey, Notification, Outcome, iso
from .unit_of_work import UnitOfWork

CASE_SERIES = "~cases"  # the day counter that numbers cases (not a queue code, so never a clash)
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
FULL, MASKED, PUBLIC = "full", "masked", "public"


class CaseService:
    def __init__(self, hall: HallService):
        self.hall = hall
        self.config = hall.config
        cal = self.config.calendar
        self.policy = DeadlinePolicy(WorkingCalendar.of(cal.holidays, cal.workdays), self.config.hall.tz,
                                     cal.due_soon_working_days)
        # Only cases due within this many calendar days can turn due soon before the next check
        # (the longest run of holidays and weekends is 9 days).
        self.alert_horizon = dt.timedelta(days=2 * cal.due_soon_working_days + 20)
        hall.notifiers.append(self._notifications)

    # ---------------------------------------------------------------- views
    def _audience(self, case: Case, actor: Actor) -> str:
        if actor.kind == "staff" and actor.role == "backoffice" and actor.department in case.departments:
            return FULL
        return MASKED if actor.is_staff else PUBLIC

    def view(self, case: Case, audience: str, now: dt.datetime, history: list | None = None) -> dict:
        public = audience == PUBLIC
        applicant = case.applicant
        if audience != FULL:
            applicant = Applicant(mask_name(applicant.name), mask_phone(applicant.phone))
        departments = self.config.departments
        out = {
            "id": case.id, "number": case.number, "ticket": case.ticket, "ticket_number": case.ticket_number,
            "matter": case.matter, "matter_name": self._matter_name(case),
            "departments": [{
                "code": r.department, "name": departments[r.department].name if r.department in departments else r.department,
                "status": r.status.value, "claimed_by": None if public else r.claimed_by, "note": r.note,
                "requested": r.requested, "decided_at": iso(r.decided_at)} for r in case.reviews],
            "status": case.status.value, "accepted_at": iso(case.accepted_at), "due_at": iso(case.due_at),
            "window": case.window, "clerk": None if public else case.clerk,
            "applicant": {"name": applicant.name, "phone": applicant.phone},
            "materials": case.materials, "supplements": case.supplements, "note": None if public else case.note,
            "deadline": case.deadline(self.policy, now).value, "clock_stopped": case.stopped_at is not None,
            "decided_at": iso(case.decided_at), "returned_at": iso(case.returned_at),
            "handed_over": case.handed_over, "tracking": None if public else case.tracking,
            "handed_over_at": iso(case.handed_over_at),
        }
        if history is not None:
            out["history"] = [{"at": iso(r.at), "kind": r.kind, "actor": None if public else r.actor,
                               "department": r.department,
                               "detail": None if public else (json.loads(r.detail) if r.detail else None)}
                              for r in history]
        return out

    def _matter_name(self, case: Case) -> str:
        matter = self.config.matters.get(case.matter)  # a matter may leave the catalogue; its cases stay
        return matter.name if matter else case.matter

    def _floor_of(self, window: str) -> int | None:
        spec = self.config.windows.get(window)
        return spec.floor if spec else None

    def _notifications(self, uow: UnitOfWork, now: dt.datetime) -> list[Notification]:
        notes: list[Notification] = []
        for case in uow.cases.seen.values():
            if not case.steps:
                continue
            kinds = {s.kind for s in case.steps}
            notes.append(Notification("case_routed" if "routed" in kinds else "case_updated",
                                      self.view(case, FULL, now), case=case.id, departments=tuple(case.departments)))
            masked = self.view(case, MASKED, now)
            notes.append(Notification("case_at_window", masked, window=case.window, case=case.id))
            notes.append(Notification("case_tracked", self.view(case, PUBLIC, now), case=case.id))
            floor = self._floor_of(case.window)
            if kinds & {"returned", "picked_up", "mailed"} and floor is not None:
                ready = uow.cases.ready_numbers(self.config.windows_on(floor))
                notes.append(Notification("ready_cases", {"floor": floor, "numbers": ready}, floor=floor))
            for step in case.steps:
                if step.kind in (Deadline.DUE_SOON.value, Deadline.OVERDUE.value):
                    notes.append(Notification("alert", self._alert(case, step.kind, step.detail, now)))
        return notes

    def _alert(self, case: Case, state: str, detail: dict | None, now: dt.datetime) -> dict:
        overdue = state == Deadline.OVERDUE.value
        due_local = case.due_at.astimezone(self.config.hall.tz).strftime("%Y-%m-%d")
        matter = self._matter_name(case)
        return {
            "source": "case", "kind": f"case_{state}", "level": "critical" if overdue else "warning",
            "case": case.number, "case_id": case.id, "matter": matter,
            "departments": (detail or {}).get("waiting", case.departments), "due_at": iso(case.due_at),
            "at": iso(now),
            "message": f"办件{case.number}（{matter}）{'已超过办结时限' if overdue else '即将到期'}，承诺办结日期{due_local}。",
        }

    # ---------------------------------------------------------------- window: accept and route
    def route(self, actor: Actor, number: str, applicant_name: str, applicant_phone: str, note: str | None = None,
              matter_id: str | None = None, idempotency: IdempotencyKey | None = None) -> Outcome:
        name, phone = (applicant_name or "").strip(), (applicant_phone or "").strip()
        if not 1 <= len(name) <= 64:
            raise Invalid("The applicant's name is required (1 to 64 characters).")
        if not _PHONE.match(phone):
            raise Invalid("The applicant's phone must be a phone number such as 13812341234.")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.hall._window_for_clerk(uow, actor, number)
            ticket = self.hall._current(uow, window)
            matter = self.config.matters.get(matter_id or ticket.matter or "")
            if matter is None:
                raise (NotFound(f"There is no matter {matter_id!r} in the catalogue.") if matter_id else
                       Conflict(f"Ticket {ticket.number} is not for a matter (a pickup ticket?); it cannot become a case."))
            self._require_can_route(window, matter)
            day = self.hall.today(now)
            case_number = f"{day:%Y%m%d}{uow.tickets.next_seq(day, CASE_SERIES):04d}"
            ticket.mark_routed(now)
            ticket.case = case_number
            uow.tickets.save(ticket)
            uow.tickets.log(ticket, "routed", now, actor.principal, {"case": case_number})
            window.released()
            uow.windows.save(window, now)
            case = Case.accept(
                id=secrets.token_urlsafe(16), number=case_number, ticket=ticket.id, ticket_number=ticket.number,
                matter=matter.id, departments=list(matter.involves) or [matter.department],
                applicant=Applicant(name, phone), materials=list(matter.materials), note=note, window=window.number,
                clerk=actor.name, actor=actor.principal, now=now, due_at=self.policy.due(now, matter.promised_days))
            case.observe_deadline(self.policy, now)  # a short promise may be due soon from the start
            uow.cases.add(case, now)
            return {"case": self.view(case, MASKED, now)}
        return self.hall._run(actor, idempotency, 201, command)

    @staticmethod
    def _require_can_route(window: Window, matter) -> None:
        if window.kind == "professional":
            # A professional window passes what it cannot finish on the spot to its own back office.
            if matter.department != window.department:
                raise Forbidden(f"Window {window.number} routes only its own department's matters ({window.department}).")
        elif matter.queue not in window.queues:
            raise Forbidden(f"Window {window.number} does not accept {matter.name}; it is accepted at the windows of queue {matter.queue}.")

    # ---------------------------------------------------------------- back office
    def _command(self, actor: Actor, case_id: str, idempotency, act, *roles: str) -> Outcome:
        actor.require_staff(*roles)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            case = uow.cases.get(case_id, for_update=True) if 0 < len(case_id) <= 32 else None
            if case is None:
                raise NotFound("There is no such case.")
            act(case, now)
            uow.cases.save(case, now)
            return {"case": self.view(case, self._audience(case, actor), now)}
        return self.hall._run(actor, idempotency, 200, command)

    def claim(self, actor: Actor, case_id: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._command(actor, case_id, idempotency,
                             lambda case, now: case.claim(actor.department, actor.name, actor.principal), "backoffice")

    def decide(self, actor: Actor, case_id: str, result: str, note: str | None = None,
               idempotency: IdempotencyKey | None = None) -> Outcome:
        if result not in ("approved", "rejected"):
            raise Invalid("result must be 'approved' or 'rejected'.")
        if result == "rejected" and not (note or "").strip():
            raise Invalid("A rejection needs a note saying why (the applicant is told).")
        return self._command(actor, case_id, idempotency, lambda case, now: case.decide(
            actor.department, actor.name, result == "approved", note, actor.principal, now), "backoffice")

    def request_materials(self, actor: Actor, case_id: str, materials: list[str], note: str | None = None,
                          idempotency: IdempotencyKey | None = None) -> Outcome:
        if not materials:
            raise Invalid("Name at least one material the applicant must bring.")
        return self._command(actor, case_id, idempotency, lambda case, now: case.request_materials(
            actor.department, actor.name, materials, note, actor.principal, now), "backoffice")

    def record_materials(self, actor: Actor, case_id: str, received: list[str], note: str | None = None,
                         idempotency: IdempotencyKey | None = None) -> Outcome:
        if not received:
            raise Invalid("List the materials received.")
        return self._command(actor, case_id, idempotency, lambda case, now: case.record_materials(
            received, note, actor.principal, now, self.policy), "clerk", "admin")

    def return_to_window(self, actor: Actor, case_id: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._command(actor, case_id, idempotency, lambda case, now: case.return_to_window(
            actor.department, actor.principal, now), "backoffice")

    # ---------------------------------------------------------------- pickup (统一出件)
    def take_pickup_ticket(self, actor: Actor, case_number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_issuer()
        self.hall._require_issuing_hours()

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            case = uow.cases.by_number(case_number, for_update=True)  # one pickup ticket per case, even at once
            if case is None:
                raise NotFound(f"There is no case {case_number}; check the number on the acceptance receipt.")
            case.require_ready()
            waiting = uow.tickets.open_for_case(case.number)
            if waiting is not None:
                raise Conflict(f"Ticket {waiting.number} for case {case.number} is already {waiting.status.value}; use that ticket.")
            return self.hall.issue_in(uow, now, actor, self._pickup_queue(case.window), None, Priority.NORMAL, case.number)
        return self.hall._run(actor, idempotency, 201, command)

    def _pickup_queue(self, window: str):
        """The pickup queue of the accepting window, else the pickup queue of its floor."""
        spec = self.config.windows.get(window)
        queues = [self.config.queues[q] for q in spec.queues] if spec else []
        queues += [q for q in self.config.queues.values() if spec and q.floor == spec.floor]
        for queue in queues:
            if queue.purpose == "pickup":
                return queue
        raise Conflict(f"There is no pickup queue for window {window}; the result is handed out at the window directly.")

    def hand_over(self, actor: Actor, number: str, how: str, case_number: str | None = None,
                  tracking: str | None = None, idempotency: IdempotencyKey | None = None) -> Outcome:
        """The window hands the result over (or mails it). A pickup ticket being served for the case
        is finished in the same step."""
        if how not in ("pickup", "mail"):
            raise Invalid("how must be 'pickup' or 'mail'.")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.hall._window_for_clerk(uow, actor, number)
            current = uow.tickets.get(window.current_ticket, for_update=True) if window.current_ticket else None
            wanted = case_number or (current.case if current else None)
            if not wanted:
                raise Invalid("Name the case number, or call its pickup ticket first.")
            case = uow.cases.by_number(wanted, for_update=True)
            if case is None:
                raise NotFound(f"There is no case {wanted}.")
            if how == "pickup" and (current is None or current.case != case.number):
                raise Conflict(f"Call the pickup ticket of case {case.number} before handing the result over at the window.")
            case.hand_over(how, tracking, actor.principal, now)
            uow.cases.save(case, now)
            if current is not None and current.case == case.number and current.status is TicketStatus.CALLED:
                current.finish(now)
                uow.tickets.save(current)
                uow.tickets.log(current, "done", now, actor.principal, {"case": case.number, "handed_over": how})
                window.released()
                uow.windows.save(window, now)
            return {"case": self.view(case, MASKED, now)}
        return self.hall._run(actor, idempotency, 200, command)

    # ---------------------------------------------------------------- queries
    def cases(self, actor: Actor, status: str | None = None) -> list[dict]:
        actor.require_staff("backoffice", "admin")
        if status is not None and status not in {s.value for s in CaseStatus}:
            raise Invalid(f"status must be one of {', '.join(s.value for s in CaseStatus)}.")
        now = self.hall.clock()
        with UnitOfWork(self.hall.engine) as uow:
            department = actor.department if actor.role == "backoffice" else None
            found = uow.cases.listing(department, status)
            return [self.view(case, self._audience(case, actor), now) for case in found]

    def at_window(self, actor: Actor, number: str, status: str | None = None) -> list[dict]:
        """The cases accepted at a window, masked: what its clerk's console lists (the clerk signed in
        there, or the admin)."""
        if status is not None and status not in {s.value for s in CaseStatus}:
            raise Invalid(f"status must be one of {', '.join(s.value for s in CaseStatus)}.")
        now = self.hall.clock()
        with UnitOfWork(self.hall.engine) as uow:
            window = self.hall._window_for_clerk(uow, actor, number, reading=True)
            return [self.view(case, MASKED, now) for case in uow.cases.listing(status=status, window=window.number)]

    def case_of_ticket(self, ticket_id: str) -> dict:
        """The public view of the case a ticket belongs to (routed from it, or a pickup ticket for it):
        the ticket's holder tracks the case from the ticket's page without knowing the case id."""
        if not 0 < len(ticket_id) <= 32:
            raise NotFound("There is no such ticket.")
        now = self.hall.clock()
        with UnitOfWork(self.hall.engine) as uow:
            ticket = uow.tickets.get(ticket_id)
            if ticket is None:
                raise NotFound("There is no such ticket.")
            case = uow.cases.by_number(ticket.case) if ticket.case else None
            if case is None:
                raise NotFound(f"Ticket {ticket.number} has no case.")
            return {"case": self.view(case, PUBLIC, now, uow.cases.history(case.id))}

    def get_case(self, actor: Actor, case_id: str) -> dict:
        """Public tracking by the unguessable id; staff see more, the case's departments see all."""
        if not 0 < len(case_id) <= 32:
            raise NotFound("There is no such case.")
        now = self.hall.clock()
        with UnitOfWork(self.hall.engine) as uow:
            case = uow.cases.get(case_id)
            if case is None:
                raise NotFound("There is no such case.")
            return {"case": self.view(case, self._audience(case, actor), now, uow.cases.history(case.id))}

    # ---------------------------------------------------------------- 限时办结
    def check_deadlines(self) -> int:
        """Raise due-soon and overdue alerts, once per case per state; returns how many were raised."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            raised = 0
            for case in uow.cases.open_due_before(now + self.alert_horizon):
                if case.observe_deadline(self.policy, now):
                    uow.cases.save(case, now)
                    raised += 1
            return {"raised": raised}
        return self.hall._run(SYSTEM, None, 200, command).body["raised"]
