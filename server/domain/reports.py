"""统计报表: the service report's figures, computed from each ticket's history in the event log.

docs/reports.md defines every figure; this module is those definitions in plain Python. A ticket's
steps (its facts in the log, in order) fold into a `Visit`; `ServiceReport` folds visits, with the
rating each counts at, into one `Tally` per group of every grouping at once. Waits and service times
are kept as counts per whole second, so a year of tickets costs little memory and the percentile
stays exact.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import Invalid, Reason
from .model import business_day

GROUPINGS = ("department", "window", "clerk", "matter", "queue", "hour", "day")
SERVED = frozenset({"done", "routed"})  # a routed ticket was served too: accepted and sent to the back office
ENDINGS = frozenset({"done", "no_show", "routed", "cancelled"})
SATISFIED = (1, 2, 3)  # 非常满意, 满意, 基本满意 (GB/T 39046); 4 and 5 are 差评
LEVELS = (1, 2, 3, 4, 5)
MAX_DAYS = 366
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---------------------------------------------------------------- what is asked
def date_range(first: str | None, last: str | None) -> tuple[dt.date, dt.date]:
    """`from` and `to` as business days: YYYY-MM-DD, from not after to, at most MAX_DAYS days in all."""
    try:
        if not (first and last and _DATE.match(first) and _DATE.match(last)):
            raise ValueError
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError:
        raise Invalid("from and to must be dates such as 2026-12-01.", Reason.INVALID_DATE_RANGE) from None
    if start > end:
        raise Invalid("from must not be after to.", Reason.INVALID_DATE_RANGE)
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(f"A report covers at most {MAX_DAYS} days; choose a shorter range.", Reason.INVALID_DATE_RANGE)
    return start, end


def grouping(by: str | None) -> str:
    if by not in GROUPINGS:
        raise Invalid("by must be one of " + ", ".join(GROUPINGS) + ".", Reason.INVALID_GROUPING)
    return by


# ---------------------------------------------------------------- a ticket's life
@dataclass(frozen=True)
class TicketStep:
    """One fact of a ticket as the event log keeps it: its kind, when, and the ticket right after it."""
    ticket_id: str
    kind: str  # issued called recalled transferred done no_show routed cancelled printed
    at: dt.datetime
    queue: str | None = None
    matter: str | None = None
    window: str | None = None
    clerk: str | None = None
    from_window: str | None = None  # a transfer's


@dataclass(frozen=True)
class Transfer:
    """Who sent the ticket on to another queue: the window and clerk of the call before it."""
    window: str | None
    clerk: str | None


@dataclass
class Visit:
    """A ticket's life reduced to what reports count."""
    id: str
    issued_at: dt.datetime
    queue: str  # the queue it was issued into (a transfer does not move it to another row)
    matter: str | None
    first_called_at: dt.datetime | None = None
    last_called_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    outcome: str | None = None  # done no_show routed cancelled; None while it is still open
    window: str | None = None  # of its last call
    clerk: str | None = None
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def served(self) -> bool:
        return self.outcome in SERVED

    @property
    def wait_s(self) -> int | None:
        """First call − issue, in whole seconds (fractions dropped)."""
        if self.first_called_at is None:
            return None
        return max(0, int((self.first_called_at - self.issued_at).total_seconds()))

    @property
    def service_s(self) -> int | None:
        """End − last call, in whole seconds, for a served ticket."""
        if not self.served or self.last_called_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.last_called_at).total_seconds()))


def visits(steps: Iterable[TicketStep]) -> list[Visit]:
    """Each ticket's steps, in log order, folded into its visit. A ticket whose issue is not among the
    steps is left out (its day is another report's)."""
    found: dict[str, Visit] = {}
    for step in steps:
        if step.kind == "issued":
            found[step.ticket_id] = Visit(step.ticket_id, step.at, step.queue or "", step.matter)
            continue
        visit = found.get(step.ticket_id)
        if visit is None or visit.outcome is not None:
            continue
        if step.kind == "called":
            visit.first_called_at = visit.first_called_at or step.at
            visit.last_called_at = step.at
            visit.window, visit.clerk = step.window, step.clerk
        elif step.kind == "transferred":
            visit.transfers.append(Transfer(step.from_window or visit.window, visit.clerk))
        elif step.kind in ENDINGS:
            visit.outcome, visit.ended_at = step.kind, step.at
    return list(found.values())


# ---------------------------------------------------------------- ratings
@dataclass(frozen=True)
class RatingFact:
    """A ticket's rating as stored: its level, and whether an upheld appeal removed it."""
    level: int
    removed: bool = False


@dataclass(frozen=True)
class RatingRule:
    """[rating]: how many days a ticket may be rated after it ended, and the level an unrated one counts at."""
    days: int
    default_level: int

    def counted_level(self, visit: Visit, rating: RatingFact | None, now: dt.datetime) -> int | None:
        """The level the ticket counts at in reports, or None. A removed rating counts at nothing (not even
        the default); a served ticket unrated once its rating days have passed counts at the default."""
        if rating is not None:
            return None if rating.removed else rating.level
        if visit.served and visit.ended_at is not None and now >= visit.ended_at + dt.timedelta(days=self.days):
            return self.default_level
        return None


# ---------------------------------------------------------------- groups
@dataclass(frozen=True)
class Keys:
    """Which group of each grouping a visit falls in."""
    tz: dt.tzinfo
    rollover_hour: int
    department_of: Mapping[str, str]  # matter → its department

    def of(self, visit: Visit, by: str) -> str | None:
        if by == "department":
            return self.department_of.get(visit.matter) if visit.matter else None
        if by == "window":
            return visit.window
        if by == "clerk":
            return visit.clerk
        if by == "matter":
            return visit.matter
        if by == "queue":
            return visit.queue
        if by == "hour":
            return f"{visit.issued_at.astimezone(self.tz).hour:02d}"
        if by == "day":
            return business_day(visit.issued_at, self.tz, self.rollover_hour).isoformat()
        raise ValueError(by)


def _mean(seconds: Counter) -> int | None:
    n = sum(seconds.values())
    if not n:
        return None
    total = sum(s * k for s, k in seconds.items())
    return (2 * total + n) // (2 * n)  # rounded half up, in integers


def _nearest_rank(seconds: Counter, percent: int) -> int | None:
    n = sum(seconds.values())
    if not n:
        return None
    rank = (percent * n + 99) // 100  # ceil(percent% of n), without floating point
    seen = 0
    for value in sorted(seconds):
        seen += seconds[value]
        if seen >= rank:
            return value
    return None  # not reached


@dataclass
class Tally:
    """The figures of one group, folded visit by visit."""
    tickets: int = 0
    served: int = 0
    no_show: int = 0
    transferred: int = 0
    routed: int = 0
    waits: Counter = field(default_factory=Counter)
    services: Counter = field(default_factory=Counter)
    ratings: Counter = field(default_factory=Counter)

    def add(self, visit: Visit, level: int | None, wait: int | None, service: int | None) -> None:
        """One ticket; `wait` and `service` are the visit's, worked out once for every grouping."""
        self.tickets += 1
        self.served += visit.served
        self.no_show += visit.outcome == "no_show"
        self.routed += visit.outcome == "routed"
        if wait is not None:
            self.waits[wait] += 1
        if service is not None:
            self.services[service] += 1
        if level is not None:
            self.ratings[level] += 1

    def figures(self) -> dict:
        """The ROW's figures (all but key and name)."""
        rated = sum(self.ratings.values())
        good = sum(self.ratings[level] for level in SATISFIED)
        return {
            "tickets": self.tickets, "served": self.served, "no_show": self.no_show,
            "transferred": self.transferred, "routed": self.routed,
            "avg_wait_s": _mean(self.waits), "p90_wait_s": _nearest_rank(self.waits, 90),
            "max_wait_s": max(self.waits) if self.waits else None, "avg_service_s": _mean(self.services),
            "ratings": {str(level): self.ratings[level] for level in LEVELS},
            "satisfaction": round(good / rated, 4) if rated else None,
        }


class ServiceReport:
    """The tallies of the groupings asked for (all by default), folded visit by visit (the service feeds
    it a day at a time)."""

    def __init__(self, keys: Keys, groupings: Iterable[str] = GROUPINGS):
        self.keys = keys
        self.groups: dict[str, dict[str | None, Tally]] = {grouping(by): {} for by in groupings}
        self.totals = Tally()

    def add(self, visit: Visit, level: int | None) -> None:
        wait, service = visit.wait_s, visit.service_s
        self.totals.add(visit, level, wait, service)
        self.totals.transferred += len(visit.transfers)
        for by, groups in self.groups.items():
            key = self.keys.of(visit, by)
            tally = groups.get(key)
            if tally is None:
                tally = groups[key] = Tally()
            tally.add(visit, level, wait, service)
            if by == "window" or by == "clerk":
                # A transfer counts for the window (and clerk) that made it, wherever the ticket ended.
                for transfer in visit.transfers:
                    who = transfer.window if by == "window" else transfer.clerk
                    groups.setdefault(who, Tally()).transferred += 1
            else:
                tally.transferred += len(visit.transfers)

    def table(self, by: str) -> dict[str | None, Tally]:
        return self.groups[grouping(by)]
