"""Ticket commands: issue a ticket for a matter (取号), and the issuing every kind of ticket shares."""
from __future__ import annotations

import datetime as dt
import secrets

from ..config import HallConfig
from ..domain.errors import Invalid, NotFound, Reason, Unavailable
from ..domain.model import Priority, Ticket, business_day, format_number
from . import views
from .actors import Actor
from .messages import IdempotencyKey, Outcome
from .printing import Printing
from .queries import Queries
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .waits import WaitEstimates


class TicketCommands:
    def __init__(self, config: HallConfig, runner: CommandRunner, queries: Queries, waits: WaitEstimates,
                 printing: Printing):
        self.config = config
        self.runner = runner
        self.queries = queries
        self.waits = waits
        self.printing = printing

    def take_ticket(self, actor: Actor, matter_id: str, priority: str = "normal",
                    idempotency: IdempotencyKey | None = None, phone: str | None = None) -> Outcome:
        actor.require_issuer()
        matter = self.config.matters.get(matter_id)
        if matter is None:
            raise NotFound(f"There is no matter {matter_id!r} in the catalogue.", Reason.NO_SUCH_MATTER)
        try:
            prio = Priority(priority)
        except ValueError:
            raise Invalid("priority must be 'normal' or 'green'.", Reason.INVALID_PRIORITY)
        self.require_issuing_hours()
        queue = self.config.queues[matter.queue]
        return self.runner.run(actor, idempotency,
                               lambda uow, now: self.issue_in(uow, now, actor, queue, matter.id, prio, phone=phone))

    def require_issuing_hours(self) -> None:
        if not self.queries.issuing_open():
            start, end = self.config.hall.issuing_hours
            raise Unavailable(f"Tickets are issued from {start} to {end}; the hall is closed for new tickets now.",
                              Reason.OUTSIDE_ISSUING_HOURS, **{"from": start, "to": end})

    def issue_in(self, uow: UnitOfWork, now: dt.datetime, actor: Actor, queue, matter_id: str | None,
                 prio: Priority, case_number: str | None = None, phone: str | None = None) -> dict:
        """Issue a ticket inside an open unit of work (a pickup ticket is issued with its case's checks)."""
        day = business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)
        ahead, eta = self.waits.of_newcomer(uow, now, queue.code, prio is Priority.GREEN)
        seq = uow.tickets.next_seq(day, queue.code)
        ticket = Ticket.issue(
            issued_by=actor.name, ahead=ahead, eta_minutes=eta,
            id=secrets.token_urlsafe(16), day=day, series_queue=queue.code, seq=seq,
            number=format_number(queue.prefix, seq), queue=queue.code, matter=matter_id,
            floor=queue.floor, zone=self.config.zone_of_floor(queue.floor), priority=prio,
            issued_at=now, case=case_number, phone=phone)
        uow.tickets.add(ticket, actor.principal)
        view = views.ticket(ticket.facts(), ahead, eta)
        self.printing.owe(uow, actor, view, now)
        return {"ticket": view}
