"""Ticket printers (ESC/POS): what a ticket's paper says, and the worker that prints what is owed.

The jobs live in the server's database (`hall.owed_prints`), so any server process may queue one. The
worker prints them oldest first, one at a time, and confirms each (`hall.printed`) once its bytes
reached the printer. A fault it reports (a failed write, paper out) makes the server drop what the
printer owed: a slip that did not print is never printed later by itself (server/services/printing.py). It looks when its kiosk issues a ticket (`TicketIssued`) and every
few seconds besides (a reprint, a job queued by another server process, one left from before a
restart). Between jobs it asks the printer for its paper and cover status, so the admin hears of
paper-out before the next citizen does.
"""
from __future__ import annotations

import datetime as dt
import logging
import time

from server.config import HallConfig
from server.domain.events import TicketIssued
from server.domain.wording import wait_text
from server.services.printing import DOWN_STATES, PrintJob

from .escpos_ticket import STATUS_QUERY, PrinterStatus, TicketPrint, compose, load_imaging, parse_status
from .links import FileLink, Link, LinkError, open_link
from .worker import DeviceFault, Worker

log = logging.getLogger("hallq.devices")
ZONE_NAMES = {"individual": "个人", "enterprise": "企业、项目", "institution": "机关事业单位"}
LOOK_S = 3.0          # how often an idle printer asks for owed jobs
PROBE_S = 30.0        # how often an idle printer is asked for its status
UNANSWERED_RETRIES = 5  # a first probe left unanswered (a slow link) is asked again at the next looks
STATUS_WAIT_S = 0.5
LINK_TIMEOUT_S = 3.0


def number_ranges(numbers: list[int]) -> str:
    """[1,2,3,5] → '1-3、5'"""
    out, run = [], []
    for n in sorted(numbers):
        if run and n == run[-1] + 1:
            run.append(n)
        else:
            if run:
                out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = [n]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return "、".join(out)


def ticket_paper(config: HallConfig, ticket: dict, reprint: bool = False) -> TicketPrint:
    """The wording of a ticket's paper, from the TICKET answered when it was issued (`PrintJob.ticket`).
    The QR code points to the ticket's tracking page, `{public_url}/t/{id}`."""
    matter = config.matters.get(ticket.get("matter") or "")
    queue = config.queues[ticket["queue"]]
    windows = [int(w.number) for w in config.windows.values() if ticket["queue"] in w.queues]
    issued = dt.datetime.fromisoformat(ticket["issued_at"]).astimezone(config.hall.tz)
    floor = ticket["floor"]
    return TicketPrint(
        hall=config.hall.name, number=ticket["number"],
        matter=matter.name if matter else queue.name,
        floor=config.floors[floor].name, zone=ZONE_NAMES.get(ticket["zone"], ticket["zone"]),
        direction=f"请到{floor}楼 {number_ranges(windows)}号窗口附近等候叫号" if windows else queue.name,
        ahead=ticket.get("ahead") or 0, wait=wait_text(ticket.get("eta_minutes"), ticket.get("eta_range")),
        issued_at=issued.strftime("%Y-%m-%d %H:%M"),
        url=f"{config.hall.public_url.rstrip('/')}/t/{ticket['id']}", reprint=reprint,
        queue=queue.name, green=ticket.get("priority") == "green", tips=tuple(config.printing.tips))


class Look:
    """A job: look for owed prints now."""


class Printer(Worker):
    subscribes = (TicketIssued,)
    coalesce = True   # ten tickets issued while printing one: one more look prints them all
    idle_s = LOOK_S

    def __init__(self, device, config, hall, publish):
        super().__init__([device], config, hall, publish)
        load_imaging()  # now, not on the event loop at the first ticket
        self.kiosk = device.attach.partition(":")[2]
        self._last_probe = time.monotonic() - PROBE_S  # the first look asks: its kiosk learns its state
        self._unconfirmed: set[int] = set()  # job ids whose bytes went out but `printed` failed
        self._unprintable: set[int] = set()  # job ids whose ticket could not be composed
        self._server_down = False
        self._unanswered = 0  # probes in a row without an answer, before any answer came

    def take(self, event) -> None:
        if isinstance(event, TicketIssued) and event.issued_by == self.kiosk:
            self.submit(Look())

    def handle(self, _job: Look) -> None:
        self._print_owed()

    def idle(self) -> None:
        # A printer last reported down is asked at every look, so its kiosk hears soon that it is back.
        down = self._reported.get(self.name, ("",))[0] in DOWN_STATES
        if not self._print_owed() and (down or time.monotonic() - self._last_probe >= PROBE_S):
            self._probe()

    # ---------------------------------------------------------------- printing
    def _owed(self) -> list[PrintJob] | None:
        try:
            jobs = list(self.hall.owed_prints(self.name))
        except Exception:  # the server's database, not the printer: look again in a few seconds
            if not self._server_down:
                log.exception("printer %s: cannot read the owed prints", self.name)
            self._server_down = True
            return None
        self._server_down = False
        return jobs

    def _print_owed(self) -> bool:
        """Print every owed job, oldest first; True when any was owed. A fault stops at that job,
        which stays owed and is printed first on the next try."""
        jobs = self._owed()
        if jobs is None:
            return False
        self._unconfirmed &= {job.id for job in jobs}
        self._unprintable &= {job.id for job in jobs}
        for job in jobs:
            if self.stopping:
                break
            if job.id in self._unconfirmed:  # its bytes went out already: only record it
                self._confirm(job)
                continue
            paper = self._paper(job)
            if paper is None:
                continue
            status = self._print(paper)
            self._confirm(job)
            self.ok(status.state, status.detail)
        return bool(jobs)

    def _paper(self, job: PrintJob) -> bytes | None:
        """The job's bytes, or None when its ticket cannot be composed (a queue no longer in the
        config …): that job stays owed, for the admin to see, and does not hold up the others."""
        try:
            return compose(ticket_paper(self.config, job.ticket, reprint=job.reprint))
        except Exception as exc:
            if job.id not in self._unprintable:
                log.exception("printer %s: cannot compose job %s", self.name, job.id)
                self.fault("error", f"ticket {job.ticket.get('number')} cannot be printed: {exc!r}")
            self._unprintable.add(job.id)
            return None

    def _confirm(self, job: PrintJob) -> None:
        try:
            self.hall.printed(job)
            self._unconfirmed.discard(job.id)
        except Exception:  # printed, but not recorded: do not print it twice, confirm it next time
            log.exception("printer %s: printed job %s could not be recorded", self.name, job.id)
            self._unconfirmed.add(job.id)

    def _print(self, paper: bytes) -> PrinterStatus:
        link = self._open()
        try:
            status = self._status(link)
            if status.state in ("paper_out", "error"):
                raise DeviceFault(status.state, status.detail)
            link.write(paper)
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))
        finally:
            link.close()
        self._last_probe = time.monotonic()
        return status

    # ---------------------------------------------------------------- status
    def _open(self) -> Link:
        try:
            return open_link(self.device.url, timeout=LINK_TIMEOUT_S, baudrate=self.device.baudrate)
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))

    def _status(self, link: Link) -> PrinterStatus:
        if isinstance(link, FileLink):
            return parse_status(b"")
        link.write(STATUS_QUERY)
        answer, deadline = b"", time.monotonic() + STATUS_WAIT_S
        while len(answer) < 3 and time.monotonic() < deadline:
            answer += link.read(3 - len(answer), max(0.01, deadline - time.monotonic()))
        return parse_status(answer)

    def _probe(self) -> None:
        """Between tickets, ask for paper and cover status so the admin hears of paper-out early."""
        self._last_probe = time.monotonic()
        if self.device.url.startswith("file:"):
            return
        link = self._open()
        try:
            status = self._status(link)
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))
        finally:
            link.close()
        if status.answered:
            self._unanswered = UNANSWERED_RETRIES  # it answers: the usual pace from now on
            self.ok(status.state, status.detail)
        elif self._unanswered < UNANSWERED_RETRIES:
            # Its kiosk has not heard its state yet: ask again at the next look, not in 30 s
            # (a printer that never answers DLE EOT is left alone after a few tries).
            self._unanswered += 1
            self._last_probe = time.monotonic() - PROBE_S
