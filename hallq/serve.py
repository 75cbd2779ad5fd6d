"""The composition root, second half: the server process (`hallq serve`): the service layer
(bootstrap.py), then the Socket.IO push, the devices and the web adapter, subscribed to the bus
before the first request."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from flask import Flask
from flask_socketio import SocketIO

from drivers.router import DeviceRouter
from server import __version__
from server.adapters.device_lock import DeviceOwnership
from server.api.common import api
from server.push.message_queue import ResyncingRedisManager, client_manager
from server.push.publisher import SocketPush
from server.push.relay import EventRelay
from server.push.sessions import SessionCloser
from server.push.sockets import (AdminNamespace, BackofficeNamespace, ClerkNamespace, DisplayNamespace, KioskNamespace,
                                 OpenSockets)
from server.push.websocket import without_compression
from server.push.wire import Wire
from server.services.bus import Audience
from server.web.flask_app import MAX_BODY_BYTES, create_flask_app
from server.web.proxies import parse_trusted

from .bootstrap import build_hall, utc_now
from .devices import DeviceDuty


def create_server(config_path: str | None, db_url: str, async_mode: str = "eventlet",
                  message_queue: str | None = None, channel: str = "flask-socketio",
                  clock: Callable[[], dt.datetime] = utc_now, trusted_proxies: tuple[str, ...] = ()) -> tuple[Flask, SocketIO]:
    """The hall's server process: the service layer, the web adapter, the push and the devices.
    `trusted_proxies`: addresses or CIDR blocks whose X-Forwarded-For names the client (ValueError if bad)."""
    proxies = parse_trusted(trusted_proxies)
    hall, database = build_hall(config_path, db_url, async_mode, clock, migrate_apart=True)
    manager = client_manager(message_queue, channel)
    # async_handlers=False: a client's events are handled one after another on its own connection's
    # reader, not each on a task of its own; a flood of events from one socket then costs that socket's
    # reader the time, and the screens' namespace can refuse and cut it before reading the rest
    # (issue 14; push/screens.py).
    socketio = SocketIO(async_mode=async_mode, max_http_buffer_size=MAX_BODY_BYTES, ping_interval=10,
                        ping_timeout=10, client_manager=manager, async_handlers=False)

    display = DisplayNamespace(hall)
    manager.room_listener = display.snapshots.changed  # each emit to a screen room: that room changed
    push = SocketPush(socketio, Wire(hall), hall.queries, display.tracked_tickets)
    for audience in SocketPush.audiences:
        hall.bus.subscribe(audience, push.take)

    open_sockets = OpenSockets()
    redis_url = message_queue if isinstance(manager, ResyncingRedisManager) else None
    sessions = SessionCloser(socketio, open_sockets, hall.accounts.live_tokens, redis_url, f"{channel}:sessions")
    hall.bus.subscribe(Audience.SESSIONS, sessions.take)

    router = DeviceRouter(hall.config, hall.device_desk, hall.bus.publish)
    relay = EventRelay(message_queue, f"{channel}:devices") if isinstance(manager, ResyncingRedisManager) else None
    duty = DeviceDuty(router, DeviceOwnership(database, hall.config.hall.code), relay, hall.queries.current_state,
                      socketio.start_background_task, socketio.sleep)
    if not router.empty:
        hall.bus.subscribe(Audience.DEVICES, relay.publish if relay else duty.take)

    openapi = json.dumps(api.openapi(f"hallq — {hall.config.hall.name}", __version__), ensure_ascii=False)
    app = create_flask_app(hall, openapi, router.audio_folder, proxies)
    app.extensions["hallq.commit_figures"] = database.commit_figures  # GET /health's group_commit
    socketio.init_app(app)
    without_compression(socketio.server.eio)  # frames are built once per emit, not once per socket
    for namespace in (display, ClerkNamespace(hall, open_sockets), AdminNamespace(hall, open_sockets),
                      BackofficeNamespace(hall, open_sockets), KioskNamespace(hall, open_sockets)):
        socketio.on_namespace(namespace)

    hall.housekeeping.start_of_service()
    socketio.start_background_task(push.run)
    socketio.start_background_task(sessions.run)
    if redis_url:
        socketio.start_background_task(sessions.listen)
    socketio.start_background_task(hall.figures.run, socketio.sleep)
    socketio.start_background_task(hall.housekeeping.run, socketio.sleep)
    socketio.start_background_task(hall.supervision.run, socketio.sleep)
    socketio.start_background_task(hall.notice_delivery.run, socketio.sleep)
    if not router.empty:
        socketio.start_background_task(duty.run)
    return app, socketio
