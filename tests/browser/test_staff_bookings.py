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
from harness import PASSWORD, login

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
    panel.get_by_label("日期", exact=True).fill(TUESDAY.isoformat())
    other = board.page.get_by_role("region", name=f"{TUESDAY.isoformat()} 预约")
    expect(other.locator("tbody tr")).to_have_count(1)
    expect(other.locator("tr[data-slot='14:00'] td").nth(1)).to_have_text("普通护照签发")
    other.get_by_role("button", name="今天").click()
    expect(panel.locator("tbody tr")).to_have_count(4)
    board.assert_stayed_local()


def test_the_guide_desk_issues_a_ticket_with_an_id_card_checks_a_booking_in_and_requeues_a_no_show(hall, open_page):
    booked = book(hall, "rst-sbk", MONDAY, "09:00", 11, name="赵六")
    citizen = id_number("19900315", 41)
    console = open_page(hall["server"], "/clerk", viewport=(1366, 768), timezone_id="Asia/Shanghai")
    at(hall, [console], local(MONDAY, "08:20"))
    page = console.page
    staff_sign_in(page, "li", "1")
    page.get_by_role("button", name="导办台").click()
    desk = page.get_by_role("dialog", name="导办台 · 首问负责")
    issue = desk.get_by_role("form", name="代群众取号")
    issue.get_by_label("搜索事项").fill("社会保障卡")
    issue.get_by_label("事项", exact=True).select_option("rst-sbk")
    wrong = citizen[:-1] + ("0" if citizen[-1] != "0" else "1")  # a wrong check digit: refused by its reason
    issue.get_by_label("身份证号（选填）").fill(wrong)
    issue.get_by_label("持证人姓名").fill("王小五")
    issue.get_by_label("手机号（选填，短信通知）").fill("13600001234")
    issue.get_by_role("button", name="代取号").click()
    expect(desk.get_by_role("alert")).to_contain_text("身份证号码有误")
    issue.get_by_label("身份证号（选填）").fill(citizen)
    issue.get_by_role("button", name="代取号").click()

    slip = desk.get_by_role("region", name="号票")
    expect(slip.locator("#slip-number")).to_have_text(re.compile(r"^A\d{3}$"))
    walk_in_number = slip.locator("#slip-number").inner_text()
    expect(slip).to_contain_text(f"已出号 {walk_in_number}")
    expect(slip).to_contain_text("社会保障卡申领")
    expect(slip).to_contain_text("王*五 430***********" + citizen[-4:])  # masked: the desk is no serving window
    expect(slip).to_contain_text("136****1234")
    expect(slip.locator("#slip-qr")).to_have_js_property("complete", True)
    assert slip.locator("#slip-qr").evaluate("img => img.naturalWidth") > 100
    ticket_id = slip.locator("#slip-qr").get_attribute("src").split("/")[2]
    ticket = hall["kiosk"].get(f"/tickets/{ticket_id}").json()["ticket"]
    assert ticket["number"] == walk_in_number and ticket["kind"] == "walk_in" and ticket["status"] == "waiting"
    assert ticket["holder"] == {"name": "王*五", "id_number": "430***********" + citizen[-4:], "phone": "136****1234"}
    expect(issue.get_by_label("身份证号（选填）")).to_have_value("")  # the next citizen starts afresh
    console.screenshot("clerk-guide-desk-1366x768")

    # A booking by its code: too early says from when; on time it gets its ticket.
    checkin = desk.get_by_role("form", name="预约签到")
    checkin.get_by_label("预约码").fill(booked["code"])
    checkin.get_by_role("button", name="签到取号").click()
    expect(desk.get_by_role("alert")).to_contain_text("还没到签到时间，请于 08:30 后签到。")
    at(hall, [console], local(MONDAY, "08:31"))
    checkin.get_by_role("button", name="签到取号").click()
    expect(slip.locator("#slip-number")).not_to_have_text(walk_in_number)
    booked_number = slip.locator("#slip-number").inner_text()
    expect(slip).to_contain_text("预约签到")
    expect(slip).to_contain_text("赵*")

    # The window calls the booking first, finishes it, then marks the walk-in a no-show; the desk re-queues it.
    desk.get_by_role("button", name="关闭").click()
    page.get_by_role("button", name="叫号").click()
    expect(page.locator("#current-number")).to_have_text(booked_number)
    page.get_by_role("button", name="完成").click()
    page.get_by_role("button", name="叫号").click()
    expect(page.locator("#current-number")).to_have_text(walk_in_number)
    page.get_by_role("button", name="过号").click()
    expect(page.locator("#current")).to_contain_text("暂无办理中的号")
    page.get_by_role("button", name="导办台").click()
    again = desk.get_by_role("form", name="过号顺延")
    again.get_by_label("号码").fill(walk_in_number.lower())
    again.get_by_role("button", name="顺延").click()
    expect(slip.locator("#slip-said")).to_have_text(f"{walk_in_number} 已顺延")
    requeued = hall["kiosk"].get(f"/tickets/{ticket_id}").json()["ticket"]
    assert requeued["status"] == "waiting" and requeued["requeued"] is True
    again.get_by_label("号码").fill(walk_in_number)
    again.get_by_role("button", name="顺延").click()
    expect(desk.get_by_role("alert")).to_contain_text("只有已过号的号票才能过号顺延")
    console.screenshot("clerk-guide-desk-requeue-1366x768")
    console.assert_stayed_local()


def test_the_serving_clerk_sees_the_full_id_number_and_name_and_the_floor_screen_neither(hall, open_page):
    citizen, name, phone = id_number("19850620", 51), "欧阳小明", "13912345678"
    screen = open_page(hall["server"], "/display?floor=1", viewport=(1920, 1080))
    console = open_page(hall["server"], "/clerk", viewport=(1366, 768), timezone_id="Asia/Shanghai")
    at(hall, [console], local(MONDAY, "08:30"))
    staff_sign_in(console.page, "li", "1")
    ticket = hall["kiosk"].post("/tickets", {"matter": "rst-sbk", "phone": phone,
                                             "id_card": {"number": citizen, "name": name}}).json()["ticket"]
    page = console.page
    verify = page.get_by_role("region", name="核验身份")
    expect(verify).to_be_hidden()
    page.get_by_role("button", name="叫号").click()
    expect(page.locator("#current-number")).to_have_text(ticket["number"])
    expect(verify.locator(".v-name")).to_have_text(name)
    expect(verify.locator(".v-id")).to_have_text(citizen)
    expect(verify.locator(".v-phone")).to_have_text(phone)
    console.screenshot("clerk-verify-holder-1366x768")

    expect(screen.page.locator("#latest-number")).to_have_text(ticket["number"])
    screen.screenshot("display-floor-serving-an-id-holder")
    shown = screen.page.locator("body").inner_text() + screen.page.content()
    for secret in (citizen, name, phone, citizen[-4:] + " ", "欧*"):  # not even masked: a screen shows numbers only
        assert secret not in shown, secret

    page.get_by_role("button", name="完成").click()
    expect(verify).to_be_hidden()
    screen.assert_stayed_local()
    console.assert_stayed_local()


def test_a_queue_out_of_tickets_says_so_on_the_floor_screen_and_at_the_guide_desk(tmp_path, open_page):
    hall = start_hall(tmp_path, replace={"daily_quota = 30": "daily_quota = 2"})  # 法律服务 (queue falv, floor 1)
    try:
        screen = open_page(hall["server"], "/display?floor=1", viewport=(1920, 1080))
        expect(screen.page.locator("body")).to_have_attribute("data-link", "up")
        expect(screen.page.locator("#queues tr[data-queue='falv']")).to_have_count(0)  # nobody waits, no window open
        for _ in range(2):
            assert hall["kiosk"].post("/tickets", {"matter": "sft-lszy"}).status_code == 201
        row = screen.page.locator("#queues tr[data-queue='falv']")
        expect(row.locator("td").nth(2)).to_have_text("今日号源已满")
        expect(row.locator("td").nth(1)).to_have_text("2")
        expect(screen.page.locator("#queues tr[data-queue='shebao'] td").nth(2)).not_to_have_text("今日号源已满")
        screen.screenshot("display-floor-quota-reached")

        console = open_page(hall["server"], "/clerk", viewport=(1366, 768))
        staff_sign_in(console.page, "li", "1")
        console.page.get_by_role("button", name="导办台").click()
        issue = console.page.get_by_role("form", name="代群众取号")
        issue.get_by_label("搜索事项").fill("律师执业")
        expect(issue.get_by_label("事项", exact=True).locator("option[value='sft-lszy']")).to_have_text(
            "律师执业许可（今日号源已满）")
        issue.get_by_label("事项", exact=True).select_option("sft-lszy")
        issue.get_by_role("button", name="代取号").click()
        expect(console.page.get_by_role("dialog").get_by_role("alert")).to_contain_text("该队列今日号源已满")
        screen.assert_stayed_local()
        console.assert_stayed_local()
    finally:
        hall["server"].stop()


def test_routing_takes_the_holder_as_applicant_and_the_pickup_shows_the_applicant_in_full(hall, open_page):
    name, phone = "上官婉儿", "13522223333"
    assert hall["admin"].post("/users", {"username": "zh-1", "password": PASSWORD, "role": "clerk"}).status_code == 201
    assert hall["admin"].post("/users", {"username": "bo-tyjr", "password": PASSWORD, "role": "backoffice",
                                         "department": "tyjr"}).status_code == 201
    console = open_page(hall["server"], "/clerk", viewport=(1366, 768), timezone_id="Asia/Shanghai")
    at(hall, [console], local(MONDAY, "09:00"))
    page = console.page
    staff_sign_in(page, "zh-1", "49")  # a comprehensive window: 受理转办
    ticket = hall["kiosk"].post("/tickets", {"matter": "tyjr-yfrd", "phone": phone, "id_card": {
        "number": id_number("19700101", 61), "name": name}}).json()["ticket"]
    page.get_by_role("button", name="叫号").click()
    expect(page.locator("#current-number")).to_have_text(ticket["number"])
    expect(page.get_by_role("region", name="核验身份").locator(".v-name")).to_have_text(name)
    page.get_by_role("button", name="受理转办").click()
    form = page.get_by_role("dialog", name=f"受理转办：{ticket['number']} 号")
    expect(form.get_by_label("姓名")).to_have_value(name)  # from the ID card, not typed again
    expect(form.get_by_label("手机号")).to_have_value(phone)
    form.get_by_role("button", name="确认受理").click()
    expect(page.locator("#receipt-number")).to_have_text(re.compile(r"^\d{12}$"))
    case_number = page.locator("#receipt-number").inner_text()
    expect(page.get_by_role("region", name="核验身份")).to_be_hidden()

    office = login(hall["server"], "bo-tyjr")
    case = next(c for c in office.get("/cases").json() if c["number"] == case_number)
    assert case["applicant"] == {"name": name, "phone": phone}
    assert office.post(f"/cases/{case['id']}/claim").status_code == 200
    assert office.post(f"/cases/{case['id']}/decide", {"result": "approved", "note": "符合条件"}).status_code == 200
    assert office.post(f"/cases/{case['id']}/return").status_code == 200
    # The applicant's ID card proves the pickup at the kiosk, instead of the receipt's code.
    pickup = hall["kiosk"].post("/tickets", {"case": case_number, "id_card": {
        "number": id_number("19700101", 61), "name": name}}).json()["ticket"]
    page.get_by_role("button", name="叫号").click()
    expect(page.locator("#current-number")).to_have_text(pickup["number"])
    collector = page.get_by_role("region", name="核验取件人")
    expect(collector.locator(".v-name")).to_have_text(name)
    expect(collector.locator(".v-phone")).to_have_text(phone)
    expect(collector.locator(".v-case")).to_have_text(case_number)
    page.evaluate("window.scrollTo(0, 0)")
    console.screenshot("clerk-verify-pickup-1366x768")
    page.get_by_role("button", name="取件", exact=True).click()
    expect(collector).to_be_hidden()
    console.assert_stayed_local()


def test_the_admin_books_for_a_citizen_and_the_code_checks_in_at_the_kiosk(hall, open_page):
    board = open_page(hall["server"], "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
    at(hall, [board], local(MONDAY, "08:10"))
    staff_sign_in(board.page, "admin")
    panel = board.page.get_by_role("region", name="今日预约")
    panel.get_by_role("button", name="代预约").click()
    form = panel.locator("#book-form")
    form.get_by_label("预约事项").select_option(label="社会保障卡申领")
    expect(form.get_by_label("预约时段").locator("option").first).to_have_text("08:30–09:00 余4")
    form.get_by_label("预约时段").select_option("09:00")
    form.get_by_label("身份证号").fill(id_number("19800101", 40)[:-1] + ("1" if id_number("19800101", 40)[-1] != "1" else "2"))
    form.get_by_label("姓名").fill("周八")
    form.get_by_role("button", name="预约").click()
    expect(form.locator("#book-result")).to_contain_text("身份证号")  # the refusal's sentence (check digit)
    form.get_by_label("身份证号").fill(id_number("19800101", 40))
    form.get_by_role("button", name="预约").click()
    expect(form.locator("#book-result")).to_contain_text("预约码")
    code = re.search(r"预约码 (\d{6})", form.locator("#book-result").inner_text()).group(1)
    row = panel.locator("tr[data-slot='09:00'][data-matter='rst-sbk']")
    expect(row.locator(".b-count")).to_have_text("1 / 4", timeout=PUSHED_WITHIN_MS)
    board.screenshot("admin-book-for-1920x1080")
    at(hall, [board], local(MONDAY, "08:35"))
    checked = hall["kiosk"].post("/tickets", {"appointment": code})
    assert checked.status_code == 201 and checked.json()["ticket"]["kind"] == "appointment", checked.text
    expect(row.locator("td").nth(3)).to_have_text("1", timeout=PUSHED_WITHIN_MS)
