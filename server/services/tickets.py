"""Ticket commands: issue a ticket for a matter (取号), tied to an ID card or a phone when the kiosk has
them, within the hall's caps (限号, the per-ID cap against scalpers); re-queue a no-show (过号顺延); and
the issuing every kind of ticket shares (a pickup, an appointment's check-in)."""
from __future__ import annotations

import datetime as dt
import secrets

from ..config import HallConfig
from ..domain.text import require_name
from ..domain.errors import Conflict, Invalid, NotFound, Reason, Unavailable
from ..domain.eta import WaitingTicket, requeue_place
from ..domain.identity import Holder, IdNumber
from ..domain.model import Priority, Ticket, TicketKind, business_day, format_number
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
                    idempotency: IdempotencyKey | None = None, id_card: dict | None = None,
                    phone: str | None = None) -> Outcome:
        """A walk-in ticket. `id_card` ({"number", "name"}, read at the kiosk) ties it to the ID: the ID's
        daily cap applies, and an ID holder of `elder_age` gets the green channel."""
        actor.require_issuer()
        matter = self.config.matters.get(matter_id)
        if matter is None:
            raise NotFound(f"There is no matter {matter_id!r} in the catalogue.", Reason.NO_SUCH_MATTER)
        try:
            prio = Priority(priority)
        except ValueError:
            raise Invalid("priority must be 'normal' or 'green'.", Reason.INVALID_PRIORITY)
        holder = Holder(phone=phone)
        if id_card is not None:
            holder = Holder(require_name(id_card.get("name"), "name on the ID card"),
                            IdNumber.parse(id_card.get("number", "")).value, phone)
        self.require_issuing_hours()
        queue = self.config.queues[matter.queue]

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            ticket_prio = prio
            if holder.id_number:
                self.require_under_id_cap(uow, now, holder.id_number)
                if self.is_elder(holder.id_number, now):
                    ticket_prio = Priority.GREEN
            return self.issue_in(uow, now, actor, queue, matter.id, ticket_prio, holder=holder)
        return self.runner.run(actor, idempotency, command)

    def require_issuing_hours(self) -> None:
        if not self.queries.issuing_open():
            start, end = self.config.hall.issuing_hours
            raise Unavailable(f"Tickets are issued from {start} to {end}; the hall is closed for new tickets now.",
                              Reason.OUTSIDE_ISSUING_HOURS, **{"from": start, "to": end})

    def is_elder(self, id_number: str, now: dt.datetime) -> bool:
        elder_age = self.config.hall.elder_age
        return elder_age is not None and IdNumber(id_number).age_on(now.astimezone(self.config.hall.tz).date()) >= elder_age

    def require_under_id_cap(self, uow: UnitOfWork, now: dt.datetime, id_number: str) -> None:
        cap = self.config.hall.tickets_per_id_per_day
        if cap is None:
            return
        uow.tickets.lock_holder(id_number)
        if uow.tickets.count_of_holder(self.queries.today(now), id_number) >= cap:
            raise Conflict(f"This ID has taken {cap} ticket(s) today, as many as the hall allows.",
                           Reason.ID_DAILY_LIMIT, limit=cap)

    def issue_in(self, uow: UnitOfWork, now: dt.datetime, actor: Actor, queue, matter_id: str | None,
                 prio: Priority, case_number: str | None = None, kind: TicketKind | None = None,
                 holder: Holder = Holder(), appointment: str | None = None, ticket_id: str | None = None) -> dict:
        """Issue a ticket inside an open unit of work (a pickup ticket is issued with its case's checks, an
        appointment's with its booking's)."""
        kind = kind or (TicketKind.PICKUP if case_number else TicketKind.WALK_IN)
        ahead, eta = self.waits.of_newcomer(uow, now, queue.code, prio is Priority.GREEN,
                                            appointment=kind is TicketKind.APPOINTMENT)
        day, seq, issued_at = self.take_number(uow, now, queue.code)
        if queue.daily_quota is not None and seq > queue.daily_quota and kind is TicketKind.WALK_IN:
            # The refusal rolls the counter back with everything else.
            raise Conflict(f"Queue {queue.name} has issued its {queue.daily_quota} tickets for today (今日号源已满).",
                           Reason.QUOTA_REACHED, queue=queue.code, quota=queue.daily_quota)
        ticket = Ticket.issue(
            issued_by=actor.name, ahead=ahead, wait=eta,
            id=ticket_id or secrets.token_urlsafe(16), day=day, series_queue=queue.code, seq=seq,
            number=format_number(queue.prefix, seq), queue=queue.code, matter=matter_id,
            floor=queue.floor, zone=self.config.zone_of_floor(queue.floor), priority=prio,
            issued_at=issued_at, case=case_number, kind=kind, holder=holder, appointment=appointment)
        uow.tickets.add(ticket, actor.principal)
        view = views.ticket(ticket.facts(), ahead, eta)
        slip = self.printing.owe(uow, actor, view, now)  # a kiosk's printer: will the slip print?
        return {"ticket": view, "slip": slip} if slip else {"ticket": view}

    def take_number(self, uow: UnitOfWork, now: dt.datetime, series: str) -> tuple[dt.date, int, dt.datetime]:
        """The business day, the number and the issue time, taken together. Call-next orders a queue by
        issue time, so the time is read after the counter's row lock hands out the number: a request
        that waited for a connection or for that lock cannot carry an earlier time than a higher number
        issued meanwhile (issue 14: on PostgreSQL calls did not follow numbers)."""
        hall = self.config.hall
        day = business_day(now, hall.tz, hall.day_rollover_hour)
        while True:
            seq = uow.tickets.next_seq(day, series)
            if seq == 1:
                seq = self.start_of_series(uow, day, series)
            issued_at = self.runner.clock()
            issued_day = business_day(issued_at, hall.tz, hall.day_rollover_hour)
            if issued_day == day:
                return day, seq, issued_at
            day = issued_day  # the day turned while this request waited: take a number of the new day

    @staticmethod
    def start_of_series(uow: UnitOfWork, day: dt.date, series: str) -> int:
        """A day's series starts at 1, or above the numbers of earlier days' tickets still live (waiting
        or at a window), so that no two live tickets ever share a number (docs/security.md)."""
        highest = uow.tickets.highest_live_seq(series, before=day)
        if highest is None:
            return 1
        uow.tickets.continue_series(day, series, highest + 1)
        return highest + 1

    def requeue(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        """过号顺延: today's no-show `number` waits again, once, within `requeue_minutes` of being marked,
        placed after `requeue_after` tickets of its queue (at the kiosk, or by staff for the citizen)."""
        actor.require_issuer()
        hall = self.config.hall

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            ticket = uow.tickets.by_number(self.queries.today(now), (number or "").strip().upper(), for_update=True)
            if ticket is None:
                raise NotFound(f"No ticket {number} was issued today.", Reason.NO_SUCH_TICKET)
            me = WaitingTicket(ticket.id, ticket.queue, ticket.priority is Priority.GREEN, now, ticket.seq,
                               ticket.kind is TicketKind.APPOINTMENT)
            placed_at, behind = requeue_place(self.waits.waiting(uow, now, [ticket.queue]), me, hall.requeue_after)
            ticket.requeue(now, dt.timedelta(minutes=hall.requeue_minutes), placed_at, behind)
            uow.tickets.save(ticket)
            ahead, eta = self.waits.of_ticket(uow, now, ticket)
            return {"ticket": views.ticket(ticket.facts(), ahead, eta)}
        return self.runner.run(actor, idempotency, command)
