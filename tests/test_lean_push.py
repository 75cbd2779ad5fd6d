"""The lean push path (issue 15; docs/screens.md "One frame per call"): a floor screen hears a call as
one `ticket_called` carrying the window's new state, while window screens, clerks and the admin board
still hear `window_updated`; `stats` reaches a floor at most every half second, the last one right."""
from __future__ import annotations

import base64
import os
import socket
import time

import pytest

from harness import connect_socket, wait_for


def _issue(hall, matter: str) -> dict:
    r = hall.kiosk.post("/tickets", {"matter": matter})
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def _screen(url: str, subscription: dict):
    """A /display socket recording every event it hears, subscribed."""
    client, received = connect_socket(url, "/display")
    ack = client.call("subscribe", subscription, namespace="/display", timeout=10)
    assert ack and ack.get("ok"), ack
    assert wait_for(lambda: any(e == "snapshot" for e, _ in received))
    return client, received


def test_a_floor_screen_hears_one_frame_per_call_carrying_the_window(fresh_hall):
    hall = fresh_hall()
    clerk = hall.clerk_at("13")  # 医保, floor 1
    tickets = [_issue(hall, "ybj-ydjy") for _ in range(3)]
    floor, floor_events = _screen(hall.server.url, {"floor": 1})
    window, window_events = _screen(hall.server.url, {"window": "13"})
    clerk_socket, clerk_events = connect_socket(hall.server.url, "/clerk", {"token": clerk.token})
    admin_socket, admin_events = connect_socket(hall.server.url, "/admin", {"token": hall.admin.token})
    try:
        assert wait_for(lambda: any(e == "window_updated" for e, _ in clerk_events))
        del floor_events[:], window_events[:], clerk_events[:], admin_events[:]
        for _ in tickets:
            assert clerk.post("/windows/13/call-next").status_code == 200
        numbers = [t["number"] for t in tickets]
        assert wait_for(lambda: len([1 for e, _ in floor_events if e == "ticket_called"]) == 3)
        assert wait_for(lambda: [d["current"]["number"] for e, d in window_events
                                 if e == "window_updated" and d["current"]][-1:] == numbers[-1:])
        time.sleep(0.5)  # anything more would have arrived by now

        frames = [(e, d) for e, d in floor_events if e != "stats"]
        assert [e for e, _ in frames] == ["ticket_called"] * 3, [e for e, _ in frames]
        for number, (_e, call) in zip(numbers, frames):
            assert call["number"] == number and call["window"] == "13" and call["text"] == f"请{number}号到13号窗口办理"
            state = call["window_state"]
            assert state["number"] == "13" and state["state"] == "open" and state["current"]["number"] == number
            # Public, as window_updated is to screens: no username, no ticket id.
            assert state["clerk"] is None and state["current"]["id"] is None
        versions = [call["window_state"]["version"] for _e, call in frames]
        assert versions == sorted(versions) and len(set(versions)) == 3

        # The window's own screen, its clerk and the admin board keep hearing window_updated.
        assert [d["number"] for e, d in window_events if e == "ticket_called"] == numbers
        assert [d["current"]["number"] for e, d in window_events if e == "window_updated"] == numbers
        assert wait_for(lambda: [d["current"]["number"] for e, d in clerk_events
                                 if e == "window_updated" and d["current"]][-1:] == numbers[-1:])
        last = next(d for e, d in reversed(clerk_events) if e == "window_updated")
        assert last["current"]["id"] == tickets[-1]["id"]  # staff see the id
        assert wait_for(lambda: any(e == "window_updated" and d["number"] == "13" and d["current"]
                                    and d["current"]["number"] == numbers[-1] for e, d in admin_events))

        # A window change that is no call still reaches the floor as window_updated.
        assert clerk.post("/windows/13/pause", json={"reason": "会议"}).status_code == 200
        assert wait_for(lambda: any(e == "window_updated" and d["number"] == "13" and d["state"] == "paused"
                                    for e, d in floor_events))
    finally:
        for s in (floor, window, clerk_socket, admin_socket):
            s.disconnect()


def test_stats_reach_a_floor_coalesced_and_the_last_is_right(fresh_hall):
    hall = fresh_hall()
    clerks = [hall.clerk_at(w) for w in ("13", "14")]
    for _ in range(12):
        _issue(hall, "ybj-ydjy")
    floor, floor_events = _screen(hall.server.url, {"floor": 1})
    try:
        time.sleep(1.2)  # the issues' figures are out
        del floor_events[:]
        calls = 0
        for _ in range(5):
            for number, clerk in zip(("13", "14"), clerks):
                assert clerk.post(f"/windows/{number}/call-next").status_code == 200
                calls += 1
        assert wait_for(lambda: len([1 for e, _ in floor_events if e == "ticket_called"]) == calls)
        time.sleep(1.5)  # the trailing push after the last call
        stats = [d for e, d in floor_events if e == "stats"]
        assert 1 <= len(stats) < calls, len(stats)
        truth = {q["code"]: (q["waiting"], q["open_windows"])
                 for q in hall.kiosk.get("/stats", params={"floor": 1}).json()}
        assert {q["code"]: (q["waiting"], q["open_windows"]) for q in stats[-1]} == truth
        assert truth["yibao"][0] == 2  # 12 issued, 10 called
    finally:
        floor.disconnect()


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_websockets_decline_per_socket_compression(fresh_hall, async_mode):
    """A browser asks for permessage-deflate; the server answers without it, so a frame is not
    compressed again for every socket (server/push/websocket.py), under either async mode."""
    hall = fresh_hall(async_mode)
    host, port = hall.server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                      f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
                      "Sec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            assert chunk, answer
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 101"), head
    assert "permessage-deflate" not in head, head
