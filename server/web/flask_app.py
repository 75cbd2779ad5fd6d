"""The Flask application: the API's routes, the pages, the call audio, and every error in the contract's
shape. Here alone a refusal's code becomes an HTTP status."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response, abort, request, send_from_directory
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from ..api import http, http_accounts, http_advice, http_alerts, http_appointments, http_cases, http_ratings, http_reports  # noqa: F401  (their routes register on the API)
from ..api.common import api
from ..domain.errors import HallError, Reason, Throttled
from ..domain.text import for_log
from ..services.hall import Hall
from .pages import pages
from .proxies import ClientAddress, Network

log = logging.getLogger("hallq")
MAX_BODY_BYTES = 64 * 1024

STATUS = {"invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
          "queue_empty": 409, "unavailable": 503}
_HTTP_ERRORS = {414: ("invalid", Reason.REQUEST_TOO_LARGE), 431: ("invalid", Reason.REQUEST_TOO_LARGE),
                429: ("unavailable", Reason.TOO_MANY_ATTEMPTS)}  # the rest: 404, 405 and 413 below


class _ChunkedBodies:
    """eventlet's and gevent's servers de-chunk `Transfer-Encoding: chunked` bodies but do not say so;
    without this flag Werkzeug reads such a body as empty. MAX_CONTENT_LENGTH still applies."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            environ["wsgi.input_terminated"] = True
        return self.wsgi_app(environ, start_response)


def error_response(code: str, reason: Reason, message: str, status: int | None = None, detail: dict | None = None,
                   headers=None) -> Response:
    error = {"code": code, "reason": reason.value, "message": message}
    if detail:
        error["detail"] = detail
    return Response(json.dumps({"error": error}, ensure_ascii=False), status=status or STATUS[code],
                    mimetype="application/json", headers=headers)


def _protective_headers(response: Response) -> Response:
    """On every answer, page or file: no other site may frame a page (clickjacking a clerk's or admin's
    buttons; no page of the hall is meant to be embedded), and browsers take the declared content type
    as it is instead of sniffing one."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def create_flask_app(hall: Hall, openapi_json: str, audio_folder: Callable[[str], Path | None],
                     trusted_proxies: tuple[Network, ...] = ()) -> Flask:
    app = Flask("hallq", static_folder=None)
    app.wsgi_app = ClientAddress(_ChunkedBodies(app.wsgi_app), trusted_proxies)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.ensure_ascii = False
    app.extensions["hallq"] = hall
    app.extensions["hallq.openapi"] = openapi_json
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages)
    app.after_request(_protective_headers)

    @app.get("/audio/<device>/<name>")
    def _call_audio(device: str, name: str):
        folder = audio_folder(device)
        if folder is None or not name.endswith(".wav"):
            abort(404)
        return send_from_directory(folder, name, mimetype="audio/wav", max_age=3600)

    @app.errorhandler(HallError)
    def _hall_error(exc: HallError):
        if isinstance(exc, Throttled):
            return error_response(exc.code, exc.reason, exc.message, 429, exc.detail, {"Retry-After": str(exc.retry_after)})
        return error_response(exc.code, exc.reason, exc.message, detail=exc.detail)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 400
        if status == 404:
            return error_response("not_found", Reason.NO_SUCH_ROUTE,
                                  f"There is no {for_log(request.path)} here; see /api/v1/openapi.json.", 404)
        if status == 405:  # RFC 9110: a 405 says which methods the path does serve
            allowed = ", ".join(getattr(exc, "valid_methods", None) or ())
            return error_response("invalid", Reason.METHOD_NOT_ALLOWED,
                                  f"{request.method} is not allowed on {for_log(request.path)}; it serves {allowed}.", 405,
                                  headers={"Allow": allowed})
        if status == 413:
            return error_response("invalid", Reason.BODY_TOO_LARGE, f"The request is larger than {MAX_BODY_BYTES} bytes.", 413)
        code, reason = _HTTP_ERRORS.get(status, ("invalid", Reason.BAD_REQUEST) if status < 500
                                        else ("unavailable", Reason.SERVER_ERROR))
        return error_response(code, reason, exc.description or "The request could not be handled.", status)

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        # The database went away mid-request (a restart, a network cut): the transaction rolled back.
        log.warning("database error on %s %s: %s", request.method, for_log(request.path), exc.__class__.__name__)
        return error_response("unavailable", Reason.DATABASE_UNREACHABLE,
                              "The hall database did not answer; nothing was changed. Try again in a moment.")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, for_log(request.path))
        return error_response("unavailable", Reason.SERVER_ERROR,
                              "The server could not complete this request; it was not carried out. Try again.", 500)

    return app
