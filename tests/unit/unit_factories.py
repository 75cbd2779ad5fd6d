"""Small builders for the domain unit tests (no database, no server)."""
from __future__ import annotations

import datetime as dt

from server.domain.model import Priority, Ticket, Window, WindowState, format_number

# 2024-05-06 09:00 in Shanghai.
T0 = dt.datetime(2024, 5, 6, 1, 0, tzinfo=dt.timezone.utc)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def make_ticket(id: str = "t1", queue: str = "A", seq: int = 1, green: bool = False,
                issued_min: float = 0, **kw) -> Ticket:
    return Ticket(
        id=id, day=dt.date(2024, 5, 6), series_queue=kw.pop("series_queue", queue), seq=seq,
        number=kw.pop("number", format_number(queue, seq)), queue=queue, matter=kw.pop("matter", None),
        floor=kw.pop("floor", 1), zone=kw.pop("zone", "individual"),
        priority=Priority.GREEN if green else Priority.NORMAL, issued_at=at(issued_min), **kw)


def make_window(number: str = "1", queues: tuple[str, ...] = ("A",), state: WindowState = WindowState.OPEN,
                clerk: str | None = "clerk1", **kw) -> Window:
    return Window(number=number, floor=kw.pop("floor", 1), kind=kw.pop("kind", "professional"),
                  department=kw.pop("department", "dept"), queues=queues, state=state, clerk=clerk, **kw)


def said(aggregate) -> list[tuple]:
    """What an aggregate's events say happened, and where: (kind, window) for each, in order."""
    return [(e.kind, getattr(e, "window", None)) for e in aggregate.events]
