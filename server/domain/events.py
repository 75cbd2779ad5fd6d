"""Domain events: facts recorded by the model, published by the service layer after the commit."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketIssued:
    ticket_id: str


@dataclass(frozen=True)
class TicketCalled:
    ticket_id: str
    window: str
    recall: bool


@dataclass(frozen=True)
class TicketEnded:
    ticket_id: str
    status: str
    window: str | None
    reason: str | None = None


@dataclass(frozen=True)
class TicketTransferred:
    ticket_id: str
    queue: str
    from_window: str | None


@dataclass(frozen=True)
class WindowChanged:
    window: str
