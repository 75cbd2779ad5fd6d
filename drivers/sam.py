"""The frame most 二代身份证 desktop readers speak on their serial (or USB-serial) port: the 公安部
SAM module's frame (docs/hardware.md, "ID card readers", says what was checked and against what).

    request   AA AA AA 96 69 | LEN (u16 big-endian) | CMD | PARA | data … | CHK
    answer    AA AA AA 96 69 | LEN (u16 big-endian) | SW1 | SW2 | SW3 | data … | CHK

LEN counts every byte after itself (CMD/PARA or SW1..SW3, the data and CHK); CHK is the XOR of the
LEN bytes and everything after them up to CHK. SW3 is the SAM's status: 90 done, 9F a card is there
(the answer to find card), 80 no card. Only the frame lives here: what the base message's bytes mean
is drivers/id_card.py, the wire is drivers/links.py.
"""
from __future__ import annotations

PREAMBLE = bytes((0xAA, 0xAA, 0xAA, 0x96, 0x69))

# (CMD, PARA) of the commands the kiosk's reader uses
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE_MESSAGE = (0x30, 0x01)

# SW3 of an answer
OK = 0x90
CARD_FOUND = 0x9F
NO_CARD = 0x80

_HEAD = len(PREAMBLE) + 2  # preamble and LEN
MAX_LENGTH = 0x0800        # a base message with its photo is 0x0508; more than this is noise


class FrameError(ValueError):
    pass


def checksum(body: bytes) -> int:
    """XOR of the LEN bytes and everything after them (the frame without preamble and CHK)."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def _frame(head: bytes, data: bytes) -> bytes:
    length = len(head) + len(data) + 1
    if length > 0xFFFF:
        raise FrameError("the data does not fit a SAM frame")
    body = length.to_bytes(2, "big") + head + data
    return PREAMBLE + body + bytes((checksum(body),))


def request(command: tuple[int, int], data: bytes = b"") -> bytes:
    """Host → reader."""
    return _frame(bytes(command), data)


def answer(sw3: int, data: bytes = b"", sw1: int = 0x00, sw2: int = 0x00) -> bytes:
    """Reader → host (the simulated reader answers with these)."""
    return _frame(bytes((sw1, sw2, sw3)), data)


def _body(raw: bytes, least: int) -> bytes:
    if not raw.startswith(PREAMBLE):
        raise FrameError("not an AA AA AA 96 69 frame")
    if len(raw) < _HEAD + least:
        raise FrameError("the frame is too short")
    length = int.from_bytes(raw[5:7], "big")
    if length != len(raw) - _HEAD:
        raise FrameError(f"LEN says {length} bytes follow, {len(raw) - _HEAD} do")
    body = raw[5:-1]
    if checksum(body) != raw[-1]:
        raise FrameError("checksum mismatch")
    return body[2:]


def parse_request(raw: bytes) -> tuple[tuple[int, int], bytes]:
    """(CMD, PARA), data of a host's frame."""
    body = _body(raw, 3)
    return (body[0], body[1]), body[2:]


def parse_answer(raw: bytes) -> tuple[int, bytes]:
    """SW3, data of a reader's frame (SW1 and SW2 are 00 in every answer seen; SW3 decides)."""
    body = _body(raw, 4)
    return body[2], body[3:]


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut complete frames out of a byte stream; noise before a preamble is dropped. Returns the
    frames and what is left to complete the next one."""
    frames = []
    while True:
        start = buffer.find(PREAMBLE)
        if start < 0:  # keep a preamble's beginning that may be cut at the end
            for keep in range(len(PREAMBLE) - 1, 0, -1):
                if buffer.endswith(PREAMBLE[:keep]):
                    return frames, buffer[-keep:]
            return frames, b""
        buffer = buffer[start:]
        if len(buffer) < _HEAD:
            return frames, buffer
        length = int.from_bytes(buffer[5:7], "big")
        if not 3 <= length <= MAX_LENGTH:  # not a frame after all: look for the next preamble
            buffer = buffer[1:]
            continue
        if len(buffer) < _HEAD + length:
            return frames, buffer
        frames.append(buffer[:_HEAD + length])
        buffer = buffer[_HEAD + length:]
