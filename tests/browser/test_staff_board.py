"""Issue 13, point 7, the admin board at 1920×1080: its filters (open only, by floor, by state) and
summary figures checked against the API, a device fault as a sentence from its codes (never the
driver's English words), and a stale board disabling its controls. The demo hall with kiosk-1's
printer on a port where nothing listens (it goes offline at the first ticket)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import make_hall
from harness import demo_config, free_port

from .pages import staff_sign_in

BOARD = (1920, 1080)
PRINTER = "kiosk-1-printer"


@pytest.fixture(scope="module")
def wired(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("board-pages")
    config = demo_config(tmp, f"""
[[devices]]
name = "{PRINTER}"
kind = "printer"
url = "tcp://127.0.0.1:{free_port()}"
protocol = "escpos"
attach = "kiosk:kiosk-1"
""")
    hall = make_hall(tmp, config=config)
    yield hall
    hall.server.stop()


def figures(page) -> dict:
    return {key: page.locator(f'#board-summary [data-figure="{key}"] .fig-value').inner_text()
            for key in ("open", "staffed", "paused", "closed", "waiting", "longest")}


def test_the_board_filters_its_windows_and_sums_up_the_hall(wired, open_page):
    wired.clerk_at("1"), wired.clerk_at("2"), wired.clerk_at("63")
    for _ in range(3):
        wired.admin.post("/tickets", {"matter": "rst-sbk"})  # by staff: nothing for the dead printer
    assert wired.admin.put("/windows/2/state", {"state": "paused"}).status_code == 200
    board = open_page(wired.server, "/admin", viewport=BOARD)
    page = board.page
    staff_sign_in(page, "admin")
    rows = page.locator("#windows tr")
    expect(rows.first).to_be_visible()

    windows = wired.admin.get("/windows").json()
    stats = wired.admin.get("/stats").json()
    expected = {
        "open": sum(w["state"] == "open" for w in windows), "paused": sum(w["state"] == "paused" for w in windows),
        "closed": sum(w["state"] == "closed" for w in windows),
        "staffed": sum(bool(w["clerk"]) for w in windows if w["state"] != "closed"),
        "waiting": sum(q["waiting"] for q in stats),
    }
    assert expected["paused"] == 1 and expected["waiting"] >= 3
    for key, value in expected.items():  # the queue figures follow the live stats once the link is up
        expect(page.locator(f'#board-summary [data-figure="{key}"] .fig-value')).to_have_text(str(value))
    longest = max(q["longest_wait_s"] for q in stats) // 60
    assert figures(page)["longest"] in (f"{longest} 分钟", f"{longest + 1} 分钟")

    # Only windows in service: floor 1's open and paused ones.
    page.get_by_label("只看开放中的窗口").check()
    floor_1 = sorted(w["number"] for w in windows if w["floor"] == 1 and w["state"] != "closed")
    expect(rows).to_have_count(len(floor_1))
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.window)")) == floor_1
    # By state: paused, on every floor.
    page.get_by_label("状态", exact=True).select_option("paused")
    page.get_by_role("button", name="全部楼层").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-window", "2")
    page.get_by_label("状态", exact=True).select_option("open")
    opened = sorted(w["number"] for w in windows if w["state"] == "open")
    expect(rows).to_have_count(len(opened))
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.window)")) == opened
    # By floor: floor 2's open windows.
    page.get_by_role("button", name=re.compile("^2楼")).click()
    expect(rows).to_have_count(sum(w["state"] == "open" and w["floor"] == 2 for w in windows))
    expect(page.locator("#filter-count")).to_contain_text("显示")
    board.screenshot("admin-filters-1920x1080")
    page.get_by_role("button", name="English").click()
    expect(page.locator('#board-summary [data-figure="open"] .fig-label')).to_have_text("Windows open")
    board.screenshot("admin-filters-en-1920x1080")
    page.get_by_role("button", name="中文").click()
    box = page.locator("#board-summary").bounding_box()
    assert box and box["y"] + box["height"] <= BOARD[1], box
    board.assert_stayed_local()


def test_a_device_fault_reads_as_a_sentence_in_either_language(wired, open_page):
    board = open_page(wired.server, "/admin", viewport=BOARD)
    page = board.page
    staff_sign_in(page, "admin")
    expect(page.locator("#board-summary")).to_be_visible()
    wired.kiosk.post("/tickets", {"matter": "rst-sbk"})  # the kiosk's printer is tried, and is not there
    alert = page.locator('#supervision li[data-rule="device"]')
    expect(alert.first).to_be_visible(timeout=20000)
    text = alert.first.locator(".a-text")
    expect(text).to_have_text(f"自助机 kiosk-1的打印机 {PRINTER} 离线（连接中断），请检查电源和连线。")
    device = wired.admin.get("/devices").json()["devices"][0]
    assert device["state"] == "offline" and device["detail"]  # the driver's own words exist …
    expect(page.locator("#supervision")).not_to_contain_text(device["detail"])  # … and are not the sentence
    expect(page.locator(f'#devices tr[data-device="{PRINTER}"] .health')).to_have_attribute("title", re.compile("请检查电源"))
    board.screenshot("admin-device-fault-1920x1080")
    page.get_by_role("button", name="English").click()
    expect(text).to_have_text(f"The printer {PRINTER} at kiosk kiosk-1 is offline (its link is down); check its power and cable.")
    board.screenshot("admin-device-fault-en-1920x1080")
    page.get_by_role("button", name="中文").click()
    board.assert_stayed_local()


def test_a_stale_board_says_sign_in_again_and_disables_its_controls(wired, open_page):
    r = wired.admin.post("/users", {"username": "board-admin-2", "password": "hall-test-pass-1", "role": "admin"})
    assert r.status_code == 201, r.text
    board = open_page(wired.server, "/admin", viewport=BOARD)
    page = board.page
    staff_sign_in(page, "board-admin-2")
    expect(page.locator("#link")).to_be_hidden()  # the live link is up (the server can close it)
    open_button = page.get_by_role("button", name="暂停 1", exact=True)
    expect(open_button).to_be_enabled()
    assert wired.admin.post("/users/board-admin-2/disable").status_code == 200
    expect(page.locator("#stale")).to_contain_text("请重新登录")
    expect(open_button).to_be_disabled()
    expect(page.get_by_label("只看开放中的窗口")).to_be_disabled()
    board.screenshot("admin-stale-1920x1080")
    board.assert_stayed_local()


def test_a_stale_back_office_desk_disables_its_controls(wired, open_page):
    r = wired.admin.post("/users", {"username": "bo-stale", "password": "hall-test-pass-1", "role": "backoffice",
                                    "department": "rst"})
    assert r.status_code == 201, r.text
    desk = open_page(wired.server, "/backoffice", viewport=BOARD)
    page = desk.page
    staff_sign_in(page, "bo-stale")
    expect(page.locator("#connection")).to_have_attribute("data-state", "up")
    expect(page.locator("#status-filter")).to_be_enabled()
    assert wired.admin.post("/users/bo-stale/disable").status_code == 200
    expect(page.locator("#stale")).to_contain_text("请重新登录")
    expect(page.locator("#status-filter")).to_be_disabled()
    expect(page.locator("#sign-out")).to_be_disabled()
    desk.screenshot("backoffice-stale-1920x1080")
    desk.assert_stayed_local()
