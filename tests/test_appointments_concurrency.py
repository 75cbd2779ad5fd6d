"""Check-then-write rules under concurrency, on PostgreSQL with two server processes: a slot never holds more
bookings than its quota, an ID never more than its limit, and the per-ID ticket cap holds when a scalper's
kiosks press at once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from booking_hall import id_number, next_working_day
from harness import Client, Server, run_cli


def test_slot_quota_id_limit_and_ticket_cap_hold_across_two_processes(pg_url, fresh_hall, tmp_path):
    # pg_url first: its database is dropped after the servers (fresh_hall's) have stopped.
    hall = fresh_hall(db=pg_url)
    other = Server(pg_url, tmp_path).start()
    try:
        made = run_cli("devices", "add", "province", "--kind", "platform", db=pg_url)
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip().splitlines()[-1]
        platforms = [Client(hall.server, token), Client(other, token)]
        kiosks = [hall.kiosk, Client(other, hall.kiosk.token)]
        day = next_working_day().isoformat()

        def book(i: int, who: str, start: str):
            return platforms[i % 2].post("/appointments", {"matter": "rst-sbk", "date": day, "start": start,
                                                           "id_number": who, "name": "张三"})
        with ThreadPoolExecutor(12) as pool:
            slot = list(pool.map(lambda i: book(i, id_number("19900101", 100 + i), "15:00"), range(24)))
            same_id = list(pool.map(lambda i: book(i, id_number("19900101", 200), f"{9 + i // 2:02d}:{30 * (i % 2):02d}"),
                                    range(12)))
            card = {"number": id_number("19900101", 300), "name": "黄牛"}
            tickets = list(pool.map(lambda i: kiosks[i % 2].post("/tickets", {"matter": "rst-sbk", "id_card": card}),
                                    range(12)))
        codes = sorted(r.status_code for r in slot)
        assert codes == [201] * 4 + [409] * 20, [r.text for r in slot if r.status_code not in (201, 409)]
        assert {r.json()["error"]["reason"] for r in slot if r.status_code == 409} == {"slot_full"}
        assert sorted(r.status_code for r in same_id) == [201] + [409] * 11
        assert {r.json()["error"]["reason"] for r in same_id if r.status_code == 409} == {"id_limit"}
        assert sorted(r.status_code for r in tickets) == [201] * 3 + [409] * 9
        assert {r.json()["error"]["reason"] for r in tickets if r.status_code == 409} == {"id_daily_limit"}
        free = {s["start"]: s["free"] for s in
                kiosks[1].get(f"/appointments/slots?matter=rst-sbk&date={day}").json()["slots"]}
        assert free["15:00"] == 0
    finally:
        other.stop()
