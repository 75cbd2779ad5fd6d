"""The device hub: builds a worker per configured device and feeds them from the service layer's
post-commit notifications (it is one more publisher next to the Socket.IO one). Pager keys and
evaluator presses come back in here and become the same service commands the HTTP API runs.

Health changes become `alert` notifications for the admin room; `GET /api/v1/devices` lists health.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from server.domain.errors import HallError
from server.services.actors import SYSTEM, Actor
from server.services.hall import Notification

from . import ft12
from .escpos_ticket import TicketPrint
from .workers import (Announcement, BusWorker, Health, LedShow, LedWorker, PrinterWorker, SpeakerWorker,
                      Worker, now_iso)

log = logging.getLogger("hallq.devices")
ZONE_NAMES = {"individual": "个人", "enterprise": "企业、项目", "institution": "机关事业单位"}
PAUSED_TEXT = "暂停服务"
REMEMBER_PRINTED = 20000  # tickets whose printer a reprint defaults to (a few days of a large hall)
ALERT_STATES = {"online": "info", "unknown": "info", "paper_low": "warning",
                "offline": "error", "paper_out": "error", "error": "error"}
STATE_WORDS = {"online": "恢复正常", "paper_low": "纸将用尽", "paper_out": "缺纸", "offline": "离线",
               "error": "故障"}
KIND_WORDS = {"printer": "打印机", "speaker": "语音播报", "led": "LED屏", "pager": "呼叫器", "evaluator": "评价器"}


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


class DeviceHub:
    def __init__(self, config, service, ratings=None, sink=None):
        self.config, self.service, self.ratings = config, service, ratings
        self.sink = sink or (lambda notes: None)   # where alerts and call_audio go (the socket publisher)
        self.workers: dict[str, Worker] = {}
        self.buses: dict[str, BusWorker] = {}
        self.printed_by: dict[str, str] = {}      # ticket id → printer that last printed it, or was given it (reprints)
        self.unprinted: dict[str, str] = {}       # ticket id → number, still waiting for a printer
        self.pager_digits: dict[str, str] = {}
        self._lock = threading.Lock()
        on_bus: dict[str, list] = {}
        for device in config.devices:
            if device.kind == "printer":
                self.workers[device.name] = PrinterWorker(device, self)
            elif device.kind == "led":
                self.workers[device.name] = LedWorker(device, self)
            elif device.kind == "speaker":
                self.workers[device.name] = SpeakerWorker(device, self)
            else:
                on_bus.setdefault(device.url, []).append(device)
        for url, devices in on_bus.items():
            self.buses[url] = BusWorker(devices, self)

    @property
    def empty(self) -> bool:
        return not self.workers and not self.buses

    def start(self) -> None:
        for worker in [*self.workers.values(), *self.buses.values()]:
            worker.start()

    # ---------------------------------------------------------------- publisher interface
    def publish(self, notes: list[Notification]) -> None:
        """Called after each commit: only queues jobs, never does device I/O itself."""
        for note in notes:
            try:
                self._route(note)
            except Exception:
                log.exception("device routing of %s failed", note.event)

    def stats_changed(self) -> None:
        pass

    def _attached(self, kind: str, attach: str):
        return [w for w in self.workers.values() if w.device.kind == kind and w.device.attach == attach]

    def _route(self, note: Notification) -> None:
        data = note.data
        if note.event == "ticket_issued":
            printers = self._attached("printer", f"kiosk:{data.get('issued_by')}")
            if printers:
                self.unprinted[data["id"]] = data["number"]
                self.printed_by[data["id"]] = printers[0].device.name  # a reprint of a lost ticket goes to its kiosk
                printers[0].submit(self.ticket_print(data))
        elif note.event == "ticket_called":
            for led in self._attached("led", f"window:{note.window}"):
                led.submit(LedShow(f"请{data['number']}号", flash=True))
            for led in self._attached("led", f"floor:{note.floor}"):
                led.submit(LedShow(data["text"], flash=True))
            for speaker in self._attached("speaker", f"floor:{note.floor}"):
                speaker.submit(Announcement(data["text"], data["number"], data["window"], note.floor))
        elif note.event == "window_updated":
            for led in self._attached("led", f"window:{note.window}"):
                if data["state"] == "paused":
                    led.submit(LedShow(PAUSED_TEXT))
                elif data["state"] == "open" and data.get("current"):
                    led.submit(LedShow(f"请{data['current']['number']}号"))
                else:
                    led.submit(LedShow(led.device.idle_text or f"{note.window}号窗口"))
            for bus in self.buses.values():
                for device in bus.devices.values():
                    if device.kind == "pager" and device.attach == f"window:{note.window}":
                        bus.submit(("show", device, data))

    # ---------------------------------------------------------------- printers
    def ticket_print(self, ticket: dict, reprint: bool = False) -> TicketPrint:
        c = self.config
        matter = c.matters.get(ticket.get("matter") or "")
        queue = c.queues[ticket["queue"]]
        windows = [int(w.number) for w in c.windows.values() if ticket["queue"] in w.queues]
        issued = dt.datetime.fromisoformat(ticket["issued_at"]).astimezone(c.hall.tz)
        return TicketPrint(
            hall=c.hall.name, number=ticket["number"],
            matter=matter.name if matter else queue.name,
            floor=c.floors[ticket["floor"]].name, zone=ZONE_NAMES.get(ticket["zone"], ticket["zone"]),
            direction=f"请到{ticket['floor']}楼 {number_ranges(windows)}号窗口附近等候叫号" if windows else queue.name,
            ahead=ticket.get("ahead") or 0, eta_minutes=ticket.get("eta_minutes") or 0,
            issued_at=issued.strftime("%Y-%m-%d %H:%M"),
            url=f"{c.hall.public_url.rstrip('/')}/t/{ticket['id']}", reprint=reprint)

    def printed(self, worker: Worker, job: TicketPrint) -> None:
        ticket_id = job.url.rsplit("/", 1)[-1]
        self.printed_by[ticket_id] = worker.device.name
        if len(self.printed_by) > REMEMBER_PRINTED:  # oldest first: dicts keep insertion order
            del self.printed_by[next(iter(self.printed_by))]
        self.unprinted.pop(ticket_id, None)

    def unprinted_tickets(self) -> list[dict]:
        """Tickets issued but not printed yet, by number: what the admin's 补打 button needs."""
        return [{"id": ticket_id, "number": number, "printer": self.printed_by.get(ticket_id)}
                for ticket_id, number in sorted(self.unprinted.items(), key=lambda item: item[1])]

    def printers(self) -> list[str]:
        return [name for name, w in self.workers.items() if w.device.kind == "printer"]

    def reprint(self, ticket: dict, printer: str | None = None, kiosk: str | None = None) -> str:
        """Queue a reprint; returns the printer's name. Raises LookupError when none fits."""
        if printer is None and kiosk is not None:
            mine = self._attached("printer", f"kiosk:{kiosk}")
            printer = mine[0].device.name if mine else None
        printer = printer or self.printed_by.get(ticket["id"]) or next(iter(self.printers()), None)
        worker = self.workers.get(printer or "")
        if worker is None or worker.device.kind != "printer":
            raise LookupError(printer)
        worker.submit(self.ticket_print(ticket, reprint=True))
        return worker.device.name

    # ---------------------------------------------------------------- speakers
    def announced(self, worker: Worker, job: Announcement, filename: str) -> None:
        self.sink([Notification("call_audio", {
            "number": job.number, "window": job.window, "floor": job.floor,
            "audio": f"/audio/{worker.device.name}/{filename}"}, floor=job.floor, window=job.window)])

    def audio_folder(self, device_name: str) -> Path | None:
        worker = self.workers.get(device_name)
        return worker.folder if isinstance(worker, SpeakerWorker) else None

    # ---------------------------------------------------------------- health and alerts
    def report(self, worker: Worker, state: str, detail: str) -> None:
        self._set(worker.health, state, detail)

    def report_named(self, name: str, state: str, detail: str, healths: dict[str, Health]) -> None:
        self._set(healths[name], state, detail)

    def _set(self, health: Health, state: str, detail: str) -> None:
        with self._lock:
            changed = health.state != state
            was = health.state
            health.state, health.detail = state, detail
            if state not in ("offline",):
                health.last_seen = now_iso()
            if changed:
                health.since = now_iso()
        if changed and not (was == "unknown" and state == "online"):
            self.alert(health, was)

    def alert(self, health: Health, was: str) -> None:
        word = STATE_WORDS.get(health.state, health.state)
        where = health.attach.replace("kiosk:", "自助机 ").replace("floor:", "").replace("window:", "")
        where = f"{where}楼" if health.attach.startswith("floor:") else f"{where}号窗口" if health.attach.startswith("window:") else where
        data = {"source": "device", "device": health.name, "kind": health.kind, "attach": health.attach,
                "state": health.state, "was": was, "level": ALERT_STATES.get(health.state, "error"),
                "detail": health.detail, "at": now_iso(),
                "message": f"{where}的{KIND_WORDS.get(health.kind, health.kind)} {health.name} {word}：{health.detail}"}
        if health.kind == "printer":
            if self.unprinted:
                data["unprinted"] = sorted(self.unprinted.values())
            data["unprinted_tickets"] = self.unprinted_tickets()  # with ids, for the board's 补打
        self.sink([Notification("alert", data)])

    def health(self) -> list[dict]:
        out = [w.health.view() | {"queued": w.jobs.qsize()} for w in self.workers.values()]
        for bus in self.buses.values():
            out += [h.view() for h in bus.healths.values()]
        return sorted(out, key=lambda h: h["name"])

    # ---------------------------------------------------------------- pagers and evaluators
    def bus_input(self, bus: BusWorker, device, function: int, payload: bytes) -> None:
        window = device.attach.partition(":")[2]
        if device.kind == "evaluator" and function == ft12.RATING and payload:
            self._rate(device, window, payload[-1])
        elif device.kind == "pager" and payload:
            self._pager_key(bus, device, window, payload[-1])

    def _clerk(self, window: str) -> tuple[Actor | None, dict]:
        view = self.service.window(SYSTEM, window)
        if not view["clerk"]:
            return None, view
        spec = self.config.windows[window]
        return Actor("staff", view["clerk"], "clerk", spec.department), view

    def _pager_key(self, bus: BusWorker, device, window: str, key: int) -> None:
        digits = self.pager_digits.get(device.name, "")
        if key <= 9:
            self.pager_digits[device.name] = (digits + str(key))[-3:]
            return
        self.pager_digits[device.name] = ""
        if key == ft12.CANCEL:
            return
        actor, view = self._clerk(window)
        if actor is None:
            bus.send(ft12.frame(device.address or 0, ft12.BEEP))
            return
        s = self.service
        commands = {
            ft12.CALL: lambda: s.call_next(actor, window),
            ft12.RECALL: lambda: s.recall(actor, window),
            ft12.PAUSE: lambda: (s.resume if view["state"] == "paused" else s.pause)(actor, window),
            ft12.TRANSFER: lambda: s.transfer(actor, window, device.transfer_to or ""),
            ft12.CONFIRM: {"": lambda: s.finish(actor, window), "6": lambda: s.no_show(actor, window),
                           "3": lambda: s.recall(actor, window), "0": lambda: s.pause(actor, window)}.get(digits),
        }
        command = commands.get(key)
        if command is None:
            bus.send(ft12.frame(device.address or 0, ft12.BEEP))
            return
        try:
            command()
        except HallError as exc:
            log.info("pager %s at window %s: %s", device.name, window, exc.message)
            bus.send(ft12.frame(device.address or 0, ft12.BEEP))
            bus.submit(("show", device, self.service.window(SYSTEM, window)))
        # On success the window_updated notification refreshes the pager.

    def pager_frame(self, device, window_view: dict) -> bytes:
        """What a pager shows: the window's current number and how many wait in its queues."""
        queues = set(window_view["queues"])
        waiting = sum(q["waiting"] for q in self.service.stats() if q["code"] in queues)
        current = window_view["current"]["number"] if window_view.get("current") else None
        return ft12.show(device.address or 0, waiting, current)

    def _rate(self, device, window: str, level: int) -> None:
        if self.ratings is None:
            return
        try:
            rating = self.ratings.rate(window, level, source=f"device:{device.name}")
        except HallError as exc:
            log.info("evaluator %s at window %s: %s", device.name, window, exc.message)
            return
        if rating["level"] >= 4:  # 不满意 / 非常不满意: a 差评 the admin follows up
            self.sink([Notification("alert", {
                "source": "rating", "window": window, "ticket": rating["ticket"], "clerk": rating["clerk"],
                "level": "warning", "rating": rating["label"], "at": rating["at"],
                "message": f"{window}号窗口收到差评（{rating['label']}），票号 {rating['number'] or '-'}"})])


class Fanout:
    """One publisher for the service layer that hands every notification to several publishers."""

    def __init__(self, *publishers):
        self.publishers = publishers

    def publish(self, notes) -> None:
        for p in self.publishers:
            p.publish(notes)

    def stats_changed(self) -> None:
        for p in self.publishers:
            p.stats_changed()
