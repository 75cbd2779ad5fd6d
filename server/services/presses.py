"""Overlapping presses of call-next are one press (issue 14, point 8).

Call-next on a serving window finishes the current ticket and calls the next one (v1, as Qmatic's
"next"): right for presses that come one after another, wrong for a double press, where the second
press would finish the citizen the first one had just called. So a press that *arrived before the
current ticket's call was answered* overlaps that call: it answers with the current ticket
(`repeated`) and changes nothing. A press's arrival is read as the request arrives, before it waits
for the database's gate, a connection or the window's lock.

When the call was answered, three ways:
- from the database, across processes: not before the ticket's `called_at`, which the call reads
  while holding the window's lock;
- from the database, across processes, for the call's tail: the window's current ticket changed while
  this press waited for the window's lock (read before, and after taking it: windows.py), so the call
  committed after this press was already there;
- in the process that made the call, exactly: `AnsweredCalls` below notes the ticket when the call is
  made (pending) and the moment its answer leaves, after the commit. This closes the call's tail (its
  commit, during which a press arriving here reads a later time than `called_at`).
A repeated press notes its own answer too, so a third press overlapping the second repeats as well.
Only presses of the clerk signed in at the window get this far: anonymous requests note nothing.

Times leave one gap: a press read at another process after the call committed, but sent before its
answer reached the clerk (a process the machine left unscheduled for a few milliseconds reads its
request late). A device that says which ticket it showed when pressed (`Seen`; the clerk console sends
`serving`) closes it, on any number of processes and whatever the clocks: its press overlaps a call
exactly when the window's current ticket is not the one it showed, since the device had not seen that
call's answer. A press that showed the current ticket is deliberate: it finishes it and calls the next.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.model import Ticket


@dataclass(frozen=True)
class Seen:
    """What the pressing device showed at the window when pressed: its current ticket's id, or None."""
    ticket: str | None


def overlapped(seen: Seen | None, current: Ticket, before_lock: str | None, by_times: Callable[[], bool]) -> bool:
    """Whether a press overlapped the call that made `current` (still called) the window's current
    ticket. `before_lock`: the current ticket the press read before it waited for the window's lock;
    `by_times`: the arrival-time rule, for presses that say nothing of what they showed."""
    if seen is not None:
        return seen.ticket != current.id
    return current.id != before_lock or by_times()


@dataclass
class _Answer:
    ticket: str
    at: dt.datetime | None  # None while the call is being made and not yet answered


class AnsweredCalls:
    """Per window, the last ticket a press of this process called or repeated, and when it answered."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_window: dict[str, _Answer] = {}

    def answering(self, window: str, ticket: str) -> None:
        """Inside the press's transaction: its answer will be `ticket`."""
        with self._lock:
            self._by_window[window] = _Answer(ticket, None)

    def answered(self, window: str, ticket: str, at: dt.datetime) -> None:
        """After the transaction (committed or not): the answer leaves now."""
        with self._lock:
            mine = self._by_window.get(window)
            if mine is not None and mine.ticket == ticket and mine.at is None:
                mine.at = at

    def overlaps(self, window: str, current: Ticket, arrived_at: dt.datetime) -> bool:
        """Whether a press that arrived at `arrived_at` overlapped the call of `current`, the window's
        current ticket."""
        if current.called_at is not None and current.called_at > arrived_at:
            return True
        with self._lock:
            mine = self._by_window.get(window)
            return mine is not None and mine.ticket == current.id and (mine.at is None or mine.at > arrived_at)
