"""What text the hall accepts from outside, one rule per kind of text, for every entry point (the API's
field types in server/api/fields.py, the command line, the drivers' ID reader).

- Every text: no NUL and no lone surrogate (PostgreSQL cannot store the one, no encoder writes the other).
- Free text (a note, a comment): may hold line breaks and tabs, but no other control character.
- A one-line value (a code, a password, a tracking number): no control character at all.
- A name people read (a person's name, a username, a display text): one line, and none of the invisible
  characters that make two names look alike or turn text around on screen (zero-width, bidi overrides),
  no leading or trailing blank.
- A phone: a mainland mobile (1[3-9] and 9 digits) or a landline with its area code (0 and 2-3 digits,
  an optional hyphen, 7-8 digits).

Each rule is a regular expression as well as a function, so the OpenAPI document states exactly what
the server enforces (the patterns use only what JSON Schema, Python's `re` and ECMAScript share)."""
from __future__ import annotations

import re

from .errors import Invalid, Reason

# Lone surrogates are refused by `storable` alone: a pattern naming them is no regex to JSON Schema's
# validators (Rust's engines have no surrogates), and a client can send them only as JSON escapes.
_SURROGATES = r"\ud800-\udfff"
# Characters that are there but cannot be seen, or that reorder what follows them on screen.
_INVISIBLE = r"\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"

FREE_TEXT_CLASS = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
LINE_CLASS = r"[^\x00-\x1f\x7f]"
_NAME_CHAR = rf"[^\x00-\x1f\x7f-\x9f{_INVISIBLE}]"
_NAME_EDGE = rf"[^\s\x00-\x1f\x7f-\x9f{_INVISIBLE}]"

FREE_TEXT_PATTERN = rf"^{FREE_TEXT_CLASS}*$"
LINE_PATTERN = rf"^{LINE_CLASS}*$"
# Free text that must say something (a note that is required): at least one character that is not blank.
NOTE_PATTERN = rf"^{FREE_TEXT_CLASS}*[^\s\x00-\x1f\x7f]{FREE_TEXT_CLASS}*$"
NAME_PATTERN = rf"^{_NAME_EDGE}({_NAME_CHAR}*{_NAME_EDGE})?$"
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7})$"
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9Xx]$"
# The ids the server mints (secrets.token_urlsafe) and the numbers it counts with.
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

_FREE_TEXT = re.compile(FREE_TEXT_PATTERN)
_LINE = re.compile(LINE_PATTERN)
_NOTE = re.compile(NOTE_PATTERN)
_NAME = re.compile(NAME_PATTERN)
_MOBILE = re.compile(MOBILE_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
_ID_NUMBER = re.compile(ID_NUMBER_PATTERN)
_UNSTORABLE = re.compile(rf"[\x00{_SURROGATES}]")


def storable(text: str) -> bool:
    """No NUL, no lone surrogate: what any text must be before it reaches a database."""
    return not _UNSTORABLE.search(text)


def is_free_text(text: str) -> bool:
    return storable(text) and bool(_FREE_TEXT.fullmatch(text))


def is_note(text: str) -> bool:
    return storable(text) and bool(_NOTE.fullmatch(text))


def is_line(text: str) -> bool:
    return storable(text) and bool(_LINE.fullmatch(text))


def is_name(text: str) -> bool:
    return storable(text) and bool(_NAME.fullmatch(text))


def is_id_number_shape(text: str) -> bool:
    return bool(_ID_NUMBER.fullmatch(text))


def is_mobile(text: str) -> bool:
    return bool(_MOBILE.fullmatch(text))


def is_phone(text: str) -> bool:
    return bool(_PHONE.fullmatch(text))


def for_log(text: str) -> str:
    """`text` on one line: control characters (line breaks first) and the invisible ones as escapes, so
    nothing a client sends can start a log line of its own or hide in one."""
    return _LOGGED.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_LOGGED = re.compile(rf"[\x00-\x1f\x7f-\x9f{_SURROGATES}{_INVISIBLE}]")


NAME_MAX = 64


def require_name(value: str | None, what: str = "name") -> str:
    """`value` if it is a name people can read as it is (see above), else `invalid_name`."""
    if not isinstance(value, str) or len(value) > NAME_MAX or not is_name(value):
        raise Invalid(f"The {what} must have 1 to {NAME_MAX} characters, without control, invisible (zero-width) or "
                      "direction-changing characters and without blanks at either end.", Reason.INVALID_NAME)
    return value


def require_phone(value: str | None, what: str = "phone") -> str:
    if not isinstance(value, str) or not is_phone(value):
        raise Invalid(f"The {what} must be a mainland mobile (13812341234) or a landline with its area code "
                      "(0731-88888888).", Reason.INVALID_PHONE)
    return value
