"""预约签到 at a real kiosk (1080×1920) against a real server: a booking checked in by its code typed on
the number pad, another by a 二代身份证 placed on the simulated reader attached to the kiosk (the
card reaches the page over /kiosk), each an appointment ticket; a walk-in ticket tied to the card and
a phone; 过号顺延 of a missed number; a full queue greyed out."""
from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from conftest import make_hall
from drivers.simulate import IdReaderSimulator, PtyDevice
from harness import demo_config
from .pages import choose_matter, pair_kiosk

MATTER = "rst-sbk"          # 社会保障卡申领, queue shebao (A), floor 1
HOLDER, HOLDER_NAME = "430104195001011234", "张三"        # check digit valid (GB 11643)
WALKER, WALKER_NAME = "110101199003074517", "李四"
CODE_HOLDER = "440305198807220016"
TZ = ZoneInfo("Asia/Shanghai")


def check_digit_ok(number: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(number, weights)) % 11] == number[-1]


BOOKINGS = """
[appointments]
hours = ["00:00", "23:59"]
days_ahead = 5
slot_minutes = 30
early_minutes = 30
late_minutes = 15
"""


def hall_config(folder, reader_path: str, bookings: bool = True) -> str:
    path = demo_config(folder, (BOOKINGS if bookings else "") + f"""
[[devices]]
name = "kiosk-1-reader"
kind = "id_reader"
url = "{reader_path}"
protocol = "sam"
attach = "kiosk:kiosk-1"
baudrate = 115200
""")
    if bookings:
        text = open(path, encoding="utf-8").read()
        text = text.replace(f'id = "{MATTER}"\n', f'id = "{MATTER}"\nappointment_quota = 5\n', 1)
        open(path, "w", encoding="utf-8").write(text)
    return path


def _reader_hall(tmp_path, bookings: bool):
    reader = IdReaderSimulator(PtyDevice("ID reader"))
    hall = make_hall(tmp_path, config=hall_config(tmp_path, reader.device.path, bookings))
    return hall, reader


@pytest.fixture
def reader_hall(tmp_path):
    hall, reader = _reader_hall(tmp_path, bookings=True)
    yield hall, reader
    hall.server.stop()


@pytest.fixture
def reader_only_hall(tmp_path):
    """The demo hall as it is, with the simulated reader at kiosk-1 (no bookings needed)."""
    hall, reader = _reader_hall(tmp_path, bookings=False)
    yield hall, reader
    hall.server.stop()


def book(hall, id_number: str, name: str) -> dict:
    """A booking for today in the slot whose check-in is open now."""
    now = dt.datetime.now(TZ)
    today = now.date().isoformat()
    slots = hall.admin.get(f"/appointments/slots?matter={MATTER}&date={today}").json()["slots"]

    def open_now(slot) -> bool:
        start = dt.datetime.combine(now.date(), dt.time.fromisoformat(slot["start"][-8:][:5] if "T" in slot["start"]
                                                                      else slot["start"][:5]), TZ)
        return start - dt.timedelta(minutes=30) <= now <= start + dt.timedelta(minutes=10)
    slot = next(s for s in slots if s["free"] and open_now(s))
    made = hall.admin.post("/appointments", {"matter": MATTER, "date": today, "start": slot["start"],
                                             "id_number": id_number, "name": name, "phone": "13800000000"})
    assert made.status_code == 201, made.text
    return made.json()["appointment"]


def test_a_booking_is_checked_in_by_its_code_and_another_by_the_id_card_on_the_reader(reader_hall, open_page):
    hall, reader = reader_hall
    assert all(check_digit_ok(n) for n in (HOLDER, WALKER, CODE_HOLDER))
    by_code = book(hall, CODE_HOLDER, "王五")
    by_card = book(hall, HOLDER, HOLDER_NAME)
    kiosk = open_page(hall.server, "/kiosk", viewport=(1080, 1920))
    page = kiosk.page
    pair_kiosk(page, hall.kiosk.token)
    expect(page.locator("#reader-hint")).to_contain_text("请将身份证放在感应区")  # this kiosk has a reader
    kiosk.screenshot("kiosk-checkin-home-with-reader")

    # By code: six digits on the number pad (no keyboard on a kiosk).
    page.get_by_role("button", name="预约签到").click()
    pad = page.get_by_role("group", name="数字键盘")
    for digit in "12345":
        pad.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("预约码是6位数字，请输完整后再签到。")
    pad.get_by_role("button", name="清空").click()
    for digit in by_code["code"]:
        pad.get_by_role("button", name=digit, exact=True).click()
    expect(page.get_by_label("预约码")).to_have_value(by_code["code"])
    kiosk.screenshot("kiosk-checkin-code")
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
    expect(page.locator("#ticket-kind")).to_have_text("预约号 · 优先于现场取号叫号")
    kiosk.screenshot("kiosk-checkin-code-ticket")
    code_ticket = page.locator("#ticket-qr").get_attribute("src").split("/")[2]
    assert hall.kiosk.get(f"/tickets/{code_ticket}").json()["ticket"]["kind"] == "appointment"

    # The same code again: a refusal in a sentence, chosen by its reason.
    page.get_by_role("button", name="完成").click()
    page.get_by_role("button", name="预约签到").click()
    for digit in by_code["code"]:
        pad.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("这个预约已经签到过了")
    page.get_by_role("button", name="回到首页").click()

    # By ID card: placed on the simulated reader, the card reaches the page over /kiosk.
    reader.place(HOLDER, HOLDER_NAME)
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"), timeout=10000)
    expect(page.locator("#ticket-kind")).to_have_text("预约号 · 优先于现场取号叫号")
    kiosk.screenshot("kiosk-checkin-card-ticket")
    card_ticket = page.locator("#ticket-qr").get_attribute("src").split("/")[2]
    issued = hall.kiosk.get(f"/tickets/{card_ticket}").json()["ticket"]
    assert issued["kind"] == "appointment" and issued["holder"]["id_number"] == "430***********1234"
    appointments = hall.admin.get(f"/appointments/{by_card['id']}")
    if appointments.status_code == 200:
        assert appointments.json()["appointment"]["status"] == "checked_in"
    reader.remove()
    page.get_by_role("button", name="完成").click()
    expect(page.locator("#home-card")).to_be_hidden()
    kiosk.assert_stayed_local()


def test_a_walk_in_ticket_takes_the_card_and_a_phone_and_a_missed_number_queues_again(reader_hall, open_page):
    hall, reader = reader_hall
    kiosk = open_page(hall.server, "/kiosk", viewport=(1080, 1920))
    page = kiosk.page
    pair_kiosk(page, hall.kiosk.token)
    choose_matter(page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    expect(page.locator("#confirm-card-hint")).to_be_visible()
    reader.place(WALKER, WALKER_NAME)  # on the confirm screen the card goes with the walk-in ticket
    expect(page.locator("#confirm-card-text")).to_have_text("已读取身份证：李*（110***********4517）")
    page.get_by_role("button", name="填写手机号").click()
    pad = page.get_by_role("group", name="数字键盘")
    for digit in "13912345678":
        pad.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="确定").click()
    expect(page.locator("#confirm-phone")).to_have_text("139****5678")
    kiosk.screenshot("kiosk-confirm-card-phone")
    page.get_by_role("button", name="取号").click()
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
    number = page.locator("#ticket-number").inner_text()
    ticket_id = page.locator("#ticket-qr").get_attribute("src").split("/")[2]
    issued = hall.kiosk.get(f"/tickets/{ticket_id}").json()["ticket"]
    assert issued["kind"] == "walk_in" and issued["holder"]["id_number"] == "110***********4517"
    assert issued["holder"]["phone"] == "139****5678"
    reader.remove()
    page.get_by_role("button", name="完成").click()

    # Called, missed: 过号顺延 at the kiosk, the letter by a button, the digits on the pad.
    clerk = hall.clerk_at("1")
    assert clerk.post("/windows/1/call-next").json()["ticket"]["number"] == number
    assert clerk.post("/windows/1/no-show").status_code == 200
    page.get_by_role("button", name="过号顺延").click()
    page.get_by_role("group", name="号码字母").get_by_role("button", name="A", exact=True).click()
    for digit in number[1:]:
        pad.get_by_role("button", name=digit, exact=True).click()
    expect(page.get_by_label("号码")).to_have_value(number)
    kiosk.screenshot("kiosk-requeue")
    page.get_by_role("button", name="顺延").click()
    expect(page.locator("#ticket-number")).to_have_text(number)
    expect(page.locator("#ticket-kind")).to_have_text("已顺延 · 请留意叫号")
    page.get_by_role("button", name="完成").click()
    page.get_by_role("button", name="过号顺延").click()  # once only
    page.get_by_role("group", name="号码字母").get_by_role("button", name="A", exact=True).click()
    for digit in number[1:]:
        pad.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="顺延").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("还没有过号|已经顺延过"))
    kiosk.assert_stayed_local()


def test_the_card_and_the_phone_stay_with_one_visit_only(reader_only_hall, open_page):
    hall, reader = reader_only_hall
    kiosk = open_page(hall.server, "/kiosk", viewport=(1080, 1920), fake_clock=True)
    page = kiosk.page
    pair_kiosk(page, hall.kiosk.token)
    expect(page.locator("#reader-hint")).to_be_visible()
    choose_matter(page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    reader.place(WALKER, WALKER_NAME)
    expect(page.locator("#confirm-card-text")).to_have_text("已读取身份证：李*（110***********4517）")
    page.get_by_role("button", name="填写手机号").click()
    pad = page.get_by_role("group", name="数字键盘")
    for digit in "1391234":
        pad.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="确定").click()
    expect(page.get_by_role("alert")).to_have_text("手机号是以1开头的11位数字，请核对后再确定。")
    for digit in "5678":
        pad.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="确定").click()
    expect(page.locator("#confirm-phone")).to_have_text("139****5678")
    kiosk.screenshot("kiosk-confirm-card-phone-1080x1920")
    reader.remove()

    # The citizen walks away: 30 s later the next one finds no card and no phone.
    page.clock.fast_forward(31_000)
    expect(page.get_by_role("heading", name="请选择办事区域")).to_be_visible()
    choose_matter(page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    expect(page.locator("#confirm-card")).to_be_hidden()
    expect(page.locator("#confirm-phone")).to_have_text("未填写")
    assert WALKER not in page.content()
    kiosk.assert_stayed_local()
