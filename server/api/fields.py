"""The field types every request body, path and query value is made of, so that what the server accepts is
stated once, enforced by pydantic and documented in the OpenAPI document by the same declaration. The
rules themselves are the domain's (server/domain/text.py).

Use these rather than a bare `str` in a body:
- `FreeText(n)`: a note or comment, line breaks allowed;
- `Line(n)`, `Line(n, min_length=1)`: one line (a password, a tracking number, a pause reason);
- `Name`: a name people read (a person, a username, a display text): refused with `invalid_name`;
- `Phone`, `MobilePhone`: refused with `invalid_phone`;
- `Code`, `CaseNumber`, `Date`, `TimeOfDay`: fixed shapes (their pattern is the whole rule).
A refusal names the rule (`reason`): control characters are `control_characters`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, GetJsonSchemaHandler, StringConstraints
from pydantic_core import PydanticCustomError, core_schema

from ..domain import cases, text
from ..domain.errors import Reason


@dataclass(frozen=True)
class _Documented:
    """Adds the domain rule's pattern (and format) to the field's JSON Schema; pydantic's own `pattern`
    cannot carry these (its regex engine has no lookaround and no surrogates)."""
    pattern: str
    format: str | None = None

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        if self.format:
            json_schema["format"] = self.format
        return json_schema


def _rule(check, reason: Reason, message: str):
    def validate(value: str) -> str:
        if not check(value):
            raise PydanticCustomError(reason.value, message)
        return value
    return AfterValidator(validate)


_NO_CONTROLS = "must not hold NUL bytes or control characters"


def FreeText(max_length: int, min_length: int = 0) -> Any:  # noqa: N802 (a type, named like one)
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     _rule(text.is_free_text, Reason.CONTROL_CHARACTERS, _NO_CONTROLS + " (line breaks and tabs are fine)"),
                     _Documented(text.FREE_TEXT_PATTERN)]


def Note(max_length: int) -> Any:  # noqa: N802
    """Free text that is required: not empty, not only blanks."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length),
                     _rule(text.is_free_text, Reason.CONTROL_CHARACTERS, _NO_CONTROLS + " (line breaks and tabs are fine)"),
                     _rule(text.is_note, Reason.NOTE_REQUIRED, "must say something (not only blanks)"),
                     _Documented(text.NOTE_PATTERN)]


def Line(max_length: int, min_length: int = 0) -> Any:  # noqa: N802
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     _rule(text.is_line, Reason.CONTROL_CHARACTERS, _NO_CONTROLS + " or line breaks"),
                     _Documented(text.LINE_PATTERN)]


Name = Annotated[str, StringConstraints(min_length=1, max_length=64),
                 _rule(text.is_name, Reason.INVALID_NAME,
                       "must be a name without control, invisible or direction-changing characters, "
                       "and without blanks at either end"),
                 _Documented(text.NAME_PATTERN)]
Phone = Annotated[str, _rule(text.is_phone, Reason.INVALID_PHONE,
                             "must be a mainland mobile (13812341234) or a landline with its area code (0731-88888888)"),
                  _Documented(text.PHONE_PATTERN)]
MobilePhone = Annotated[str, _rule(text.is_mobile, Reason.INVALID_PHONE, "must be a mainland mobile number such as 13812341234"),
                        _Documented(text.MOBILE_PATTERN)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
CaseNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{8,16}$")]
# The shape of an ID number; its check digit and birth date are identity.IdNumber's to check.
IdNumberText = Annotated[str, _rule(text.is_id_number_shape, Reason.INVALID_ID_NUMBER,
                                    "must be 17 digits and a check character (0-9 or X)"),
                         _Documented(text.ID_NUMBER_PATTERN)]
Date = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), _Documented(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "date")]
TimeOfDay = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]

# Path parameters: a window is its number, a username or a device's name is a name, any other is an id the
# server minted (text.ID_PATTERN). routing.check_path_and_query enforces these; the document states them.
WINDOW_PATTERN = r"^[0-9]{1,6}$"
PATH_SCHEMAS = {"window": {"type": "string", "pattern": WINDOW_PATTERN},
                "username": {"type": "string", "maxLength": text.NAME_MAX, "pattern": text.NAME_PATTERN},
                "name": {"type": "string", "maxLength": text.NAME_MAX, "pattern": text.NAME_PATTERN}}
ID_SCHEMA = {"type": "string", "pattern": text.ID_PATTERN}

# Query parameters' JSON Schemas (a route's `query=` entries: (name, schema, description[, required])).
FLOOR_QUERY = {"type": "integer", "minimum": -9999, "maximum": 9999}
DATE_QUERY = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
CODE_QUERY = {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,32}$"}


def one_of(*values: str) -> dict:
    return {"type": "string", "enum": list(values)}


def _integral(value):
    # JSON Schema's integer includes 3.0; pydantic's strict int does not.
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[int, BeforeValidator(_integral)]

TrackingNumber = Annotated[str, _rule(cases.is_tracking_number, Reason.INVALID_TRACKING_NUMBER, cases.TRACKING_RULE),
                           _Documented(cases.TRACKING_PATTERN)]


def NewPassword() -> Any:  # noqa: N802
    """A password being set: one line, at least the hall's minimum (refused with `password_too_short`)."""
    from ..services.accounts import MIN_PASSWORD_LENGTH
    return Annotated[str, StringConstraints(max_length=200),
                     _rule(text.is_line, Reason.CONTROL_CHARACTERS, _NO_CONTROLS + " or line breaks"),
                     _rule(lambda value: len(value) >= MIN_PASSWORD_LENGTH, Reason.PASSWORD_TOO_SHORT,
                           f"must have at least {MIN_PASSWORD_LENGTH} characters"),
                     _Documented(rf"^{text.LINE_CLASS}{{{MIN_PASSWORD_LENGTH},}}$")]
