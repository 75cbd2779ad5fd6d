"""Every page at its target size, in a hall with people waiting and windows at work: a screenshot
for CI's artefacts (test-artifacts/screenshots/), the page's own content checked, and no request
leaving the server."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from .pages import choose_matter, pair_kiosk, staff_sign_in, take_ticket

MATTERS = ["rst-sbk", "rst-sbk", "rst-ylzy", "ybj-ydjy", "jgsw-gjjtq", "gat-sfz", "gat-hz", "mzt-swhy"]


@pytest.fixture(scope="module")
def busy_hall(hall):
    """Tickets waiting in several queues; windows 1 and 2 serving, window 13 paused."""
    tickets = [hall.kiosk.post("/tickets", {"matter": m}).json()["ticket"] for m in MATTERS]
    for window in ("1", "2"):
        hall.clerk_at(window).post(f"/windows/{window}/call-next")
    paused = hall.clerk_at("13")
    assert paused.post("/windows/13/pause", json={"reason": "会议"}).status_code == 200
    hall.tickets = tickets
    return hall


def test_kiosk_portrait(busy_hall, open_page):
    kiosk = open_page(busy_hall.server, "/kiosk", viewport=(1080, 1920))
    pair_kiosk(kiosk.page, busy_hall.kiosk.token)
    for zone in ("1楼 服务群众个人区", "2楼 服务企业、项目区", "3楼 服务机关事业单位区"):
        expect(kiosk.page.get_by_role("button", name=zone)).to_be_visible()
    kiosk.screenshot("kiosk-portrait-home")
    choose_matter(kiosk.page, "1楼 服务群众个人区", "省公安厅", "普通护照签发")
    number, ticket_id = take_ticket(kiosk.page)
    expect(kiosk.page.locator("#ticket-ahead")).to_have_text("2 人")  # the two 户籍 tickets issued before
    assert busy_hall.kiosk.get(f"/tickets/{ticket_id}").json()["ticket"]["ahead"] == 2
    # No clerk is signed in at any 户籍 window: no minutes, a sentence (docs/waits.md)
    expect(kiosk.page.locator("#ticket-eta")).to_have_text("暂无窗口办理")
    assert busy_hall.kiosk.get(f"/tickets/{ticket_id}").json()["ticket"]["eta_range"] is None
    expect(kiosk.page.locator("#ticket-qr")).to_have_js_property("complete", True)
    assert kiosk.page.locator("#ticket-qr").evaluate("img => img.naturalWidth") > 100  # the QR code rendered
    kiosk.screenshot("kiosk-portrait-ticket")
    kiosk.assert_stayed_local()


def test_kiosk_landscape_elder_green_channel_and_search(busy_hall, open_page):
    kiosk = open_page(busy_hall.server, "/kiosk", viewport=(1920, 1080))
    pair_kiosk(kiosk.page, busy_hall.kiosk.token)
    kiosk.page.get_by_role("button", name="English").click()
    expect(kiosk.page.get_by_role("heading", name="Choose a service area")).to_be_visible()
    expect(kiosk.page.get_by_role("button", name="Floor 2 Enterprises & projects")).to_be_visible()
    kiosk.screenshot("kiosk-landscape-home-en")
    kiosk.page.get_by_role("button", name="中文").click()
    kiosk.page.get_by_role("button", name="搜索事项").click()
    kiosk.page.get_by_label("输入事项名称中的字词").fill("公积金")
    expect(kiosk.page.get_by_role("button", name="住房公积金提取", exact=True)).to_be_visible()
    kiosk.screenshot("kiosk-landscape-search")
    kiosk.page.get_by_role("button", name="回到首页").click()

    kiosk.page.get_by_role("button", name="绿色通道").click()
    kiosk.page.get_by_role("button", name="进入绿色通道").click()
    expect(kiosk.page.locator("body")).to_have_class("elder")
    kiosk.page.get_by_role("button", name="1楼 服务群众个人区").click()
    expect(kiosk.page.locator("#list .choice")).to_have_count(4)  # elder mode: fewer choices a screen
    kiosk.screenshot("kiosk-landscape-elder-departments")
    kiosk.page.get_by_role("button", name="省人力资源社会保障厅").click()
    kiosk.page.get_by_role("button", name="社会保障卡申领", exact=True).click()
    # Windows 1 and 2 are staffed for 社保: the wait is a range
    expect(kiosk.page.locator("#confirm-waiting")).to_have_text(re.compile(r"^\d+ 人等候；预计等候：(约 \d+–\d+ 分钟|\d+ 分钟内|即将叫号)$"))
    kiosk.screenshot("kiosk-landscape-confirm")
    number, ticket_id = take_ticket(kiosk.page)
    ticket = busy_hall.kiosk.get(f"/tickets/{ticket_id}").json()["ticket"]
    assert ticket["priority"] == "green"
    low, high = ticket["eta_range"]
    wait = "即将叫号" if high <= 1 else f"{high} 分钟内" if low == 0 else f"约 {low}–{high} 分钟"  # never "约 0 分钟"
    expect(kiosk.page.locator("#ticket-eta")).to_have_text(wait)
    kiosk.screenshot("kiosk-landscape-ticket")
    kiosk.assert_stayed_local()


def test_floor_screen(busy_hall, open_page):
    screen = open_page(busy_hall.server, "/display?floor=1")
    expect(screen.page.locator("body")).to_have_attribute("data-link", "up")
    current = busy_hall.admin.get("/windows/2").json()["window"]["current"]["number"]
    expect(screen.page.locator("#latest-number")).to_have_text(current)
    expect(screen.page.locator(".tile[data-window='13'] .t-current")).to_have_text("暂停服务")
    huji = next(q for q in busy_hall.admin.get("/stats").json() if q["code"] == "huji")
    expect(screen.page.locator("#queues tr[data-queue='huji'] td").nth(1)).to_have_text(str(huji["waiting"]))
    screen.screenshot("display-floor-1")
    screen.assert_stayed_local()


def test_window_screens(busy_hall, open_page):
    serving = open_page(busy_hall.server, "/display?window=1", viewport=(1280, 720))
    current = busy_hall.admin.get("/windows/1").json()["window"]["current"]["number"]
    expect(serving.page.locator("#w-current")).to_have_text(current)
    expect(serving.page.locator("#w-department")).to_have_text("省人力资源社会保障厅")
    serving.screenshot("display-window-1")
    paused = open_page(busy_hall.server, "/display?window=13", viewport=(1280, 720))
    expect(paused.page.locator("#w-paused")).to_have_text("暂停服务")
    paused.screenshot("display-window-13-paused")
    missing = open_page(busy_hall.server, "/display?window=9999", viewport=(1280, 720))
    expect(missing.page.get_by_role("heading")).to_have_text("没有这个楼层或窗口，请检查屏幕的地址。")
    for opened in (serving, paused, missing):
        opened.assert_stayed_local()


def test_clerk_console(busy_hall, open_page):
    busy_hall.add_clerk("shot-clerk-21", "jgsw")
    console = open_page(busy_hall.server, "/clerk", viewport=(1366, 768))
    staff_sign_in(console.page, "shot-clerk-21", "21")
    for name in ("叫号", "重呼", "过号", "完成", "转移", "暂停", "恢复"):
        expect(console.page.get_by_role("button", name=name, exact=True)).to_be_visible()
    console.page.get_by_role("button", name="叫号").click()
    expect(console.page.locator("#current-number")).to_have_text("C001")
    expect(console.page.locator("#current")).to_contain_text("住房公积金提取")
    expect(console.page.locator("#queue-counts tr[data-queue='gjj'] td").nth(1)).to_have_text("0")  # live stats
    console.screenshot("clerk-console")
    # 转移 (F5 on a keypad, not a reload here) opens a choice of queue; the ticket then waits in
    # that queue and leaves the window.
    console.page.keyboard.press("F5")
    expect(console.page.get_by_label("转到队列")).to_be_visible()
    console.page.get_by_label("转到队列").select_option("huji")
    console.page.get_by_role("button", name="确认转移").click()
    expect(console.page.get_by_role("alert")).to_contain_text("C001 号已转到户籍出入境")
    console.assert_stayed_local()


def test_admin_board(busy_hall, open_page):
    board = open_page(busy_hall.server, "/admin")
    staff_sign_in(board.page, "admin")
    paused = board.page.locator("tr[data-window='13'] td.state")
    expect(paused).to_contain_text("暂停服务")
    expect(paused.locator(".s-why")).to_contain_text("会议 · ")  # the clerk's reason, and since when
    expect(board.page.locator("#queues tr[data-queue='shebao'] td").nth(4)).to_contain_text("1、2")
    board.screenshot("admin-board")
    board.assert_stayed_local()


def test_tracking_page(busy_hall, open_page):
    waiting = busy_hall.tickets[-1]
    page = open_page(busy_hall.server, f"/t/{waiting['id']}", viewport=(390, 844))
    expect(page.page.locator("#number")).to_have_text(waiting["number"])
    expect(page.page.locator("#matter")).to_have_text("涉外婚姻登记")
    page.screenshot("tracking-waiting")
    missing = open_page(busy_hall.server, "/t/no-such-ticket", viewport=(390, 844))
    expect(missing.page.get_by_role("alert")).to_contain_text("找不到这张号票")
    for opened in (page, missing):
        opened.assert_stayed_local()
