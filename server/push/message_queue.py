"""The Redis message queue that carries Socket.IO events between server processes, made to survive a
Redis restart without leaving screens stale.

While Redis is away, events published by any process are lost (python-socketio logs "giving up")
and no process hears the others. When this process's subscription comes back, it closes the
websockets of its own clients without a goodbye; their Socket.IO clients reconnect by themselves and
receive a fresh `snapshot` (window state, recent calls, stats), so every screen is right again within
seconds. A closed transport, unlike a server "disconnect", makes clients reconnect.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import socketio

log = logging.getLogger("hallq.push")
RETRY_S = 0.5  # python-socketio backs off up to 60 s; a hall wants its screens back in seconds
RESYNC_DELAY_S = 0.2  # let the re-subscription reach Redis before clients come back
# (namespace, rooms): rooms a room, a list of rooms or None (the whole namespace); namespace None: all.
RoomListener = Callable[[str | None, object], None]


class RoomWatch(socketio.Manager):
    """A client manager that tells a listener of every emit it delivers to this process's clients
    (screens' snapshot cache: push/screens.py). Placed after the queue's manager in a class's bases,
    it also sees what other processes emit: a queue manager delivers what it hears through this emit."""
    room_listener: RoomListener | None = None

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        if self.room_listener is not None:
            self.room_listener(namespace, to or room)  # before delivery: a snapshot read now sees the change
        return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs)


def client_manager(url: str | None, channel: str) -> socketio.Manager:
    """The Socket.IO client manager for a server process: a RoomWatch, over the message queue at `url`
    (Redis: resyncing after an outage) or none."""
    if not url:
        return RoomWatch()
    if url.startswith(("redis://", "rediss://")):
        return ResyncingRedisManager(url, channel)
    queue_class = socketio.KafkaManager if url.startswith("kafka://") else (
        socketio.ZmqManager if url.startswith("zmq") else socketio.KombuManager)
    watched = type(f"Watched{queue_class.__name__}", (queue_class, RoomWatch), {})
    return watched(url, channel=channel)


class ResyncingRedisManager(socketio.RedisManager, RoomWatch):
    def __init__(self, url: str, channel: str):
        super().__init__(url, channel=channel, redis_options={"socket_connect_timeout": 2})
        self._subscribed_before = False
        self._resync_pending = False

    def _redis_connect(self):
        super()._redis_connect()
        # redis-py re-subscribes a PubSub by itself when it reconnects, calling on_connect as it does:
        # that is the moment this process hears the others again. (It keeps a weak reference to a
        # bound method, hence a method of this long-lived manager.)
        self.pubsub.on_connect = self._pubsub_connected

    def _pubsub_connected(self, connection) -> None:
        type(self.pubsub).on_connect(self.pubsub, connection)
        self._heard_again()

    def _heard_again(self) -> None:
        if self._subscribed_before:
            self._schedule_resync()
        self._subscribed_before = True

    def _redis_listen_with_retries(self):  # as the library's, with a short fixed retry
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    self._heard_again()
                yield from self.pubsub.listen()
            except Exception as exc:
                log.warning("message queue unreachable (%s); retrying in %s s", exc, RETRY_S)
                subscribed = False
                self.server.sleep(RETRY_S)

    def _schedule_resync(self) -> None:
        if not self._resync_pending:
            self._resync_pending = True
            self.server.start_background_task(self._resync)

    def _resync(self) -> None:
        self.server.sleep(RESYNC_DELAY_S)
        self._resync_pending = False
        if self.room_listener is not None:  # what other processes emitted meanwhile never arrived
            self.room_listener(None, None)
        sockets = list(self.server.eio.sockets.values())
        log.warning("message queue is back: reconnecting this process's %d clients for fresh snapshots", len(sockets))
        for sock in sockets:
            sock.close(wait=False, abort=True)


def emit_only(url: str, channel: str = "flask-socketio"):
    """A Socket.IO emitter for a process that serves no clients (a device driver, a script): what it
    emits reaches the clients of every server process of the hall through the message queue.
    `async_mode="threading"`: left to choose, Flask-SocketIO would load eventlet unpatched here
    (research/platform.md §7)."""
    from flask_socketio import SocketIO
    return SocketIO(message_queue=url, channel=channel, async_mode="threading")
