"""What entry points hand the service layer and get back, beside the actor (actors.py)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's Idempotency-Key and a fingerprint of its request (method, path, body), so a key reused
    for another request is refused."""
    key: str
    request: str


@dataclass(frozen=True)
class Outcome:
    """A command's answer; `replayed` when it is the stored answer to an earlier request with the same key.
    Status codes are the HTTP layer's business."""
    body: dict
    replayed: bool = False
