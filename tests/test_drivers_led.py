"""The LED drivers over real links, in-process: BX-5 frames (CRC and escapes checked against an independent
client's frames and a CRC computed here), a window strip and a floor board on pty pairs standing in for
their serial lines."""
from __future__ import annotations

import os

from device_doubles import NOW, read_until, ticket, window_update
from drivers import bx5
from harness import wait_for
from server.domain.events import TicketCalled, TicketRecalled
from server.services.bus import Audience


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


def test_led_window_strip_over_a_pty_shows_pause_flashes_calls_and_falls_back_to_idle(router_for):
    master, slave = os.openpty()
    router, hall = router_for(dict(name="led-15", kind="led", url=os.ttyname(slave), protocol="bx5",
                                   attach="window:15", address=3))
    router.handle(window_update(state="paused"), Audience.DEVICES)
    raw = read_until(master, lambda b: b.endswith(b"\x5A"))
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
    frames = read_until(master, lambda b: b.count(b"\x5A") >= 7).split(b"\x5A")[:7]
    texts = [unescape(f[8:])[14:-2] for f in frames]
    shown = "请A023号".encode("gb2312")
    assert [t.endswith(shown) for t in texts] == [True, False, True, False, True, False, True]  # flash, then steady

    router.handle(window_update(state="closed"), Audience.DEVICES)
    raw = read_until(master, lambda b: "15号窗口".encode("gb2312") in unescape(b), 5)
    assert "15号窗口".encode("gb2312") in unescape(raw) and b"B001" not in raw
    os.close(master)


def test_led_floor_board_in_text_shows_the_call_sentence_of_its_floor(router_for):
    master, slave = os.openpty()
    router, _ = router_for(dict(name="board-1", kind="led", url=os.ttyname(slave), protocol="text", attach="floor:1"))
    router.handle(TicketCalled(ticket=ticket(floor=2, window="40")), Audience.DEVICES)  # another floor
    router.handle(TicketRecalled(ticket=ticket(), at=NOW), Audience.DEVICES)
    sentence = "请A023号到15号窗口办理".encode("gb18030") + b"\r\n"
    got = read_until(master, lambda b: b.count(b"\r\n") >= 7)
    assert got == (sentence + b"\r\n") * 3 + sentence  # flashed by re-sending, then steady
    os.close(master)
