"""Issue 14, point 8: a double press of call-next must not drop the first citizen.

Call-next on a serving window finishes the current ticket (v1, as Qmatic's "next"), for presses that
come one after another. Presses that overlap, the second arriving before the first one's call was
made and answered, are one press: one ticket is called, every answer names it (`repeated`: true on
the extra ones), and nobody is marked done. A retry with the same Idempotency-Key gets the first
answer. Against a real server, over real sockets.
"""
from __future__ import annotations

import http.client
import json

import pytest

from harness import Client

ROUNDS = 5


def issue(hall, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        r = hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
        assert r.status_code == 201, r.text
        out.append(r.json()["ticket"])
    return out


def send_together(servers: list, token: str, path: str) -> list[dict]:
    """One POST to each server at once, each on its own connection: the connections are opened first,
    then every request is written back to back from this one thread (microseconds apart, whatever the
    load of the machine: threads released together may run a whole request apart), then the answers
    are read."""
    connections = []
    for server in servers:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.connect()
        connections.append(connection)
    headers = {"Authorization": f"Bearer {token}", "Content-Length": "0"}
    for connection in connections:
        connection.request("POST", "/api/v1" + path, headers=headers)
    answers = []
    for connection in connections:
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, body
        answers.append(json.loads(body))
        connection.close()
    return answers


def press_together(hall, clerk: Client, window: str, presses: int) -> list[dict]:
    """`presses` call-next at one window at once, each on its own connection."""
    return send_together([hall.server] * presses, clerk.token, f"/windows/{window}/call-next")


def status(hall, ticket_id: str) -> str:
    return hall.admin.get(f"/tickets/{ticket_id}").json()["ticket"]["status"]


def current(hall, window: str) -> str | None:
    cur = hall.admin.get(f"/windows/{window}").json()["window"]["current"]
    return cur and cur["id"]


@pytest.mark.parametrize("presses,window", [(2, "3"), (5, "4")])
def test_concurrent_presses_call_one_ticket_and_finish_nobody(hall, presses, window):
    clerk = hall.clerk_at(window)
    issue(hall, presses * ROUNDS * 2 + 2)
    serving = None
    for _round in range(ROUNDS):
        answers = press_together(hall, clerk, window, presses)
        called = {a["ticket"]["id"] for a in answers}
        assert len(called) == 1, f"{presses} overlapping presses called {len(called)} tickets: {answers}"
        (ticket,) = called
        assert sorted(a["repeated"] for a in answers) == [False] + [True] * (presses - 1)
        assert all(a["ticket"]["status"] == "called" for a in answers)
        assert status(hall, ticket) == "called" and current(hall, window) == ticket
        history = [e["kind"] for e in hall.admin.get(f"/tickets/{ticket}/history").json()["events"]]
        assert history.count("called") == 1 and "done" not in history
        if serving:  # the ticket served before the presses was finished once, by the one press that called
            assert status(hall, serving) == "done"
        serving = ticket


def test_sequential_presses_still_finish_and_call(hall):
    clerk = hall.clerk_at("5")
    issue(hall, 3)
    first = clerk.post("/windows/5/call-next").json()
    second = clerk.post("/windows/5/call-next").json()
    assert first["repeated"] is False and second["repeated"] is False
    assert first["ticket"]["id"] != second["ticket"]["id"]
    assert status(hall, first["ticket"]["id"]) == "done"
    assert current(hall, "5") == second["ticket"]["id"]


def test_a_retry_with_the_same_key_returns_the_first_answer(hall):
    clerk = hall.clerk_at("6")
    issue(hall, 3)
    key = {"Idempotency-Key": "press-6-1"}
    first = clerk.post("/windows/6/call-next", headers=key)
    retry = clerk.post("/windows/6/call-next", headers=key)
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert current(hall, "6") == first.json()["ticket"]["id"]
    assert status(hall, first.json()["ticket"]["id"]) == "called"


def test_concurrent_presses_on_two_processes_call_one_ticket(fresh_hall, pg_url, tmp_path):
    """The rule holds across processes: it compares times stored in the database (PostgreSQL)."""
    from harness import Server
    hall = fresh_hall(db=pg_url)
    other = Server(pg_url, tmp_path).start()
    try:
        clerk = hall.clerk_at("8")
        issue(hall, ROUNDS + 2)
        servers = [hall.server, other]
        for _round in range(ROUNDS):
            answers = send_together(servers, clerk.token, "/windows/8/call-next")
            assert len({a["ticket"]["id"] for a in answers}) == 1, [a["ticket"]["called_at"] for a in answers]
            assert sorted(a["repeated"] for a in answers) == [False, True]
    finally:
        other.stop()


def test_concurrent_presses_call_one_ticket_under_gevent_too(fresh_hall):
    hall = fresh_hall("gevent")
    clerk = hall.clerk_at("9")
    issue(hall, ROUNDS * 2 + 2)
    for _round in range(ROUNDS):
        answers = press_together(hall, clerk, "9", 2)
        assert len({a["ticket"]["id"] for a in answers}) == 1, answers
        assert sorted(a["repeated"] for a in answers) == [False, True]
