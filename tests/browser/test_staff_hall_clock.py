"""Staff pages read times and days on the hall's clock (the config's `timezone`, GET /catalog), not the
clock of the computer showing them, as the kiosk and the floor screen do: a browser set to a zone whose
calendar day differs from the hall's at this moment shows the hall's times and the hall's days."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .pages import staff_sign_in

HALL = ZoneInfo("Asia/Shanghai")  # the demo hall's [hall] timezone


def other_day_zone() -> str:
    """A zone whose date differs from the hall's now (Pago Pago is 19 hours behind, Kiritimati 6 ahead)."""
    hall_hour = dt.datetime.now(HALL).hour
    return "Pacific/Pago_Pago" if hall_hour < 18 else "Pacific/Kiritimati"


def test_the_clerk_console_shows_the_call_on_the_halls_clock(hall, open_page):
    hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    hall.add_clerk("clock-clerk-1", "rst")
    console = open_page(hall.server, "/clerk", viewport=(1366, 768), timezone_id=other_day_zone())
    staff_sign_in(console.page, "clock-clerk-1", "1")
    console.page.get_by_role("button", name="叫号").click()
    expect(console.page.locator("#current-number")).to_be_visible()
    called_at = hall.admin.get("/windows/1").json()["window"]["current"]["called_at"]
    local = dt.datetime.fromisoformat(called_at).astimezone(HALL).strftime("%H:%M:%S")
    expect(console.page.locator("#current dd").nth(2)).to_have_text(local)
    console.assert_stayed_local()


def test_the_reports_page_offers_the_halls_last_seven_days(hall, open_page):
    zone = other_day_zone()
    opened = open_page(hall.server, "/reports", viewport=(1920, 1080), timezone_id=zone)
    today = dt.datetime.now(HALL).date()
    assert today != dt.datetime.now(ZoneInfo(zone)).date()  # else this test could not fail
    expect(opened.page.locator("#to")).to_have_value(today.isoformat())
    expect(opened.page.locator("#from")).to_have_value((today - dt.timedelta(days=6)).isoformat())
    opened.assert_stayed_local()
