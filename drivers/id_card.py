"""What a 二代身份证 says: the card's text block (the "base message", 256 bytes of UCS-2LE in fixed
fields, each padded with spaces) and the `IdCard` it becomes. The same layout whichever reader read
it (the SAM frame of drivers/sam.py, a vendor's module that hands over the raw block).

    name 30 | sex 2 | nation 4 | birth 16 (YYYYMMDD) | address 70 | number 36 | issuer 30 |
    valid from 16 | valid to 16 (YYYYMMDD or 长期) | reserved 36          (bytes, 128 characters)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TEXT_BYTES = 256
FIELDS = (("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("number", 36),
          ("issuer", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36))
SEXES = {"1": "男", "2": "女"}  # GB/T 2261.1; 0 and 9 (unknown, unstated) stay as they are


class CardError(ValueError):
    """The bytes are not a readable card's text block."""


def masked(number: str) -> str:
    """430104195001011234 → 430***********1234: what a log line or a screen may show of an ID number."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


@dataclass(frozen=True, repr=False)
class IdCard:
    number: str
    name: str
    sex: str          # 男 | 女 (or the raw code when the card says neither)
    birth: dt.date
    nation: str = ""  # the two-digit code of GB 3304 (01 汉)
    address: str = ""
    issuer: str = ""
    valid_from: str = ""
    valid_to: str = ""

    def __repr__(self) -> str:  # a card in a traceback or a log line never shows the full number
        return f"IdCard({masked(self.number)})"


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise CardError(f"birth {text!r} is not YYYYMMDD") from None


def parse_text(block: bytes) -> IdCard:
    if len(block) < TEXT_BYTES:
        raise CardError(f"a card's text is {TEXT_BYTES} bytes, got {len(block)}")
    values, at = {}, 0
    for name, size in FIELDS:
        try:
            values[name] = block[at:at + size].decode("utf-16-le").rstrip(" \x00")
        except UnicodeDecodeError:
            raise CardError(f"the card's {name} is not UCS-2") from None
        at += size
    number = values["number"]
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise CardError("the card's number is not 18 characters of digits (and X)")
    return IdCard(number=number, name=values["name"], sex=SEXES.get(values["sex"], values["sex"]),
                  birth=_date(values["birth"]), nation=values["nation"], address=values["address"],
                  issuer=values["issuer"], valid_from=values["valid_from"], valid_to=values["valid_to"])


def compose_text(card: IdCard) -> bytes:
    """The card's text block (the simulated reader's; the inverse of parse_text)."""
    sex_code = next((code for code, word in SEXES.items() if word == card.sex), card.sex)
    values = {"name": card.name, "sex": sex_code, "nation": card.nation, "birth": card.birth.strftime("%Y%m%d"),
              "address": card.address, "number": card.number, "issuer": card.issuer,
              "valid_from": card.valid_from, "valid_to": card.valid_to, "reserved": ""}
    out = b""
    for name, size in FIELDS:
        raw = values[name].encode("utf-16-le")
        if len(raw) > size:
            raise CardError(f"{name} is longer than its {size // 2} characters")
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return out


def card_of_number(number: str, name: str, **more) -> IdCard:
    """A card for `number`, with the birth date and sex the number itself carries (GB 11643: digits
    7-14 the birth, the 17th odd for men) — the simulated reader's cards."""
    if len(number) != 18 or not number[:17].isdigit():
        raise CardError("an ID number has 18 characters")
    return IdCard(number=number, name=name, sex="男" if int(number[16]) % 2 else "女", birth=_date(number[6:14]),
                  **{"nation": "01", **more})
