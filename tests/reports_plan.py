"""The reports tests' own account of a day (test_reports_*.py): the day and its local times, the clerks
at their windows, each ticket as a test drives it (`Planned`) and every figure of GET /reports/service
computed again from those moments alone (`expected`, `expected_table`; docs/reports.md defines them),
and `report` to ask for one."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import requests

from harness import Client

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 1)  # a Tuesday, a working day
RATING_DAYS, DEFAULT_LEVEL = 1, 2
CLERKS = {"1": ("rpt-wang", "rst"), "2": ("rpt-li", "rst"), "13": ("rpt-zhao", "ybj")}


def local(hhmmss: str, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmmss), TZ)


# ---------------------------------------------------------------- the test's own account of the morning
@dataclass
class Planned:
    """One ticket as the test drives it: the moments it chose, and what the report must make of them."""
    name: str
    issued: dt.datetime
    first_call: dt.datetime | None = None
    last_call: dt.datetime | None = None
    end: dt.datetime | None = None
    outcome: str | None = None
    window: str | None = None  # of the last call
    transfers: list = field(default_factory=list)  # windows that transferred it
    rating: int | None = None
    removed: bool = False
    id: str = ""

    @property
    def clerk(self):
        return CLERKS[self.window][0] if self.window else None

    def level(self, now: dt.datetime):
        if self.rating is not None:
            return None if self.removed else self.rating
        if self.outcome in ("done", "routed") and now >= self.end + dt.timedelta(days=RATING_DAYS):
            return DEFAULT_LEVEL
        return None


def half_up(total: int, n: int) -> int:
    return int((Decimal(total) / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected(tickets: list[Planned], transfers: int, now: dt.datetime, key, name) -> dict:
    waits = sorted(int((t.first_call - t.issued).total_seconds()) for t in tickets if t.first_call)
    services = [int((t.end - t.last_call).total_seconds()) for t in tickets if t.outcome in ("done", "routed")]
    levels = [lv for t in tickets if (lv := t.level(now)) is not None]
    return {
        "key": key, "name": name, "tickets": len(tickets),
        "served": sum(t.outcome in ("done", "routed") for t in tickets),
        "no_show": sum(t.outcome == "no_show" for t in tickets), "transferred": transfers,
        "routed": sum(t.outcome == "routed" for t in tickets),
        "avg_wait_s": half_up(sum(waits), len(waits)) if waits else None,
        "p90_wait_s": waits[math.ceil(len(waits) * 9 / 10) - 1] if waits else None,
        "max_wait_s": waits[-1] if waits else None,
        "avg_service_s": half_up(sum(services), len(services)) if services else None,
        "ratings": {str(n): levels.count(n) for n in range(1, 6)},
        "satisfaction": round(sum(lv <= 3 for lv in levels) / len(levels), 4) if levels else None,
    }


def expected_table(plan: dict[str, Planned], by: str, now: dt.datetime) -> tuple[list[dict], dict]:
    tickets = list(plan.values())
    all_transfers = [w for t in tickets for w in t.transfers]
    totals = expected(tickets, len(all_transfers), now, None, "合计")
    if by == "window":
        keys = ["1", "2", "13", None]
        group = lambda t: t.window
        made = lambda k: all_transfers.count(k)
        name = lambda k: f"{k}号窗口" if k else "未叫号"
    elif by == "clerk":
        keys = ["rpt-li", "rpt-wang", "rpt-zhao", None]  # by username, never-called last
        group = lambda t: t.clerk
        made = lambda k: sum(CLERKS[w][0] == k for w in all_transfers)
        name = lambda k: k or "未叫号"
    else:  # hour of issue, local
        keys = sorted({f"{t.issued.hour:02d}" for t in tickets})
        group = lambda t: f"{t.issued.hour:02d}"
        made = lambda k: sum(len(t.transfers) for t in tickets if group(t) == k)
        name = lambda k: f"{k}:00–{int(k) + 1:02d}:00"
    rows = [expected([t for t in tickets if group(t) == k], made(k), now, k, name(k)) for k in keys]
    return rows, totals


def report(client: Client, by: str, fmt: str | None = None, day: dt.date = DAY) -> requests.Response:
    return client.get(f"/reports/service?from={day}&to={day}&by={by}" + (f"&format={fmt}" if fmt else ""))
