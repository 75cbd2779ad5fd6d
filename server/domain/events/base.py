"""What every event is, and how events become JSON and back (the event log, the device relay)."""
from __future__ import annotations

import datetime as dt
import itertools
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from typing import ClassVar

_order = itertools.count()


@dataclass(frozen=True)
class Event:
    subject: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    stored: ClassVar[bool] = True
    # Creation order across aggregates, so one command's events keep the order they happened in.
    order: int = field(default_factory=lambda: next(_order), compare=False, repr=False, kw_only=True)

    @property
    def subject_id(self) -> str | None:
        return None


# ---------------------------------------------------------------- the codec
def registry() -> dict[tuple[str, str], type[Event]]:
    """(subject, kind) → event class, over every concrete event defined so far (here or elsewhere)."""
    found: dict[tuple[str, str], type[Event]] = {}
    pending = list(Event.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.kind:
            found[(cls.subject, cls.kind)] = cls
    return found


def encode(event: Event) -> dict:
    """The event's fields as JSON-ready values (times and dates as ISO 8601), without its `order`."""
    return {f.name: _encode(getattr(event, f.name)) for f in fields(event) if f.name != "order"}


def _encode(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def decode(subject: str, kind: str, data: dict) -> Event:
    """The inverse of `encode`, for events that crossed a process boundary."""
    return _decode(registry()[(subject, kind)], data)


def _decode(cls, data: dict):
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _value(hints[f.name], data[f.name]) for f in fields(cls)
                  if f.name != "order" and f.name in data})


def _value(hint, raw):
    if raw is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(options[0], raw) if len(options) == 1 else raw
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_value(inner, v) for v in raw)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(raw)
    if hint is dt.date:
        return dt.date.fromisoformat(raw)
    if isinstance(hint, type) and is_dataclass(hint):
        return _decode(hint, raw)
    return raw
