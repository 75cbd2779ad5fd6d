"""Tickets a kiosk's printer owes: kept in the database (`print_jobs`), so a restart loses none, and any
server process may queue a print that the process owning the printers prints.

A kiosk's ticket is owed to the printer attached to that kiosk in the same transaction that issues it.
The printer's driver prints what is owed, oldest first, and reports each print (`TicketPrinted`).

A slip that did not print is never printed later by itself, for the next person at the kiosk to take
(docs/hardware.md "Slips that did not print"): a ticket issued while its printer is known to be down is
recorded as dropped at once; a printer that goes down drops what it owed; a job still owed
`[printing] stale_after_seconds` after it was queued is dropped when the printer next looks. Each drop
is a `TicketPrintDropped` in the event log; staff ask for a reprint (补打, `reprint`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import HallConfig
from ..domain import events as ev
from ..domain.errors import Conflict, NotFound, Reason
from .actors import Actor
from .messages import Outcome
from .queries import Queries
from .runner import CommandRunner
from .unit_of_work import UnitOfWork

DOWN_STATES = frozenset({"offline", "paper_out", "error"})  # a ticket would not print now


@dataclass(frozen=True)
class PrintJob:
    """One ticket to print on one printer. `ticket` is the TICKET as answered when it was issued
    (for a reprint: as it is now): id, number, queue, matter, floor, zone, priority, issued_at, ahead,
    eta_minutes …"""
    id: int
    printer: str
    reprint: bool
    ticket: dict
    queued_at: dt.datetime | None = None


class Printing:
    def __init__(self, config: HallConfig, runner: CommandRunner, queries: Queries):
        self.config = config
        self.runner = runner
        self.queries = queries
        self.printers = [d.name for d in config.devices if d.kind == "printer"]
        self.stale_after = dt.timedelta(seconds=config.printing.stale_after_seconds)

    def printer_of_kiosk(self, kiosk: str) -> str | None:
        return next((d.name for d in self.config.devices if d.kind == "printer" and d.attach == f"kiosk:{kiosk}"), None)

    @staticmethod
    def state_of(uow: UnitOfWork, printer: str) -> str:
        known = uow.devices.get(printer)
        return known.state if known else "unknown"

    def kiosk_printer(self, kiosk: str) -> dict | None:
        """What a kiosk's page is told of its printer on connecting: {"name", "state", "ready"}; None
        when no printer is attached to the kiosk."""
        printer = self.printer_of_kiosk(kiosk)
        if printer is None:
            return None
        state = self.runner.read(lambda uow, _now: self.state_of(uow, printer))
        return {"name": printer, "state": state, "ready": state not in DOWN_STATES}

    def owe(self, uow: UnitOfWork, actor: Actor, ticket: dict, now: dt.datetime) -> dict | None:
        """Inside the transaction that issues a ticket: a kiosk with a printer owes its paper, unless
        the printer is known to be down (then the job is recorded as dropped). The answer's `slip`:
        {"printer", "state", "printing"}; None for a kiosk without a printer, or staff."""
        if not (actor.kind == "device" and actor.role == "kiosk"):
            return None
        printer = self.printer_of_kiosk(actor.name)
        if printer is None:
            return None
        state = self.state_of(uow, printer)
        printing = state not in DOWN_STATES
        uow.prints.add(printer, ticket, reprint=False, at=now, dropped=None if printing else "printer_down")
        if not printing:
            uow.record(ev.TicketPrintDropped(ticket["id"], ticket["number"], printer, False, "printer_down"))
        return {"printer": printer, "state": state, "printing": printing}

    def reprint(self, actor: Actor, ticket_id: str, printer: str | None = None) -> Outcome:
        """补打: a kiosk reprints on its own printer; a clerk (the guide desk too) or an admin on the one
        named, else the one that printed the ticket (or was given it), else the first printer. Refused
        (`printer_down`) while that printer is known to be down: the job would be dropped anyway."""
        if actor.kind == "device" and actor.role == "kiosk":
            printer = self.printer_of_kiosk(actor.name)
        else:
            actor.require_staff("clerk", "admin")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            found = uow.tickets.get(ticket_id) if 0 < len(ticket_id) <= 32 else None
            if found is None:
                raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)
            ticket = self.queries.ticket_view(uow, now, found)
            chosen = printer or uow.prints.last_printer(ticket["id"]) or next(iter(self.printers), None)
            if chosen not in self.printers:
                raise NotFound("No printer fits: name one of GET /devices, or attach a printer to this kiosk.",
                               Reason.NO_PRINTER)
            state = self.state_of(uow, chosen)
            if state in DOWN_STATES:
                raise Conflict(f"The printer {chosen} is {state}: mend it, or name another printer.",
                               Reason.PRINTER_DOWN, printer=chosen, state=state)
            uow.prints.add(chosen, ticket, reprint=True, at=now)
            return {"ticket": ticket["id"], "number": ticket["number"], "printer": chosen, "queued": True}
        return self.runner.run(actor, None, command)

    # -- for the printers' driver -----------------------------------------------------------
    def owed(self, printer: str) -> list[PrintJob]:
        """The printer's owed jobs, oldest first; those older than `stale_after` are dropped first."""
        jobs = self.runner.read(lambda uow, _now: uow.prints.owed(printer))
        cutoff = self.runner.clock() - self.stale_after
        stale = [job for job in jobs if job.queued_at is not None and job.queued_at < cutoff]
        if stale:
            def command(uow: UnitOfWork, now: dt.datetime) -> dict:
                for job in stale:
                    self._drop(uow, job, "stale", now)
                return {}
            self.runner.run(Actor("device", printer, "printer"), None, command)
        return [job for job in jobs if job not in stale]

    def drop_owed(self, uow: UnitOfWork, printer: str, now: dt.datetime) -> None:
        """Inside the transaction recording that `printer` went down: what it owed will not print."""
        for job in uow.prints.owed(printer):
            self._drop(uow, job, "printer_down", now)

    @staticmethod
    def _drop(uow: UnitOfWork, job: PrintJob, reason: str, now: dt.datetime) -> None:
        if uow.prints.drop(job.id, reason, now):
            uow.record(ev.TicketPrintDropped(job.ticket["id"], job.ticket["number"], job.printer, job.reprint, reason))

    def printed(self, job: PrintJob, actor: Actor) -> None:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            if uow.prints.mark_printed(job.id, now):
                uow.record(ev.TicketPrinted(job.ticket["id"], job.ticket["number"], job.printer, job.reprint))
            return {}
        self.runner.run(actor, None, command)

    def unprinted(self) -> list[ev.OwedPrint]:
        """Tickets issued but not printed (owed, or dropped), by number: what the 补打 buttons need."""
        return self.runner.read(lambda uow, _now: uow.prints.unprinted())
