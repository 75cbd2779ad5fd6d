"""Devices bound to a real `hallq serve` process through [[devices]] in a config copy: a printer that
answers paper-out on a TCP listener, a pager and an evaluator on one pty (the RS485 bus), a speaker
writing WAVs for the floor screens. The ticket is issued anyway, the admin hears of it at once,
and the server keeps answering."""
from __future__ import annotations

import os
import time
import wave
from io import BytesIO

import pytest
import requests
import socketio

from conftest import make_hall
from device_doubles import PrinterListener, read_until
from harness import demo_config, wait_for

WINDOW, PAGER, EVALUATOR = "7", 3, 4


def ft12_frame(address: int, function: int, data: bytes) -> bytes:
    length = 2 + len(data)
    return bytes((0xFF, 0x68, length, length, 0x68, address, function)) + data + bytes(
        ((address + function + sum(data)) % 256, 0x16))


def _connect(url: str, namespace: str, auth: dict):
    received: list[tuple[str, object]] = []
    client = socketio.Client(reconnection=False)
    client.on("*", lambda event, data: received.append((event, data)), namespace=namespace)
    client.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=10)
    return client, received


@pytest.fixture(scope="module")
def wired(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("devices")
    printer = PrinterListener()  # its paper runs out in the printer test
    bus_master, bus_slave = os.openpty()
    audio = tmp / "audio-floor-1"
    config = demo_config(tmp, f"""
[[devices]]
name = "kiosk-1-printer"
kind = "printer"
url = "tcp://127.0.0.1:{printer.port}"
protocol = "escpos"
attach = "kiosk:kiosk-1"

[[devices]]
name = "floor-1-speaker"
kind = "speaker"
url = "file:{audio}"
protocol = "tts"
attach = "floor:1"
repeats = 1

[[devices]]
name = "pager-{WINDOW}"
kind = "pager"
url = "{os.ttyname(bus_slave)}"
protocol = "ft12"
attach = "window:{WINDOW}"
address = {PAGER}

[[devices]]
name = "evaluator-{WINDOW}"
kind = "evaluator"
url = "{os.ttyname(bus_slave)}"
protocol = "ft12"
attach = "window:{WINDOW}"
address = {EVALUATOR}
""")
    hall = make_hall(tmp, config=config)
    yield hall, printer, bus_master
    hall.server.stop()
    printer.close()
    os.close(bus_master)


def test_printer_out_of_paper_ticket_still_issued_admin_alerted_server_prompt(wired):
    hall, printer, _ = wired
    admin_socket, events = _connect(hall.server.url, "/admin", {"token": hall.admin.token})
    state = lambda: {d["name"]: d["state"] for d in hall.admin.get("/devices").json()["devices"]}["kiosk-1-printer"]
    assert wait_for(lambda: state() == "online", 15)  # the start-up probe found paper
    printer.paper_out = True  # the next job finds the roll empty
    try:
        floor_3 = next(m for m in hall.admin.get("/catalog").json()["matters"] if m["floor"] == 3)
        r = hall.kiosk.post("/tickets", {"matter": floor_3["id"]})  # away from the windows the other tests call
        assert r.status_code == 201, r.text
        number = r.json()["ticket"]["number"]
        started = time.monotonic()
        assert hall.admin.get("/stats").status_code == 200
        assert time.monotonic() - started < 2, "the server waited for the printer"
        assert wait_for(lambda: any(e == "device_health" and d.get("state") == "paper_out" for e, d in events), 15), events
        health = next(d for e, d in events if e == "device_health" and d.get("state") == "paper_out")
        assert health["device"] == "kiosk-1-printer" and number in health["unprinted"] and health["message"]
        # 电子监察 raises a red `device` alert for it, in Chinese words only.
        assert wait_for(lambda: any(e == "alert" and d["rule"] == "device" for e, d in events), 6), events
        alert = next(d for e, d in events if e == "alert" and d["rule"] == "device")
        assert (alert["level"], alert["subject"]) == ("red", {"kind": "device", "id": "kiosk-1-printer"})
        assert alert["message"] == "自助机 kiosk-1的打印机 kiosk-1-printer 缺纸。"
        devices = hall.admin.get("/devices").json()
        assert number in devices["unprinted"]
        assert {"id": r.json()["ticket"]["id"], "number": number, "printer": "kiosk-1-printer"} in devices["unprinted_tickets"]
        assert {d["name"]: d["state"] for d in devices["devices"]}["kiosk-1-printer"] == "paper_out"
        assert b"\x1dV" not in printer.data  # nothing printed on an empty roll
        assert hall.kiosk.get("/devices").status_code == 403
        # Paper refilled: the slip does not come out by itself (its citizen has gone, the next one
        # would take it); 补打 prints it.
        printer.paper_out = False
        assert wait_for(lambda: state() == "online", 20)
        assert number.encode() not in printer.data
        r = hall.kiosk.post(f"/tickets/{r.json()['ticket']['id']}/reprint")
        assert r.status_code == 202 and r.json()["printer"] == "kiosk-1-printer"
        assert wait_for(lambda: "（补打）".encode("gb18030") in printer.data and number.encode() in printer.data, 15)
        assert wait_for(lambda: number not in hall.admin.get("/devices").json()["unprinted"], 5)
    finally:
        admin_socket.disconnect()


def test_pager_key_calls_the_next_ticket_and_gets_the_number_back(wired):
    hall, _, bus = wired
    clerk = hall.clerk_at(WINDOW)
    ticket = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    os.write(bus, ft12_frame(PAGER, 0x01, bytes((0x0C,))))  # key: call
    digits = bytes(int(ch) for ch in ticket["number"][-3:])
    # The pager shows 3 digits of waiting count (0A = blank) and the 3 digits of the current ticket.
    shows_ticket = lambda b: any(ft12_frame(PAGER, 0x02, bytes((0x0A, 0x0A, waiting)) + digits) in b for waiting in range(10))
    got = read_until(bus, shows_ticket, 15)
    assert shows_ticket(got), got.hex(" ")
    assert ft12_frame(PAGER, 0x01, bytes((0x0C,))) in got, "the host echoes the key frame"
    window = clerk.get(f"/windows/{WINDOW}").json()["window"]
    assert window["current"]["number"] == ticket["number"] and window["clerk"] == clerk_name(hall, clerk)


def clerk_name(hall, clerk) -> str:
    return requests.get(hall.server.api + "/me", headers=clerk.headers(), timeout=10).json()["name"]


def test_evaluator_bad_rating_is_tied_to_the_ticket_and_alerts_the_admin(wired):
    hall, _, bus = wired
    admin_socket, events = _connect(hall.server.url, "/admin", {"token": hall.admin.token})
    try:
        current = hall.admin.get(f"/windows/{WINDOW}").json()["window"]["current"]
        assert current, "the pager test left a ticket at the window"
        os.write(bus, ft12_frame(EVALUATOR, 0x11, bytes((5,))))  # 非常不满意
        assert wait_for(lambda: any(e == "alert" and d["rule"] == "bad_rating" for e, d in events), 10), events
        alert = next(d for e, d in events if e == "alert" and d["rule"] == "bad_rating")
        assert alert["level"] == "red" and alert["subject"]["kind"] == "rating"  # 非常不满意
        assert alert["detail"]["number"] == current["number"] and alert["detail"]["window"] == WINDOW
    finally:
        admin_socket.disconnect()


def test_each_call_is_rendered_as_a_wav_the_floor_screen_can_fetch(wired):
    hall, _, _ = wired
    clerk = hall.clerk_at("8")
    ticket = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    screen, events = _connect(hall.server.url, "/display", {"floor": 1})
    try:
        called = clerk.post("/windows/8/call-next").json()["ticket"]
        assert called["number"] == ticket["number"]
        assert wait_for(lambda: any(e == "call_audio" and d["number"] == called["number"] for e, d in events), 30), events
        audio = next(d for e, d in events if e == "call_audio" and d["number"] == called["number"])
        assert audio["window"] == "8" and audio["audio"].startswith("/audio/floor-1-speaker/")
        r = requests.get(hall.server.url + audio["audio"], timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("audio/")
        with wave.open(BytesIO(r.content)) as w:
            seconds = w.getnframes() / w.getframerate()
        assert 3 < seconds < 12, seconds  # chime + one sentence
        assert requests.get(hall.server.url + "/audio/floor-1-speaker/../hall.toml", timeout=10).status_code == 404
    finally:
        screen.disconnect()
