"""预约 on the staff's pages, in a real browser against a real server on a hall clock the test moves
(tests/booking_hall.py: Monday 2026-11-02): the admin board's 今日预约 panel per slot and matter, live on
each check-in and miss; the clerk console's 导办台 issuing a ticket tied to an ID card for a citizen,
checking a booking in and re-queueing a no-show; the serving clerk's 核验身份 with the full ID number and
name, which the floor screen never shows."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from booking_hall import MONDAY, id_number, local, start_hall

from .pages import staff_sign_in

TUESDAY = MONDAY + dt.timedelta(days=1)
PUSHED_WITHIN_MS = 3000  # a push, then one debounced read


@pytest.fixture
def hall(tmp_path):
    started = start_hall(tmp_path)
    yield started
    started["server"].stop()


def book(hall, matter: str, day: dt.date, start: str, serial: int, name: str = "张三") -> dict:
    r = hall["platform"].post("/appointments", {"matter": matter, "date": day.isoformat(), "start": start,
                                                "id_number": id_number("19800101", serial), "name": name,
                                                "phone": "13800001111"})
    assert r.status_code == 201, r.text
    return r.json()["appointment"]


def at(hall, pages, moment: dt.datetime) -> None:
    """The hall's clock and the pages' (a hall PC's clock agrees with the server's)."""
    for opened in pages:
        opened.page.clock.set_fixed_time(moment)
    hall["clock"].set(moment)


def test_the_admin_board_shows_the_days_bookings_per_slot_and_follows_check_ins_and_misses(hall, open_page):
    nine = [book(hall, "rst-sbk", MONDAY, "09:00", n) for n in (1, 2, 3)]
    book(hall, "rst-sbk", MONDAY, "09:30", 4)
    book(hall, "ybj-ydjy", MONDAY, "09:00", 5)
    book(hall, "gat-hz", TUESDAY, "14:00", 6)
    gone = book(hall, "ybj-ydjy", MONDAY, "10:00", 7)
    assert hall["admin"].post(f"/appointments/{gone['id']}/cancel").status_code == 200

    board = open_page(hall["server"], "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
    at(hall, [board], local(MONDAY, "08:40"))
    staff_sign_in(board.page, "admin")
    panel = board.page.get_by_role("region", name="今日预约")
    row = panel.locator("tr[data-slot='09:00'][data-matter='rst-sbk']")
    expect(row.locator("td").nth(1)).to_have_text("社会保障卡申领")
    expect(row.locator(".b-count")).to_have_text("3 / 4")
    expect(row.locator("td").nth(3)).to_have_text("0")
    expect(row.locator("td").nth(4)).to_have_text("3")
    expect(panel.locator("tbody tr")).to_have_count(4)  # 09:00 ×2 matters, 09:30, and the cancelled 10:00
    expect(panel.locator("tr[data-slot='09:00'][data-matter='ybj-ydjy'] td").nth(1)).to_have_text("异地就医备案")
    expect(panel.locator("#bookings-summary")).to_have_text("共 5 人预约：已签到 0，待签到 5，爽约 0，已取消 1")

    # A check-in at the kiosk changes the row at once (the `appointment` push), without a reload.
    checked = hall["kiosk"].post("/tickets", {"appointment": nine[0]["code"]})
    assert checked.status_code == 201, checked.text
    expect(row.locator("td").nth(3)).to_have_text("1", timeout=PUSHED_WITHIN_MS)
    expect(row.locator("td").nth(4)).to_have_text("2")
    expect(row.locator(".b-count")).to_have_text("3 / 4")
    expect(panel.locator("#bookings-summary")).to_contain_text("已签到 1，待签到 4")
    expect(row).not_to_have_class(re.compile(r"\bb-now\b"))  # 08:40: no slot runs yet
    board.screenshot("admin-bookings-1920x1080")

    # 09:50: the 09:00 bookings not checked in by the slot's end plus 15 minutes are missed (爽约) once the
    # hall looks; the board shows it, and the 09:30 slot as the one running now.
    at(hall, [board], local(MONDAY, "09:50"))
    assert hall["admin"].get("/appointments").status_code == 200
    expect(row.locator("td").nth(5)).to_have_text("2", timeout=PUSHED_WITHIN_MS)
    expect(row.locator("td").nth(4)).to_have_text("0")
    expect(panel.locator("#bookings-summary")).to_contain_text("爽约 3")
    expect(panel.locator("tr[data-slot='09:30'][data-matter='rst-sbk']")).to_have_class(re.compile(r"\bb-now\b"))

    # Another day: the date field; 今天 comes back.
    panel.get_by_label("日期").fill(TUESDAY.isoformat())
    other = board.page.get_by_role("region", name=f"{TUESDAY.isoformat()} 预约")
    expect(other.locator("tbody tr")).to_have_count(1)
    expect(other.locator("tr[data-slot='14:00'] td").nth(1)).to_have_text("普通护照签发")
    other.get_by_role("button", name="今天").click()
    expect(panel.locator("tbody tr")).to_have_count(4)
    board.assert_stayed_local()
