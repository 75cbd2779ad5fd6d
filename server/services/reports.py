"""统计报表: the service report (CONTRACT v2 "Statistics and reports"), read from the event log.

The range is read one business day at a time, each day in its own short transaction: on SQLite the
one connection goes back to the kiosks and windows between days, so a year's report never holds the
hall up. The figures are the domain's (server/domain/reports.py); here they get names from the hall
config, an order, and the rating each ticket counts at. docs/reports.md defines every figure.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..config import HallConfig
from ..domain import reports as r
from .actors import READS_EVERYTHING, Actor
from .runner import CommandRunner
from .unit_of_work import UnitOfWork

TOTAL = "合计"
NOT_CALLED = "未叫号"  # window and clerk rows: tickets never called
NO_MATTER = "无事项（取件）"  # matter and department rows: pickup tickets, which are for no matter
SHEETS = {"department": "按部门", "window": "按窗口", "clerk": "按工作人员", "matter": "按事项", "queue": "按队列",
          "hour": "按时段", "day": "按日期"}


@dataclass(frozen=True)
class ReportTable:
    by: str
    rows: list[dict]
    totals: dict


@dataclass(frozen=True)
class ServiceReportTables:
    """One range's report in every grouping; `by` is the one asked for."""
    first: dt.date
    last: dt.date
    by: str
    made_at: dt.datetime
    tables: dict[str, ReportTable]

    def answer(self) -> dict:
        table = self.tables[self.by]
        return {"rows": table.rows, "totals": table.totals}

    def in_order(self) -> list[ReportTable]:
        """The asked grouping first, then the others (those made) in their usual order."""
        return [self.tables[self.by]] + [self.tables[by] for by in r.GROUPINGS if by != self.by and by in self.tables]


def _yield() -> None:
    # Under `hallq serve` time.sleep is eventlet's (or gevent's): the other requests run between two days.
    time.sleep(0)


class Reports:
    def __init__(self, config: HallConfig, runner: CommandRunner, pause: Callable[[], None] = _yield):
        self.config = config
        self.runner = runner
        self.pause = pause
        self.rule = r.RatingRule(config.rating.days, config.rating.default_level)
        self.keys = r.Keys(config.hall.tz, config.hall.day_rollover_hour,
                           {m.id: m.department for m in config.matters.values()})
        self._order = {"department": list(config.departments), "matter": list(config.matters),
                       "queue": list(config.queues)}

    def service(self, actor: Actor, first: str | None, last: str | None, by: str | None,
                every_grouping: bool = False) -> ServiceReportTables:
        """The report of business days `first` to `last` grouped `by` (and, for a workbook, every other way)."""
        actor.require_staff(*READS_EVERYTHING)
        start, end = r.date_range(first, last)
        grouping = r.grouping(by)
        now = self.runner.clock()
        report = r.ServiceReport(self.keys, r.GROUPINGS if every_grouping else (grouping,))
        day = start
        while day <= end:
            steps, ratings = self.runner.read(lambda uow, _now, d=day: self._day(uow, d))
            for visit in r.visits(steps):
                report.add(visit, self.rule.counted_level(visit, ratings.get(visit.id), now))
            day += dt.timedelta(days=1)
            self.pause()
        totals = {"key": None, "name": TOTAL, **report.totals.figures()}
        tables = {g: ReportTable(g, self._rows(report, g), totals) for g in report.groups}
        return ServiceReportTables(start, end, grouping, now, tables)

    @staticmethod
    def _day(uow: UnitOfWork, day: dt.date):
        return uow.reports.ticket_steps(day), uow.reports.ratings(day)

    # ---------------------------------------------------------------- names and order
    def _rows(self, report: r.ServiceReport, by: str) -> list[dict]:
        table = report.table(by)
        return [{"key": key, "name": self.name(by, key), **table[key].figures()}
                for key in sorted(table, key=lambda k: self._place(by, k))]

    def _place(self, by: str, key: str | None) -> tuple:
        """Known keys in the config's order (windows by number), others after them, no key last."""
        if key is None:
            return (2, 0, "")
        if by in self._order:
            known = self._order[by]
            return (0, known.index(key), "") if key in known else (1, 0, key)
        if by == "window" and key.isdigit():
            return (0, int(key), key)
        return (0, 0, key)

    def name(self, by: str, key: str | None) -> str:
        if key is None:
            return NOT_CALLED if by in ("window", "clerk") else NO_MATTER
        if by == "department":
            found = self.config.departments.get(key)
        elif by == "matter":
            found = self.config.matters.get(key)
        elif by == "queue":
            found = self.config.queues.get(key)
        elif by == "window":
            return f"{key}号窗口"
        elif by == "hour":
            return f"{key}:00–{int(key) + 1:02d}:00"
        else:  # clerk (the username), day (the date)
            return key
        return found.name if found else key
