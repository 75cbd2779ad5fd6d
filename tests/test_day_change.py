"""Issue 14, point 13: the day change has no gap and no double numbers.

The business day turns at `[hall] day_rollover_hour` (03:00 in the demo hall) for issuing and calling
alike, at that instant, whether or not housekeeping (once a minute) has run yet: yesterday's waiting
tickets are no longer called nor counted, a ticket still at a window finishes normally and is never
cancelled, and no two live tickets carry the same number. A real server on a clock the test moves.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from launchers.clock_server import HallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_the_day_turns_at_the_rollover_instant_with_a_ticket_at_a_window(fresh_hall, tmp_path):
    clock = HallClock(tmp_path / "clock", local(2026, 3, 2, 2, 58))
    hall = fresh_hall(clock_file=str(clock.path))
    kiosk = hall.kiosk

    def issue() -> dict:
        r = kiosk.post("/tickets", {"matter": "rst-sbk"})
        assert r.status_code == 201, r.text
        return r.json()["ticket"]

    def ticket(t: dict) -> dict:
        return hall.admin.get(f"/tickets/{t['id']}").json()["ticket"]

    yesterday = [issue() for _ in range(4)]
    assert [t["number"] for t in yesterday] == ["A001", "A002", "A003", "A004"]
    window_1, window_2 = hall.clerk_at("1"), hall.clerk_at("2")
    served = window_1.post("/windows/1/call-next").json()["ticket"]
    assert served["id"] == yesterday[0]["id"]

    clock.set(local(2026, 3, 2, 3, 0, 5))  # the day has turned; housekeeping has not run
    today = issue()
    live = [t for t in (ticket(t) for t in yesterday) if t["status"] in ("waiting", "called")] + [ticket(today)]
    numbers = [t["number"] for t in live]
    assert len(numbers) == len(set(numbers)), f"two live tickets share a number: {numbers}"
    assert today["ahead"] == 0, "yesterday's waiting tickets count before today's"
    shebao = next(q for q in hall.admin.get("/stats").json() if q["code"] == "shebao")
    assert shebao["waiting"] == 1

    # Calling follows the new day at once: today's ticket, not yesterday's A002.
    r = window_2.post("/windows/2/call-next")
    assert r.status_code == 200, r.text
    assert r.json()["ticket"]["id"] == today["id"]
    r = window_2.post("/windows/2/call-next")  # finishes today's ticket; yesterday's are not called
    assert r.status_code == 409 and r.json()["error"]["code"] == "queue_empty", r.text
    # (waiting still, or cancelled if housekeeping's minute came meanwhile: never called)
    assert all(ticket(t)["status"] in ("waiting", "cancelled") for t in yesterday[1:])

    # Housekeeping (it runs at every start) cancels yesterday's waiting tickets, not the one being served.
    hall.server.restart()
    assert ticket(served)["status"] == "called"
    assert [ticket(t)["status"] for t in yesterday[1:]] == ["cancelled"] * 3
    assert hall.admin.get("/windows/1").json()["window"]["current"]["id"] == served["id"]
    later = issue()
    numbers = [ticket(served)["number"], later["number"]]
    assert len(set(numbers)) == 2, f"two live tickets share a number: {numbers}"

    # Yesterday's ticket at window 1 finishes normally.
    r = window_1.post("/windows/1/finish")
    assert r.status_code == 200, r.text
    assert ticket(served)["status"] == "done"
    r = window_1.post("/windows/1/call-next")
    assert r.status_code == 200 and r.json()["ticket"]["id"] == later["id"], r.text
