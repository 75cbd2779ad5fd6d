"""`hallq serve` with one event type more, and its one entry in the audience table (test_event_table.py).

Two routes let the test hold a command between raising the event and its commit:
POST /test/ring raises `BellRung` inside a command and waits there until POST /test/release.
Usage: python tests/launchers/bell_server.py DB_URL PORT
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hallq.cli import patch_for  # noqa: E402

patch_for("eventlet")

import threading  # noqa: E402  (patched: a green event)
from dataclasses import dataclass  # noqa: E402
from typing import ClassVar  # noqa: E402

from hallq.serve import create_server  # noqa: E402
from server.domain.events import Event  # noqa: E402
from server.services.actors import SYSTEM  # noqa: E402
from server.services.bus import AUDIENCES, Audience  # noqa: E402


@dataclass(frozen=True)
class BellRung(Event):
    subject: ClassVar[str] = "test"
    kind: ClassVar[str] = "bell_rung"
    floor: int
    text: str


AUDIENCES[BellRung] = (Audience.FLOOR_SCREENS,)  # the one entry: who hears of it

db, port = sys.argv[1], int(sys.argv[2])
app, socketio = create_server(None, db, "eventlet")
hall = app.extensions["hallq"]
released = threading.Event()
held = threading.Event()


def ring_and_wait(uow, now) -> dict:
    uow.record(BellRung(1, "叮"))
    held.set()
    released.wait(30)  # still inside the transaction: nothing is committed yet
    return {"rung": True}


@app.post("/test/ring")
def ring():
    return hall.runner.run(SYSTEM, None, ring_and_wait).body


@app.post("/test/held")
def is_held():
    return {"held": held.is_set()}


@app.post("/test/release")
def release():
    released.set()
    return {"released": True}


socketio.run(app, host="127.0.0.1", port=port, log_output=False, use_reloader=False)
