"""What the devices call on the hall: the one door from drivers/ into the service layer (the server
passes its `DeviceDesk`, server/services/devices.py)."""
from __future__ import annotations

from typing import Protocol

from server.services.pagers import PagerKey, PagerOutcome
from server.services.printing import PrintJob


class HallForDevices(Protocol):
    """What the devices call on the server."""

    def report_health(self, device: str, state: str, detail: str) -> None:
        """state: online | offline | paper_low | paper_out | error. Called on every change and after
        each success (the server stores changes and throttles the rest)."""

    def speech_backlog(self, device: str, calls: int, oldest_seconds: float) -> None:
        """A floor speaker's calls waiting to be spoken (0: none), the oldest for `oldest_seconds`: shown
        on the admin board; the device's state does not change."""

    def owed_prints(self, printer: str) -> list[PrintJob]:
        """The printer's unprinted jobs, oldest first (from the database)."""

    def printed(self, job: PrintJob) -> None:
        """The job's bytes reached the printer."""

    def press(self, pager: str, window: str, key: PagerKey, transfer_to: str | None) -> PagerOutcome:
        """A pager's key, run as the clerk signed in at `window`."""

    def rate(self, window: str, level: int, evaluator: str) -> None:
        """An evaluator press (1..5); may raise server.domain.errors.HallError."""
