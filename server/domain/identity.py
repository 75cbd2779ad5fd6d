"""Identity: the 18-digit citizen ID number (公民身份号码, GB 11643-1999), its check digit, the birth date it
holds, and how ID numbers and phones are masked wherever they are shown to anyone but the window serving
the citizen and the back office of their case (CONTRACT v2)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import Invalid, Reason

# GB 11643-1999 §8.2 (ISO 7064 MOD 11-2): weights of the first 17 digits, and the check character
# for each remainder of the weighted sum modulo 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


@dataclass(frozen=True)
class IdNumber:
    value: str

    @classmethod
    def parse(cls, text: str) -> "IdNumber":
        """A valid ID number (a lower-case x is read as X), or `invalid_id_number`."""
        value = (text or "").strip().upper()
        if not _SHAPE.match(value):
            raise Invalid("An ID number has 17 digits and a check digit (0-9 or X).", Reason.INVALID_ID_NUMBER)
        if check_character(value[:17]) != value[17]:
            raise Invalid("The ID number's check digit does not match; please check the number.", Reason.INVALID_ID_NUMBER)
        try:
            birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            raise Invalid("The ID number does not hold a real birth date.", Reason.INVALID_ID_NUMBER)
        if birth.year < 1880:
            raise Invalid("The ID number does not hold a real birth date.", Reason.INVALID_ID_NUMBER)
        return cls(value)

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    def age_on(self, day: dt.date) -> int:
        birth = self.birth_date
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)


def mask_id_number(value: str) -> str:
    """430104195001011234 → 430***********1234 (the region's first three digits and the last four)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; short numbers keep only their last two digits."""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(0, len(phone) - 2) + phone[-2:]


@dataclass(frozen=True)
class Holder:
    """The citizen a ticket or a booking is tied to: what the kiosk's card reader or the booking gave."""
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None

    def masked(self) -> dict:
        return {"name": mask_name(self.name) if self.name else None,
                "id_number": mask_id_number(self.id_number) if self.id_number else None,
                "phone": mask_phone(self.phone) if self.phone else None}

    def full(self) -> dict:
        return {"name": self.name, "id_number": self.id_number, "phone": self.phone}

    def __bool__(self) -> bool:
        return bool(self.name or self.id_number or self.phone)
