"""Cases (办件): accept and route at a window, review in the back office, return, hand over, and the
reads of each. Who sees the applicant in full is decided in views.py (CaseViews.audience)."""
from __future__ import annotations

import datetime as dt
import secrets

from ..config import HallConfig
from ..domain import events as ev
from ..domain.cases import Applicant, Case, CaseStatus, same_desk
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound, Reason
from ..domain.identity import Holder, IdNumber
from ..domain.model import Priority, TicketStatus, Window, business_day
from ..domain.text import require_name, require_phone
from .actors import READS_EVERYTHING, Actor
from .messages import IdempotencyKey, Outcome
from .runner import CommandRunner
from .tickets import TicketCommands
from .unit_of_work import UnitOfWork
from .views import DESK, MASKED, PUBLIC, CaseViews
from .windows import WindowCommands

_REFUSED = "pickup_refused"  # a kiosk's refused pickup: the answer the runner commits (and replays)
CASE_SERIES = "~cases"  # the day counter that numbers cases (not a queue code, so never a clash)


def _case_id_ok(case_id: str) -> bool:
    return 0 < len(case_id) <= 32


class CaseCommands:
    def __init__(self, config: HallConfig, runner: CommandRunner, views: CaseViews, tickets: TicketCommands,
                 windows: WindowCommands):
        self.config = config
        self.runner = runner
        self.views = views
        self.tickets = tickets
        self.windows = windows

    # ---------------------------------------------------------------- window: accept and route
    def route(self, actor: Actor, number: str, applicant_name: str, applicant_phone: str, note: str | None = None,
              matter_id: str | None = None, idempotency: IdempotencyKey | None = None) -> Outcome:
        name, phone = (applicant_name or "").strip(), (applicant_phone or "").strip()
        if not name:
            raise Invalid("The applicant's name is required (1 to 64 characters).", Reason.APPLICANT_NAME_REQUIRED)
        require_name(name, "applicant's name")
        require_phone(phone, "applicant's phone")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.windows.for_clerk(uow, actor, number)
            ticket = self.windows.current(uow, window)
            matter = self.config.matters.get(matter_id or ticket.matter or "")
            if matter is None:
                if matter_id:
                    raise NotFound(f"There is no matter {matter_id!r} in the catalogue.", Reason.NO_SUCH_MATTER)
                raise Conflict(f"Ticket {ticket.number} is not for a matter (a pickup ticket?); it cannot become a case.",
                               Reason.TICKET_NOT_FOR_A_MATTER)
            self._require_can_route(window, matter)
            day = business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)
            case_number = f"{day:%Y%m%d}{uow.tickets.next_seq(day, CASE_SERIES):04d}"
            ticket.mark_routed(now, case_number)
            uow.tickets.save(ticket)
            window.released()
            uow.windows.save(window, now)
            case = Case.accept(
                id=secrets.token_urlsafe(16), number=case_number, ticket=ticket.id, ticket_number=ticket.number,
                matter=matter.id, departments=list(matter.involves) or [matter.department],
                applicant=Applicant(name, phone), materials=list(matter.materials), note=note, window=window.number,
                clerk=actor.name, now=now, due_at=self.views.policy.due(now, matter.promised_days),
                applicant_id=ticket.holder.id_number)
            case.observe_deadline(self.views.policy, now)  # a short promise may be due soon from the start
            uow.cases.add(case)
            return {"case": self.views.view(case, DESK, now)}  # with the pickup code, for the receipt
        return self.runner.run(actor, idempotency, command)

    @staticmethod
    def _require_can_route(window: Window, matter) -> None:
        if window.kind == "professional":
            # A professional window passes what it cannot finish on the spot to its own back office.
            if matter.department != window.department:
                raise Forbidden(f"Window {window.number} routes only its own department's matters ({window.department}).",
                                Reason.MATTER_OF_OTHER_DEPARTMENT)
        elif matter.queue not in window.queues:
            raise Forbidden(f"Window {window.number} does not accept {matter.name}; it is accepted at the windows "
                            f"of queue {matter.queue}.", Reason.MATTER_NOT_ACCEPTED_HERE)

    # ---------------------------------------------------------------- back office
    def _act(self, actor: Actor, case_id: str, idempotency, act, *roles: str, ready_changes: bool = False,
             desk_action: str | None = None) -> Outcome:
        """`desk_action`: the window's work on the case (what the refusal names), done only from its desk."""
        actor.require_staff(*roles)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            case = uow.cases.get(case_id, for_update=True) if _case_id_ok(case_id) else None
            if case is None:
                raise NotFound("There is no such case.", Reason.NO_SUCH_CASE)
            if desk_action:
                self._require_desk(uow, actor, case, desk_action)
            act(case, now)
            uow.cases.save(case)
            if ready_changes:
                self._ready_cases_changed(uow, case)
            return {"case": self.views.view(case, self.views.audience(case, actor), now)}
        return self.runner.run(actor, idempotency, command)

    def _accepting(self, uow: UnitOfWork, case: Case):
        """Where the case was accepted: the configured window (or its row, if it left the config)."""
        place = self.config.windows.get(case.window) or uow.windows.get(case.window)
        if place is None:
            raise Forbidden(f"Window {case.window}, which accepted case {case.number}, no longer exists; "
                            "the admin acts on its cases.", Reason.CASE_OF_OTHER_WINDOW, window=case.window)
        return place

    def _require_desk(self, uow: UnitOfWork, actor: Actor, case: Case, action: str) -> None:
        """A clerk acts on a case from a window of its desk (server/domain/cases.py same_desk), the admin
        (and the system) on any."""
        if actor.kind == "system" or actor.role == "admin":
            return
        windows = uow.windows.of_clerk(actor.name)
        if not windows:
            raise Forbidden("Sign in at a window before acting on a case.", Reason.NOT_AT_A_WINDOW)
        accepting = self._accepting(uow, case)
        acting = next((w for w in windows if same_desk(accepting, w)), windows[0])
        case.require_desk(accepting, acting, action)

    @staticmethod
    def _department(actor: Actor, case: Case) -> str | None:
        """The actor's department that the case involves (a back-office account may serve several)."""
        return next((d for d in actor.departments if d in case.departments), actor.department)

    def claim(self, actor: Actor, case_id: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._act(actor, case_id, idempotency,
                         lambda case, now: case.claim(self._department(actor, case), actor.name), "backoffice")

    def decide(self, actor: Actor, case_id: str, result: str, note: str | None = None,
               idempotency: IdempotencyKey | None = None) -> Outcome:
        if result not in ("approved", "rejected"):
            raise Invalid("result must be 'approved' or 'rejected'.", Reason.INVALID_RESULT)
        if result == "rejected" and not (note or "").strip():
            raise Invalid("A rejection needs a note saying why (the applicant is told).", Reason.REJECTION_NEEDS_NOTE)
        return self._act(actor, case_id, idempotency, lambda case, now: case.decide(
            self._department(actor, case), actor.name, result == "approved", note, now), "backoffice")

    def request_materials(self, actor: Actor, case_id: str, materials: list[str], note: str | None = None,
                          idempotency: IdempotencyKey | None = None) -> Outcome:
        if not materials:
            raise Invalid("Name at least one material the applicant must bring.", Reason.MATERIALS_REQUIRED)
        return self._act(actor, case_id, idempotency, lambda case, now: case.request_materials(
            self._department(actor, case), actor.name, materials, note, now), "backoffice")

    def record_materials(self, actor: Actor, case_id: str, received: list[str], note: str | None = None,
                         idempotency: IdempotencyKey | None = None) -> Outcome:
        if not received:
            raise Invalid("List the materials received.", Reason.MATERIALS_REQUIRED)
        return self._act(actor, case_id, idempotency, lambda case, now: case.record_materials(
            received, note, now, self.views.policy), "clerk", "admin", desk_action="record materials for")

    def return_to_window(self, actor: Actor, case_id: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._act(actor, case_id, idempotency, lambda case, now: case.return_to_window(
            self._department(actor, case), now), "backoffice", ready_changes=True)

    def _ready_cases_changed(self, uow: UnitOfWork, case: Case) -> None:
        """A result became ready (or left): the floor's screens get its new list of numbers."""
        spec = self.config.windows.get(case.window)
        if spec is not None:
            windows = self.config.windows_on(spec.floor)
            uow.record(ev.ReadyCasesChanged(spec.floor, tuple(uow.cases.ready_numbers(windows)), tuple(windows)))

    # ---------------------------------------------------------------- pickup (统一出件)
    def take_pickup_ticket(self, actor: Actor, case_number: str, pickup_code: str | None = None,
                           id_card: dict | None = None, idempotency: IdempotencyKey | None = None) -> Outcome:
        """A pickup ticket for a ready case. Staff (the guide desk: 首问负责) issue it on their word; a kiosk
        only with the receipt's pickup code or the applicant's ID card, and whatever is wrong (no such
        case, not ready, no or a wrong code, locked after too many wrong codes) it gets one answer, so a
        kiosk can neither squat a citizen's pickup ticket nor learn the state of a case number."""
        actor.require_issuer()
        self.tickets.require_issuing_hours()
        id_number = IdNumber.parse(id_card.get("number", "")).value if id_card else None
        by_kiosk = not actor.is_staff

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            case = uow.cases.by_number(case_number, for_update=True)  # one pickup ticket per case, even at once
            if by_kiosk:
                if case is None or case.pickup_locked or not case.proves_holder(pickup_code, id_number):
                    if case is not None and not case.pickup_locked and (pickup_code or id_number):
                        uow.cases.count_pickup_failure(case)  # kept: the refusal below commits with it
                    return {_REFUSED: True}
                if case.status is not CaseStatus.READY_FOR_PICKUP:
                    return {_REFUSED: True}
            elif case is None:
                raise NotFound(f"There is no case {case_number}; check the number on the acceptance receipt.",
                               Reason.NO_SUCH_CASE)
            case.require_ready()
            waiting = uow.tickets.open_for_case(case.number)
            if waiting is not None:
                raise Conflict(f"Ticket {waiting.number} for case {case.number} is already {waiting.status.value}; "
                               "use that ticket.", Reason.PICKUP_TICKET_EXISTS, number=waiting.number)
            if case.pickup_failures:
                uow.cases.reset_pickup_failures(case)  # the citizen (or staff for them) got through
            # The pickup ticket is the applicant's: their phone hears when it is called.
            holder = Holder(case.applicant.name, case.applicant_id, case.applicant.phone)
            return self.tickets.issue_in(uow, now, actor, self._pickup_queue(case.window), None, Priority.NORMAL,
                                         case.number, holder=holder)
        outcome = self.runner.run(actor, idempotency, command)
        if outcome.body.get(_REFUSED):
            raise NotFound("There is no case ready for pickup with this number and code; check the case number and "
                           "the pickup code on the acceptance receipt, or ask at the guide desk.",
                           Reason.PICKUP_NOT_AVAILABLE)
        return outcome

    def _pickup_queue(self, window: str):
        """The pickup queue of the accepting window, else the pickup queue of its floor."""
        spec = self.config.windows.get(window)
        queues = [self.config.queues[q] for q in spec.queues] if spec else []
        queues += [q for q in self.config.queues.values() if spec and q.floor == spec.floor]
        for queue in queues:
            if queue.purpose == "pickup":
                return queue
        raise Conflict(f"There is no pickup queue for window {window}; the result is handed out at the window directly.",
                       Reason.NO_PICKUP_QUEUE)

    def hand_over(self, actor: Actor, number: str, how: str, case_number: str | None = None,
                  tracking: str | None = None, idempotency: IdempotencyKey | None = None) -> Outcome:
        """The window hands the result over (or mails it). A pickup ticket being served for the case
        is finished in the same step."""
        if how not in ("pickup", "mail"):
            raise Invalid("how must be 'pickup' or 'mail'.", Reason.INVALID_HAND_OVER)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.windows.for_clerk(uow, actor, number)
            current = uow.tickets.get(window.current_ticket, for_update=True) if window.current_ticket else None
            wanted = case_number or (current.case if current else None)
            if not wanted:
                raise Invalid("Name the case number, or call its pickup ticket first.", Reason.CASE_NUMBER_REQUIRED)
            case = uow.cases.by_number(wanted, for_update=True)
            if case is None:
                raise NotFound(f"There is no case {wanted}.", Reason.NO_SUCH_CASE)
            serving_its_pickup = current is not None and current.case == case.number
            if not serving_its_pickup:  # 窗口统一出件: the window its pickup ticket was called to may too
                case.require_desk(self._accepting(uow, case), window, "hand over or mail")
            if how == "pickup" and not serving_its_pickup:
                raise Conflict(f"Call the pickup ticket of case {case.number} before handing the result over at the window.",
                               Reason.PICKUP_TICKET_NOT_CALLED)
            case.hand_over(how, tracking, now)
            uow.cases.save(case)
            if current is not None and current.case == case.number and current.status is TicketStatus.CALLED:
                current.finish(now, ended_by="hand_over")
                uow.tickets.save(current)
                window.released()
                uow.windows.save(window, now)
            self._ready_cases_changed(uow, case)
            return {"case": self.views.view(case, MASKED, now)}
        return self.runner.run(actor, idempotency, command)

    # ---------------------------------------------------------------- reads
    @staticmethod
    def _status_filter(status: str | None) -> None:
        if status is not None and status not in {s.value for s in CaseStatus}:
            raise Invalid(f"status must be one of {', '.join(s.value for s in CaseStatus)}.", Reason.INVALID_STATUS_FILTER)

    def cases(self, actor: Actor, status: str | None = None) -> list[dict]:
        actor.require_staff("backoffice", *READS_EVERYTHING)
        self._status_filter(status)

        def read(uow: UnitOfWork, now: dt.datetime) -> list[dict]:
            departments = actor.departments if actor.role == "backoffice" else None
            return [self.views.view(c, self.views.audience(c, actor), now) for c in uow.cases.listing(departments, status)]
        return self.runner.read(read)

    def at_window(self, actor: Actor, number: str, status: str | None = None) -> list[dict]:
        """The cases accepted at a window, masked: what its clerk's console lists (the clerk signed in
        there, with the pickup codes; or the admin and supervisor, without)."""
        self._status_filter(status)

        def read(uow: UnitOfWork, now: dt.datetime) -> list[dict]:
            window = self.windows.for_clerk(uow, actor, number, reading=True)
            audience = DESK if actor.role == "clerk" else MASKED  # the pickup codes: its own clerk only
            return [self.views.view(c, audience, now) for c in uow.cases.listing(status=status, window=window.number)]
        return self.runner.read(read)

    def case_of_ticket(self, ticket_id: str) -> dict:
        """The public view of the case a ticket belongs to (routed from it, or a pickup ticket for it)."""
        if not 0 < len(ticket_id) <= 32:
            raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)

        def read(uow: UnitOfWork, now: dt.datetime) -> dict:
            ticket = uow.tickets.get(ticket_id)
            if ticket is None:
                raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)
            case = uow.cases.by_number(ticket.case) if ticket.case else None
            if case is None:
                raise NotFound(f"Ticket {ticket.number} has no case.", Reason.TICKET_WITHOUT_CASE)
            return {"case": self.views.view(case, PUBLIC, now, uow.log.of("case", case.id))}
        return self.runner.read(read, public=True)

    def get_case(self, actor: Actor, case_id: str) -> dict:
        """Public tracking by the unguessable id; staff see more, the case's departments see all."""
        if not _case_id_ok(case_id):
            raise NotFound("There is no such case.", Reason.NO_SUCH_CASE)

        def read(uow: UnitOfWork, now: dt.datetime) -> dict:
            case = uow.cases.get(case_id)
            if case is None:
                raise NotFound("There is no such case.", Reason.NO_SUCH_CASE)
            return {"case": self.views.view(case, self.views.audience(case, actor), now, uow.log.of("case", case.id))}
        return self.runner.read(read, public=not actor.is_staff)
