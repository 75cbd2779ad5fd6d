"""A floor speaker's backlog: the calls waiting to be said, and what the next announcement says
(docs/hardware.md "A busy floor"). Nothing is ever dropped: when calls come faster than the floor can
hear them, the repeat goes first, then waiting calls are merged into one shorter sentence.

- one call waiting: it is said `repeats` times (the hall's setting);
- two: each is said once, one after the other, in one announcement;
- three or more: up to MERGE_MAX of them in one sentence, said once:
  请A004到1号窗口，A005到3号窗口，A006到7号窗口.
A call and its recall merged together are said once in the sentence.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MERGE_MAX = 4


@dataclass(frozen=True)
class Call:
    number: str
    window: str
    floor: int


@dataclass(frozen=True)
class Announcement:
    calls: tuple[Call, ...]
    form: str  # "full" (repeated), "once" (each sentence once), "merged" (one short sentence)


class CallBacklog:
    """Thread-safe: calls are added on the server's thread and taken on the speaker's."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._waiting: list[tuple[Call, float]] = []

    def add(self, call: Call) -> None:
        with self._lock:
            self._waiting.append((call, self.clock()))

    def next_announcement(self) -> Announcement | None:
        """What to say next (the calls stay in the backlog until `said`)."""
        with self._lock:
            calls = [call for call, _ in self._waiting]
        if not calls:
            return None
        if len(calls) == 1:
            return Announcement(tuple(calls), "full")
        if len(calls) == 2:
            return Announcement(tuple(calls), "once")
        return Announcement(tuple(calls[:MERGE_MAX]), "merged")

    def said(self, announcement: Announcement) -> None:
        with self._lock:  # the oldest calls are the ones said: later ones were only added behind them
            self._waiting = self._waiting[len(announcement.calls):]

    def status(self) -> tuple[int, float]:
        """(calls waiting, age in seconds of the oldest)."""
        with self._lock:
            if not self._waiting:
                return 0, 0.0
            return len(self._waiting), self.clock() - self._waiting[0][1]
