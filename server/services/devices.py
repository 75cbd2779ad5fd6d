"""The hall's hardware as the service layer sees it: each device's health (kept in the database, so
every server process and a restart see it) and what the device drivers may ask of the hall
(`DeviceDesk`, the `HallForDevices` of drivers/hall.py)."""
from __future__ import annotations

import datetime as dt

from ..config import HallConfig
from ..domain import events as ev
from .actors import Actor
from .pagers import PagerKey, PagerKeys, PagerOutcome
from .printing import DOWN_STATES, Printing, PrintJob
from .ratings import Ratings
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .views import iso

SEEN_EVERY = dt.timedelta(seconds=60)  # a healthy device's last_seen is written at most this often


class DeviceHealth:
    def __init__(self, config: HallConfig, runner: CommandRunner, printing: Printing | None = None):
        self.config = config
        self.runner = runner
        self.printing = printing  # a printer that goes down drops what it owed (printing.py)
        self.specs = {d.name: d for d in config.devices}
        # What this process last wrote per device: drivers report every success, and only a change
        # (or a last_seen older than SEEN_EVERY) needs the database. Only the process that drives the
        # devices reports, so nobody else writes these rows meanwhile.
        self._written: dict[str, tuple[str, dt.datetime]] = {}

    def report(self, device: str, state: str, detail: str) -> None:
        """A driver's view of its device. A change of state is a fact (DeviceHealthChanged: the admin is
        alerted, a printer's alert lists what it owes), except a device's first success after a start."""
        spec = self.specs[device]
        written = self._written.get(device)
        if written and written[0] == state and self.runner.clock() - written[1] < SEEN_EVERY:
            return

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            known = uow.devices.get(device)
            was = known.state if known else "unknown"
            seen = now if state != "offline" else (known.last_seen if known else None)
            if state == was and known is not None:
                if seen is not None and (known.last_seen is None or now - known.last_seen >= SEEN_EVERY):
                    uow.devices.put(device, state, detail, known.since, seen)
                return {}
            uow.devices.put(device, state, detail, now, seen)
            if spec.kind == "printer":
                self._printer_changed(uow, spec, state, now)
            if not (was == "unknown" and state == "online"):
                owed = tuple(uow.prints.unprinted()) if spec.kind == "printer" else ()
                uow.record(ev.DeviceHealthChanged(device, spec.kind, spec.attach, state, was, detail, now, owed))
            return {}
        self.runner.run(Actor("device", device, spec.kind), None, command)
        self._written[device] = (state, self.runner.clock())

    def _printer_changed(self, uow: UnitOfWork, spec, state: str, now: dt.datetime) -> None:
        """A printer's new state: its kiosk's page hears whether a ticket would print; a printer that
        went down will not print later what it owed then (the citizen was told; staff reprint)."""
        down = state in DOWN_STATES
        if down and self.printing is not None:
            self.printing.drop_owed(uow, spec.name, now)
        kind, _, kiosk = spec.attach.partition(":")
        if kind == "kiosk":
            uow.record(ev.KioskPrinterChanged(kiosk, spec.name, state, not down))

    def speech_backlog(self, device: str, calls: int, oldest_seconds: float) -> None:
        """A floor speaker's backlog (drivers/speaker.py): `calls` waiting to be spoken, the oldest for
        `oldest_seconds`; 0 calls when it is gone. Kept beside the device's health, which it does not
        change (no alert): the admin board's device panel reads it as figures and words it."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            if uow.devices.get(device) is not None:
                waiting = calls > 0
                uow.devices.set_backlog(device, calls if waiting else None,
                                        now - dt.timedelta(seconds=oldest_seconds) if waiting else None)
            return {}
        self.runner.run(Actor("device", device, self.specs[device].kind), None, command)

    def listing(self) -> list[dict]:
        """Every configured device's health, as GET /devices shows it."""
        def read(uow: UnitOfWork, _now) -> list[dict]:
            known = {row.name: row for row in uow.devices.all()}
            owed = uow.prints.owed_counts()
            out = []
            for spec in self.config.devices:
                row = known.get(spec.name)
                out.append({"name": spec.name, "kind": spec.kind, "protocol": spec.protocol, "url": spec.url,
                            "attach": spec.attach, "state": row.state if row else "unknown",
                            "detail": row.detail if row else "not used yet", "since": iso(row.since) if row else None,
                            "last_seen": iso(row.last_seen) if row else None, "queued": owed.get(spec.name, 0),
                            "backlog": ({"calls": row.backlog_calls, "since": iso(row.backlog_since)}
                                        if row and row.backlog_calls else None)})
            return sorted(out, key=lambda d: d["name"])
        return self.runner.read(read)


class DeviceDesk:
    """What the device drivers call on the hall: one object, so the drivers know nothing else of it."""

    def __init__(self, health: DeviceHealth, printing: Printing, pagers: PagerKeys, ratings: Ratings):
        self.health = health
        self.printing = printing
        self.pagers = pagers
        self.ratings = ratings

    def report_health(self, device: str, state: str, detail: str) -> None:
        self.health.report(device, state, detail)

    def speech_backlog(self, device: str, calls: int, oldest_seconds: float) -> None:
        self.health.speech_backlog(device, calls, oldest_seconds)

    def owed_prints(self, printer: str) -> list[PrintJob]:
        return self.printing.owed(printer)

    def printed(self, job: PrintJob) -> None:
        self.printing.printed(job, Actor("device", job.printer, "printer"))

    def press(self, pager: str, window: str, key: PagerKey, transfer_to: str | None) -> PagerOutcome:
        return self.pagers.press(pager, window, key, transfer_to)

    def rate(self, window: str, level: int, evaluator: str) -> None:
        self.ratings.rate_at_window(Actor("device", evaluator, "evaluator"), window, level, "evaluator")
