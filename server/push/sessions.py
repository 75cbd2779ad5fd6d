"""Closing the sockets of a principal whose access ended (CONTRACT v2: "its open sockets are closed").

AccessRevoked reaches this process's bus after the commit of a logout, a password change, a disabled
or removed account, a revoked or rotated device; `SessionCloser` closes the matching connections of
this process (sockets.OpenSockets) and, when the hall runs several processes over Redis, publishes
the event on the hall's sessions channel, where every other process hears it and closes its own.

What the bus never hears of (a change made by the command line, another process while Redis was
away, a staff token that expired) the sweep finds: every SWEEP_EVERY it asks the database which of
the open sockets' tokens still stand for someone, and closes the others.
"""
from __future__ import annotations

import json
import logging
import queue as queue_module
import uuid
from collections.abc import Callable

import redis
from flask_socketio import SocketIO

from ..domain import events as ev
from ..services.bus import Audience
from .sockets import OpenSockets

log = logging.getLogger("hallq.sessions")
SWEEP_EVERY_S = 3.0
RETRY_S = 0.5


class SessionCloser:
    def __init__(self, socketio: SocketIO, sockets: OpenSockets, live_tokens: Callable[[list[str]], set[str]],
                 redis_url: str | None = None, channel: str | None = None):
        self.socketio = socketio
        self.sockets = sockets
        self.live_tokens = live_tokens
        self.redis_url, self.channel = redis_url, channel
        self.process = uuid.uuid4().hex  # so a process skips its own messages on the channel
        self._queue: queue_module.Queue = queue_module.Queue()

    def take(self, event: ev.Event, _audience: Audience) -> None:
        """The bus consumer (on the committing thread): only queues."""
        if isinstance(event, ev.AccessRevoked):
            self._queue.put((event, True))

    def run(self) -> None:
        """The background task: close what revocations name, publish local ones, sweep in between."""
        while True:
            try:
                event, local = self._queue.get(timeout=SWEEP_EVERY_S)
            except queue_module.Empty:
                self._sweep()
                continue
            try:
                self._close(self.sockets.of(event.principal, event.token_hash), event.why)
                if local and self.redis_url:
                    self._publish(event)
            except Exception:  # closing one principal's sockets must never stop the next
                log.exception("closing the sockets of %s failed", event.principal)

    def _sweep(self) -> None:
        hashes = self.sockets.token_hashes()
        if not hashes:
            return
        try:
            dead = hashes - self.live_tokens(sorted(hashes))
        except Exception as exc:  # the database away: the next sweep tries again
            log.warning("socket sweep skipped: %s", exc.__class__.__name__)
            return
        if dead:
            self._close(self.sockets.holding(dead), "token_ended")

    def _close(self, connections: list[tuple[str, str]], why: str) -> None:
        for namespace, sid in connections:
            log.info("closing %s socket %s: %s", namespace, sid, why)
            self.socketio.server.disconnect(sid, namespace=namespace, ignore_queue=True)

    # ---------------------------------------------------------------- across processes (Redis)
    def _publish(self, event: ev.AccessRevoked) -> None:
        message = json.dumps({"from": self.process, "data": ev.encode(event)})
        try:
            redis.Redis.from_url(self.redis_url, socket_connect_timeout=2).publish(self.channel, message)
        except redis.RedisError as exc:
            log.warning("sessions channel: %s; other processes find %s by their sweep", exc.__class__.__name__,
                        event.principal)

    def listen(self) -> None:
        """The background task of a process among several: hear the others' revocations."""
        while True:
            try:
                pubsub = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    try:
                        data = json.loads(message["data"])
                        if data["from"] != self.process:
                            self._queue.put((ev.decode("access", "revoked", data["data"]), False))
                    except (ValueError, KeyError, TypeError):
                        log.exception("sessions channel: a message that is no revocation was dropped")
            except redis.RedisError as exc:
                log.warning("sessions channel unreachable (%s); retrying", exc.__class__.__name__)
                self.socketio.sleep(RETRY_S)
