"""Socket.IO push: namespaces, rooms, and the publisher the service layer hands notifications to.

Rooms are scoped: /display `floor:N`, `window:W`, `ticket:ID` and `case:ID`; /clerk `window:W`; /admin
`admin`; /backoffice `department:CODE`.
Notifications carry their data (no "poke then refetch"). They are emitted in commit order by one
background task, so a slow socket never holds up the command that caused it; `stats` are coalesced
and sent at most twice a second.
"""
from __future__ import annotations

import logging
import queue as queue_module

from flask import request
from flask_socketio import Namespace, SocketIO, emit, join_room, leave_room

from ..domain.errors import HallError, Invalid, Unauthorized
from ..services.actors import ANONYMOUS
from ..services.hall import Notification, iso

log = logging.getLogger("hallq.push")
STATS_INTERVAL_S = 0.5
_SUBSCRIPTIONS = ("floor", "window", "ticket", "case")
_PLACES = object()  # the drain's cue to push tracked tickets' places


def _error(exc: HallError) -> dict:
    return {"error": {"code": exc.code, "message": exc.message}}


class SocketPublisher:
    def __init__(self, socketio: SocketIO):
        self.socketio = socketio
        self.hall = None  # set by the app factory
        self._queue: queue_module.Queue = queue_module.Queue()
        self._stats_dirty = True
        self._started = False
        self.tracked_tickets = lambda: set()  # ids followed by tracking pages here (set by the app factory)
        self._sent_places: dict[str, tuple] = {}  # ticket id -> (ahead, eta_minutes) last pushed

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.socketio.start_background_task(self._drain)
            self.socketio.start_background_task(self._stats_loop)

    # -- called by the service layer after each commit --------------------------------------
    def publish(self, notifications: list[Notification]) -> None:
        for note in notifications:
            self._queue.put(note)

    def stats_changed(self) -> None:
        self._stats_dirty = True

    # -- background tasks --------------------------------------------------------------------
    def _drain(self) -> None:
        while True:
            note = self._queue.get()
            try:
                if note is _PLACES:
                    self._push_places()
                else:
                    self.emit_now(note)
            except Exception:  # a push failure must never stop later pushes
                log.exception("push of %s failed", getattr(note, "event", "places"))

    def emit_now(self, note: Notification) -> None:
        sio = self.socketio
        if note.event == "ticket_called":
            sio.emit("ticket_called", note.data, to=[f"floor:{note.floor}", f"window:{note.window}"], namespace="/display")
        elif note.event == "window_updated":
            sio.emit("window_updated", note.data, to=[f"floor:{note.floor}", f"window:{note.window}"], namespace="/display")
            sio.emit("window_updated", note.data, to=f"window:{note.window}", namespace="/clerk")
            sio.emit("window_updated", note.data, to="admin", namespace="/admin")
        elif note.event == "ticket_updated":
            sio.emit("ticket_updated", note.data, to=f"ticket:{note.ticket}", namespace="/display")
        elif note.event == "alert":
            sio.emit("alert", note.data, to="admin", namespace="/admin")
        elif note.event == "call_audio":  # the spoken call, rendered after ticket_called (drivers/)
            sio.emit("call_audio", note.data, to=[f"floor:{note.floor}", f"window:{note.window}"], namespace="/display")
        elif note.event in ("case_routed", "case_updated"):  # with the applicant: the case's departments only
            sio.emit(note.event, note.data, to=[f"department:{d}" for d in note.departments], namespace="/backoffice")
        elif note.event == "case_at_window":  # masked, to the window that accepted it
            sio.emit("case_updated", note.data, to=f"window:{note.window}", namespace="/clerk")
        elif note.event == "case_tracked":  # public view, to the case's tracking page
            sio.emit("case_updated", note.data, to=f"case:{note.case}", namespace="/display")
        elif note.event == "ready_cases":  # numbers only; window screens list their floor's too
            windows = self.hall.service.config.windows_on(note.floor) if self.hall else []
            sio.emit("ready_cases", note.data, to=[f"floor:{note.floor}", *(f"window:{w}" for w in windows)],
                     namespace="/display")

    def _stats_loop(self) -> None:
        while True:
            self.socketio.sleep(STATS_INTERVAL_S)
            if not self._stats_dirty or self.hall is None:
                continue
            self._stats_dirty = False
            try:
                queues = self.hall.service.stats()
            except HallError as exc:  # the database is away (a restart): expected, said in one line
                log.warning("stats could not be computed: %s", exc.message)
                self._stats_dirty = True
                continue
            except Exception:
                log.exception("stats could not be computed")
                self._stats_dirty = True
                continue
            self.socketio.emit("stats", queues, to="admin", namespace="/admin")
            self.socketio.emit("stats", queues, namespace="/clerk")
            for floor in self.hall.service.config.floors:
                mine = [q for q in queues if q["floor"] == floor]
                self.socketio.emit("stats", mine, to=f"floor:{floor}", namespace="/display")
            self._queue.put(_PLACES)  # in line with the notifications, so it follows what came before

    def _push_places(self) -> None:
        """A waiting ticket's place moves whenever others are called or go before it: push the new
        `ahead`/`eta_minutes` as `ticket_place` to its tracking pages on this process (only when it
        changed), so no page polls. A page applies it only while its ticket is waiting."""
        tracked = self.tracked_tickets()
        self._sent_places = {k: v for k, v in self._sent_places.items() if k in tracked}
        if not tracked:
            return
        try:
            places = self.hall.service.places(sorted(tracked))
        except HallError as exc:
            log.warning("tracked tickets' places could not be computed: %s", exc.message)
            return
        for place in places:
            key = (place["ahead"], place["eta_minutes"])
            if self._sent_places.get(place["id"]) != key:
                self._sent_places[place["id"]] = key
                self.socketio.emit("ticket_place", place, to=f"ticket:{place['id']}", namespace="/display",
                                   ignore_queue=True)  # each process serves its own pages


def _token(auth) -> str | None:
    if isinstance(auth, dict):
        token = auth.get("token")
        return token if isinstance(token, str) else None
    return None


def _staff_or_refuse(hall, auth, *roles: str):
    """The actor behind a connect's token; refuse the connection (with the contract's error) otherwise."""
    try:
        actor = hall.accounts.authenticate(_token(auth))
        actor.require_staff(*roles)
    except HallError as exc:
        raise ConnectionRefusedError(_error(exc))
    return actor


class DisplayNamespace(Namespace):
    """Anyone: floor screens, window screens, tracking pages. Screens never get personal data."""

    def __init__(self, hall):
        super().__init__("/display")
        self.hall = hall
        self.rooms_of: dict[str, str] = {}

    def on_connect(self, auth=None):
        # A screen may subscribe in its connect auth, so a reconnect resubscribes by itself.
        if isinstance(auth, dict) and any(k in auth for k in _SUBSCRIPTIONS):
            self._subscribe({k: auth[k] for k in _SUBSCRIPTIONS if k in auth})

    def on_disconnect(self, reason=None):
        self.rooms_of.pop(request.sid, None)

    def tracked_tickets(self) -> set[str]:
        """Ids of the tickets that tracking pages connected here follow."""
        return {room.removeprefix("ticket:") for room in self.rooms_of.values() if room.startswith("ticket:")}

    def on_subscribe(self, data=None):
        return self._subscribe(data)

    def _subscribe(self, data) -> dict:
        try:
            room, snapshot = self._resolve(data)
        except HallError as exc:
            emit("error", _error(exc))
            return _error(exc)
        previous = self.rooms_of.get(request.sid)
        if previous and previous != room:
            leave_room(previous)
        join_room(room)
        self.rooms_of[request.sid] = room
        emit("snapshot", snapshot)
        return {"ok": True, "room": room}

    def _resolve(self, data) -> tuple[str, dict]:
        if not isinstance(data, dict) or len(data) != 1:
            raise Invalid('Subscribe with exactly one of {"floor": N}, {"window": W}, {"ticket": ID} or {"case": ID}.')
        (key, value), = data.items()
        service = self.hall.service
        if key == "floor":
            if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
                raise Invalid("floor must be a floor number.")
            return f"floor:{int(value)}", service.snapshot(floor=int(value))
        if key == "window":
            if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() or len(str(value)) > 6:
                raise Invalid("window must be a window number.")
            number = str(int(value))
            return f"window:{number}", service.snapshot(window=number)
        if key == "ticket":
            if not isinstance(value, str) or not 0 < len(value) <= 32:
                raise Invalid("ticket must be a ticket id.")
            return f"ticket:{value}", service.snapshot(ticket=value)
        if key == "case":
            if not isinstance(value, str) or not 0 < len(value) <= 32:
                raise Invalid("case must be a case id.")
            return f"case:{value}", {**self.hall.cases.get_case(ANONYMOUS, value), "at": iso(service.clock())}
        raise Invalid('Subscribe with exactly one of {"floor": N}, {"window": W}, {"ticket": ID} or {"case": ID}.')


class ClerkNamespace(Namespace):
    """Staff at a window: joins the room of the window its clerk is signed in to."""

    def __init__(self, hall):
        super().__init__("/clerk")
        self.hall = hall
        self.actors: dict[str, object] = {}

    def on_connect(self, auth=None):
        actor = _staff_or_refuse(self.hall, auth, "clerk", "admin")
        self.actors[request.sid] = actor
        self._join(actor)

    def on_disconnect(self, reason=None):
        self.actors.pop(request.sid, None)

    def on_join(self, data=None):
        """Sent after the clerk signs in at a window over HTTP, to follow that window."""
        actor = self.actors.get(request.sid)
        if actor is None:
            return _error(Unauthorized("Connect with a staff token first."))
        return self._join(actor)

    def _join(self, actor) -> dict:
        window = self.hall.service.window_of_clerk(actor.name)
        if window is None:
            return _error(Unauthorized("Sign in at a window first."))
        join_room(f"window:{window}")
        emit("window_updated", self.hall.service.window(actor, window))
        return {"ok": True, "window": window}


class AdminNamespace(Namespace):
    def __init__(self, hall):
        super().__init__("/admin")
        self.hall = hall

    def on_connect(self, auth=None):
        _staff_or_refuse(self.hall, auth, "admin")
        join_room("admin")
        emit("stats", self.hall.service.stats())


class BackofficeNamespace(Namespace):
    """Back-office staff: joins the room of its department, which receives that department's cases
    (case_routed, case_updated) with the applicant's details."""

    def __init__(self, hall):
        super().__init__("/backoffice")
        self.hall = hall

    def on_connect(self, auth=None):
        actor = _staff_or_refuse(self.hall, auth, "backoffice")
        join_room(f"department:{actor.department}")
