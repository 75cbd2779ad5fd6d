"""The Socket.IO side of the message bus: it takes the events of every Socket.IO audience after their
commit and emits them from one background task, in commit order, so a slow socket never holds up
the command that caused it. Audiences of one event that share a message share one emit.

What reaches a floor screen is kept lean (issue 15, docs/screens.md "One frame per call"):
- a call is one frame: `ticket_called` carries its window's new state (`window_state`), and the
  floor rooms get no `window_updated` for that same change (window rooms, /clerk and /admin still do);
- `stats` is pushed at most every QueueFiguresTicker.INTERVAL_S (services/figures.py), and to a floor
  only when that floor's figures changed since the last push.

After each `stats`, tracking pages connected to this process hear their ticket's new place
(`ticket_place`: `ahead`, `eta_minutes`, `eta_range`) when it moved, so no page polls.
"""
from __future__ import annotations

import logging
import queue as queue_module
from collections.abc import Callable, Iterable
from itertools import islice

from flask_socketio import SocketIO

from ..domain import events as ev
from ..domain.errors import HallError
from ..services.bus import Audience
from ..services.queries import Queries
from .wire import NAMESPACES, Wire

log = logging.getLogger("hallq.push")
# Each event once, with its audiences here, and for a call the WindowUpdated its frame carries.
Batch = list[tuple[ev.Event, list[Audience], ev.WindowUpdated | None]]


class SocketPush:
    audiences = tuple(NAMESPACES)

    def __init__(self, socketio: SocketIO, wire: Wire, queries: Queries, tracked_tickets: Callable[[], set[str]]):
        self.socketio = socketio
        self.wire = wire
        self.queries = queries
        self.tracked_tickets = tracked_tickets  # ids followed by tracking pages on this process
        self._queue: queue_module.Queue = queue_module.Queue()
        self._sent_places: dict[str, tuple] = {}  # ticket id -> (ahead, eta_minutes, eta_range) last pushed

    def take(self, event: ev.Event, audience: Audience) -> None:
        """The bus consumer: only queues (this runs on the thread of the command that committed)."""
        self._queue.put((event, audience))

    def run(self) -> None:
        """The background task that emits, forever: everything queued at the time, as one batch."""
        while True:
            items = [self._queue.get()]
            while not self._queue.empty():
                items.append(self._queue.get_nowait())
            for event, audiences, window in self._plan(items):
                try:
                    self._emit(event, audiences, window)
                    if isinstance(event, ev.QueueFiguresChanged) and Audience.FLOOR_SCREENS in audiences:
                        self._push_places()
                except Exception:  # a push failure must never stop later pushes
                    log.exception("push of %s failed", type(event).__name__)

    def _plan(self, items: list[tuple[ev.Event, Audience]]) -> Batch:
        """The queued (event, audience) pairs as events with their audiences, in order; a call's
        WindowUpdated then leaves the floor screens to the call's own frame."""
        grouped: list[tuple[ev.Event, list[Audience]]] = []
        for event, audience in items:
            if grouped and grouped[-1][0] is event:  # the same event's other audiences follow it in the queue
                grouped[-1][1].append(audience)
            else:
                grouped.append((event, [audience]))
        return [(event, audiences, self._pair(event, islice(grouped, i + 1, None))
                 if type(event) is ev.TicketCalled and Audience.FLOOR_SCREENS in audiences else None)
                for i, (event, audiences) in enumerate(grouped)]

    @staticmethod
    def _pair(call: ev.TicketCalled, later: Iterable[tuple[ev.Event, list[Audience]]]) -> ev.WindowUpdated | None:
        """The window's state after a call is the first WindowUpdated of that window after it (the same
        command saved the window: services/unit_of_work.collect_events). Not in this batch: both frames go."""
        window = call.ticket.window
        for event, audiences in later:
            if isinstance(event, ev.TicketCalled | ev.TicketRecalled) and event.ticket.window == window:
                return None
            if type(event) is ev.WindowUpdated and event.window == window:
                current = event.current
                if Audience.FLOOR_SCREENS in audiences and current is not None and current.id == call.ticket.id:
                    audiences.remove(Audience.FLOOR_SCREENS)
                    return event
                return None
        return None

    def _emit(self, event: ev.Event, audiences: list[Audience], window: ev.WindowUpdated | None) -> None:
        merged: list[list] = []  # [namespace, name, data, rooms (None: the whole namespace)]
        for audience in audiences:
            for d in self.wire.deliveries(event, audience, window):
                same = next((m for m in merged if m[0] == d.namespace and m[1] == d.name
                             and (m[2] is d.data or m[2] == d.data)), None)
                if same is None:
                    merged.append([d.namespace, d.name, d.data, None if d.rooms is None else list(d.rooms)])
                elif same[3] is not None:
                    same[3] = None if d.rooms is None else same[3] + list(d.rooms)
        for namespace, name, data, rooms in merged:
            if rooms != []:  # an empty list would mean everyone
                self.socketio.emit(name, data, to=rooms, namespace=namespace)

    def _push_places(self) -> None:
        """A waiting ticket's place moves whenever others are called or go before it: push it to the
        tracking pages on this process, only when it changed. A page applies it only while it waits."""
        tracked = self.tracked_tickets()
        self._sent_places = {k: v for k, v in self._sent_places.items() if k in tracked}
        if not tracked:
            return
        try:
            places = self.queries.places(sorted(tracked))
        except HallError as exc:
            log.warning("tracked tickets' places could not be computed: %s", exc.message)
            return
        for place in places:
            key = (place["ahead"], place["eta_minutes"], tuple(place["eta_range"] or ()))
            if self._sent_places.get(place["id"]) != key:
                self._sent_places[place["id"]] = key
                self.socketio.emit("ticket_place", place, to=f"ticket:{place['id']}", namespace="/display",
                                   ignore_queue=True)  # each process serves its own pages
