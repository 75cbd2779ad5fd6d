"""The contract's guarantees, against real server processes over real sockets:
no ticket is ever called twice, a ticket answered with 201 survives kill -9, and screens get
exactly the calls of their floor, in order."""
from __future__ import annotations

import collections
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import Client, display_client, wait_for

WINDOWS = [str(n) for n in range(1, 31)]  # floor 1: several departments, made to share queues
TICKETS = 300


def issue(kiosk: Client, matter: str, priority: str = "normal") -> dict:
    r = kiosk.post("/tickets", {"matter": matter, "priority": priority})
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


@pytest.mark.parametrize("async_mode,database", [("eventlet", "sqlite"), ("gevent", "sqlite"),
                                                 ("eventlet", "postgresql"), ("gevent", "postgresql")])
def test_thirty_windows_call_three_hundred_tickets_exactly_once(fresh_hall, request, async_mode, database):
    hall = fresh_hall(async_mode, db=request.getfixturevalue("pg_url") if database == "postgresql" else None)
    clerks = {w: hall.clerk_at(w) for w in WINDOWS}
    for i, w in enumerate(WINDOWS):  # every window serves both queues, in differing order
        queues = ["shebao", "yibao"] if i % 2 else ["yibao", "shebao"]
        assert hall.admin.put(f"/windows/{w}/queues", {"queues": queues}).status_code == 200

    # Issue concurrently too: numbering must stay unique and gap-free under load.
    kinds = [("rst-sbk", "normal"), ("ybj-ydjy", "normal"), ("rst-sbk", "green")]
    with ThreadPoolExecutor(10) as pool:
        issued = list(pool.map(lambda i: issue(Client(hall.server, hall.kiosk.token), *kinds[i % 3]), range(TICKETS)))
    by_queue = collections.defaultdict(list)
    for t in issued:
        by_queue[t["queue"]].append(int(t["number"][1:]))
    for queue, seqs in by_queue.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"numbers of {queue} are not unique and gap-free"

    calls: list[tuple[str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(WINDOWS))

    def window_loop(window: str) -> None:
        clerk = Client(hall.server, clerks[window].token)
        start.wait()  # all 30 press call-next at once
        while True:
            r = clerk.post(f"/windows/{window}/call-next")
            if r.status_code == 409 and r.json()["error"]["code"] == "queue_empty":
                return
            assert r.status_code == 200, r.text
            ticket = r.json()["ticket"]
            assert ticket["window"] == window and ticket["status"] == "called"
            with lock:
                calls.append((ticket["id"], window))

    with ThreadPoolExecutor(len(WINDOWS)) as pool:
        list(pool.map(window_loop, WINDOWS))

    called_ids = [tid for tid, _ in calls]
    assert len(called_ids) == TICKETS
    assert len(set(called_ids)) == TICKETS, "a ticket was handed to two windows"
    assert set(called_ids) == {t["id"] for t in issued}
    assert len({w for _, w in calls}) > 10, "the calls were not spread over the windows"
    # The event log agrees: exactly one 'called' transition per ticket.
    for tid in called_ids[:60]:
        events = hall.admin.get(f"/tickets/{tid}/history").json()["events"]
        assert [e["kind"] for e in events].count("called") == 1
    stats = {q["code"]: q for q in hall.admin.get("/stats").json()}
    assert stats["shebao"]["waiting"] == 0 and stats["yibao"]["waiting"] == 0


def test_tickets_answered_201_survive_kill_9(fresh_hall):
    hall = fresh_hall()
    issued = [issue(hall.kiosk, "gat-sfz") for _ in range(40)]
    hall.server.kill()  # SIGKILL right after the last 201: no chance to flush anything
    hall.server.start()
    numbers = []
    for t in issued:
        r = hall.kiosk.get(f"/tickets/{t['id']}")
        assert r.status_code == 200, f"ticket {t['number']} was lost"
        again = r.json()["ticket"]
        assert (again["number"], again["status"], again["issued_at"]) == (t["number"], "waiting", t["issued_at"])
        numbers.append(int(again["number"][1:]))
    assert numbers == list(range(1, 41)), "tickets are not in order"
    # Numbering continues after the restart, and the restarted server calls them in issue order.
    assert issue(hall.kiosk, "gat-sfz")["number"] == issued[0]["number"][0] + "041"
    clerk = hall.clerk_at("29")
    assert clerk.post("/windows/29/call-next").json()["ticket"]["id"] == issued[0]["id"]


def test_floor_screen_gets_snapshot_then_only_its_floors_calls(fresh_hall):
    hall = fresh_hall()
    floor1 = hall.clerk_at("13")   # 医保, floor 1
    floor2 = hall.clerk_at("67")   # 商事登记, floor 2
    first = issue(hall.kiosk, "ybj-ydjy")
    floor1.post("/windows/13/call-next")  # a call before the screen connects: it is in the snapshot

    screen, received = display_client(hall.server.url, {"floor": 1})
    try:
        assert wait_for(lambda: any(e == "snapshot" for e, _ in received))
        kind, snapshot = received[0]
        assert kind == "snapshot" and snapshot["floor"] == 1
        assert {w["number"] for w in snapshot["windows"]} == {str(n) for n in range(1, 63)}
        assert snapshot["recent_calls"][0]["number"] == first["number"]
        assert any(q["code"] == "yibao" for q in snapshot["stats"])

        expected = []
        for _ in range(3):
            a = issue(hall.kiosk, "ybj-ydjy")
            b = issue(hall.kiosk, "scjg-qysl")
            assert floor2.post("/windows/67/call-next").json()["ticket"]["id"] == b["id"]
            assert floor1.post("/windows/13/call-next").json()["ticket"]["id"] == a["id"]
            expected.append(a["number"])
        assert floor1.post("/windows/13/recall").status_code == 200
        expected.append(expected[-1])
        assert wait_for(lambda: len([1 for e, _ in received if e == "ticket_called"]) >= 4)
        time.sleep(0.3)  # anything from floor 2 would have arrived by now
        calls = [d for e, d in received if e == "ticket_called"]
        assert [c["number"] for c in calls] == expected
        assert all(c["floor"] == 1 and c["window"] == "13" for c in calls)
        assert calls[0]["text"] == f"请{expected[0]}号到13号窗口办理"
        assert calls[-1]["recall"] is True
        # The window's own state came with each call (a floor hears one frame per call), in order.
        states = [c["window_state"] for c in calls[:-1]]  # a recall changes no window
        assert [s["current"]["number"] for s in states] == expected[:-1] and all(s["number"] == "13" for s in states)
        assert not any(e == "window_updated" and d["number"] == "13" for e, d in received)
        assert not any(d.get("floor") == 2 for e, d in received if e in ("ticket_called", "window_updated"))
    finally:
        screen.disconnect()


def test_screen_resubscribes_after_reconnect_and_gets_a_fresh_snapshot(fresh_hall):
    hall = fresh_hall()
    clerk = hall.clerk_at("41")  # 民政
    screen, received = display_client(hall.server.url, {"window": "41"})
    screen.disconnect()
    t = issue(hall.kiosk, "mzt-shtt")
    clerk.post("/windows/41/call-next")  # called while the screen was away
    again, received2 = display_client(hall.server.url, {"window": 41})
    try:
        assert wait_for(lambda: any(e == "snapshot" for e, _ in received2))
        snap = next(d for e, d in received2 if e == "snapshot")
        assert snap["windows"][0]["current"]["number"] == t["number"]
        assert "clerk" in snap["windows"][0] and "applicant" not in str(snap)
    finally:
        again.disconnect()


def test_tracking_subscription_follows_one_ticket(fresh_hall):
    hall = fresh_hall()
    clerk = hall.clerk_at("143")  # 财政, floor 3
    matter = next(m["id"] for m in hall.kiosk.get("/catalog").json()["matters"] if m["queue"] == "caizheng")
    first, mine = issue(hall.kiosk, matter), issue(hall.kiosk, matter)
    tracker, received = display_client(hall.server.url, {"ticket": mine["id"]})
    try:
        assert wait_for(lambda: any(e == "snapshot" for e, _ in received))
        snap = next(d for e, d in received if e == "snapshot")
        assert snap["ticket"]["number"] == mine["number"] and snap["ticket"]["ahead"] == 1
        assert clerk.post("/windows/143/call-next").json()["ticket"]["id"] == first["id"]
        # Another ticket's call moves this one up: its page hears its new place without asking. Its one
        # window is busy with the first ticket, so it still waits for that visit to end: a wait above 0.
        def moved_up():
            return any(e == "ticket_place" and d["id"] == mine["id"] and d["ahead"] == 0
                       and 0 < d["eta_minutes"] <= d["eta_range"][1] for e, d in received)
        assert wait_for(moved_up), received
        assert clerk.post("/windows/143/call-next").json()["ticket"]["id"] == mine["id"]
        assert wait_for(lambda: any(e == "ticket_updated" for e, _ in received))
        updates = [d for e, d in received if e == "ticket_updated"]
        assert all(u["id"] == mine["id"] for u in updates)
        assert updates[-1]["status"] == "called" and updates[-1]["window"] == "143"
    finally:
        tracker.disconnect()
