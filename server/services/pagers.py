"""A window's pager (呼叫器) in words of the service layer: its keys, and the command each runs.

The pager's driver (drivers/) turns frames into `PagerKey`s and calls `PagerKeys.press`; what a key
means lives here, so a pager runs the same commands as the clerk's console, as the clerk signed in
at its window. Digits typed before 确认 choose what 确认 does (as on the hall's pagers: 确认 alone
finishes, 6 then 确认 is a no-show, 3 then 确认 recalls, 0 then 确认 pauses).
"""
from __future__ import annotations

import logging
import threading
from enum import StrEnum

from ..domain.errors import HallError
from .actors import Actor

log = logging.getLogger("hallq.pagers")


class PagerKey(StrEnum):
    D0, D1, D2, D3, D4, D5, D6, D7, D8, D9 = "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"
    CALL = "call"
    RECALL = "recall"
    PAUSE = "pause"  # pauses an open window, resumes a paused one
    TRANSFER = "transfer"  # to the queue the pager's config names (`transfer_to`)
    CONFIRM = "confirm"
    CANCEL = "cancel"


class PagerOutcome(StrEnum):
    DONE = "done"  # the command ran; the window's update refreshes the pager
    TYPED = "typed"  # a digit, kept for the next 确认
    REFUSED = "refused"  # nothing ran: the pager beeps and shows the window again


_CONFIRM_AFTER = {"": "finish", "6": "no_show", "3": "recall", "0": "pause"}


class PagerKeys:
    def __init__(self, windows, queries, pause_reason: str):
        self.windows = windows  # WindowCommands
        self.queries = queries  # Queries
        self.pause_reason = pause_reason  # a pager cannot choose one: [supervision] pager_pause_reason
        self._digits: dict[str, str] = {}  # pager name → digits typed since the last command key
        self._lock = threading.Lock()

    def press(self, pager: str, window: str, key: PagerKey, transfer_to: str | None = None) -> PagerOutcome:
        with self._lock:
            digits = self._digits.pop(pager, "")
            if key.value.isdigit():
                self._digits[pager] = (digits + key.value)[-3:]
                return PagerOutcome.TYPED
        if key is PagerKey.CANCEL:
            return PagerOutcome.TYPED
        clerk = self.queries.clerk_at(window)
        if clerk is None:
            return PagerOutcome.REFUSED
        w = self.windows
        commands = {
            PagerKey.CALL: lambda: w.call_next(clerk, window),
            PagerKey.RECALL: lambda: w.recall(clerk, window),
            PagerKey.PAUSE: lambda: self._pause_or_resume(clerk, window),
            PagerKey.TRANSFER: lambda: w.transfer(clerk, window, transfer_to or ""),
            PagerKey.CONFIRM: {"finish": lambda: w.finish(clerk, window), "no_show": lambda: w.no_show(clerk, window),
                               "recall": lambda: w.recall(clerk, window), "pause": lambda: w.pause(clerk, window, self.pause_reason),
                               }.get(_CONFIRM_AFTER.get(digits, "")),
        }
        command = commands.get(key)
        if command is None:
            return PagerOutcome.REFUSED
        try:
            command()
        except HallError as exc:
            log.info("pager %s at window %s: %s (%s)", pager, window, exc.reason.value, exc.message)
            return PagerOutcome.REFUSED
        return PagerOutcome.DONE

    def _pause_or_resume(self, clerk: Actor, window: str) -> None:
        paused = self.queries.window(clerk, window)["state"] == "paused"
        if paused:
            self.windows.resume(clerk, window)
        else:  # a pager cannot choose a reason: the hall's pager_pause_reason
            self.windows.pause(clerk, window, self.pause_reason)
