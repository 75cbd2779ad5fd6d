"""The report service (server/services/reports.py) over a stand-in for the database: who may read, the
names and order rows get from the hall config, one read per business day, and the ratings each
ticket counts at ([rating] days and default_level of the demo hall: 7 days, 满意)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from server.config import load_config
from server.domain.errors import Forbidden, Unauthorized
from server.domain.reports import RatingFact, TicketStep
from server.services.actors import ANONYMOUS, Actor
from server.services.reports import Reports

TZ = ZoneInfo("Asia/Shanghai")
ADMIN = Actor("staff", "boss", "admin")


def at(day: int, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date(2026, 12, day), dt.time.fromisoformat(hhmm), TZ).astimezone(dt.timezone.utc)


def life(tid, day, issued, matter, queue, call=None, window=None, clerk=None, end=None, outcome="done"):
    steps = [TicketStep(tid, "issued", at(day, issued), queue=queue, matter=matter)]
    if call:
        steps.append(TicketStep(tid, "called", at(day, call), queue=queue, matter=matter, window=window, clerk=clerk))
        steps.append(TicketStep(tid, "printed", at(day, call)))  # not counted
    if end:
        steps.append(TicketStep(tid, outcome, at(day, end), queue=queue, matter=matter, window=window, clerk=clerk))
    return steps


DAYS = {
    dt.date(2026, 12, 1): (
        life("a", 1, "09:00", "rst-sbk", "shebao", "09:10", "10", "wu", "09:20")
        + life("b", 1, "09:05", "ybj-ydjy", "yibao", "09:06", "2", "an", "09:30")
        + life("c", 1, "09:07", "gone-matter", "shebao")  # a matter the config no longer lists; never called
        + life("d", 1, "09:08", None, "pickup1", "09:09", "2", "an", "09:11")),  # a pickup ticket: no matter
    dt.date(2026, 12, 2): life("e", 2, "14:30", "rst-sbk", "shebao", "14:31", "10", "wu", "14:40", "no_show"),
}
RATINGS = {"b": RatingFact(4), "d": RatingFact(1, removed=True)}


class Records:
    def __init__(self, reads: list):
        self.reads = reads

    def ticket_steps(self, day):
        self.reads.append(day)
        return list(DAYS.get(day, ()))

    def ratings(self, day):
        return {tid: fact for tid, fact in RATINGS.items() if any(s.ticket_id == tid for s in DAYS.get(day, ()))}


class Runner:
    """Reads with a stand-in for the unit of work; the clock is the service clock `now`."""

    def __init__(self, now: dt.datetime):
        self.now, self.reads, self.transactions = now, [], 0

    def clock(self):
        return self.now

    def read(self, query):
        self.transactions += 1
        return query(SimpleNamespace(reports=Records(self.reads)), self.now)


@pytest.fixture
def reports():
    def build(now: dt.datetime):
        runner = Runner(now)
        pauses = []
        return Reports(load_config(), runner, pause=lambda: pauses.append(1)), runner, pauses
    return build


def rows(answer):
    return [(row["key"], row["name"], row["tickets"]) for row in answer["rows"]]


def test_rows_are_named_from_the_config_and_in_its_order(reports):
    service, runner, pauses = reports(at(2, "18:00"))
    answer = lambda by: service.service(ADMIN, "2026-12-01", "2026-12-03", by).answer()
    assert runner.transactions == 0
    assert rows(answer("window")) == [("2", "2号窗口", 2), ("10", "10号窗口", 2), (None, "未叫号", 1)]  # by number
    assert runner.reads == [dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)] and len(pauses) == 3
    assert rows(answer("clerk")) == [("an", "an", 2), ("wu", "wu", 2), (None, "未叫号", 1)]
    assert rows(answer("department")) == [("rst", "省人力资源社会保障厅", 2), ("ybj", "省医保局", 1),
                                          (None, "无事项（取件）", 2)]  # the pickup ticket and the unknown matter
    assert rows(answer("matter")) == [("rst-sbk", "社会保障卡申领", 2), ("ybj-ydjy", "异地就医备案", 1),
                                      ("gone-matter", "gone-matter", 1), (None, "无事项（取件）", 1)]
    assert [r[0] for r in rows(answer("queue"))] == ["shebao", "yibao", "pickup1"]
    assert rows(answer("hour")) == [("09", "09:00–10:00", 4), ("14", "14:00–15:00", 1)]
    assert rows(answer("day")) == [("2026-12-01", "2026-12-01", 4), ("2026-12-02", "2026-12-02", 1)]
    totals = answer("day")["totals"]
    assert (totals["key"], totals["name"], totals["tickets"], totals["served"], totals["no_show"]) == (None, "合计", 5, 3, 1)


def test_ratings_count_as_stored_a_removed_one_not_and_unrated_service_at_the_default_after_7_days(reports):
    early, _, _ = reports(at(2, "18:00"))
    assert early.service(ADMIN, "2026-12-01", "2026-12-02", "clerk").answer()["totals"]["ratings"] == \
        {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}  # b's 4; d's 1 was removed; a not yet 7 days old
    late, _, _ = reports(at(8, "09:20"))  # a ended 2026-12-01 09:20: its 7 days have just passed
    answer = late.service(ADMIN, "2026-12-01", "2026-12-02", "clerk").answer()
    assert answer["totals"]["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0} and answer["totals"]["satisfaction"] == 0.5
    assert answer["rows"][1]["key"] == "wu" and answer["rows"][1]["ratings"]["2"] == 1


def test_a_workbook_gets_every_grouping_the_asked_one_first(reports):
    service, _, _ = reports(at(2, "18:00"))
    one = service.service(ADMIN, "2026-12-01", "2026-12-01", "hour")
    assert list(one.tables) == ["hour"]
    every = service.service(ADMIN, "2026-12-01", "2026-12-01", "hour", every_grouping=True)
    assert [t.by for t in every.in_order()] == ["hour", "department", "window", "clerk", "matter", "queue", "day"]
    assert every.answer() == one.answer()


def test_only_admin_and_supervisor_read_reports(reports):
    service, runner, _ = reports(at(2, "18:00"))
    assert service.service(Actor("staff", "sv", "supervisor"), "2026-12-01", "2026-12-01", "day").answer()["rows"]
    for who in (Actor("staff", "c", "clerk"), Actor("staff", "b", "backoffice"), Actor("device", "k", "kiosk")):
        with pytest.raises(Forbidden):
            service.service(who, "2026-12-01", "2026-12-01", "day")
    with pytest.raises(Unauthorized):
        service.service(ANONYMOUS, "2026-12-01", "2026-12-01", "day")
