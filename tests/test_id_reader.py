"""The kiosk's 二代身份证 reader: the SAM frame checked against bytes written out here from the
protocol's description (not built by drivers/sam.py), the card's text block, and the worker over a
pty: a card is reported once per placement, its number never in a log line."""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading

import pytest

from device_doubles import FakeHall, config_with
from drivers import sam
from drivers.id_card import CardError, IdCard, compose_text, masked, parse_text
from drivers.router import DeviceRouter
from harness import wait_for
from server.config import ConfigError, load_config
from server.domain.events import IdCardFacts, IdCardRead
from server.services.bus import AUDIENCES, Audience

NUMBER, NAME = "430104195001011234", "张三"


def xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def field(text: str, size: int) -> bytes:
    """A field of the text block: UCS-2LE, padded with spaces (20 00)."""
    raw = b"".join(ord(ch).to_bytes(2, "little") for ch in text)
    return raw + b"\x20\x00" * ((size - len(raw)) // 2)


def recorded_text_block() -> bytes:
    block = (field(NAME, 30) + field("1", 2) + field("01", 4) + field("19500101", 16)
             + field("湖南省长沙市芙蓉区五一大道1号", 70) + field(NUMBER, 36) + field("长沙市公安局芙蓉分局", 30)
             + field("20200101", 16) + field("长期", 16) + field("", 36))
    assert len(block) == 256
    return block


def recorded_read_answer(block: bytes) -> bytes:
    """A read-base-message answer, byte by byte: preamble, LEN (big-endian), SW1 SW2 SW3 = 00 00 90,
    text length 0100, photo length 0400, text, photo, XOR of everything after the preamble."""
    photo = bytes(range(256)) * 4
    after_len = bytes([0x00, 0x00, 0x90, 0x01, 0x00, 0x04, 0x00]) + block + photo
    length = len(after_len) + 1
    assert length == 0x0508  # 1,288 bytes follow LEN in every base message with its photo
    body = bytes([length >> 8, length & 0xFF]) + after_len
    return bytes([0xAA, 0xAA, 0xAA, 0x96, 0x69]) + body + bytes([xor(body)])


def test_requests_are_the_frames_readers_are_known_to_take():
    # As published in several open-source reader drivers: find, select, read base message.
    assert sam.request(sam.FIND_CARD) == bytes.fromhex("AAAAAA9669 0003 2001 22")
    assert sam.request(sam.SELECT_CARD) == bytes.fromhex("AAAAAA9669 0003 2002 21")
    assert sam.request(sam.READ_BASE_MESSAGE) == bytes.fromhex("AAAAAA9669 0003 3001 32")


def test_a_recorded_base_message_parses_to_the_card():
    raw = recorded_read_answer(recorded_text_block())
    status, data = sam.parse_answer(raw)
    assert status == 0x90 and int.from_bytes(data[:2], "big") == 256
    card = parse_text(data[4:260])
    assert (card.number, card.name, card.sex, card.birth) == (NUMBER, NAME, "男", dt.date(1950, 1, 1))
    assert (card.nation, card.address, card.issuer, card.valid_to) == ("01", "湖南省长沙市芙蓉区五一大道1号",
                                                                       "长沙市公安局芙蓉分局", "长期")
    assert compose_text(card) == recorded_text_block()  # the simulator's cards are the same bytes


def test_a_broken_frame_is_refused():
    raw = recorded_read_answer(recorded_text_block())
    with pytest.raises(sam.FrameError, match="checksum"):
        sam.parse_answer(raw[:-1] + bytes([raw[-1] ^ 0x01]))
    with pytest.raises(sam.FrameError, match="LEN"):
        sam.parse_answer(raw[:-2])
    with pytest.raises(sam.FrameError, match="AA AA AA 96 69"):
        sam.parse_answer(b"\x00" + raw[1:])
    with pytest.raises(CardError):
        parse_text(recorded_text_block()[:200])
    no_number = recorded_text_block()[:152] + field("ABC", 36) + recorded_text_block()[188:]
    with pytest.raises(CardError, match="number"):
        parse_text(no_number)


def test_frames_are_cut_out_of_a_stream_with_noise_and_split_reads():
    no_card = bytes.fromhex("AAAAAA9669 0004 000080 84")  # 00^04^00^00^80
    assert sam.parse_answer(no_card) == (0x80, b"")
    stream = b"\x00\x13" + no_card + recorded_read_answer(recorded_text_block())
    frames, rest = sam.split_frames(stream[:40])
    assert frames == [no_card] and rest == stream[len(no_card) + 2:40]
    frames, rest = sam.split_frames(rest + stream[40:] + b"\xAA\xAA")
    assert len(frames) == 1 and sam.parse_answer(frames[0])[0] == 0x90 and rest == b"\xAA\xAA"


def test_a_card_in_a_log_line_or_a_traceback_is_masked():
    card = IdCard(NUMBER, NAME, "男", dt.date(1950, 1, 1))
    facts = IdCardFacts(NUMBER, NAME, "男", dt.date(1950, 1, 1))
    event = IdCardRead(kiosk="kiosk-1", reader="r1", card=facts)
    for text in (repr(card), repr(facts), repr(event)):
        assert NUMBER not in text and "430***********1234" in text
    assert masked(NUMBER) == "430***********1234"
    assert AUDIENCES[IdCardRead] == (Audience.KIOSKS,) and IdCardRead.stored is False


class FakeSamReader:
    """The reader's end of a pty: answers each request with frames written out here by hand."""

    def __init__(self, master: int):
        self.master, self.card_placed, self.requests, self.no_card_answers = master, False, [], 0
        self.read_answer = recorded_read_answer(recorded_text_block())
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        buffer = b""
        while True:
            try:
                buffer += os.read(self.master, 64)
            except OSError:
                return
            while len(buffer) >= 10:  # every host request here is 10 bytes
                request, buffer = buffer[:10], buffer[10:]
                self.requests.append(request[7:9])
                os.write(self.master, self._answer(request[7:9]))

    def _answer(self, command: bytes) -> bytes:
        if command == b"\x20\x01":
            self.no_card_answers += not self.card_placed
            return bytes.fromhex("AAAAAA9669 0008 00009F 00000000 97") if self.card_placed else \
                bytes.fromhex("AAAAAA9669 0004 000080 84")
        if command == b"\x20\x02":
            return bytes.fromhex("AAAAAA9669 000C 000090 0000000000000000 9C")
        return self.read_answer


def test_the_reader_reports_a_card_once_per_placement_and_never_logs_its_number(caplog):
    caplog.set_level(logging.DEBUG)
    master, slave = os.openpty()
    fake = FakeSamReader(master)
    published: list = []
    hall = FakeHall()
    router = DeviceRouter(config_with(dict(name="reader-1", kind="id_reader", url=os.ttyname(slave), protocol="sam",
                                           attach="kiosk:kiosk-1", baudrate=115200)), hall, published.extend)
    router.start()
    try:
        assert wait_for(lambda: ("reader-1", "online", "ready") in hall.health, 5)
        assert wait_for(lambda: len(fake.requests) >= 3, 5)  # polling: find card, again and again
        assert published == [] and set(fake.requests) == {b"\x20\x01"}
        fake.card_placed = True
        assert wait_for(lambda: published, 5)
        seen = len(fake.requests)
        assert wait_for(lambda: len(fake.requests) >= seen + 4, 5)  # still polling while the card lies there
        assert len(published) == 1, "the same placement was reported twice"
        (event,) = published
        assert isinstance(event, IdCardRead) and (event.kiosk, event.reader) == ("kiosk-1", "reader-1")
        assert (event.card.number, event.card.name, event.card.birth) == (NUMBER, NAME, dt.date(1950, 1, 1))
        fake.card_placed = False
        seen = fake.no_card_answers
        assert wait_for(lambda: fake.no_card_answers > seen, 5)
        fake.card_placed = True
        assert wait_for(lambda: len(published) == 2, 5), "a card placed again was not reported"
    finally:
        router.stop()
        os.close(master)
    assert "430***********1234" in caplog.text and NUMBER not in caplog.text


def test_a_reader_that_does_not_answer_is_offline(tmp_path):
    master, slave = os.openpty()  # nobody answers on the master side
    hall = FakeHall()
    router = DeviceRouter(config_with(dict(name="reader-1", kind="id_reader", url=os.ttyname(slave), protocol="sam",
                                           attach="kiosk:kiosk-1")), hall, lambda events: None)
    router.start()
    try:
        assert wait_for(lambda: "offline" in hall.states("reader-1"), 5)
        assert "did not answer" in next(d for n, s, d in hall.health if s == "offline")
    finally:
        router.stop()
        os.close(master)
        os.close(slave)


def test_an_id_reader_belongs_to_one_kiosk(tmp_path):
    from server.config import BUNDLED_DEMO_HALL
    entry = '\n[[devices]]\nname = "{name}"\nkind = "id_reader"\nurl = "/dev/ttyUSB1"\nprotocol = "{protocol}"\nattach = "{attach}"\n'
    path = tmp_path / "hall.toml"
    path.write_text(BUNDLED_DEMO_HALL.read_text(encoding="utf-8")
                    + entry.format(name="r1", protocol="sam", attach="window:3")
                    + entry.format(name="r2", protocol="sam", attach="kiosk:k1")
                    + entry.format(name="r3", protocol="sam", attach="kiosk:k1"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = "\n".join(err.value.problems)
    assert 'r1): an ID card reader belongs to a kiosk (attach = "kiosk:NAME")' in text
    assert "id readers of a kiosk (attach): 'kiosk:k1' is defined twice" in text
    path.write_text(BUNDLED_DEMO_HALL.read_text(encoding="utf-8")
                    + entry.format(name="r1", protocol="escpos", attach="kiosk:k1"), encoding="utf-8")
    with pytest.raises(ConfigError, match="a id_reader speaks sam"):
        load_config(path)
