"""Socket.IO namespaces: who may connect, and which rooms a connection joins.

Rooms are scoped: /display `floor:N`, `window:W`, `ticket:ID` and `case:ID`; /clerk `window:W`; /admin
`admin`; /backoffice `department:CODE`; /kiosk `kiosk:NAME`. What reaches each room, and when, is the message bus's
business (server/services/bus.py, server/push/publisher.py); here a connection gets its starting
state (a screen's `snapshot`, a clerk's window, the admin's stats).
"""
from __future__ import annotations

import logging
import re

from flask import request
from flask_socketio import Namespace, emit, join_room, leave_room

from ..domain.errors import Forbidden, HallError, Invalid, NotFound, Reason, Unauthorized, Unavailable
from ..services.accounts import hash_token
from ..services.actors import ANONYMOUS, Actor
from ..services.hall import Hall
from ..services.views import iso
from .screens import SnapshotCache, SocketAllowance, Verdict

log = logging.getLogger("hallq.push")
_SUBSCRIPTIONS = ("floor", "window", "ticket", "case")
_ONE_OF = 'Subscribe with exactly one of {"floor": N}, {"window": W}, {"ticket": ID} or {"case": ID}.'
# ASCII only: "²".isdigit() is true and int("٣") is 3; a floor or window number has a few digits.
_NUMBER = re.compile(r"-?[0-9]{1,4}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")  # ticket and case ids are URL-safe tokens (secrets.token_urlsafe)


def error_body(exc: HallError) -> dict:
    """The contract's error shape, as the HTTP API answers it."""
    body = {"code": exc.code, "reason": exc.reason.value, "message": exc.message}
    if exc.detail:
        body["detail"] = exc.detail
    return {"error": body}


def _token(auth) -> str | None:
    if isinstance(auth, dict):
        token = auth.get("token")
        return token if isinstance(token, str) else None
    return None


class OpenSockets:
    """Which principal and token each connection that signed in with a token stands for, on this process:
    when a principal's access ends (AccessRevoked, or the sweep finds its token dead) push/sessions.py
    closes exactly those connections."""

    def __init__(self):
        self._holders: dict[tuple[str, str], tuple[str, str]] = {}  # (namespace, sid) -> (principal, token hash)

    def opened(self, namespace: str, actor: Actor, token: str) -> None:
        self._holders[(namespace, request.sid)] = (actor.principal, hash_token(token))

    def closed(self, namespace: str) -> None:
        self._holders.pop((namespace, request.sid), None)

    def of(self, principal: str, token_hash: str | None = None) -> list[tuple[str, str]]:
        """The (namespace, sid) of the principal's connections (only those of one token, if given)."""
        return [key for key, (who, digest) in list(self._holders.items())
                if who == principal and (token_hash is None or digest == token_hash)]

    def token_hashes(self) -> set[str]:
        return {digest for _who, digest in list(self._holders.values())}

    def holding(self, token_hashes: set[str]) -> list[tuple[str, str]]:
        return [key for key, (_who, digest) in list(self._holders.items()) if digest in token_hashes]


def _staff_or_refuse(hall: Hall, auth, *roles: str):
    """The actor behind a connect's token; refuse the connection (with the contract's error) otherwise.
    A namespace registers the connection in OpenSockets once its connect has succeeded."""
    try:
        actor = hall.accounts.authenticate(_token(auth))
        actor.require_staff(*roles)
    except HallError as exc:
        raise ConnectionRefusedError(error_body(exc))
    return actor


class DisplayNamespace(Namespace):
    """Anyone: floor screens, window screens, tracking pages. Screens never get personal data."""

    def __init__(self, hall: Hall):
        super().__init__("/display")
        self.hall = hall
        self.rooms_of: dict[str, str] = {}
        self.snapshots = SnapshotCache(self._build_snapshot, hall.config.windows_on)
        self.allowance = SocketAllowance()

    def on_connect(self, auth=None):
        # A screen may subscribe in its connect auth, so a reconnect resubscribes by itself.
        if isinstance(auth, dict) and any(k in auth for k in _SUBSCRIPTIONS):
            self._subscribe({k: auth[k] for k in _SUBSCRIPTIONS if k in auth})

    def on_disconnect(self, reason=None):
        self.rooms_of.pop(request.sid, None)
        self.allowance.forget(request.sid)

    def tracked_tickets(self) -> set[str]:
        """Ids of the tickets that tracking pages connected here follow."""
        return {room.removeprefix("ticket:") for room in self.rooms_of.values() if room.startswith("ticket:")}

    def trigger_event(self, event, *args):
        """Every event a client sends is counted against its allowance (screens.SocketAllowance) before
        anything else is done for it, even before Flask's request context, which costs more than the
        refusal."""
        if event in ("connect", "disconnect"):
            return super().trigger_event(event, *args)
        sid = args[0]
        try:
            verdict = self.allowance.check(sid)
            if verdict == Verdict.ALLOWED:
                return super().trigger_event(event, *args)
            if verdict == Verdict.CUT:
                self._cut(sid)
            # The answer only: an `error` event as well would double what a flood costs.
            return error_body(Unavailable("This connection sends too many events; a screen subscribes once.",
                                          Reason.TOO_MANY_REQUESTS))
        finally:
            # Events are handled on the connection's own reader (serve.py: async_handlers=False), which
            # reads on without pausing while a flood is buffered: let kiosks and clerks run between two.
            self.socketio.sleep(0)

    def on_subscribe(self, data=None):
        return self._subscribe(data)

    def _subscribe(self, data) -> dict:
        try:
            room, snapshot = self._resolve(data)
        except HallError as exc:
            emit("error", error_body(exc))
            return error_body(exc)
        previous = self.rooms_of.get(request.sid)
        if previous and previous != room:
            leave_room(previous)
        join_room(room)
        self.rooms_of[request.sid] = room
        emit("snapshot", snapshot)
        return {"ok": True, "room": room}

    def _resolve(self, data) -> tuple[str, dict]:
        """The room a subscription names, checked (issue 14: hostile values get a refusal, never a
        traceback), and what a subscriber gets at once. Floors and windows must exist, so the snapshot
        cache holds one entry per floor and window of the hall at most."""
        if not isinstance(data, dict) or len(data) != 1:
            raise Invalid(_ONE_OF, Reason.INVALID_SUBSCRIPTION)
        (key, value), = data.items()
        if key == "floor":
            number = _number(value)
            if number is None:
                raise Invalid("floor must be a floor number.", Reason.INVALID_FLOOR)
            if int(number) not in self.hall.config.floors:
                raise NotFound(f"There is no floor {number}.", Reason.NO_SUCH_FLOOR)
            room = f"floor:{int(number)}"
            return room, self.snapshots.get(room)
        if key == "window":
            number = _number(value)
            if number is None or number.startswith("-"):
                raise Invalid("window must be a window number.", Reason.INVALID_WINDOW_NUMBER)
            if str(int(number)) not in self.hall.config.windows:
                raise NotFound(f"There is no window {int(number)}.", Reason.NO_SUCH_WINDOW)
            room = f"window:{int(number)}"
            return room, self.snapshots.get(room)
        if key in ("ticket", "case"):
            if not isinstance(value, str) or not _ID.fullmatch(value):
                raise Invalid(f"{key} must be a {key} id.", Reason.INVALID_SUBSCRIPTION)
            # The tracking page's own ticket or case: read through the public lane (runner.read).
            found = (self.hall.queries.get_ticket(value) if key == "ticket"
                     else self.hall.cases.get_case(ANONYMOUS, value))
            return f"{key}:{value}", {**found, "at": iso(self.hall.clock())}
        raise Invalid(_ONE_OF, Reason.INVALID_SUBSCRIPTION)

    def _cut(self, sid: str) -> None:
        """Close a flooding socket's connection, not only its namespace: what it still has in flight is
        then never read (a namespace disconnect would leave the reader decoding every buffered event)."""
        server = self.socketio.server
        environ = server.get_environ(sid, self.namespace) or {}
        log.warning("a /display socket from %s kept flooding after its refusals; disconnected",
                    environ.get("REMOTE_ADDR", "?"))
        eio_sid = server.manager.eio_sid_from_sid(sid, self.namespace)
        connection = server.eio.sockets.get(eio_sid) if eio_sid else None
        if connection is None:
            server.disconnect(sid, namespace=self.namespace)
            return
        connection.close(wait=False, abort=True)
        # Under eventlet the reader reads on while the flood is buffered, before the connection's writer
        # gets its turn to close the transport; closing the client's socket here ends the reading now.
        request_input = environ.get("eventlet.input")
        client_socket = request_input.get_socket() if hasattr(request_input, "get_socket") else None
        if client_socket is not None:
            client_socket.close()

    def _build_snapshot(self, room: str) -> dict:
        kind, number = room.split(":", 1)
        if kind == "floor":
            return self.hall.queries.snapshot(floor=int(number))
        return self.hall.queries.snapshot(window=number)


def _number(value) -> str | None:
    """A floor or window number as ASCII digits (an int, or a string of them), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if -9999 <= value <= 9999 else None
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return value
    return None


class ClerkNamespace(Namespace):
    """Staff at a window: joins the room of the window its clerk is signed in to."""

    def __init__(self, hall: Hall, sockets: OpenSockets):
        super().__init__("/clerk")
        self.hall = hall
        self.sockets = sockets
        self.actors: dict[str, object] = {}

    def on_connect(self, auth=None):
        actor = _staff_or_refuse(self.hall, auth, "clerk", "admin")
        self.actors[request.sid] = actor
        self._join(actor)
        self.sockets.opened(self.namespace, actor, _token(auth))

    def on_disconnect(self, reason=None):
        self.actors.pop(request.sid, None)
        self.sockets.closed(self.namespace)

    def on_join(self, data=None):
        """Sent after the clerk signs in at a window over HTTP, to follow that window."""
        actor = self.actors.get(request.sid)
        if actor is None:
            return error_body(Unauthorized("Connect with a staff token first.", Reason.TOKEN_MISSING))
        return self._join(actor)

    def _join(self, actor) -> dict:
        window = self.hall.queries.window_of_clerk(actor.name)
        if window is None:
            return error_body(Unauthorized("Sign in at a window first.", Reason.NOT_AT_A_WINDOW))
        join_room(f"window:{window}")
        emit("window_updated", self.hall.queries.window(actor, window))
        return {"ok": True, "window": window}


class AdminNamespace(Namespace):
    def __init__(self, hall: Hall, sockets: OpenSockets):
        super().__init__("/admin")
        self.hall = hall
        self.sockets = sockets

    def on_connect(self, auth=None):
        actor = _staff_or_refuse(self.hall, auth, "admin", "supervisor")  # supervisors watch the board too
        join_room("admin")
        emit("stats", self.hall.queries.stats())
        self.sockets.opened(self.namespace, actor, _token(auth))

    def on_disconnect(self, reason=None):
        self.sockets.closed(self.namespace)


class BackofficeNamespace(Namespace):
    """Back-office staff: joins the room of its department, which receives that department's cases
    (case_routed, case_updated) with the applicant's details."""

    def __init__(self, hall: Hall, sockets: OpenSockets):
        super().__init__("/backoffice")
        self.hall = hall
        self.sockets = sockets

    def on_connect(self, auth=None):
        actor = _staff_or_refuse(self.hall, auth, "backoffice")
        for department in actor.departments:
            join_room(f"department:{department}")
        self.sockets.opened(self.namespace, actor, _token(auth))

    def on_disconnect(self, reason=None):
        self.sockets.closed(self.namespace)


class KioskNamespace(Namespace):
    """A kiosk's page, with the kiosk's device token: joins room `kiosk:NAME`, where the ID cards read
    by the reader attached to that kiosk arrive (`id_card`, with the full number: nowhere else). On
    connect it hears `kiosk` {"reader": true|false}, so the page offers 刷身份证 only where a reader
    is. Staff (the guide desk's page) connect too, and have no reader."""

    def __init__(self, hall: Hall, sockets: OpenSockets):
        super().__init__("/kiosk")
        self.hall = hall
        self.sockets = sockets

    def on_disconnect(self, reason=None):
        self.sockets.closed(self.namespace)

    def on_connect(self, auth=None):
        try:
            actor = self.hall.accounts.authenticate(_token(auth))
            if actor.kind == "anonymous":
                raise Unauthorized("Connect with the kiosk's device token.", Reason.TOKEN_MISSING)
            if not actor.is_staff and not (actor.kind == "device" and actor.role == "kiosk"):
                raise Forbidden(f"A {actor.role} device is not a kiosk.", Reason.ROLE_NOT_ALLOWED)
        except HallError as exc:
            raise ConnectionRefusedError(error_body(exc))
        reader, printer = False, None
        if not actor.is_staff:
            join_room(f"kiosk:{actor.name}")
            reader = any(d.kind == "id_reader" and d.attach == f"kiosk:{actor.name}" for d in self.hall.config.devices)
            printer = self.hall.printing.kiosk_printer(actor.name)  # then `printer` on each change
        emit("kiosk", {"reader": reader, "printer": printer})
        self.sockets.opened(self.namespace, actor, _token(auth))
