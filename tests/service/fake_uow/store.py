"""The in-memory store the fake repositories share: one dict or list per table."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from server.domain.model import TicketStatus


@dataclass
class Store:
    tickets: dict = field(default_factory=dict)  # id -> Ticket
    counters: dict = field(default_factory=dict)  # (day, queue) -> last seq
    windows: dict = field(default_factory=dict)  # number -> Window
    cases: dict = field(default_factory=dict)  # id -> Case
    appointments: dict = field(default_factory=dict)  # id -> Appointment
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # hash -> (username, expires_at)
    devices: dict = field(default_factory=dict)  # token hash -> device row
    attempts: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # (principal, key) -> row
    ratings: list = field(default_factory=list)
    follow_ups: dict = field(default_factory=dict)  # id -> FollowUp
    prints: list = field(default_factory=list)
    health: dict = field(default_factory=dict)
    log: list = field(default_factory=list)
    notices: dict = field(default_factory=dict)  # id -> the outbox row (a SimpleNamespace)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))


def waiting_tickets(store: Store, day=None, queues=None) -> list:
    """Waiting tickets (of `day`, or of any day; in `queues`, or all)."""
    return [t for t in store.tickets.values() if t.status is TicketStatus.WAITING
            and (day is None or t.day == day) and (queues is None or t.queue in queues)]
