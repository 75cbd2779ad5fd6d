"""Drivers over real links, in-process: a TCP listener stands in for a network printer, pty pairs for
the serial lines of an LED screen and an RS485 bus, espeak-ng makes the audio. The server side is a
`FakeHall` (drivers.router.HallForDevices). Expected CRCs and frames are computed here,
independently of drivers/."""
from __future__ import annotations

import datetime as dt
import errno
import os
import select
import socket
import subprocess
import threading
import time
import wave

import pytest

from drivers import bx5
from drivers.escpos_ticket import decode, status_answer
from drivers.led import Led
from drivers.printer import LOOK_S
from drivers.hall import HallForDevices
from drivers.router import KINDS, DeviceRouter
from drivers.rs485 import Bus
from drivers.speech import Announcer, spoken_call
from harness import free_port, wait_for
from server.config import Device, load_config
from server.domain.errors import HallError, Reason
from server.domain.events import (CallAudioReady, QueueFigures, QueueFiguresChanged, TicketCalled, TicketFacts,
                                  TicketFinished, TicketIssued, TicketRecalled, WindowFacts, WindowUpdated)
from server.services.bus import AUDIENCES, Audience
from server.services.pagers import PagerKey, PagerOutcome
from server.services.printing import PrintJob

TICKET = {"id": "tkt-abc", "number": "A023", "queue": "shebao", "matter": None, "floor": 1, "zone": "individual",
          "issued_at": "2026-11-27T01:30:00+00:00", "ahead": 4, "eta_minutes": 18,
          "eta_range": [12, 26]}
NOW = dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.timezone.utc)


class FakeHall:
    """The server as the devices see it: records what they report and do."""

    def __init__(self, owed: list[PrintJob] = (), outcome: PagerOutcome = PagerOutcome.DONE, rate_error=None):
        self.owed, self.printed_jobs = list(owed), []
        self.health: list[tuple[str, str, str]] = []
        self.presses: list[tuple] = []
        self.ratings: list[tuple] = []
        self.outcome, self.rate_error = outcome, rate_error
        self.lock = threading.Lock()

    def report_health(self, device: str, state: str, detail: str) -> None:
        self.health.append((device, state, detail))

    def owed_prints(self, printer: str) -> list[PrintJob]:
        with self.lock:
            return [job for job in self.owed if job.printer == printer]

    def printed(self, job: PrintJob) -> None:
        with self.lock:
            self.owed.remove(job)
            self.printed_jobs.append(job)

    def press(self, pager: str, window: str, key: PagerKey, transfer_to: str | None) -> PagerOutcome:
        self.presses.append((pager, window, key, transfer_to))
        return self.outcome

    def rate(self, window: str, level: int, evaluator: str) -> None:
        self.ratings.append((window, level, evaluator))
        if self.rate_error:
            raise self.rate_error

    def states(self, device: str) -> list[str]:
        return [state for name, state, _ in self.health if name == device]


def ticket(number="A023", window="15", floor=1, queue="yibao") -> TicketFacts:
    return TicketFacts(id="tkt-abc", number=number, queue=queue, matter=None, floor=floor, zone="individual",
                       priority="normal", status="called", issued_at=NOW, called_at=NOW, finished_at=None,
                       window=window, clerk="clerk-15", recalls=0, case=None)


def window_update(state="open", current: TicketFacts | None = None, window="15", queues=("yibao",)) -> WindowUpdated:
    return WindowUpdated(facts=WindowFacts(number=window, floor=1, kind="professional", department="ybj",
                                           queues=queues, state=state, clerk="clerk-15", version=1), current=current)


def figures(**waiting: int) -> QueueFiguresChanged:
    return QueueFiguresChanged(queues=tuple(QueueFigures(code, code, 1, n, 1, 0, None) for code, n in waiting.items()))


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


def ft12_frame(address: int, function: int, *data: int) -> bytes:
    """FF 68 L L 68 addr func data… CS 16, written out from docs/hardware.md."""
    length = 2 + len(data)
    return bytes([0xFF, 0x68, length, length, 0x68, address, function, *data,
                  (address + function + sum(data)) % 256, 0x16])


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


def _config_with(*devices: dict):
    cfg = load_config()
    cfg.devices = [Device(**d) for d in devices]
    return cfg


@pytest.fixture
def router_for():
    """Build and start a router over a FakeHall; every router is stopped after the test."""
    made: list[DeviceRouter] = []

    def build(*devices: dict, hall: FakeHall | None = None, publish=None) -> tuple[DeviceRouter, FakeHall]:
        hall = hall or FakeHall()
        checked: HallForDevices = hall
        router = DeviceRouter(_config_with(*devices), checked, publish or (lambda events: None))
        router.start()
        made.append(router)
        return router, hall
    yield build
    for router in made:
        router.stop()


def _read_until(fd: int, predicate, timeout: float = 10.0) -> bytes:
    got, deadline = b"", time.monotonic() + timeout
    os.set_blocking(fd, False)
    while time.monotonic() < deadline and not predicate(got):
        try:
            got += os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.02)
    return got


def test_led_window_strip_over_a_pty_shows_pause_flashes_calls_and_falls_back_to_idle(router_for):
    master, slave = os.openpty()
    router, hall = router_for(dict(name="led-15", kind="led", url=os.ttyname(slave), protocol="bx5",
                                   attach="window:15", address=3))
    router.handle(window_update(state="paused"), Audience.DEVICES)
    raw = _read_until(master, lambda b: b.endswith(b"\x5A"))
    body = unescape(raw[8:-1])
    assert raw[:8] == b"\xA5" * 8
    assert int.from_bytes(body[0:2], "little") == 3 and int.from_bytes(body[2:4], "little") == 0x8000
    assert crc16_arc(body[:-2]) == int.from_bytes(body[-2:], "little")
    length = int.from_bytes(body[12:14], "little")
    data = body[14:-2]
    assert len(data) == length and data[:2] == b"\xA3\x06"
    assert data.endswith("暂停服务".encode("gb2312"))
    assert wait_for(lambda: ("led-15", "online", "ready") in hall.health)

    # As after a call-next: the call, then the window's new state, in one commit.
    router.handle(TicketCalled(ticket=ticket()), Audience.DEVICES)
    router.handle(window_update(current=ticket()), Audience.DEVICES)
    router.handle(TicketCalled(ticket=ticket("B001", window="16")), Audience.DEVICES)  # another window's
    frames = _read_until(master, lambda b: b.count(b"\x5A") >= 7).split(b"\x5A")[:7]
    texts = [unescape(f[8:])[14:-2] for f in frames]
    shown = "请A023号".encode("gb2312")
    assert [t.endswith(shown) for t in texts] == [True, False, True, False, True, False, True]  # flash, then steady

    router.handle(window_update(state="closed"), Audience.DEVICES)
    raw = _read_until(master, lambda b: "15号窗口".encode("gb2312") in unescape(b), 5)
    assert "15号窗口".encode("gb2312") in unescape(raw) and b"B001" not in raw
    os.close(master)


def test_led_floor_board_in_text_shows_the_call_sentence_of_its_floor(router_for):
    master, slave = os.openpty()
    router, _ = router_for(dict(name="board-1", kind="led", url=os.ttyname(slave), protocol="text", attach="floor:1"))
    router.handle(TicketCalled(ticket=ticket(floor=2, window="40")), Audience.DEVICES)  # another floor
    router.handle(TicketRecalled(ticket=ticket(), at=NOW), Audience.DEVICES)
    sentence = "请A023号到15号窗口办理".encode("gb18030") + b"\r\n"
    got = _read_until(master, lambda b: b.count(b"\r\n") >= 7)
    assert got == (sentence + b"\r\n") * 3 + sentence  # flashed by re-sending, then steady
    os.close(master)


class PrinterListener:
    """A network printer stand-in: records every byte and answers DLE EOT like a printer would."""

    def __init__(self, port: int | None = None, paper_out: bool = False, late_answers: int = 0):
        self.late_answers = late_answers  # the first status queries answered too late (a loaded link)
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
            try:
                with conn:
                    while chunk := conn.recv(4096):
                        self.data += chunk
                        if b"\x10\x04" in chunk:
                            if self.late_answers:
                                self.late_answers -= 1
                                time.sleep(1.0)  # after the driver stopped waiting
                            conn.sendall(status_answer(paper_out=self.paper_out))
            except OSError:
                # The driver hung up before a late answer (a loaded machine): a printer serves the next
                # connection all the same. (Uncaught, this ended the listener, and every later job's
                # bytes waited unread in the backlog: the browser test's flake.)
                continue

    def close(self):
        self.sock.close()


def _printer(port: int) -> dict:
    return dict(name="p1", kind="printer", url=f"tcp://127.0.0.1:{port}", protocol="escpos", attach="kiosk:kiosk-1")


def _issued(by="kiosk-1") -> TicketIssued:
    return TicketIssued(ticket=ticket(queue="shebao", window=None), issued_by=by, ahead=4, eta_minutes=18)


def test_printer_job_over_tcp_has_chinese_in_chinese_mode_a_native_qr_and_a_cut(router_for):
    printer = PrinterListener()
    job = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)
    router, hall = router_for(_printer(printer.port), hall=FakeHall([job]))
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: b"\x1dV\x00" in printer.data, 10), printer.data
    data = printer.data
    url = b"http://127.0.0.1:5000/t/tkt-abc"
    assert b"\x1c\x26" + "湖南省政务服务中心".encode("gb18030") + b"\n\x1c\x2e" in data
    assert b"\x1c\x26" + "前面还有 4 人，预计等候约 12–26 分钟".encode("gb18030") in data
    assert b"\x1d\x28\x6b" + (len(url) + 3).to_bytes(2, "little") + b"\x31\x50\x30" + url in data
    assert b"\x1d\x28\x6b\x03\x00\x31\x51\x30" in data  # print the stored symbol
    assert data.endswith(b"\x1b\x64\x06\x1d\x56\x00")  # feed, full cut: the last bytes of the job
    job_bytes = decode(data)
    assert "A023" in job_bytes.lines and job_bytes.qr == [url.decode()] and job_bytes.cuts == 1
    assert "请到1楼 1-12、19-20号窗口附近等候叫号" in job_bytes.lines, job_bytes.lines  # the windows serving queue A
    assert "湖南省政务服务中心（补打）" not in job_bytes.lines
    assert wait_for(lambda: hall.printed_jobs == [job] and hall.owed == [], 5)
    assert ("p1", "online", "ready") in hall.health
    printer.close()


def test_printer_looks_for_owed_jobs_without_a_wake_and_prints_them_oldest_first(router_for):
    printer = PrinterListener()
    router, hall = router_for(_printer(printer.port))
    router.handle(_issued(by="kiosk-9"), Audience.DEVICES)  # another kiosk's ticket: nothing owed here
    first = PrintJob(id=7, printer="p1", reprint=False, ticket=TICKET)
    again = PrintJob(id=8, printer="p1", reprint=True, ticket=TICKET | {"id": "tkt-def", "number": "A024"})
    elsewhere = PrintJob(id=9, printer="p2", reprint=False, ticket=TICKET)
    with hall.lock:
        hall.owed += [first, again, elsewhere]  # e.g. queued by another server process: no event here
    assert wait_for(lambda: printer.data.count(b"\x1dV\x00") == 2, 15), printer.data
    jobs = [decode(part) for part in printer.data.split(b"\x1dV\x00")[:2]]
    assert "A023" in jobs[0].lines and "湖南省政务服务中心" in jobs[0].lines
    assert "A024" in jobs[1].lines and "湖南省政务服务中心（补打）" in jobs[1].lines  # the reprint mark
    assert jobs[1].qr == ["http://127.0.0.1:5000/t/tkt-def"]
    assert wait_for(lambda: hall.printed_jobs == [first, again], 5) and hall.owed == [elsewhere]
    printer.close()


def test_a_job_that_cannot_be_composed_stays_owed_and_one_not_recorded_is_not_printed_twice(router_for):
    printer = PrinterListener()
    broken = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET | {"queue": "gone"})
    good = PrintJob(id=2, printer="p1", reprint=False, ticket=TICKET)
    hall = FakeHall([broken, good])
    record, refusals = hall.printed, [RuntimeError("database away")]

    def printed_once_the_database_is_back(job):
        if refusals:
            raise refusals.pop()
        record(job)
    hall.printed = printed_once_the_database_is_back
    router, hall = router_for(_printer(printer.port), hall=hall)
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: hall.printed_jobs == [good], 15), hall.health
    time.sleep(LOOK_S + 0.5)  # another look: the broken job is still owed, the good one not printed again
    assert printer.data.count(b"\x1dV\x00") == 1 and hall.owed == [broken]
    assert any(state == "error" and "A023" in detail for _, state, detail in hall.health)
    printer.close()


def test_unreachable_printer_reports_offline_once_and_prints_once_it_comes_back(router_for):
    port = free_port()
    job = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)
    router, hall = router_for(_printer(port), hall=FakeHall([job]))
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: "offline" in hall.states("p1"), 10), hall.health
    time.sleep(2)  # several retries
    assert hall.states("p1") == ["offline"], "a failure is reported when it changes, not at each retry"
    assert hall.owed == [job] and hall.printed_jobs == []
    printer = PrinterListener(port)  # the printer comes back: the owed ticket prints, nothing was lost
    assert wait_for(lambda: b"\x1dV" in printer.data, 15)
    assert wait_for(lambda: hall.printed_jobs == [job], 5) and hall.owed == []
    assert hall.states("p1")[:2] == ["offline", "online"]
    printer.close()


def test_printer_that_answers_paper_out_keeps_the_job_and_reports_it(router_for):
    printer = PrinterListener(paper_out=True)
    job = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)
    router, hall = router_for(_printer(printer.port), hall=FakeHall([job]))
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: "paper_out" in hall.states("p1"), 10), hall.health
    assert b"\x10\x04\x01" in printer.data and b"\x1dV" not in printer.data
    assert hall.owed == [job] and hall.printed_jobs == []
    printer.close()


def test_an_idle_printer_whose_first_status_came_late_is_asked_again_at_the_next_look(router_for):
    printer = PrinterListener(paper_out=True, late_answers=1)
    router, hall = router_for(_printer(printer.port))  # nothing to print: only the probe finds it
    assert wait_for(lambda: "paper_out" in hall.states("p1"), 12), hall.health  # not after PROBE_S
    assert printer.data.count(b"\x10\x04") >= 2
    printer.close()


def test_call_out_is_espeak_ng_audio_after_a_chime_repeated(tmp_path):
    assert spoken_call("A023", "15") == "请A零二三号到十五号窗口办理"
    announcer = Announcer(tmp_path / "cache", repeats=2)
    out = announcer.call("A023", "15", tmp_path / "call.wav")
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


def test_speaker_renders_its_floors_calls_and_publishes_call_audio_ready(router_for, tmp_path):
    published: list = []
    router, hall = router_for(dict(name="spk-1", kind="speaker", url=f"file:{tmp_path / 'audio'}", protocol="tts",
                                   attach="floor:1", repeats=1), publish=published.extend)
    router.handle(TicketCalled(ticket=ticket(floor=2, window="40")), Audience.DEVICES)  # not its floor
    router.handle(TicketCalled(ticket=ticket()), Audience.DEVICES)
    router.handle(TicketRecalled(ticket=ticket(), at=NOW), Audience.DEVICES)
    assert wait_for(lambda: len(published) == 2, 60), published
    assert all(isinstance(e, CallAudioReady) for e in published)
    assert [(e.number, e.window, e.floor) for e in published] == [("A023", "15", 1)] * 2
    folder = router.audio_folder("spk-1")
    assert folder == tmp_path / "audio" and router.audio_folder("p1") is None
    for event in published:
        prefix, name = event.audio.rsplit("/", 1)
        assert prefix == "/audio/spk-1" and name.endswith(".wav")
        with wave.open(str(folder / name)) as got:
            assert got.getframerate() == 22050 and got.getnframes() > 22050
    if published[0].audio == published[1].audio:  # the recall came while the call waited: one WAV says both
        with wave.open(str(folder / published[0].audio.rsplit("/", 1)[1])) as got:
            assert got.getnframes() > 4 * 22050
    assert ("spk-1", "online", "ready") in hall.health


def _bus_devices(path: str) -> list[dict]:
    return [dict(name="pager-15", kind="pager", url=path, protocol="ft12", attach="window:15", address=1,
                 transfer_to="shebao"),
            dict(name="eval-15", kind="evaluator", url=path, protocol="ft12", attach="window:15", address=2)]


def _open_bus(router_for, hall: FakeHall):
    master, slave = os.openpty()
    router, hall = router_for(*_bus_devices(os.ttyname(slave)), hall=hall)
    assert wait_for(lambda: ("pager-15", "online", "bus open") in hall.health, 10), hall.health  # raw mode set
    return master, slave, router, hall


def test_pager_key_reaches_press_and_is_echoed(router_for):
    master, slave, router, hall = _open_bus(router_for, FakeHall(outcome=PagerOutcome.DONE))
    call = ft12_frame(1, 0x01, 0x0C)
    os.write(master, call)
    assert _read_until(master, lambda b: len(b) >= len(call), 5) == call  # the echo, and nothing more
    assert wait_for(lambda: hall.presses == [("pager-15", "15", PagerKey.CALL, "shebao")], 5), hall.presses
    os.write(master, ft12_frame(1, 0x01, 6) + ft12_frame(1, 0x01, 0x0F))
    assert wait_for(lambda: len(hall.presses) == 3, 5)
    assert [p[2] for p in hall.presses[1:]] == [PagerKey.D6, PagerKey.CONFIRM]
    time.sleep(0.3)
    assert _read_until(master, lambda b: False, 0.3) == ft12_frame(1, 0x01, 6) + ft12_frame(1, 0x01, 0x0F)
    os.close(master)


def test_pager_shows_the_current_number_and_the_waiting_of_its_queues(router_for):
    master, slave, router, hall = _open_bus(router_for, FakeHall())
    router.handle(window_update(current=ticket(), queues=("yibao", "gjj")), Audience.DEVICES)
    router.handle(figures(yibao=7, gjj=5, shebao=100), Audience.DEVICES)
    shown = ft12_frame(1, 0x02, 0x0A, 0x01, 0x02, 0x00, 0x02, 0x03)  # " 12" waiting, "023" serving
    assert _read_until(master, lambda b: b.endswith(shown), 5).endswith(shown)
    router.handle(window_update(current=None, window="16"), Audience.DEVICES)  # another window: nothing
    router.handle(figures(yibao=7, gjj=5, shebao=99), Audience.DEVICES)  # its count unchanged: nothing
    router.handle(window_update(state="paused", current=None, queues=("yibao", "gjj")), Audience.DEVICES)
    blank = ft12_frame(1, 0x02, 0x0A, 0x01, 0x02, 0x0A, 0x0A, 0x0A)
    assert _read_until(master, lambda b: len(b) >= len(blank), 5) == blank
    os.close(master)


def test_a_refused_key_makes_the_pager_beep_and_show_its_window_again(router_for):
    master, slave, router, hall = _open_bus(router_for, FakeHall(outcome=PagerOutcome.REFUSED))
    router.handle(window_update(current=ticket()), Audience.DEVICES)
    router.handle(figures(yibao=3), Audience.DEVICES)
    shown = ft12_frame(1, 0x02, 0x0A, 0x0A, 0x03, 0x00, 0x02, 0x03)
    assert _read_until(master, lambda b: b.endswith(shown), 5).endswith(shown)
    recall = ft12_frame(1, 0x01, 0x0D)
    os.write(master, recall)
    expected = recall + bytes([0xFF, 0x68, 0x02, 0x02, 0x68, 0x01, 0x03, 0x04, 0x16]) + shown  # echo, beep, display
    assert _read_until(master, lambda b: len(b) >= len(expected), 5) == expected
    assert hall.presses == [("pager-15", "15", PagerKey.RECALL, "shebao")]
    os.close(master)


def test_an_evaluator_press_reaches_rate_and_a_refusal_does_not_stop_the_bus(router_for):
    refusal = HallError("no ticket to rate", Reason.INVALID_RATING_LEVEL)
    master, slave, router, hall = _open_bus(router_for, FakeHall(rate_error=refusal))
    first, second = ft12_frame(2, 0x11, 4), ft12_frame(2, 0x11, 1)
    os.write(master, first)
    assert _read_until(master, lambda b: len(b) >= len(first), 5) == first
    os.write(master, second)
    assert _read_until(master, lambda b: len(b) >= len(second), 5) == second
    assert wait_for(lambda: hall.ratings == [("15", 4, "eval-15"), ("15", 1, "eval-15")], 5), hall.ratings
    assert hall.presses == []
    os.close(master)


def test_stop_ends_every_worker_and_closes_its_link(router_for):
    led_master, led_slave = os.openpty()
    bus_master, bus_slave = os.openpty()
    router, hall = router_for(dict(name="led-15", kind="led", url=os.ttyname(led_slave), protocol="text",
                                   attach="window:15"),
                              *_bus_devices(os.ttyname(bus_slave)), _printer(free_port()),
                              hall=FakeHall([PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)]))
    router.handle(window_update(state="paused"), Audience.DEVICES)
    assert _read_until(led_master, lambda b: b.endswith(b"\r\n"), 5) == "暂停服务".encode("gb18030") + b"\r\n"
    blank = ft12_frame(1, 0x02, *[0x0A] * 6)  # the pager heard its window, but no figures yet
    assert _read_until(bus_master, lambda b: len(b) >= len(blank), 5) == blank
    assert wait_for(lambda: "offline" in hall.states("p1"), 10)
    os.close(led_slave)
    os.close(bus_slave)  # now only the drivers hold the serial lines open
    threads = [w.thread for w in router.devices]
    assert len(threads) == 3 and all(t.is_alive() for t in threads)
    started = time.monotonic()
    router.stop()
    assert not any(t.is_alive() for t in threads) and time.monotonic() - started < 5
    for master in (led_master, bus_master):  # the far end sees the line closed
        assert select.select([master], [], [], 2)[0] == [master], "the line is still open"
        with pytest.raises(OSError) as closed:
            os.read(master, 1)
        assert closed.value.errno == errno.EIO
        os.close(master)


def test_every_subscription_reaches_the_devices_audience(monkeypatch):
    kinds = [*KINDS.values(), Bus]
    assert {t for kind in kinds for t in kind.subscribes} == {
        TicketIssued, TicketCalled, TicketRecalled, WindowUpdated, QueueFiguresChanged}
    for kind in kinds:
        for event_type in kind.subscribes:
            assert Audience.DEVICES in AUDIENCES[event_type], (kind.__name__, event_type.__name__)
    monkeypatch.setattr(Led, "subscribes", (*Led.subscribes, TicketFinished))
    with pytest.raises(TypeError, match="Led subscribes to TicketFinished"):
        DeviceRouter(_config_with(), FakeHall(), lambda events: None)


def test_a_router_without_devices_is_empty():
    router = DeviceRouter(_config_with(), FakeHall(), lambda events: None)
    assert router.empty and router.audio_folder("spk-1") is None
    router.handle(TicketCalled(ticket=ticket()), Audience.DEVICES)  # nothing to do, nothing fails
    router.start()
    router.stop()


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
    data = compose(TicketPrint("大厅", "A001", f"{rare}名字变更", "一楼", "个人", "请到1号窗口", 0, "即将叫号", "09:00", "http://h/t/x"))
    assert rare.encode("gb18030") not in data and b"?" not in data
    assert b"\x1d\x76\x30" in data  # GS v 0: the line went out as a raster image
    assert "名字变更".encode("gb18030") not in data  # the whole line, so the glyphs match in size
