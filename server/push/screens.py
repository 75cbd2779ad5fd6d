"""What keeps anonymous screens from crowding out the kiosks and clerks (issue 14; docs/security.md
"Rate limits and fair share"):

- `SnapshotCache`: a floor's or window's `snapshot` is built once per change of that room and shared by
  every screen that subscribes until the next change, so a thousand screens reconnecting at once, or
  one socket asking a thousand times, cost one database read. A change is any event this process
  delivers to the room: its own and, with a message queue, every other process's, which reach it
  through the queue (message_queue.RoomWatch), so each process's cache stays right by itself.
- `SocketAllowance`: each /display socket may send so many events a second (a token bucket); past
  that its events are refused with `too_many_requests`, and a socket that keeps on is disconnected.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Even without a change a snapshot is rebuilt after this long: its queue figures (longest wait) age.
MAX_AGE_S = 2.0
# A screen subscribes once per connection; a tracking page once per ticket or case it follows.
EVENTS_PER_S = 2.0
EVENT_BURST = 5
# Refused events a socket may send before it is cut off; one is forgiven every two seconds.
REFUSALS_BEFORE_CUT = 10
REFUSALS_FORGIVEN_PER_S = 0.5


@dataclass
class _Entry:
    generation: int
    built_at: float
    snapshot: dict


class SnapshotCache:
    """Snapshots by room (`floor:N`, `window:W`). `build(room)` reads the database; `windows_on(floor)`
    names the windows whose snapshots carry that floor's figures and ready cases. Rooms are checked
    against the hall's config before they get here, so the cache holds at most one entry per floor and
    window."""

    def __init__(self, build: Callable[[str], dict], windows_on: Callable[[int], list[str]],
                 clock: Callable[[], float] = time.monotonic, max_age_s: float = MAX_AGE_S):
        self.build = build
        self.windows_on = windows_on
        self.clock = clock
        self.max_age_s = max_age_s
        self._entries: dict[str, _Entry] = {}
        self._generations: dict[str, int] = {}  # bumped by every change of the room
        self._builders: dict[str, threading.Lock] = {}  # one build per room at a time; the others wait for it

    def get(self, room: str) -> dict:
        fresh = self._fresh(room)
        if fresh is not None:
            return fresh
        with self._builders.setdefault(room, threading.Lock()):
            fresh = self._fresh(room)  # built by the one this request waited for
            if fresh is not None:
                return fresh
            generation, started = self._generations.get(room, 0), self.clock()
            snapshot = self.build(room)
            # A change delivered while it was being read may be missing from it: then it serves this
            # request (which joins the room and hears that change) but is not kept.
            if self._generations.get(room, 0) == generation:
                self._entries[room] = _Entry(generation, started, snapshot)
            return snapshot

    def _fresh(self, room: str) -> dict | None:
        entry = self._entries.get(room)
        if (entry is None or entry.generation != self._generations.get(room, 0)
                or self.clock() - entry.built_at > self.max_age_s):
            return None
        return entry.snapshot

    def changed(self, namespace: str | None, rooms) -> None:
        """An emit is about to reach `rooms` (a room, a list, or None: the whole namespace) of `namespace`
        (None: every namespace, as when the message queue comes back after an outage)."""
        if namespace not in (None, "/display"):
            return
        if rooms is None:
            for room in list(self._generations) + list(self._entries):
                self._bump(room)
            return
        for room in [rooms] if isinstance(rooms, str) else rooms:
            if room.startswith("floor:"):
                self._bump(room)
                # A window's snapshot carries its floor's figures and ready cases, which reach floor rooms.
                floor = room.removeprefix("floor:")
                for window in self.windows_on(int(floor)) if floor.lstrip("-").isdigit() else ():
                    self._bump(f"window:{window}")
            elif room.startswith("window:"):
                self._bump(room)

    def _bump(self, room: str) -> None:
        self._generations[room] = self._generations.get(room, 0) + 1
        self._entries.pop(room, None)


class TokenBucket:
    def __init__(self, rate: float, capacity: float, clock: Callable[[], float]):
        self.rate, self.capacity, self.clock = rate, capacity, clock
        self.tokens, self.at = float(capacity), clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Verdict:
    ALLOWED, REFUSED, CUT = "allowed", "refused", "cut"


class SocketAllowance:
    """Per socket (by sid): events allowed at EVENTS_PER_S with bursts of EVENT_BURST; a socket refused
    more than REFUSALS_BEFORE_CUT times in quick succession is to be disconnected."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._sockets: dict[str, tuple[TokenBucket, TokenBucket]] = {}

    def check(self, sid: str) -> str:
        buckets = self._sockets.get(sid)
        if buckets is None:
            buckets = self._sockets[sid] = (TokenBucket(EVENTS_PER_S, EVENT_BURST, self.clock),
                                            TokenBucket(REFUSALS_FORGIVEN_PER_S, REFUSALS_BEFORE_CUT, self.clock))
        events, patience = buckets
        if events.take():
            return Verdict.ALLOWED
        return Verdict.REFUSED if patience.take() else Verdict.CUT

    def forget(self, sid: str) -> None:
        self._sockets.pop(sid, None)
