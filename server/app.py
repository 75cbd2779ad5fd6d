"""The app factory: wires config, database, service layer, HTTP API and Socket.IO push together."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from flask import Flask, Response, abort, request, send_from_directory
from flask_socketio import SocketIO
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from . import __version__
from .adapters.engine import make_engine, migrate
from .api.http import api
from .config import HallConfig, load_config
from .domain.errors import HallError, Throttled
from .push.message_queue import ResyncingRedisManager
from .push.sockets import AdminNamespace, BackofficeNamespace, ClerkNamespace, DisplayNamespace, SocketPublisher
from .services.accounts import Accounts
from .services.cases import CaseService
from .services.hall import HallService
from .services.ratings import Ratings
from .web.pages import pages

log = logging.getLogger("hallq")
MAX_BODY_BYTES = 64 * 1024

STATUS = {"invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
          "queue_empty": 409, "unavailable": 503}
_HTTP_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "invalid",
               409: "conflict", 413: "invalid", 414: "invalid", 415: "invalid", 429: "unavailable", 431: "invalid"}


@dataclass
class Hall:
    """What the adapters reach through `current_app.extensions["hallq"]`."""
    config: HallConfig
    service: HallService
    accounts: Accounts
    cases: CaseService
    openapi_json: str
    ratings: Ratings | None = None
    devices: object = None  # drivers.hub.DeviceHub, when served


class _ChunkedBodies:
    """eventlet's and gevent's servers de-chunk `Transfer-Encoding: chunked` bodies but do not say so;
    without this flag Werkzeug reads such a body as empty. MAX_CONTENT_LENGTH still applies."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            environ["wsgi.input_terminated"] = True
        return self.wsgi_app(environ, start_response)


def error_response(code: str, message: str, status: int | None = None, headers=None) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    return Response(body, status=status or STATUS[code], mimetype="application/json", headers=headers)


def thread_runner(async_mode: str | None):
    """A function running CPU-heavy work on a real OS thread without blocking the event loop."""
    if async_mode == "eventlet":
        from eventlet import tpool
        return tpool.execute
    if async_mode == "gevent":
        import gevent
        return lambda fn, *args: gevent.get_hub().threadpool.apply(fn, args)
    return None


def build_hall(config_path: str | None, db_url: str, publisher=None, async_mode: str | None = None) -> Hall:
    """The hall without any web server: used by the app factory and by the CLI."""
    config = load_config(config_path)
    migrate(db_url)
    engine = make_engine(db_url, thread_runner(async_mode))
    service = HallService(config, engine, publisher)
    accounts = Accounts(engine, service.clock, set(config.departments), thread_runner(async_mode))
    return Hall(config, service, accounts, CaseService(service), openapi_json="", ratings=Ratings(service))


def create_app(config_path: str | None, db_url: str, async_mode: str = "eventlet",
               message_queue: str | None = None, channel: str = "flask-socketio") -> tuple[Flask, SocketIO]:
    app = Flask(__name__, static_folder=None)
    app.wsgi_app = _ChunkedBodies(app.wsgi_app)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.ensure_ascii = False
    queue = {}
    if message_queue and message_queue.startswith(("redis://", "rediss://")):
        queue = {"client_manager": ResyncingRedisManager(message_queue, channel)}
    elif message_queue:
        queue = {"message_queue": message_queue, "channel": channel}
    socketio = SocketIO(app, async_mode=async_mode, max_http_buffer_size=MAX_BODY_BYTES,
                        ping_interval=10, ping_timeout=10, **queue)
    publisher = SocketPublisher(socketio)
    hall = build_hall(config_path, db_url, publisher, async_mode)
    hall.openapi_json = json.dumps(api.openapi(f"hallq — {hall.config.hall.name}", __version__), ensure_ascii=False)
    publisher.hall = hall
    app.extensions["hallq"] = hall
    _attach_devices(app, hall, publisher)

    hall.service.install_windows()
    hall.service.close_stale_day()
    hall.service.purge_idempotency()
    hall.accounts.purge()

    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages)
    display = DisplayNamespace(hall)
    publisher.tracked_tickets = display.tracked_tickets
    for namespace in (display, ClerkNamespace(hall), AdminNamespace(hall), BackofficeNamespace(hall)):
        socketio.on_namespace(namespace)

    @app.errorhandler(HallError)
    def _hall_error(exc: HallError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else None
        status = 429 if isinstance(exc, Throttled) else STATUS[exc.code]
        return error_response(exc.code, exc.message, status, headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code == 404:
            return error_response("not_found", f"There is no {request.path} here; see /api/v1/openapi.json.", 404)
        if exc.code == 405:
            return error_response("invalid", f"{request.method} is not allowed on {request.path}.", 405)
        if exc.code == 413:
            return error_response("invalid", f"The request is larger than {MAX_BODY_BYTES} bytes.", 413)
        code = _HTTP_CODES.get(exc.code or 400, "invalid" if (exc.code or 500) < 500 else "unavailable")
        return error_response(code, exc.description or "The request could not be handled.", exc.code)

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        # The database went away mid-request (a restart, a network cut): the transaction rolled back.
        log.warning("database error on %s %s: %s", request.method, request.path, exc.__class__.__name__)
        return error_response("unavailable", "The hall database did not answer; nothing was changed. Try again in a moment.")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response("unavailable", "The server could not complete this request; it was not carried out. Try again.", 500)

    @app.before_request
    def _start_push():
        publisher.start()

    app.extensions["hallq.socketio"] = socketio
    publisher.start()
    socketio.start_background_task(_housekeeping, socketio, hall)
    return app, socketio


def _attach_devices(app: Flask, hall: Hall, publisher: SocketPublisher) -> None:
    """Printers, speakers, LED screens, pagers and evaluators of the config's [[devices]] (drivers/):
    they get every notification after the commit, like the sockets, and report health as alerts."""
    from drivers.hub import DeviceHub, Fanout
    hub = DeviceHub(hall.config, hall.service, hall.ratings, sink=publisher.publish)
    hall.devices = hub
    if not hub.empty:
        hall.service.publisher = Fanout(publisher, hub)
        hub.start()

    @app.get("/audio/<device>/<name>")
    def _call_audio(device: str, name: str):
        folder = hub.audio_folder(device)
        if folder is None or not name.endswith(".wav"):
            abort(404)
        return send_from_directory(folder, name, mimetype="audio/wav", max_age=3600)


def _housekeeping(socketio: SocketIO, hall: Hall) -> None:
    """Once a minute: raise deadline alerts of cases; at the day's turn, cancel what is left of
    yesterday and drop old idempotency keys."""
    day = hall.service.today()
    while True:
        try:
            hall.cases.check_deadlines()
        except Exception:
            log.exception("deadline check failed")
        socketio.sleep(60)
        try:
            if hall.service.today() != day:
                day = hall.service.today()
                hall.service.close_stale_day()
                hall.service.purge_idempotency()
                hall.accounts.purge()
        except Exception:  # the database may be restarting; try again next minute
            log.exception("housekeeping failed")
