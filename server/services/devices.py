"""The hall's hardware as the service layer sees it: each device's health (kept in the database, so
every server process and a restart see it) and what the device drivers may ask of the hall
(`DeviceDesk`, the `HallForDevices` of drivers/hall.py)."""
from __future__ import annotations

import datetime as dt

from ..config import HallConfig
from ..domain import events as ev
from .actors import Actor
from .pagers import PagerKey, PagerKeys, PagerOutcome
from .printing import Printing, PrintJob
from .ratings import Ratings
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .views import iso

SEEN_EVERY = dt.timedelta(seconds=60)  # a healthy device's last_seen is written at most this often


class DeviceHealth:
    def __init__(self, config: HallConfig, runner: CommandRunner):
        self.config = config
        self.runner = runner
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
            if not (was == "unknown" and state == "online"):
                owed = tuple(uow.prints.unprinted()) if spec.kind == "printer" else ()
                uow.record(ev.DeviceHealthChanged(device, spec.kind, spec.attach, state, was, detail, now, owed))
            return {}
        self.runner.run(Actor("device", device, spec.kind), None, command)
        self._written[device] = (state, self.runner.clock())

    def note(self, device: str, detail: str) -> None:
        """A detail that does not change the device's state (a floor speaker's backlog, drivers/speaker.py):
        written to its row, which the admin board's device panel re-reads; no alert."""
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            known = uow.devices.get(device)
            if known is not None and known.detail != detail:
                uow.devices.put(device, known.state, detail, known.since, known.last_seen)
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
                            "last_seen": iso(row.last_seen) if row else None, "queued": owed.get(spec.name, 0)})
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

    def note_health(self, device: str, detail: str) -> None:
        self.health.note(device, detail)

    def owed_prints(self, printer: str) -> list[PrintJob]:
        return self.printing.owed(printer)

    def printed(self, job: PrintJob) -> None:
        self.printing.printed(job, Actor("device", job.printer, "printer"))

    def press(self, pager: str, window: str, key: PagerKey, transfer_to: str | None) -> PagerOutcome:
        return self.pagers.press(pager, window, key, transfer_to)

    def rate(self, window: str, level: int, evaluator: str) -> None:
        self.ratings.rate_at_window(Actor("device", evaluator, "evaluator"), window, level, "evaluator")
