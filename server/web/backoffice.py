"""The back-office desk page (/backoffice): plain HTML and JavaScript over the HTTP API and the
/backoffice Socket.IO namespace. Files are served from backoffice_ui/ beside this module; the
Socket.IO client is vendored from the npm registry (halls run on closed LANs, no CDN)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory

UI = Path(__file__).resolve().parent / "backoffice_ui"

backoffice_pages = Blueprint("backoffice_pages", __name__)


@backoffice_pages.get("/backoffice")
def desk():
    return send_from_directory(UI, "index.html", max_age=0)


@backoffice_pages.get("/backoffice/<path:name>")
def asset(name: str):
    return send_from_directory(UI, name, max_age=300)
