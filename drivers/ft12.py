"""Pagers (呼叫器) and evaluators (评价器) on one RS485 bus: FT1.2-like variable frames
(research/field-features-hardware.md §2c, from a Chinese hall system's source):

    FF | 68 | L | L | 68 | address | function | data … | CS | 16
    L = 2 + len(data);  CS = (address + function + sum(data)) mod 256

The device sends a frame when a key is pressed; the host echoes each good frame as its acknowledgement.
Host → pager: function 02 with six digit bytes (0A = blank): three for the waiting count, three for
the ticket; function 03 makes the pager beep. Evaluator: function 11 carries the pressed level.
"""
from __future__ import annotations

LEAD, START, STOP = 0xFF, 0x68, 0x16
BLANK = 0x0A

# Host → device functions
SHOW, BEEP = 0x02, 0x03
# Device → host functions
KEY, RATING = 0x01, 0x11

# Pager keys (last data byte of a KEY frame); digits 0-9 are 00-09
CALL, RECALL, ASK_RATING, CANCEL, CONFIRM, PAUSE, TRANSFER = 0x0C, 0x0D, 0x0B, 0x0E, 0x0F, 0x12, 0x13


class FrameError(ValueError):
    pass


def checksum(address: int, function: int, data: bytes) -> int:
    return (address + function + sum(data)) % 256


def frame(address: int, function: int, data: bytes = b"") -> bytes:
    length = 2 + len(data)
    return bytes((LEAD, START, length, length, START, address, function)) + data + bytes(
        (checksum(address, function, data), STOP))


def parse(raw: bytes) -> tuple[int, int, bytes]:
    if len(raw) < 9 or raw[0] != LEAD or raw[1] != START or raw[4] != START or raw[-1] != STOP:
        raise FrameError("not an FF 68 L L 68 … 16 frame")
    if raw[2] != raw[3] or raw[2] != len(raw) - 7:
        raise FrameError("length bytes do not match the frame")
    address, function, data = raw[5], raw[6], raw[7:-2]
    if checksum(address, function, data) != raw[-2]:
        raise FrameError("checksum mismatch")
    return address, function, data


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut complete frames out of a byte stream (noise before a frame is dropped)."""
    frames = []
    while True:
        start = buffer.find(bytes((LEAD, START)))
        if start < 0:
            return frames, buffer[-1:] if buffer.endswith(bytes((LEAD,))) else b""
        buffer = buffer[start:]
        if len(buffer) < 4:
            return frames, buffer
        total = buffer[2] + 7
        if len(buffer) < total:
            return frames, buffer
        frames.append(buffer[:total])
        buffer = buffer[total:]


def digits(value: int | str | None, width: int = 3) -> bytes:
    """Right-aligned digits for the pager display, blanks in front; only the digits of a ticket number."""
    text = "".join(ch for ch in str(value) if ch.isdigit()) if value is not None else ""
    text = text[-width:]
    return bytes([BLANK] * (width - len(text)) + [int(ch) for ch in text])


def show(address: int, waiting: int | None, ticket: str | None) -> bytes:
    return frame(address, SHOW, digits(min(waiting, 999) if waiting is not None else None) + digits(ticket))
