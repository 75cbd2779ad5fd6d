"""A new fact reaches the screens with one entry in the audience table: a server that knows one event
type more (tests/launchers/bell_server.py) pushes it to a subscribed floor screen after its command
commits, and not before."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

import requests

from harness import ROOT, display_client, free_port, wait_for


def test_a_new_event_type_reaches_a_subscribed_screen_after_commit_and_not_before(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "bell.log", "wb")
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "launchers" / "bell_server.py"),
                               f"sqlite:///{tmp_path}/hall.db", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: _answers(url), 30), (tmp_path / "bell.log").read_text()
        screen, received = display_client(url, {"floor": 1})
        other_floor, elsewhere = display_client(url, {"floor": 2})
        rung = []
        screen.on("test_bell_rung", lambda data: rung.append((time.monotonic(), data)), namespace="/display")
        other_floor.on("test_bell_rung", lambda data: elsewhere.append(("test_bell_rung", data)), namespace="/display")

        answer = {}
        ringing = threading.Thread(target=lambda: answer.update(requests.post(url + "/test/ring", timeout=60).json()))
        ringing.start()
        assert wait_for(lambda: requests.post(url + "/test/held", timeout=5).json()["held"], 10)
        time.sleep(1.0)  # the command raised it and waits inside its transaction
        assert rung == [], "pushed before the commit"
        released_at = time.monotonic()
        requests.post(url + "/test/release", timeout=5)
        ringing.join(30)
        assert answer == {"rung": True}
        assert wait_for(lambda: rung, 5), "never pushed"
        assert rung[0][0] >= released_at and rung[0][1] == {"floor": 1, "text": "叮"}
        time.sleep(0.5)
        assert not [e for e in elsewhere if e[0] == "test_bell_rung"], "another floor's screen heard it"
        screen.disconnect()
        other_floor.disconnect()
    finally:
        server.terminate()
        server.wait(10)


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/api/v1/health", timeout=1).status_code == 200
    except requests.RequestException:
        return False
