"""A kiosk whose printer is out of paper, at the kiosk's real size (1080×1920), against a real server
whose printer driver found the empty roll the way it finds a real one (a TCP printer answering DLE EOT
with paper-out): the confirm screen warns before issuing, the ticket is issued all the same, and the
ticket screen says the slip did not print and shows the QR code to scan or photograph. Paper back, the
warning goes and the next ticket prints (the lost one does not)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import make_hall
from device_doubles import PrinterListener
from harness import demo_config, wait_for
from .pages import choose_matter, pair_kiosk, take_ticket

KIOSK_SIZE = (1080, 1920)
PAPER_OUT = "打印机缺纸，号票将显示在屏幕上，请拍照或扫码保存"


@pytest.fixture  # one per attempt: a rerun starts with the paper out again, not where the last attempt left it
def printer_hall(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kiosk-printer")
    printer = PrinterListener(paper_out=True)
    hall = make_hall(tmp, config=demo_config(tmp, f"""
[[devices]]
name = "kiosk-1-printer"
kind = "printer"
url = "tcp://127.0.0.1:{printer.port}"
protocol = "escpos"
attach = "kiosk:kiosk-1"
"""))
    yield hall, printer
    hall.server.stop()
    printer.close()


def printer_state(hall) -> str:
    return {d["name"]: d["state"] for d in hall.admin.get("/devices").json()["devices"]}["kiosk-1-printer"]


def test_an_empty_printer_is_told_before_issuing_and_the_ticket_shown_to_scan(printer_hall, open_page):
    hall, printer = printer_hall
    assert wait_for(lambda: printer_state(hall) == "paper_out", 15)  # the driver's own probe found it
    opened = open_page(hall.server, "/kiosk", viewport=KIOSK_SIZE)
    page = opened.page
    pair_kiosk(page, hall.kiosk.token)
    choose_matter(page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    warning = page.locator("#confirm-printer")
    expect(warning).to_have_text(PAPER_OUT)
    expect(page.get_by_role("button", name="取号")).to_be_enabled()  # warned, not refused
    opened.screenshot("kiosk-printer-out-confirm")

    number, _ = take_ticket(page)
    slip = page.locator("#ticket-slip")
    expect(slip).to_have_text("号票未能打印，请拍照或扫码保存您的号码")
    qr = page.locator("#ticket-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => { const qr = document.getElementById('ticket-qr'); return qr.complete && qr.naturalWidth > 0; }")
    box = qr.bounding_box()
    assert box["width"] >= 200 and box["y"] + box["height"] <= KIOSK_SIZE[1], box  # large, on the screen
    opened.screenshot("kiosk-printer-out-ticket")
    page.get_by_role("button", name="English").click()
    expect(slip).to_have_text("Your ticket could not be printed: take a photo of this screen or scan the code to keep your number")
    opened.screenshot("kiosk-printer-out-ticket-en")
    page.get_by_role("button", name="中文").click()

    printer.paper_out = False  # paper refilled: the kiosk hears it without a reload
    page.get_by_role("button", name="完成").click()
    choose_matter(page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    expect(warning).to_be_hidden(timeout=15000)
    second, _ = take_ticket(page)
    expect(slip).to_have_text("请取走打印的号票")
    assert wait_for(lambda: second.encode() in printer.data, 15)
    assert number.encode() not in printer.data  # the slip that did not print never comes out by itself
    opened.screenshot("kiosk-printer-back-ticket")
    opened.assert_stayed_local()
