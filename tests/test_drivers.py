"""Drivers over real links, in-process: a TCP listener stands in for a network printer, a pty pair
for an LED screen's serial line, espeak-ng makes the audio. Expected CRCs and frames are computed
here, independently of drivers/."""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import wave
from pathlib import Path

import pytest

from drivers import bx5
from drivers.escpos_ticket import decode, status_answer
from drivers.hub import DeviceHub
from drivers.speech import Announcer, spoken
from harness import free_port, wait_for
from server.config import Device, load_config
from server.services.hall import Notification

TICKET = {"id": "tkt-abc", "number": "A023", "queue": "shebao", "matter": None, "floor": 1, "zone": "individual",
          "issued_at": "2026-11-27T01:30:00+00:00", "ahead": 4, "eta_minutes": 18, "issued_by": "kiosk-1"}


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC written MSB-first with the unreflected polynomial 0x8005 and explicit bit reversal,
    so it shares no code or shape with the driver's reflected loop."""
    def rev(value: int, bits: int) -> int:
        return int(f"{value:0{bits}b}"[::-1], 2)
    crc = 0
    for byte in data:
        crc ^= rev(byte, 8) << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return rev(crc, 16)


def unescape(body: bytes) -> bytes:
    out = body.replace(b"\xA6\x02", b"\x00SENT-A5\x00").replace(b"\xA6\x01", b"\xA6")
    out = out.replace(b"\x5B\x02", b"\x00SENT-5A\x00").replace(b"\x5B\x01", b"\x5B")
    return out.replace(b"\x00SENT-A5\x00", b"\xA5").replace(b"\x00SENT-5A\x00", b"\x5A")


def test_crc_matches_the_frames_of_an_independent_bx5_client():
    # Complete "ping" and "clear" frames from a third-party BX-5 client (see drivers/bx5.py).
    ping = bytes.fromhex("A5A5A5A5A5A5A5A5 0100 0080 000000000000 FE02 0500 A200010000 68F8 5A".replace(" ", ""))
    clear = bytes.fromhex("A5A5A5A5A5A5A5A5 0100 0080 000000000000 FE02 0500 A310010000 51F8 5A".replace(" ", ""))
    for raw in (ping, clear):
        assert crc16_arc(raw[8:-3]) == int.from_bytes(raw[-3:-1], "little")
        assert bx5.frame(raw[22:-3]) == raw  # the driver builds the same bytes


def test_bx5_escapes_bytes_that_look_like_frame_marks():
    text = "请A023号"  # 请 is C7 EB; the CRC and length bytes vary; force marks through the screen address
    raw = bx5.frame(bx5.dynamic_text(text), screen=0x5AA5)
    inner = raw[8:-1]
    assert b"\xA5" not in inner and b"\x5A" not in inner
    body = unescape(inner)
    assert body[:2] == b"\xA5\x5A"
    assert crc16_arc(body[:-2]) == int.from_bytes(body[-2:], "little")
    assert text.encode("gb2312") in body


def _config_with(tmp_path: Path, *devices: dict):
    cfg = load_config()
    cfg.devices = [Device(**d) for d in devices]
    return cfg


def _hub(cfg, sink=None, **kw):
    hub = DeviceHub(cfg, service=None, sink=sink or (lambda notes: None), **kw)
    hub.start()
    return hub


def _read_until(fd: int, predicate, timeout: float = 10.0) -> bytes:
    got, deadline = b"", time.monotonic() + timeout
    os.set_blocking(fd, False)
    while time.monotonic() < deadline and not predicate(got):
        try:
            got += os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.02)
    return got


def test_led_window_strip_over_a_pty_shows_pause_and_flashes_calls(tmp_path):
    master, slave = os.openpty()
    cfg = _config_with(tmp_path, dict(name="led-15", kind="led", url=os.ttyname(slave), protocol="bx5",
                                      attach="window:15", address=3))
    hub = _hub(cfg)
    hub.publish([Notification("window_updated", {"state": "paused", "current": None}, floor=1, window="15")])
    raw = _read_until(master, lambda b: b.endswith(b"\x5A"))
    body = unescape(raw[8:-1])
    assert raw[:8] == b"\xA5" * 8
    assert int.from_bytes(body[0:2], "little") == 3 and int.from_bytes(body[2:4], "little") == 0x8000
    assert crc16_arc(body[:-2]) == int.from_bytes(body[-2:], "little")
    length = int.from_bytes(body[12:14], "little")
    data = body[14:-2]
    assert len(data) == length and data[:2] == b"\xA3\x06"
    assert data.endswith("暂停服务".encode("gb2312"))

    # As after a call-next: the call, then the window's new state, in one publish.
    hub.publish([Notification("ticket_called", {"number": "A023", "window": "15", "text": "请A023号到15号窗口办理"},
                              floor=1, window="15"),
                 Notification("window_updated", {"state": "open", "current": {"number": "A023"}}, floor=1, window="15")])
    frames = _read_until(master, lambda b: b.count(b"\x5A") >= 7).split(b"\x5A")[:7]
    texts = [unescape(f[8:])[14:-2] for f in frames]
    shown = "请A023号".encode("gb2312")
    assert [t.endswith(shown) for t in texts] == [True, False, True, False, True, False, True]  # flash, then steady
    os.close(master)


class PrinterListener:
    """A network printer stand-in: records every byte and answers DLE EOT like a printer would."""

    def __init__(self, port: int | None = None, paper_out: bool = False):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.sock.listen()
        self.port, self.paper_out, self.data = self.sock.getsockname()[1], paper_out, b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                while chunk := conn.recv(4096):
                    self.data += chunk
                    if b"\x10\x04" in chunk:
                        conn.sendall(status_answer(paper_out=self.paper_out))

    def close(self):
        self.sock.close()


def test_printer_job_over_tcp_has_chinese_in_chinese_mode_a_native_qr_and_a_cut(tmp_path):
    printer = PrinterListener()
    cfg = _config_with(tmp_path, dict(name="p1", kind="printer", url=f"tcp://127.0.0.1:{printer.port}",
                                      protocol="escpos", attach="kiosk:kiosk-1"))
    hub = _hub(cfg)
    hub.publish([Notification("ticket_issued", TICKET, floor=1, ticket="tkt-abc")])
    assert wait_for(lambda: b"\x1dV\x00" in printer.data, 10), printer.data
    data = printer.data
    url = b"http://127.0.0.1:5000/t/tkt-abc"
    assert b"\x1c\x26" + "湖南省政务服务中心".encode("gb18030") + b"\n\x1c\x2e" in data
    assert b"\x1c\x26" + "前面还有 4 人，预计等候约 18 分钟".encode("gb18030") in data
    assert b"\x1d\x28\x6b" + (len(url) + 3).to_bytes(2, "little") + b"\x31\x50\x30" + url in data
    assert b"\x1d\x28\x6b\x03\x00\x31\x51\x30" in data  # print the stored symbol
    assert data.endswith(b"\x1b\x64\x06\x1d\x56\x00")  # feed, full cut: the last bytes of the job
    job = decode(data)
    assert "A023" in job.lines and job.qr == [url.decode()] and job.cuts == 1
    assert "请到1楼 1-12、19-20号窗口附近等候叫号" in job.lines, job.lines  # the windows serving queue A
    printer.close()


def test_unreachable_printer_raises_an_alert_and_prints_once_it_comes_back(tmp_path):
    port = free_port()
    alerts = []
    cfg = _config_with(tmp_path, dict(name="p1", kind="printer", url=f"tcp://127.0.0.1:{port}",
                                      protocol="escpos", attach="kiosk:kiosk-1"))
    hub = _hub(cfg, sink=lambda notes: alerts.extend(n.data for n in notes if n.event == "alert"))
    hub.publish([Notification("ticket_issued", TICKET, floor=1, ticket="tkt-abc")])
    assert wait_for(lambda: any(a["state"] == "offline" for a in alerts), 10), alerts
    assert alerts[0]["device"] == "p1" and alerts[0]["unprinted"] == ["A023"]
    owed = [{"id": "tkt-abc", "number": "A023", "printer": "p1"}]  # the id, for the admin's 补打
    assert alerts[0]["unprinted_tickets"] == owed and hub.unprinted_tickets() == owed
    assert hub.unprinted == {"tkt-abc": "A023"}
    printer = PrinterListener(port)  # the printer comes back: the queued ticket prints, nothing was lost
    assert wait_for(lambda: b"\x1dV" in printer.data, 15)
    assert wait_for(lambda: any(a["state"] == "online" for a in alerts), 5) and hub.unprinted == {}
    assert next(a for a in alerts if a["state"] == "online")["unprinted_tickets"] == []
    printer.close()


def test_printer_that_answers_paper_out_keeps_the_job_and_alerts(tmp_path):
    printer = PrinterListener(paper_out=True)
    alerts = []
    cfg = _config_with(tmp_path, dict(name="p1", kind="printer", url=f"tcp://127.0.0.1:{printer.port}",
                                      protocol="escpos", attach="kiosk:kiosk-1"))
    hub = _hub(cfg, sink=lambda notes: alerts.extend(n.data for n in notes if n.event == "alert"))
    hub.publish([Notification("ticket_issued", TICKET, floor=1, ticket="tkt-abc")])
    assert wait_for(lambda: any(a["state"] == "paper_out" for a in alerts), 10), alerts
    assert b"\x1dV" not in printer.data and hub.health()[0]["state"] == "paper_out"
    printer.close()


def test_call_out_is_espeak_ng_audio_after_a_chime_repeated(tmp_path):
    assert spoken("请A023号到15号窗口办理") == "请A零二三号到十五号窗口办理"
    announcer = Announcer(tmp_path / "cache", repeats=2)
    out = announcer.announcement("请A023号到15号窗口办理", tmp_path / "call.wav")
    reference = tmp_path / "espeak.wav"
    subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "150", "-w", str(reference),
                    "请A零二三号到十五号窗口办理"], check=True, capture_output=True, timeout=30)
    with wave.open(str(reference)) as ref, wave.open(str(out)) as got:
        speech = ref.readframes(ref.getnframes())
        assert got.getframerate() == ref.getframerate() == 22050
        pcm = got.readframes(got.getnframes())
        seconds = got.getnframes() / got.getframerate()
    assert 2.0 < len(speech) / 2 / 22050 < 10, "a plausible length for one sentence"
    assert pcm.count(speech) == 2, "the sentence as espeak-ng says it, twice"
    assert pcm.index(speech) > 22050  # after the chime
    assert 2 * len(speech) / 2 / 22050 < seconds < 2 * len(speech) / 2 / 22050 + 4


def test_config_check_names_misattached_and_clashing_bus_devices(tmp_path):
    from server.config import BUNDLED_DEMO_HALL, ConfigError
    path = tmp_path / "hall.toml"
    path.write_text(BUNDLED_DEMO_HALL.read_text(encoding="utf-8") + """
[[devices]]
name = "pager-a"
kind = "pager"
url = "/dev/ttyUSB0"
protocol = "ft12"
attach = "floor:1"
address = 3
transfer_to = "nosuchqueue"

[[devices]]
name = "evaluator-a"
kind = "evaluator"
url = "/dev/ttyUSB0"
protocol = "ft12"
attach = "window:3"
address = 3
""", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = "\n".join(err.value.problems)
    assert 'pager-a): a pager belongs to a window (attach = "window:N")' in text
    assert "transfer_to queue 'nosuchqueue' is not defined" in text
    assert "device bus addresses (url, address): ('/dev/ttyUSB0', 3) is defined twice" in text


def test_a_character_outside_gbk_is_printed_as_an_image_not_as_a_question_mark():
    from drivers.escpos_ticket import TicketPrint, compose
    rare = "𠀀"  # CJK Extension B: a four-byte GB18030 code most printer fonts lack
    assert len(rare.encode("gb18030")) == 4
    data = compose(TicketPrint("大厅", "A001", f"{rare}名字变更", "一楼", "个人", "请到1号窗口", 0, 0, "09:00", "http://h/t/x"))
    assert rare.encode("gb18030") not in data and b"?" not in data
    assert b"\x1d\x76\x30" in data  # GS v 0: the line went out as a raster image
    assert "名字变更".encode("gb18030") not in data  # the whole line, so the glyphs match in size
