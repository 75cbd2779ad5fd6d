"""A kiosk's 二代身份证 reader: polls for a card on its worker thread and, once per placement, tells the
kiosk's page what the card says (`IdCardRead`, to that kiosk's socket only: the full ID number goes
nowhere else, and every log line masks it).

`IdCardReader` is what a reader must do: `poll()` → the card on the reader now, or None. The one
shipped speaks the SAM frame (drivers/sam.py) over a serial or USB-serial link (drivers/links.py).
A reader that only comes with a vendor's module (sdtapi.dll's SDT_StartFindIDCard / SDT_SelectIDCard
/ SDT_ReadBaseMsg, 华视 termb.dll …) plugs in as another `IdCardReader` under its own protocol name
(READERS, and DEVICE_PROTOCOLS in the config): it hands its 256-byte text block to
`id_card.parse_text`, and the worker, the kiosk's socket and the page stay as they are.
"""
from __future__ import annotations

import logging
import time
from typing import Protocol

from server.domain.events import IdCardFacts, IdCardRead

from . import sam
from .id_card import IdCard, masked, parse_text
from .links import Link, LinkError, open_link
from .worker import DeviceFault, Worker

log = logging.getLogger("hallq.devices")
POLL_S = 0.5            # how often the reader is asked for a card
FIND_WAIT_S = 0.5       # a find or select answer is 11-19 bytes
READ_WAIT_S = 3.0       # the base message with its photo is 1,295 bytes: 1.4 s at 9600 baud
LINK_TIMEOUT_S = 1.0


class IdCardReader(Protocol):
    def poll(self) -> IdCard | None:
        """The card on the reader now, or None. Raises LinkError when the reader cannot be reached
        or does not answer, sam.FrameError or id_card.CardError for an answer that makes no sense."""

    def close(self) -> None:
        """Let go of the reader (its port), so it can be opened again."""


class SamSerialReader:
    """Find card, select card, read the base message, each one request frame and one answer."""

    def __init__(self, link: Link):
        self.link = link
        self.buffer = b""

    def poll(self) -> IdCard | None:
        status, _ = self._ask(sam.FIND_CARD, FIND_WAIT_S)
        if status != sam.CARD_FOUND:
            return None
        status, _ = self._ask(sam.SELECT_CARD, FIND_WAIT_S)
        if status != sam.OK:  # taken away between find and select: it is looked for again
            return None
        status, data = self._ask(sam.READ_BASE_MESSAGE, READ_WAIT_S)
        if status != sam.OK:
            return None
        if len(data) < 4:
            raise sam.FrameError("the base message has no length words")
        text_length = int.from_bytes(data[0:2], "big")
        return parse_text(data[4:4 + text_length])

    def _ask(self, command: tuple[int, int], wait_s: float) -> tuple[int, bytes]:
        self.buffer = b""  # a late answer to an earlier request must not stand for this one's
        self.link.write(sam.request(command))
        deadline = time.monotonic() + wait_s
        while True:
            frames, self.buffer = sam.split_frames(self.buffer)
            if frames:
                return sam.parse_answer(frames[0])
            left = deadline - time.monotonic()
            if left <= 0:
                raise LinkError(f"the reader did not answer command {command[0]:02X} {command[1]:02X}")
            self.buffer += self.link.read(2048, min(left, 0.1))

    def close(self) -> None:
        self.link.close()


def sam_reader(device) -> IdCardReader:
    return SamSerialReader(open_link(device.url, timeout=LINK_TIMEOUT_S, baudrate=device.baudrate))


READERS = {"sam": sam_reader}  # protocol → how to open a reader of the device


class IdReader(Worker):
    subscribes = ()   # it hears nothing from the hall; it only reports cards
    idle_s = POLL_S

    def __init__(self, device, config, hall, publish):
        super().__init__([device], config, hall, publish)
        self.kiosk = device.attach.partition(":")[2]
        self.reader: IdCardReader | None = None
        self.card_present: str | None = None  # the number of the card lying there, reported once

    def take(self, event) -> None:
        pass

    def idle(self) -> None:
        if self.reader is None:
            try:
                self.reader = READERS[self.device.protocol](self.device)
            except LinkError as exc:
                raise DeviceFault("offline", str(exc))
            self.ok("online", "ready")
        try:
            card = self.reader.poll()
        except LinkError as exc:
            raise DeviceFault("offline", str(exc))
        if card is None:
            self.card_present = None
        elif card.number != self.card_present:  # placed, or swapped for another between two polls
            self.card_present = card.number
            self._announce(card)

    def _announce(self, card: IdCard) -> None:
        log.info("id reader %s: card %s placed at kiosk %s", self.name, masked(card.number), self.kiosk)
        self.ok("online", "card read")
        try:
            self.publish([IdCardRead(kiosk=self.kiosk, reader=self.name,
                                     card=IdCardFacts(number=card.number, name=card.name, sex=card.sex,
                                                      birth=card.birth))])
        except Exception:  # the citizen can place the card again, or type the booking's code
            log.exception("id reader %s: the card %s could not be passed on", self.name, masked(card.number))

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None
        super().close()
