"""Issue 15's done-when for group commit: a real server under a crowd of kiosks, its commits grouped,
killed with SIGKILL mid-run and started again on the same database: every ticket it answered 201 is
there, and the numbers follow the order the tickets were issued in, none reused."""
from __future__ import annotations

import signal
import threading
import time

import pytest
import requests

from harness import Client

KIOSKS = 16
MATTER = "gat-sfz"  # one queue: one series of numbers for all the kiosks


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_every_ticket_answered_before_a_kill_9_under_group_commit_is_there_in_order(fresh_hall, async_mode):
    hall = fresh_hall(async_mode)
    answered: list[tuple[float, float, dict]] = []  # (sent, answered, ticket), by every kiosk
    lock = threading.Lock()
    stop = threading.Event()
    refused: list[str] = []  # answers other than 201 before the kill: there should be none
    armed = threading.Event()  # kill right after the next 201: its batch's other requests may be mid-way

    def kiosk_loop():
        kiosk = Client(hall.server, hall.kiosk.token)
        while not stop.is_set():
            sent = time.monotonic()
            try:
                r = kiosk.post("/tickets", {"matter": MATTER})
            except requests.RequestException:
                return  # the server is gone: this request was never answered
            if r.status_code != 201:
                if not stop.is_set():
                    refused.append(r.text)
                continue
            with lock:
                answered.append((sent, time.monotonic(), r.json()["ticket"]))
                if armed.is_set() and not stop.is_set():
                    hall.server.proc.send_signal(signal.SIGKILL)
                    stop.set()

    threads = [threading.Thread(target=kiosk_loop, daemon=True) for _ in range(KIOSKS)]
    for t in threads:
        t.start()
    # Kill only once the server has committed several requests together: this is a test of batches.
    deadline = time.monotonic() + 120
    while True:
        figures = requests.get(hall.server.api + "/health", timeout=30).json()["group_commit"]
        if figures["largest_batch"] > 1 and len(answered) >= 100:
            break
        assert time.monotonic() < deadline, f"no batch of more than one request formed: {figures}"
        time.sleep(0.05)
    armed.set()
    assert stop.wait(60), "no ticket was answered after the batches formed"
    hall.server.proc.wait(10)
    for t in threads:
        t.join(60)
    with lock:
        answered = list(answered)

    assert not refused, refused[:3]
    hall.server.start()
    for _sent, _at, ticket in answered:
        r = hall.kiosk.get(f"/tickets/{ticket['id']}")
        assert r.status_code == 200, f"ticket {ticket['number']}, answered 201 before the kill, was lost"
        assert r.json()["ticket"]["number"] == ticket["number"]
    numbers = [int(t["number"][1:]) for _s, _a, t in answered]
    assert len(set(numbers)) == len(numbers), "a number was given twice"
    # A ticket answered before another was asked for was issued first: it has the smaller number.
    by_answer = sorted(answered, key=lambda a: a[1])
    for i, (_sent, at, first) in enumerate(by_answer):
        for sent, _at, later in by_answer[i + 1:]:
            if sent > at:
                assert int(later["number"][1:]) > int(first["number"][1:]), (first["number"], later["number"])
    # None reused after the restart: numbering goes on after the last one answered.
    again = hall.kiosk.post("/tickets", {"matter": MATTER})
    assert again.status_code == 201, again.text
    assert int(again.json()["ticket"]["number"][1:]) > max(numbers)
