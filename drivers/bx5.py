"""Onbon BX-5 (仰邦 5th generation) LED controller frames: real-time text in a dynamic area (动态区).

Frame (research/field-features-hardware.md §2a):

    A5 ×8 | dst u16 LE | src u16 LE (0x8000 = PC) | 6 reserved | device type (FE = any) | version 02
          | data length u16 LE | data | CRC-16 u16 LE | 5A

CRC-16/ARC (reflected poly 0xA001, init 0) over everything between the preamble and the CRC, computed
on the bytes *before* escaping. Between preamble and the closing 5A, the frame bytes are escaped:
A5 → A6 02, A6 → A6 01, 5A → 5B 02, 5B → 5B 01.

What was confirmed and against what (there was no access to Onbon's own protocol PDF here):
- Frame layout, the CRC variant and the escape pairs agree between our research notes (which cite a
  byte-by-byte example on deanled.cn and Onbon's SDK READMEs) and a third-party Python client of the
  BX-5 found in the public code index; that client's complete "ping" (A2 00) and "clear" (A3 10) frames
  carry CRCs F868 and F851, which this module reproduces (tests/test_drivers_led.py).
- The dynamic-area (A3 06) parameter order below follows that same client and the research notes.
- NOT confirmed: the escape pairs against Onbon's own document, the meaning of the 6 reserved bytes
  beyond "0 = CRC check, normal display mode", the controller's reply format (we do not wait for
  replies: reply flag 02), and any effect code for blinking (calls flash by re-sending, see led.py).
  Verified only against our simulator (drivers/simulate.py), never against a real controller.
"""
from __future__ import annotations

import struct

PREAMBLE = b"\xA5" * 8
END = 0x5A
PC_ADDRESS = 0x8000
ANY_DEVICE = 0xFE
VERSION = 0x02
_ESCAPES = {0xA5: b"\xA6\x02", 0xA6: b"\xA6\x01", 0x5A: b"\x5B\x02", 0x5B: b"\x5B\x01"}
_UNESCAPES = {(0xA6, 0x02): 0xA5, (0xA6, 0x01): 0xA6, (0x5B, 0x02): 0x5A, (0x5B, 0x01): 0x5B}

# Display effects of a dynamic area (显示方式)
STATIC, QUICK, MOVE_LEFT = 0x01, 0x02, 0x03


class FrameError(ValueError):
    pass


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def escape(body: bytes) -> bytes:
    return b"".join(_ESCAPES.get(b, bytes((b,))) for b in body)


def unescape(body: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(body):
        if body[i] in (0xA6, 0x5B):
            pair = (body[i], body[i + 1] if i + 1 < len(body) else -1)
            if pair not in _UNESCAPES:
                raise FrameError(f"bad escape {body[i:i + 2].hex()}")
            out.append(_UNESCAPES[pair])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return bytes(out)


def frame(data: bytes, screen: int = 1) -> bytes:
    header = struct.pack("<HH6sBBH", screen, PC_ADDRESS, bytes(6), ANY_DEVICE, VERSION, len(data))
    body = header + data
    return PREAMBLE + escape(body + struct.pack("<H", crc16(body))) + bytes((END,))


def parse(raw: bytes) -> tuple[int, bytes]:
    """One frame → (screen address, data). Raises FrameError on a bad preamble, escape, length or CRC."""
    if not raw.startswith(PREAMBLE) or raw[-1] != END:
        raise FrameError("missing preamble or end byte")
    body = unescape(raw[len(PREAMBLE):-1])
    if len(body) < 16:
        raise FrameError("frame too short")
    screen, _src, _res, _type, _ver, length = struct.unpack("<HH6sBBH", body[:14])
    data, crc = body[14:-2], struct.unpack("<H", body[-2:])[0]
    if len(data) != length:
        raise FrameError(f"length says {length}, data has {len(data)}")
    if crc16(body[:-2]) != crc:
        raise FrameError("CRC mismatch")
    return screen, data


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut complete frames out of a byte stream; return them and the unfinished rest."""
    frames = []
    while True:
        start = buffer.find(PREAMBLE)
        if start < 0:
            return frames, buffer[-7:]
        end = buffer.find(bytes((END,)), start + len(PREAMBLE))
        if end < 0:
            return frames, buffer[start:]
        frames.append(buffer[start:end + 1])
        buffer = buffer[end + 1:]


def dynamic_text(text: str, area: int = 0, width: int = 64, height: int = 16, effect: int = STATIC,
                 speed: int = 0, stay: int = 5) -> bytes:
    """Command A3 06: show `text` (GB2312) in one dynamic area that covers the screen (RAM only)."""
    encoded = text.encode("gb2312")
    area_data = (bytes((0x00,))                                   # area type
                 + struct.pack("<HHHH", 0, 0, width // 8, height)  # X, Y, width (8-px units), height
                 + bytes((area, 0, 0x00))                          # area id, line spacing, run mode: loop
                 + struct.pack("<H", 0)                            # timeout
                 + bytes((0, 0, 0x0A))                             # no voice, no extensions, centred
                 + bytes((0x01, 0x01, effect, 0x00, speed, stay))  # single line, no wrap, effect, exit, speed, stay
                 + struct.pack("<I", len(encoded)) + encoded)
    return (bytes((0xA3, 0x06, 0x02, 0x00, 0x00))  # group, command, no reply, 2 reserved
            + bytes((0x00, 0x01))                  # delete no areas, one area follows
            + struct.pack("<H", len(area_data)) + area_data)


def text_of(data: bytes) -> str:
    """The text of an A3 06 command (used by the simulator and the tests)."""
    if data[:2] != b"\xA3\x06":
        raise FrameError(f"not a dynamic-area command: {data[:2].hex()}")
    area = data[9:]
    (n,) = struct.unpack("<I", area[23:27])
    return area[27:27 + n].decode("gb2312")
