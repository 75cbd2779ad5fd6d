"""What reports read: one business day's ticket facts from the event log, and those tickets' ratings.

The tickets table serves only as the index of which tickets a business day issued (`day`, set at
issue and never changed, indexed); every figure comes from the events themselves. A ticket's events
all fall within its business day, so a day's steps are complete on their own.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, bindparam, select

from ...domain.reports import RatingFact, TicketStep
from .. import tables as t

_COUNTED = frozenset({"issued", "called", "transferred", "done", "no_show", "routed", "cancelled"})
_OF_DAY = select(t.tickets.c.id).where(t.tickets.c.day == bindparam("day"))
# No condition on `kind` here: with one, SQLite walks ix_events_kind through every day of the log (50
# times slower on a few months' log) instead of looking each ticket up in ix_events_subject.
_STEPS = (select(t.events.c.subject_id, t.events.c.kind, t.events.c.at, t.events.c.payload)
          .where(t.events.c.subject == "ticket", t.events.c.subject_id.in_(_OF_DAY))
          .order_by(t.events.c.id))
_RATINGS = (select(t.ratings.c.ticket_id, t.ratings.c.level, t.ratings.c.removed_at)
            .where(t.ratings.c.ticket_id.in_(_OF_DAY)))


class ReportRecords:
    def __init__(self, conn: Connection):
        self.conn = conn

    def ticket_steps(self, day: dt.date) -> list[TicketStep]:
        """The facts of the tickets issued on business day `day`, in the order they happened."""
        out = []
        for ticket_id, kind, at, payload in self.conn.execute(_STEPS, {"day": day}):
            if kind not in _COUNTED:
                continue  # printed, recalled: nothing a report counts
            data = json.loads(payload)
            ticket = data.get("ticket") or {}
            out.append(TicketStep(ticket_id, kind, at, queue=ticket.get("queue"), matter=ticket.get("matter"),
                                  window=ticket.get("window"), clerk=ticket.get("clerk"),
                                  from_window=data.get("from_window")))
        return out

    def ratings(self, day: dt.date) -> dict[str, RatingFact]:
        """The rating of each ticket issued on `day` that has one (one per ticket)."""
        return {ticket_id: RatingFact(level, removed_at is not None)
                for ticket_id, level, removed_at in self.conn.execute(_RATINGS, {"day": day})}
