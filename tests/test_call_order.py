"""Issue 14, point 5: on PostgreSQL, tickets are called in number order.

The number and the issue time must be taken together, inside the transaction that hands out the
number (call-next orders a queue by issue time): if the time were read when the request arrived, a
request that then waited for a connection or for the counter's row lock would carry an earlier time
than a higher number issued meanwhile, and be called before it. Two server processes share one
PostgreSQL database; many kiosks issue into one queue at once; then one window calls them all.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from harness import Client, Server

TICKETS = 300
KIOSKS = 24


def test_concurrent_tickets_are_called_in_number_order_on_postgresql(fresh_hall, pg_url, tmp_path):
    hall = fresh_hall(db=pg_url)
    other = Server(pg_url, tmp_path).start()
    try:
        servers = [hall.server, other]

        def issue(i: int) -> dict:
            kiosk = Client(servers[i % 2], hall.kiosk.token)
            r = kiosk.post("/tickets", {"matter": "rst-sbk", "priority": "normal"})
            assert r.status_code == 201, r.text
            return r.json()["ticket"]

        with ThreadPoolExecutor(KIOSKS) as pool:
            issued = list(pool.map(issue, range(TICKETS)))
        seqs = sorted(int(t["number"][1:]) for t in issued)
        assert seqs == list(range(1, TICKETS + 1))

        clerk = hall.clerk_at("1")  # window 1 serves shebao alone
        called = []
        while True:
            r = clerk.post("/windows/1/call-next")
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "queue_empty"
                break
            assert r.status_code == 200, r.text
            called.append(int(r.json()["ticket"]["number"][1:]))
        assert len(called) == TICKETS
        out_of_order = [(a, b) for a, b in zip(called, called[1:]) if b < a]
        assert not out_of_order, f"{len(out_of_order)} calls named a lower number than the call before: {out_of_order[:5]}"
        # And the issue time grows with the number.
        by_number = sorted(issued, key=lambda t: int(t["number"][1:]))
        times = [dt.datetime.fromisoformat(t["issued_at"]) for t in by_number]
        backwards = [(a["number"], b["number"]) for a, b, ta, tb in zip(by_number, by_number[1:], times, times[1:])
                     if tb < ta]
        assert not backwards, f"{len(backwards)} tickets were issued earlier than a lower number: {backwards[:5]}"

    finally:
        other.stop()
