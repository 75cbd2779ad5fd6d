"""A kiosk's printer at the byte level through a real `hallq serve` (issue 13): out of paper from the
start, so the kiosk hears it before issuing; a ticket issued meanwhile is answered `printing: false` and
its slip never comes out by itself once paper is back; 补打 then prints it. The slip's words (温馨提示
from [printing] tips, the queue's name, the green mark) and its QR (public_url) are read back from the
ESC/POS bytes the printer received (GB18030 text)."""
from __future__ import annotations

import io

import pytest
import requests
import segno

from conftest import make_hall
from device_doubles import PrinterListener
from drivers.escpos_ticket import GREEN_MARK, decode
from harness import ROOT, connect_socket, wait_for
from server.config import load_config

PRINTER = "kiosk-1-printer"
PUBLIC_URL = "https://zwfw.example.cn"
TIPS = ["过号作废，请重新取号", "当日有效", "请保管好您的号票"]
CUT = b"\x1dV\x00"


@pytest.fixture(scope="module")
def slips(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slips")
    printer = PrinterListener(paper_out=True)
    text = (ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8")
    text = text.replace("\n[hall]\n", f'\n[hall]\npublic_url = "{PUBLIC_URL}"\n', 1)
    text += f"""
[printing]
tips = {TIPS!r}

[[devices]]
name = "{PRINTER}"
kind = "printer"
url = "tcp://127.0.0.1:{printer.port}"
protocol = "escpos"
attach = "kiosk:kiosk-1"
""".replace("'", '"')
    path = tmp / "hall.toml"
    path.write_text(text, encoding="utf-8")
    hall = make_hall(tmp, config=str(path))
    yield hall, printer, load_config(str(path))
    hall.server.stop()
    printer.close()


def qr_svg(payload: str) -> str:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False)
    return out.getvalue().decode()


def jobs(printer: PrinterListener):
    """Each job the printer received and cut, decoded."""
    return [decode(part) for part in printer.data.split(CUT)[:-1]]


def test_a_slip_issued_without_paper_never_prints_by_itself_and_staff_reprint_it(slips):
    hall, printer, config = slips
    kiosk, heard = connect_socket(hall.server.url, "/kiosk", {"token": hall.kiosk.token})
    try:
        # The printer is asked at start: the kiosk hears it is out of paper before anyone issues.
        down = {"name": PRINTER, "state": "paper_out", "ready": False}
        assert wait_for(lambda: ("printer", down) in heard or ("kiosk", {"reader": False, "printer": down}) in heard, 15), heard
        matter = next(m for m in config.matters.values() if config.queues[m.queue].name != m.name)
        r = hall.kiosk.post("/tickets", {"matter": matter.id})
        assert r.status_code == 201, r.text
        lost = r.json()["ticket"]
        assert r.json()["slip"] == {"printer": PRINTER, "state": "paper_out", "printing": False}
        clerk = hall.add_clerk("guide-desk", None)
        refused = clerk.post(f"/tickets/{lost['id']}/reprint")
        assert refused.status_code == 409 and refused.json()["error"]["reason"] == "printer_down", refused.text
        history = [e["kind"] for e in hall.admin.get(f"/tickets/{lost['id']}/history").json()["events"]]
        assert history == ["issued", "print_dropped"]  # the audit trail says it did not print

        printer.paper_out = False  # paper refilled: the kiosk hears it, and the lost slip stays unprinted
        assert wait_for(lambda: ("printer", {"name": PRINTER, "state": "online", "ready": True}) in heard, 15), heard
        r = hall.kiosk.post("/tickets", {"matter": matter.id, "priority": "green"})
        assert r.status_code == 201 and r.json()["slip"]["printing"] is True, r.text
        green = r.json()["ticket"]
        assert wait_for(lambda: printer.data.count(CUT) >= 1, 20), printer.data[-200:]
        (slip,) = jobs(printer)  # printed oldest first: had the lost one been owed, it would be first
        assert lost["number"].encode() not in printer.data
        assert green["number"] in slip.lines and GREEN_MARK in slip.lines
        assert f"业务队列：{config.queues[matter.queue].name}" in slip.lines and matter.name in slip.lines
        assert slip.lines[-4:-1] == ["温馨提示：" + TIPS[0], *TIPS[1:]], slip.lines
        assert slip.qr == [f"{PUBLIC_URL}/t/{green['id']}"]
        # The code the kiosk shows when no slip prints points there too (not at the kiosk's own address).
        shown = requests.get(f"{hall.server.url}/t/{green['id']}/qr.svg", timeout=10).text
        assert shown == qr_svg(f"{PUBLIC_URL}/t/{green['id']}") != qr_svg(f"{hall.server.url}/t/{green['id']}")
        assert lost["number"] in hall.admin.get("/devices").json()["unprinted"]

        r = clerk.post(f"/tickets/{lost['id']}/reprint")  # 补打, asked by staff
        assert r.status_code == 202 and r.json()["printer"] == PRINTER, r.text
        assert wait_for(lambda: printer.data.count(CUT) >= 2, 20)
        again = jobs(printer)[1]
        assert lost["number"] in again.lines and GREEN_MARK not in again.lines
        assert any(line.endswith("（补打）") for line in again.lines)
        assert wait_for(lambda: lost["number"] not in hall.admin.get("/devices").json()["unprinted"], 5)
    finally:
        kiosk.disconnect()
