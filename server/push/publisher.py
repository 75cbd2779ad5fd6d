"""The Socket.IO side of the message bus: it takes the events of every Socket.IO audience after their
commit and emits them from one background task, in commit order, so a slow socket never holds up
the command that caused it. Audiences of one event that share a message share one emit.

After each `stats`, tracking pages connected to this process hear their ticket's new place
(`ticket_place`: `ahead`, `eta_minutes`, `eta_range`) when it moved, so no page polls.
"""
from __future__ import annotations

import logging
import queue as queue_module
from collections.abc import Callable

from flask_socketio import SocketIO

from ..domain import events as ev
from ..domain.errors import HallError
from ..services.bus import Audience
from ..services.queries import Queries
from .wire import NAMESPACES, Wire

log = logging.getLogger("hallq.push")


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
        """The background task that emits, forever."""
        while True:
            event, audience = self._queue.get()
            audiences = [audience]
            while not self._queue.empty() and self._queue.queue[0][0] is event:  # the same event's other audiences
                audiences.append(self._queue.get_nowait()[1])
            try:
                self._emit(event, audiences)
                if isinstance(event, ev.QueueFiguresChanged) and Audience.FLOOR_SCREENS in audiences:
                    self._push_places()
            except Exception:  # a push failure must never stop later pushes
                log.exception("push of %s failed", type(event).__name__)

    def _emit(self, event: ev.Event, audiences: list[Audience]) -> None:
        merged: list[list] = []  # [namespace, name, data, rooms (None: the whole namespace)]
        for audience in audiences:
            for d in self.wire.deliveries(event, audience):
                same = next((m for m in merged if m[:3] == [d.namespace, d.name, d.data]), None)
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
