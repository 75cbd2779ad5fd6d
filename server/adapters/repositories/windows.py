"""Windows: their runtime state (queues, open/paused/closed, clerk, current ticket) under a row lock."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, select, update

from ...domain.errors import Conflict, Reason
from ...domain.model import Window, WindowState
from ...domain.prediction import WindowStaffing
from .. import tables as t
from .common import queue_tuple, upsert_nothing

# A window with its clerk's display name, read from the account (what public screens show of the clerk).
_CLERK_NAME = (select(t.users.c.display_name).where(t.users.c.username == t.windows.c.clerk)
               .scalar_subquery().label("clerk_name"))
_WINDOWS = select(t.windows, _CLERK_NAME)
_SERVING_WINDOWS = select(t.windows.c.number, t.windows.c.queues).where(t.windows.c.state != WindowState.CLOSED.value)
# and the ticket at each window: when it was called, its matter and queue (what the visit still takes)
_STAFFING = (select(t.windows.c.number, t.windows.c.queues, t.windows.c.state, t.windows.c.clerk.is_not(None),
                    t.windows.c.current_ticket.is_not(None), t.tickets.c.called_at, t.tickets.c.matter,
                    t.tickets.c.queue, t.windows.c.state_since)
             .select_from(t.windows.outerjoin(t.tickets, t.tickets.c.id == t.windows.c.current_ticket)))


class WindowRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.seen: dict[str, Window] = {}
        self._saved: dict[str, Window] = {}  # in the order first saved: each gets one WindowUpdated

    def _track(self, row) -> Window:
        window = Window(number=row.number, floor=row.floor, kind=row.kind, department=row.department,
                        queues=queue_tuple(row.queues), state=WindowState(row.state), clerk=row.clerk,
                        current_ticket=row.current_ticket, green_streak=row.green_streak, version=row.version,
                        state_since=row.state_since, active_at=row.active_at, pause_reason=row.pause_reason,
                        clerk_name=row.clerk_name)
        self.seen[window.number] = window
        return window

    def get(self, number: str, for_update: bool = False) -> Window | None:
        if number in self.seen:
            return self.seen[number]
        stmt = _WINDOWS.where(t.windows.c.number == number)
        if for_update:
            stmt = stmt.with_for_update(of=t.windows)  # one command at a time per window
        row = self.conn.execute(stmt).first()
        return self._track(row) if row else None

    def current_ticket_of(self, number: str) -> str | None:
        """The window's current ticket as last committed, read without waiting for the window's lock."""
        return self.conn.execute(select(t.windows.c.current_ticket).where(t.windows.c.number == number)).scalar()

    def all(self) -> list[Window]:
        rows = self.conn.execute(_WINDOWS).all()
        out = []
        for row in rows:
            out.append(self.seen.get(row.number) or self._track(row))
        return out

    def serving(self) -> list[tuple[str, tuple[str, ...]]]:
        """(number, queues) of every window that is not closed, without loading whole windows."""
        rows = self.conn.execute(_SERVING_WINDOWS).all()
        return [(number, queue_tuple(queues)) for number, queues in rows]

    def staffing(self) -> list[WindowStaffing]:
        """Every window's queues, state, whether a clerk is signed in and whether a ticket is at it: what
        the wait predictor reads per ticket, in one small query."""
        rows = self.conn.execute(_STAFFING).all()
        return [WindowStaffing(number, queue_tuple(queues), state, bool(staffed), bool(busy), called_at, matter, queue, since)
                for number, queues, state, staffed, busy, called_at, matter, queue, since in rows]

    def of_clerk(self, clerk: str) -> list[Window]:
        rows = self.conn.execute(_WINDOWS.where(t.windows.c.clerk == clerk)).all()
        return [self.seen.get(r.number) or self._track(r) for r in rows]

    def add(self, window: Window, now: dt.datetime) -> None:
        self.conn.execute(upsert_nothing(self.conn, t.windows, dict(
            number=window.number, floor=window.floor, kind=window.kind, department=window.department,
            queues=json.dumps(list(window.queues)), state=window.state.value, clerk=None, current_ticket=None,
            green_streak=0, version=0, updated_at=now, state_since=now, active_at=now)))

    def save(self, window: Window, now: dt.datetime) -> None:
        window.stamp(now)
        result = self.conn.execute(
            update(t.windows)
            .where(t.windows.c.number == window.number, t.windows.c.version == window.version)
            .values(queues=json.dumps(list(window.queues)), state=window.state.value, clerk=window.clerk,
                    current_ticket=window.current_ticket, green_streak=window.green_streak,
                    version=window.version + 1, updated_at=now, state_since=window.state_since,
                    active_at=window.active_at, pause_reason=window.pause_reason))
        if result.rowcount != 1:  # cannot happen under the row lock; refuse rather than overwrite
            raise Conflict(f"Window {window.number} changed meanwhile; try again.", Reason.WINDOW_CHANGED)
        window.version += 1
        self._saved[window.number] = window

    def saved(self) -> list[Window]:
        return list(self._saved.values())
