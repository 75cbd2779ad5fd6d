"""Tickets a kiosk's printer owes: kept in the database (`print_jobs`), so a restart or a dead printer
loses none, and any server process may queue a print that the process owning the printers prints.

A kiosk's ticket is owed to the printer attached to that kiosk in the same transaction that issues it.
The printer's driver prints what is owed, oldest first, and reports each print (`TicketPrinted`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import HallConfig
from ..domain import events as ev
from ..domain.errors import NotFound, Reason
from .actors import Actor
from .messages import Outcome
from .queries import Queries
from .runner import CommandRunner
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PrintJob:
    """One ticket to print on one printer. `ticket` is the TICKET as answered when it was issued
    (for a reprint: as it is now): id, number, queue, matter, floor, zone, issued_at, ahead,
    eta_minutes …"""
    id: int
    printer: str
    reprint: bool
    ticket: dict


class Printing:
    def __init__(self, config: HallConfig, runner: CommandRunner, queries: Queries):
        self.config = config
        self.runner = runner
        self.queries = queries
        self.printers = [d.name for d in config.devices if d.kind == "printer"]

    def printer_of_kiosk(self, kiosk: str) -> str | None:
        return next((d.name for d in self.config.devices if d.kind == "printer" and d.attach == f"kiosk:{kiosk}"), None)

    def owe(self, uow: UnitOfWork, actor: Actor, ticket: dict, now: dt.datetime) -> None:
        """Inside the transaction that issues a ticket: a kiosk with a printer owes its paper."""
        if actor.kind == "device" and actor.role == "kiosk":
            printer = self.printer_of_kiosk(actor.name)
            if printer:
                uow.prints.add(printer, ticket, reprint=False, at=now)

    def reprint(self, actor: Actor, ticket_id: str, printer: str | None = None) -> Outcome:
        """A kiosk reprints on its own printer; an admin on the one named, else the one that printed the
        ticket, else the first printer."""
        if actor.kind == "device" and actor.role == "kiosk":
            printer = self.printer_of_kiosk(actor.name)
        else:
            actor.require_staff("admin")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            found = uow.tickets.get(ticket_id) if 0 < len(ticket_id) <= 32 else None
            if found is None:
                raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)
            ticket = self.queries.ticket_view(uow, now, found)
            chosen = printer or uow.prints.last_printer(ticket["id"]) or next(iter(self.printers), None)
            if chosen not in self.printers:
                raise NotFound("No printer fits: name one of GET /devices, or attach a printer to this kiosk.",
                               Reason.NO_PRINTER)
            uow.prints.add(chosen, ticket, reprint=True, at=now)
            return {"ticket": ticket["id"], "number": ticket["number"], "printer": chosen, "queued": True}
        return self.runner.run(actor, None, command)

    # -- for the printers' driver -----------------------------------------------------------
    def owed(self, printer: str) -> list[PrintJob]:
        return self.runner.read(lambda uow, _now: uow.prints.owed(printer))

    def printed(self, job: PrintJob, actor: Actor) -> None:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            if uow.prints.mark_printed(job.id, now):
                uow.record(ev.TicketPrinted(job.ticket["id"], job.ticket["number"], job.printer, job.reprint))
            return {}
        self.runner.run(actor, None, command)

    def unprinted(self) -> list[ev.OwedPrint]:
        """Tickets issued but not printed yet, by number: what the admin's 补打 button needs."""
        return self.runner.read(lambda uow, _now: uow.prints.unprinted())
