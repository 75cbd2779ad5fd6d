"""Socket.IO namespaces check their tokens on the server, and push scoped, data-carrying events."""
from __future__ import annotations

import time

import pytest
import socketio

from harness import connect_socket as _connect
from harness import wait_for


@pytest.mark.parametrize("namespace", ["/clerk", "/admin", "/backoffice"])
@pytest.mark.parametrize("who", ["none", "garbage", "display", "kiosk"])
def test_staff_namespaces_refuse_devices_and_strangers(hall, namespace, who):
    token = {"none": None, "garbage": "not-a-token", "display": hall.display.token, "kiosk": hall.kiosk.token}[who]
    with pytest.raises(socketio.exceptions.ConnectionError):
        _connect(hall.server.url, namespace, {"token": token} if token else None)


def test_admin_namespace_refuses_a_clerk(hall):
    clerk = hall.clerk_at("135")
    with pytest.raises(socketio.exceptions.ConnectionError):
        _connect(hall.server.url, "/admin", {"token": clerk.token})


def test_clerk_follows_only_its_own_window_and_admin_sees_all(hall):
    mine = hall.clerk_at("136")
    other = hall.clerk_at("137")
    clerk_socket, clerk_events = _connect(hall.server.url, "/clerk", {"token": mine.token})
    admin_socket, admin_events = _connect(hall.server.url, "/admin", {"token": hall.admin.token})
    try:
        assert wait_for(lambda: any(e == "window_updated" for e, _ in clerk_events)), "no initial window state"
        ticket = hall.kiosk.post("/tickets", {"matter": "wjw-yszc"})
        assert ticket.status_code == 201, ticket.text
        assert other.post("/windows/137/pause", json={"reason": "会议"}).status_code == 200
        assert mine.post("/windows/136/call-next").status_code == 200
        assert wait_for(lambda: any(e == "window_updated" and d["number"] == "136" and d["current"]
                                     for e, d in clerk_events))
        assert wait_for(lambda: {d["number"] for e, d in admin_events if e == "window_updated"} >= {"136", "137"})
        time.sleep(0.3)
        assert not any(e == "window_updated" and d["number"] == "137" for e, d in clerk_events), \
            "a clerk received another window's update"
        update = next(d for e, d in reversed(clerk_events) if e == "window_updated" and d["current"])
        assert update["current"]["number"] == ticket.json()["ticket"]["number"]
        assert wait_for(lambda: any(e == "stats" for e, _ in admin_events))
        stats = next(d for e, d in reversed(admin_events) if e == "stats")
        assert isinstance(stats, list) and {"code", "waiting", "open_windows", "longest_wait_s", "eta_minutes"} <= set(stats[0])
    finally:
        clerk_socket.disconnect()
        admin_socket.disconnect()


@pytest.mark.parametrize("payload", [None, 5, "floor", [], {}, {"floor": "x"}, {"floor": True}, {"floor": 99},
                                     {"window": "abc"}, {"window": 9999}, {"floor": 1, "window": 1},
                                     {"ticket": "x" * 500}, {"nothing": 1}])
def test_bad_subscriptions_are_refused_with_a_sentence(hall, payload):
    client, received = _connect(hall.server.url, "/display")
    try:
        ack = client.call("subscribe", payload, namespace="/display", timeout=10)
        assert set(ack) == {"error"} and ack["error"]["code"] in ("invalid", "not_found")
        assert ack["error"]["message"].endswith(".")
        assert not any(e == "snapshot" for e, _ in received)
        # The connection still works afterwards.
        assert client.call("subscribe", {"floor": 2}, namespace="/display", timeout=10) == {"ok": True, "room": "floor:2"}
    finally:
        client.disconnect()
