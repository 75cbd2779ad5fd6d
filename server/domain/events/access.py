"""Access ending: a principal's tokens stop working (a logout, a changed password, a disabled or
removed account, a revoked or rotated device). Every server process closes that principal's open
sockets when it hears of it (server/push/sessions.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from .base import Event


@dataclass(frozen=True)
class AccessRevoked(Event):
    subject: ClassVar[str] = "access"
    kind: ClassVar[str] = "revoked"
    principal: str  # "user:NAME" or "device:NAME" (Actor.principal)
    why: str  # logout | password_changed | disabled | removed | device_revoked | device_rotated
    at: dt.datetime
    # A logout ends one token only: its SHA-256 (never the token). None: every token of the principal.
    token_hash: str | None = None

    @property
    def subject_id(self) -> str:
        return self.principal.split(":", 1)[1]  # the name: the log's subject_id holds 64 characters
