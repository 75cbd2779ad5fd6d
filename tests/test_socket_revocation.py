"""Ending a principal's access ends its sockets at once (CONTRACT v2 "Accounts and devices are
managed"; docs/security.md "Accounts, devices and tokens"), against a real server: a logout, a
password change, a disabled or removed account, a revoked or rotated device. A socket of the same
kind that was not revoked keeps receiving, so "nothing more" is seen against a live control."""
from __future__ import annotations

import time

import pytest
import socketio

from harness import PASSWORD, login, run_cli, unique, wait_for

ONE_SECOND = 1.0


class Watched:
    """A Socket.IO client on one namespace that records its events and whether the server closed it."""

    def __init__(self, url: str, namespace: str, token: str):
        self.namespace = namespace
        self.events: list[tuple[str, object]] = []
        self.closed = False
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", lambda event, data: self.events.append((event, data)), namespace=namespace)
        self.client.on("disconnect", self._closed, namespace=namespace)
        self.client.connect(url, namespaces=[namespace], transports=["websocket"], auth={"token": token},
                            wait_timeout=10)

    def _closed(self, *_reason):
        self.closed = True

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def close(self):
        if self.client.connected:
            self.client.disconnect()


def closed_within_a_second(watched: Watched) -> bool:
    return wait_for(lambda: watched.closed, ONE_SECOND)


def backoffice_user(hall, department: str = "tyjr") -> str:
    name = unique("bo")
    r = hall.admin.post("/users", {"username": name, "password": PASSWORD, "role": "backoffice", "department": department})
    assert r.status_code == 201, r.text
    return name


_windows = iter(range(49, 55))  # hall-staffed comprehensive windows: route tyjr cases


@pytest.fixture(scope="module")
def router(hall):
    """A clerk at a comprehensive window who routes a tyjr case on demand (case_routed to /backoffice)."""
    window = str(next(_windows))
    clerk = hall.clerk_at(window, unique("router"))

    def route_a_case() -> None:
        assert hall.kiosk.post("/tickets", {"matter": "tyjr-ydz"}).status_code == 201
        assert clerk.post(f"/windows/{window}/call-next").status_code == 200
        r = clerk.post(f"/windows/{window}/route", {"applicant": {"name": "张小三", "phone": "13812341234"}, "note": "材料齐全"})
        assert r.status_code == 201, r.text
    return route_a_case


def window_clerk(hall):
    window = str(next(_windows))
    name = unique("clerk")
    return window, name, hall.clerk_at(window, name)


def poke_window(hall, window: str) -> None:
    """Something every socket following the window hears (window_updated)."""
    for state in ("paused", "open"):
        assert hall.admin.put(f"/windows/{window}/state", {"state": state}).status_code == 200


def test_logout_closes_that_tokens_sockets_and_no_others(hall, router):
    name = backoffice_user(hall)
    first, second = login(hall.server, name), login(hall.server, name)
    revoked = Watched(hall.server.url, "/backoffice", first.token)
    control = Watched(hall.server.url, "/backoffice", second.token)
    window, _clerk_name, clerk = window_clerk(hall)
    clerk_socket = Watched(hall.server.url, "/clerk", clerk.token)
    try:
        assert wait_for(lambda: "window_updated" in clerk_socket.names())
        assert first.post("/auth/logout").status_code == 200
        assert clerk.post("/auth/logout").status_code == 200
        assert closed_within_a_second(revoked), "the logged-out /backoffice socket is still open"
        assert closed_within_a_second(clerk_socket), "the logged-out /clerk socket is still open"
        heard_before = len(revoked.events), len(clerk_socket.events)
        router()
        poke_window(hall, window)
        assert wait_for(lambda: "case_routed" in control.names()), "the other session's socket stopped hearing"
        time.sleep(0.3)
        assert (len(revoked.events), len(clerk_socket.events)) == heard_before
        assert not control.closed
    finally:
        for w in (revoked, control, clerk_socket):
            w.close()


@pytest.mark.parametrize("action", ["passwd", "disable", "remove"])
def test_an_account_change_closes_all_its_sockets(hall, router, action):
    name = backoffice_user(hall)
    bo = login(hall.server, name)
    bo_socket = Watched(hall.server.url, "/backoffice", bo.token)
    control = Watched(hall.server.url, "/backoffice", login(hall.server, backoffice_user(hall)).token)
    window, clerk_name, clerk = window_clerk(hall)
    clerk_socket = Watched(hall.server.url, "/clerk", clerk.token)
    try:
        for who in (name, clerk_name):
            r = {"passwd": lambda: hall.admin.post(f"/users/{who}/password", {"password": "another-pass-99"}),
                 "disable": lambda: hall.admin.post(f"/users/{who}/disable"),
                 "remove": lambda: hall.admin.delete(f"/users/{who}")}[action]()
            assert r.status_code == 200, r.text
        assert closed_within_a_second(bo_socket), f"{action}: the /backoffice socket is still open"
        assert closed_within_a_second(clerk_socket), f"{action}: the /clerk socket is still open"
        heard_before = len(bo_socket.events)
        router()
        assert wait_for(lambda: "case_routed" in control.names())
        time.sleep(0.3)
        assert len(bo_socket.events) == heard_before
        assert bo.get("/me").status_code == 401
    finally:
        for w in (bo_socket, control, clerk_socket):
            w.close()


@pytest.mark.parametrize("action", ["revoke", "rotate"])
def test_a_revoked_or_rotated_device_loses_its_socket(hall, action):
    name = unique("kiosk")
    r = run_cli("devices", "add", name, "--kind", "kiosk", db=hall.db)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    kiosk = Watched(hall.server.url, "/kiosk", token)
    control = Watched(hall.server.url, "/kiosk", hall.kiosk.token)
    try:
        assert wait_for(lambda: "kiosk" in kiosk.names())
        r = hall.admin.post(f"/device-tokens/{name}/{action}")
        assert r.status_code == 200, r.text
        assert closed_within_a_second(kiosk), f"{action}: the kiosk's socket is still open"
        assert not control.closed
    finally:
        kiosk.close()
        control.close()


def test_a_change_made_on_the_command_line_closes_sockets_too(hall):
    """The command line is another process: the server finds out within its sweep (a few seconds)."""
    name = backoffice_user(hall)
    bo_socket = Watched(hall.server.url, "/backoffice", login(hall.server, name).token)
    try:
        r = run_cli("users", "disable", name, db=hall.db)
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: bo_socket.closed, 8), "a socket of an account disabled on the command line stayed open"
    finally:
        bo_socket.close()


def test_a_logout_on_one_process_closes_the_socket_on_another(fresh_hall, pg_url, message_queue, tmp_path):
    """Two `hallq serve` on one PostgreSQL database behind Redis: the revocation crosses over the hall's
    sessions channel, well before the other process's sweep would find it."""
    from harness import Server
    mq, channel = message_queue
    hall = fresh_hall(db=pg_url, message_queue=mq, channel=channel)
    other = Server(pg_url, tmp_path, message_queue=mq, channel=channel).start()
    try:
        name = backoffice_user(hall)
        session = login(hall.server, name)
        there = Watched(other.url, "/backoffice", session.token)
        try:
            assert session.post("/auth/logout").status_code == 200
            assert closed_within_a_second(there), "the socket on the other process is still open"
        finally:
            there.close()
    finally:
        other.stop()
