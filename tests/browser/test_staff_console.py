"""Issue 13, point 7, the clerk console at its real size (1366×768): the working state fits one screen,
the 受理回执 prints alone, a stale tab disables its buttons, and each sign-in refusal reads as its own
sentence. One hall for the module; a real browser and server."""
from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from harness import PASSWORD

from .pages import staff_sign_in

CONSOLE = (1366, 768)
WORKING = ["#act-call", "#act-recall", "#act-no-show", "#act-finish", "#act-transfer", "#act-pause", "#act-resume"]


def assert_inside_viewport(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= CONSOLE[0] + 0.5 and box["y"] + box["height"] <= CONSOLE[1] + 0.5, (selector, box)


def test_the_working_console_fits_1366x768_and_prints_the_receipt_alone(hall, open_page):
    ticket = hall.kiosk.post("/tickets", {"matter": "tyjr-yfrd"}).json()["ticket"]  # 优抚对象认定
    hall.add_clerk("fit-clerk", None)  # a comprehensive window (受理转办) is staffed by the hall
    console = open_page(hall.server, "/clerk", viewport=CONSOLE)
    page = console.page
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.reload()
    staff_sign_in(page, "fit-clerk", "49")
    page.get_by_role("button", name="叫号").click()
    expect(page.locator("#current-number")).to_have_text(ticket["number"])
    page.get_by_role("button", name="受理转办").click()
    form = page.get_by_role("dialog", name=f"受理转办：{ticket['number']} 号")
    form.get_by_label("姓名").fill("李小红")
    form.get_by_label("手机号").fill("13900002222")
    form.get_by_role("button", name="确认受理").click()
    receipt = page.get_by_role("region", name="受理回执")
    expect(receipt.locator("#receipt-number")).to_have_text(re.compile(r"^\d{12}$"))
    expect(page.get_by_role("region", name="办件", exact=True).get_by_role("row")).to_have_count(2)

    # The working state: ticket, queues, receipt, cases and the keys all on the one screen.
    for selector in ["#receipt", "#cases-panel", "#current", ".actions", "#queue-counts"]:
        assert_inside_viewport(page, selector)
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight + 1"), "the page scrolls"
    console.screenshot("clerk-working-receipt-1366x768")
    page.get_by_role("button", name="English").click()
    expect(page.locator("#print-receipt")).to_have_text("Print receipt")
    expect(page.locator("#receipt-facts")).to_contain_text("Applicant")  # the receipt re-worded, not half Chinese
    expect(page.locator("#message")).to_be_hidden()  # the Chinese 已受理 line is not left on an English page
    for selector in ["#receipt", "#cases-panel", "#current", ".actions"]:
        assert_inside_viewport(page, selector)
    console.screenshot("clerk-working-receipt-en-1366x768")
    page.get_by_role("button", name="中文").click()

    # 打印回执 prints; on paper only the receipt is left.
    receipt.get_by_role("button", name="打印回执").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(receipt).to_be_visible()
    expect(receipt.locator("#receipt-number")).to_be_visible()
    for hidden in ["#current", ".actions", "#cases-panel", "header.bar", "#print-receipt"]:
        expect(page.locator(hidden)).to_be_hidden()
    console.screenshot("clerk-print-receipt")
    page.emulate_media(media="screen")
    expect(page.locator(".actions")).to_be_visible()
    console.assert_stayed_local()


def test_a_stale_console_says_sign_in_again_and_disables_its_buttons(hall, open_page):
    hall.add_clerk("stale-clerk", "rst")
    console = open_page(hall.server, "/clerk", viewport=CONSOLE)
    page = console.page
    staff_sign_in(page, "stale-clerk", "2")
    expect(page.locator("#who")).to_have_text("stale-clerk · 2号窗口")
    for selector in WORKING:
        expect(page.locator(selector)).to_be_enabled()

    # The account is disabled from the admin board: the server closes the tab's socket.
    assert hall.admin.post("/users/stale-clerk/disable").status_code == 200
    banner = page.locator("#stale")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("请重新登录")
    for selector in WORKING:
        expect(page.locator(selector)).to_be_disabled()
    expect(page.locator("#sign-out")).to_be_disabled()
    page.keyboard.press("F1")  # the keypad does nothing either
    assert hall.admin.get("/windows/2").json()["window"]["current"] is None
    console.screenshot("clerk-stale-1366x768")

    # Signed in again: the buttons are the clerk's again.
    assert hall.admin.post("/users/stale-clerk/enable").status_code == 200
    banner.get_by_role("button", name="重新登录").click()
    staff_sign_in(page, "stale-clerk", "2")
    expect(banner).to_be_hidden()
    for selector in WORKING:
        expect(page.locator(selector)).to_be_enabled()
    # A refusal reads as one Chinese sentence: the server's English words are not added under it.
    page.get_by_role("button", name="叫号").click()
    message = page.locator("#message")
    expect(message).to_contain_text("现在没有等候的号")
    expect(message.locator(".message-detail")).to_have_count(0)

    # Another session of the same clerk signs this window out: this tab no longer works it.
    other = requests.post(f"{hall.server.api}/auth/login", json={"username": "stale-clerk", "password": PASSWORD}).json()["token"]
    r = requests.post(f"{hall.server.api}/windows/2/sign-out", headers={"Authorization": f"Bearer {other}"})
    assert r.status_code == 200, r.text
    expect(banner).to_contain_text("请重新登录")
    expect(page.locator("#act-call")).to_be_disabled()
    console.assert_stayed_local()


def test_each_sign_in_refusal_gives_its_true_reason(hall, open_page):
    hall.add_clerk("reason-clerk", "rst")
    hall.add_clerk("locked-clerk", "rst")
    other_department = next(w for w in hall.admin.get("/windows").json() if w["department"] not in (None, "rst"))
    console = open_page(hall.server, "/clerk", viewport=CONSOLE)
    page = console.page
    message = page.locator("#signin-message")

    def sign_in(username: str, password: str, window: str) -> None:
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_label("窗口").fill(window)
        page.get_by_role("button", name="登录").click()

    sign_in("reason-clerk", "not-the-password", "3")
    expect(message).to_have_text("用户名或密码不正确，请重新输入。")
    sign_in("reason-clerk", PASSWORD, "999")
    expect(message).to_have_text("没有这个窗口号，请核对后重新填写。")
    sign_in("reason-clerk", PASSWORD, other_department["number"])
    expect(message).to_have_text("该窗口不属于您的部门，不能在此签到。")
    hall.clerk_at("5")  # someone else works window 5
    sign_in("reason-clerk", PASSWORD, "5")
    expect(message).to_have_text("该窗口已由其他工作人员签到；需对方先退出，或由管理员关闭窗口。")
    for i in range(6):  # the account's failures at this address: the throttle says so, not "wrong password"
        requests.post(f"{hall.server.api}/auth/login", json={"username": "locked-clerk", "password": f"wrong-{i}-x"})
    sign_in("locked-clerk", PASSWORD, "3")
    expect(message).to_contain_text("登录失败次数过多")
    assert not re.search(r"[A-Za-z]{3,}", message.inner_text()), message.inner_text()  # one language
    console.screenshot("clerk-signin-locked-1366x768")
    console.assert_stayed_local()


def test_a_pickup_tickets_tracking_page_does_not_send_for_a_pickup_ticket(hall, open_page):
    desk, office = hall.clerk_at("3"), hall.add_backoffice("rst")
    hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    assert desk.post("/windows/3/call-next").status_code == 200
    case = desk.post("/windows/3/route", {"applicant": {"name": "张小三", "phone": "13812341234"}}).json()["case"]
    assert office.post(f"/cases/{case['id']}/decide", {"result": "approved"}).status_code == 200
    assert office.post(f"/cases/{case['id']}/return").status_code == 200
    r = hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": case["pickup_code"]})
    assert r.status_code == 201, r.text
    pickup = r.json()["ticket"]
    assert pickup["kind"] == "pickup"

    phone = open_page(hall.server, f"/t/{pickup['id']}", viewport=(390, 844))
    page = phone.page
    expect(page.locator("#number")).to_have_text(pickup["number"])
    expect(page.locator("#matter")).to_have_text(f"取件：办件 {case['number']}")
    expect(page.locator("#status")).to_have_text("取件排队中，叫到您的号时请到窗口领取办件结果。")
    expect(page.locator("#case-hint")).to_have_text(re.compile(f"您已取到取件号 {pickup['number']}"))
    expect(page.locator("main")).not_to_contain_text("取号机")  # nobody is sent to take the ticket they hold
    phone.screenshot("track-pickup-390x844")
    page.get_by_role("button", name="English").click()
    expect(page.locator("#case-hint")).to_contain_text(f"You hold pickup ticket {pickup['number']}")
    page.get_by_role("button", name="中文").click()
    phone.assert_stayed_local()
