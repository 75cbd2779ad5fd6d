"""The public HTTP surface of CONTRACT.md: Idempotency-Key. A repeat returns the first answer, once,
even under concurrency; a key belongs to its caller, its route and its body; a refused request does
not use it up. The module shares one server (`hall`); tests take fresh windows from `windows`.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
import requests

from contract_helpers import assert_error, refused, send, serve_all, waiting
from harness import PASSWORD, Client, unique


def _take(client: Client, key: str | None, matter: str = "rst-sbk", session=None) -> requests.Response:
    headers = {"Idempotency-Key": key} if key is not None else None
    return send(client, "POST", "/tickets", {"matter": matter}, headers=headers, session=session)


@pytest.fixture
def shebao_server(hall, windows):
    """A clerk at a fresh shebao window who serves away, after the test, every ticket it left waiting."""
    window = windows.take("rst")
    clerk = hall.clerk_at(window)
    yield SimpleNamespace(clerk=clerk, window=window)
    serve_all(clerk, window)
    assert waiting(hall, "shebao") == 0


def test_same_key_twice_returns_the_first_ticket_once(hall, shebao_server):
    before = waiting(hall, "shebao")
    key = unique("tap")
    first, again = _take(hall.kiosk, key), _take(hall.kiosk, key)
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert waiting(hall, "shebao") == before + 1
    tracked = hall.kiosk.get(f"/tickets/{first.json()['ticket']['id']}")
    assert tracked.status_code == 200 and tracked.json()["ticket"]["number"] == first.json()["ticket"]["number"]


def test_same_key_from_8_threads_at_once_makes_one_ticket(hall, shebao_server):
    before = waiting(hall, "shebao")
    key = unique("burst")
    barrier = threading.Barrier(8)
    answers: list = [None] * 8

    def tap(i: int) -> None:
        with requests.Session() as session:
            barrier.wait(10)
            try:
                answers[i] = _take(hall.kiosk, key, session=session)
            except requests.RequestException as exc:  # recorded, then reported below
                answers[i] = exc

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(a, requests.Response) for a in answers), answers
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    bodies = [a.json() for a in answers]
    assert all(b == bodies[0] for b in bodies), bodies
    assert waiting(hall, "shebao") == before + 1


def test_different_keys_make_different_tickets(hall, shebao_server):
    before = waiting(hall, "shebao")
    a, b = _take(hall.kiosk, unique("k")), _take(hall.kiosk, unique("k"))
    c = _take(hall.kiosk, None)
    assert {a.status_code, b.status_code, c.status_code} == {201}
    ids = {r.json()["ticket"]["id"] for r in (a, b, c)}
    numbers = {r.json()["ticket"]["number"] for r in (a, b, c)}
    assert len(ids) == 3 and len(numbers) == 3
    assert waiting(hall, "shebao") == before + 3


def test_same_key_on_a_different_route_is_a_conflict(hall, windows):
    window = windows.take("rst")
    clerk = hall.clerk_at(window)
    key = unique("k")
    paused = clerk.post(f"/windows/{window}/pause", json={"reason": "会议"}, headers={"Idempotency-Key": key})
    assert paused.status_code == 200 and paused.json()["window"]["state"] == "paused", paused.text
    # The same key on POST /tickets (staff may issue) is refused and issues nothing.
    refused(hall, lambda: _take(clerk, key), 409, "conflict")
    # ... and on another window command: the window stays paused.
    refused(hall, lambda: clerk.post(f"/windows/{window}/resume", headers={"Idempotency-Key": key}), 409, "conflict")
    # The repeat of the same request still answers the first answer.
    again = clerk.post(f"/windows/{window}/pause", json={"reason": "会议"}, headers={"Idempotency-Key": key})
    assert again.status_code == 200 and again.json() == paused.json()


def test_refused_request_does_not_use_up_its_key(hall, shebao_server):
    key = unique("k")
    assert_error(send(hall.kiosk, "POST", "/tickets", {"matter": 5}, headers={"Idempotency-Key": key}), 400)
    assert_error(_take(hall.kiosk, key, matter="no-such-matter"), 404, "not_found")
    before = waiting(hall, "shebao")
    r = _take(hall.kiosk, key)
    assert r.status_code == 201 and r.json()["ticket"]["matter"] == "rst-sbk", r.text
    assert waiting(hall, "shebao") == before + 1


def test_keys_belong_to_their_caller(hall, shebao_server):
    """The same key from two callers is two requests: one caller never gets the other's answer."""
    key = unique("shared")
    clerk = hall.add_clerk(unique("guide"), None)
    a, b = _take(hall.kiosk, key), _take(clerk, key)
    assert a.status_code == b.status_code == 201
    assert a.json()["ticket"]["id"] != b.json()["ticket"]["id"]


def test_same_key_with_a_different_body_is_a_conflict(hall, shebao_server):
    key = unique("k")
    first = _take(hall.kiosk, key, matter="rst-sbk")
    assert first.status_code == 201
    refused(hall, lambda: _take(hall.kiosk, key, matter="rst-tx"), 409, "conflict")


def test_users_post_honours_idempotency_key(hall):
    key = unique("k")
    body = {"username": unique("retry"), "password": PASSWORD, "role": "clerk", "department": "rst"}
    first = send(hall.admin, "POST", "/users", body, headers={"Idempotency-Key": key})
    again = send(hall.admin, "POST", "/users", body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.json() == first.json(), again.text
