"""Serves the pages: /kiosk, /display, /clerk, /admin, /backoffice, /rate, /reports, /t/{ticket id}, their
assets under /ui/, and the tracking QR code a kiosk shows with each ticket.

Each page is one HTML file in a UI folder at the top of the project (`kiosk_ui/`, `display_ui/`,
`console_ui/` for the clerk, admin and tracking pages, `backoffice_ui/`, and `ui_common/` for what they
share), served under /ui/<name>/; its scripts read what they need (?floor=, ?window=, the ticket id in
the path) and talk to /api/v1 and Socket.IO like any other client. Another page joins with one line
in PAGES.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import segno
from flask import Blueprint, Response, abort, current_app, request, send_from_directory

PROJECT = Path(__file__).resolve().parents[2]
UI = {name: PROJECT / folder for name, folder in (
    ("kiosk", "kiosk_ui"), ("display", "display_ui"), ("console", "console_ui"), ("backoffice", "backoffice_ui"),
    ("common", "ui_common"))}
PAGES = {
    "/kiosk": "kiosk/index.html",
    "/display": "display/index.html",
    "/clerk": "console/clerk.html",
    "/admin": "console/admin.html",
    "/backoffice": "backoffice/index.html",
    "/rate": "kiosk/rate.html",  # a window's rating pad (好差评): /rate?window=W
    "/reports": "console/reports.html",
}
_TICKET_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")

pages = Blueprint("pages", __name__)


def _page(path: str) -> Response:
    """`path` is /ui/'s: the UI folder's name, then the file in it."""
    name, _, rest = path.partition("/")
    if name not in UI or not rest:
        abort(404)
    response = send_from_directory(UI[name], rest, max_age=0)
    # Pages are re-read on every load so a hall picks up a new version at the next refresh.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _route_page(url: str, path: str) -> None:
    pages.add_url_rule(url, f"page_{path.replace('/', '_').replace('.', '_')}", lambda: _page(path))


for _url, _path in PAGES.items():
    _route_page(_url, _path)


@pages.get("/t/<ticket_id>")
def tracking_page(ticket_id: str):
    if not _TICKET_ID.fullmatch(ticket_id):
        abort(404)
    return _page("console/track.html")


@pages.get("/t/<ticket_id>/qr.svg")
def tracking_qr(ticket_id: str):
    """The QR code a kiosk shows: the tracking page at `[hall] public_url` (as on the paper slip) when the
    config sets it, else as the kiosk reaches the server (a phone may not reach that: hallq config
    check warns)."""
    if not _TICKET_ID.fullmatch(ticket_id):
        abort(404)
    settings = current_app.extensions["hallq"].config.hall
    base = settings.public_url.rstrip("/") + "/" if "public_url" in settings.model_fields_set else request.host_url
    svg = io.BytesIO()
    segno.make(f"{base}t/{ticket_id}", error="m").save(
        svg, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False)
    return Response(svg.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@pages.get("/ui/<path:path>")
def asset(path: str):
    return _page(path)
