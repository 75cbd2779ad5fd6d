"""Several server processes on one PostgreSQL, sharing Socket.IO events through Redis: the contract's
guarantees hold across processes (no ticket called twice, every call on every floor screen)."""
from __future__ import annotations

import collections
import threading
from concurrent.futures import ThreadPoolExecutor

import requests
import socketio

from harness import Client, Server, display_client, seed_bench_staff, wait_for

FLOORS = (1, 2, 3)
TICKETS = 444  # three per window on average


def test_two_processes_148_windows_call_each_ticket_once_and_every_screen_sees_every_call(
        fresh_hall, pg_url, message_queue, tmp_path):
    mq, channel = message_queue
    hall = fresh_hall(db=pg_url, message_queue=mq, channel=channel)
    other = Server(pg_url, tmp_path, message_queue=mq, channel=channel).start()
    servers = [hall.server, other]
    screens = {}
    try:
        staff = seed_bench_staff(pg_url)  # a clerk signed in at each of the hall's 148 windows
        assert len(staff.clerks) == 148
        for side, server in enumerate(servers):
            for floor in FLOORS:
                screens[side, floor] = display_client(server.url, {"floor": floor})

        # Kiosks on both processes issue at once.
        def issue(i: int) -> dict:
            r = Client(servers[i % 2], hall.kiosk.token).post("/tickets", {"matter": staff.matters[i % len(staff.matters)]})
            assert r.status_code == 201, r.text
            return r.json()["ticket"]
        with ThreadPoolExecutor(12) as pool:
            issued = list(pool.map(issue, range(TICKETS)))

        # All 148 windows press call-next together, half of them through each process.
        calls: list[tuple[str, str, int, int]] = []  # (ticket id, window, side, floor)
        numbers: dict[str, str] = {}
        lock = threading.Lock()
        start = threading.Barrier(len(staff.clerks))

        def window_loop(item: tuple[int, tuple[str, str]]) -> None:
            i, (window, token) = item
            side = i % 2
            http = requests.Session()
            start.wait()
            while True:
                r = http.post(f"{servers[side].api}/windows/{window}/call-next",
                              headers={"Authorization": f"Bearer {token}"}, timeout=60)
                if r.status_code == 409 and r.json()["error"]["code"] == "queue_empty":
                    return
                assert r.status_code == 200, r.text
                ticket = r.json()["ticket"]
                assert ticket["window"] == window and ticket["status"] == "called"
                with lock:
                    calls.append((ticket["id"], window, side, ticket["floor"]))
                    numbers[ticket["id"]] = ticket["number"]

        with ThreadPoolExecutor(len(staff.clerks)) as pool:
            list(pool.map(window_loop, enumerate(staff.clerks.items())))

        called = [c[0] for c in calls]
        assert len(called) == len(set(called)), "a ticket was handed to two windows"
        assert set(called) == {t["id"] for t in issued}, "a ticket was never called"
        assert {c[2] for c in calls} == {0, 1} and len({c[1] for c in calls}) > 100

        # Every call reaches the floor's screen on the other process (and on its own), in call order.
        def seen(side: int, floor: int) -> list[tuple[str, str]]:
            return [(d["number"], d["window"]) for e, d in screens[side, floor][1] if e == "ticket_called"]
        per_floor = collections.Counter(c[3] for c in calls)
        for side in (0, 1):
            for floor in FLOORS:
                assert wait_for(lambda: len(seen(side, floor)) >= per_floor[floor], timeout=20), \
                    f"screen on process {side}, floor {floor}: {len(seen(side, floor))} of {per_floor[floor]} calls"
        for ticket_id, window, side, floor in calls:
            assert (numbers[ticket_id], window) in seen(1 - side, floor), \
                f"{numbers[ticket_id]} at window {window} did not reach the other process's screen"
        for side in (0, 1):
            for floor in FLOORS:
                order = collections.defaultdict(list)
                for number, window in seen(side, floor):
                    order[window].append(number)
                made = collections.defaultdict(list)
                for ticket_id, window, _, f in calls:
                    if f == floor:
                        made[window].append(numbers[ticket_id])
                assert dict(order) == dict(made), "a screen saw a window's calls out of order"
    finally:
        for client, _ in screens.values():
            client.disconnect()
        other.stop()


def test_a_worker_that_only_emits_reaches_the_clients_of_every_process(fresh_hall, pg_url, message_queue, tmp_path):
    """Drivers (printers, speakers) run outside the web server and report through the message queue."""
    from server.push.message_queue import emit_only
    mq, channel = message_queue
    hall = fresh_hall(db=pg_url, message_queue=mq, channel=channel)
    other = Server(pg_url, tmp_path, message_queue=mq, channel=channel).start()
    admins = []
    try:
        for server in (hall.server, other):
            received: list = []
            client = socketio.Client(reconnection=False)
            client.on("alert", received.append, namespace="/admin")
            client.connect(server.url, namespaces=["/admin"], transports=["websocket"],
                           auth={"token": hall.admin.token}, wait_timeout=10)
            admins.append((client, received))
        alert = {"device": "kiosk-1-printer", "problem": "paper_out", "text": "1号取号机打印纸用完"}
        emit_only(mq, channel).emit("alert", alert, to="admin", namespace="/admin")
        for _, received in admins:
            assert wait_for(lambda: received == [alert], timeout=10), received
    finally:
        for client, _ in admins:
            client.disconnect()
        other.stop()
