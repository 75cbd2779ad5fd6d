"""The service report's figures from tickets' histories (server/domain/reports.py), with no database:
each figure of docs/reports.md on a small hall day whose every moment the test chose."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from server.domain import reports as r
from server.domain.errors import Invalid, Reason

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 2)


def at(hhmm: str, seconds: int = 0) -> dt.datetime:
    """A local moment of DAY, as the log stores it (UTC)."""
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime(2026, 12, 2, h, m, seconds, tzinfo=TZ).astimezone(dt.timezone.utc)


def issued(tid, when, queue="shebao", matter="rst-sbk"):
    return r.TicketStep(tid, "issued", when, queue=queue, matter=matter)


def called(tid, when, window, clerk, queue="shebao", matter="rst-sbk"):
    return r.TicketStep(tid, "called", when, queue=queue, matter=matter, window=window, clerk=clerk)


def step(tid, kind, when, **kw):
    return r.TicketStep(tid, kind, when, **kw)


KEYS = r.Keys(TZ, 3, {"rst-sbk": "rst", "ybj-ydjy": "ybj"})
RULE = r.RatingRule(days=7, default_level=2)

# t1: 09:00 issued, called 09:10 at window 1 (wang), done 09:15.
# t2: 09:05 issued, called 09:20 at window 1 (wang), no-show 09:22.
# t3: 09:30 issued, called 09:31:30 at window 2 (li), transferred to yibao at 09:33, called 10:02 at
#     window 13 (zhao), done 10:10.
# t4: 10:15 issued (yibao), never called, cancelled at the day's end.
# t5: 10:20 issued, called 10:40 at window 2 (li), recalled, routed 10:55.
STEPS = [
    issued("t1", at("09:00")), issued("t2", at("09:05")),
    called("t1", at("09:10"), "1", "wang"), step("t1", "done", at("09:15")),
    called("t2", at("09:20"), "1", "wang"), step("t2", "no_show", at("09:22")),
    issued("t3", at("09:30")), called("t3", at("09:31", 30), "2", "li"),
    step("t3", "transferred", at("09:33"), queue="yibao", from_window="2"),
    called("t3", at("10:02"), "13", "zhao", queue="yibao"), step("t3", "done", at("10:10")),
    issued("t4", at("10:15"), queue="yibao", matter="ybj-ydjy"),
    issued("t5", at("10:20")), called("t5", at("10:40"), "2", "li"), step("t5", "recalled", at("10:45")),
    step("t5", "routed", at("10:55")), step("t4", "cancelled", at("03:00") + dt.timedelta(days=1)),
    step("t9", "called", at("09:00"), window="9", clerk="x"),  # a ticket of another day: no issue here
]


def report(steps=STEPS, ratings=None, now=None) -> r.ServiceReport:
    out = r.ServiceReport(KEYS)
    now = now or at("18:00")
    for visit in r.visits(steps):
        out.add(visit, RULE.counted_level(visit, (ratings or {}).get(visit.id), now))
    return out


def test_a_visit_keeps_its_first_and_last_call_its_ending_and_who_transferred_it():
    visits = {v.id: v for v in r.visits(STEPS)}
    assert set(visits) == {"t1", "t2", "t3", "t4", "t5"}  # t9's issue is not among the steps
    t3 = visits["t3"]
    assert (t3.wait_s, t3.service_s, t3.window, t3.clerk, t3.queue) == (90, 480, "13", "zhao", "shebao")
    assert t3.transfers == [r.Transfer("2", "li")]
    assert (visits["t2"].wait_s, visits["t2"].service_s, visits["t2"].served) == (900, None, False)
    assert (visits["t4"].outcome, visits["t4"].wait_s, visits["t4"].window) == ("cancelled", None, None)
    assert (visits["t5"].served, visits["t5"].service_s) == (True, 900)


def test_totals_count_each_outcome_and_every_wait():
    totals = report().totals.figures()
    # waits: t1 600, t2 900, t3 90, t5 1200 (t4 never called): mean 697.5, rounded half up
    assert totals == {
        "tickets": 5, "served": 3, "no_show": 1, "transferred": 1, "routed": 1,
        "avg_wait_s": 698, "p90_wait_s": 1200, "max_wait_s": 1200,
        "avg_service_s": (300 + 480 + 900) // 3, "ratings": {str(n): 0 for n in range(1, 6)}, "satisfaction": None,
    }


def test_window_and_clerk_rows_take_the_last_call_and_the_transfer_counts_where_it_was_made():
    windows = {k: v.figures() for k, v in report().table("window").items()}
    assert set(windows) == {"1", "2", "13", None}
    assert (windows["1"]["tickets"], windows["1"]["served"], windows["1"]["no_show"]) == (2, 1, 1)
    assert (windows["2"]["tickets"], windows["2"]["transferred"], windows["2"]["routed"]) == (1, 1, 1)  # t5; t3's transfer
    assert (windows["13"]["tickets"], windows["13"]["transferred"], windows["13"]["avg_wait_s"]) == (1, 0, 90)
    assert windows[None]["tickets"] == 1 and windows[None]["avg_wait_s"] is None  # t4, never called
    clerks = {k: v.figures() for k, v in report().table("clerk").items()}
    assert clerks["li"]["transferred"] == 1 and clerks["zhao"]["transferred"] == 0
    for by in ("window", "clerk"):
        rows = report().table(by).values()
        assert sum(t.tickets for t in rows) == 5 and sum(t.transferred for t in rows) == 1


def test_hours_and_days_are_of_issue_in_the_halls_time_and_business_day():
    hours = {k: v.figures()["tickets"] for k, v in report().table("hour").items()}
    assert hours == {"09": 3, "10": 2}
    late = [issued("n1", at("02:30") + dt.timedelta(days=1)), issued("n2", at("03:00") + dt.timedelta(days=1))]
    days = {k: v.tickets for k, v in report(late).table("day").items()}
    assert days == {"2026-12-02": 1, "2026-12-03": 1}  # 02:30 still belongs to the day before (rollover 03:00)
    departments = {k: v.tickets for k, v in report().table("department").items()}
    assert departments == {"rst": 4, "ybj": 1}
    queues = {k: v.figures() for k, v in report().table("queue").items()}
    assert queues["shebao"]["transferred"] == 1 and queues["shebao"]["tickets"] == 4  # the queue of issue


def test_ratings_count_once_a_removed_one_not_at_all_and_an_unrated_served_ticket_at_the_default_later():
    ratings = {"t1": r.RatingFact(1), "t3": r.RatingFact(5, removed=True), "t2": r.RatingFact(4)}
    soon = report(ratings=ratings).totals.figures()
    # t2 (a no-show, rated on its window's evaluator) counts; t3's rating was removed on appeal; t5 is
    # served and unrated but its 7 days have not passed.
    assert soon["ratings"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0} and soon["satisfaction"] == 0.5
    later = report(ratings=ratings, now=at("10:55") + dt.timedelta(days=7)).totals.figures()
    assert later["ratings"] == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 0}  # t5 now counts at the default, 满意
    assert later["satisfaction"] == round(2 / 3, 4)
    just_before = report(ratings=ratings, now=at("10:55") + dt.timedelta(days=7, seconds=-1)).totals.figures()
    assert just_before["ratings"]["2"] == 0
    by_window = {k: v.figures()["ratings"] for k, v in report(ratings=ratings).table("window").items()}
    assert by_window["1"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0} and by_window["13"]["5"] == 0
    # The cancelled ticket and the no-show never get the default.
    assert RULE.counted_level(r.visits(STEPS)[3], None, at("10:00") + dt.timedelta(days=30)) is None


def test_the_90th_percentile_is_the_nearest_rank():
    def p90(waits):
        steps = []
        for i, w in enumerate(waits):
            steps += [issued(f"p{i}", at("09:00")), called(f"p{i}", at("09:00") + dt.timedelta(seconds=w), "1", "a")]
        return report(steps).totals.figures()["p90_wait_s"]
    assert p90([10 * i for i in range(1, 11)]) == 90  # rank ceil(0.9 × 10) = 9
    assert p90([10 * i for i in range(1, 12)]) == 100  # rank ceil(0.9 × 11) = 10
    assert p90([7]) == 7
    assert p90([5, 5, 5, 100]) == 100  # rank 4


def test_means_round_half_up_to_whole_seconds():
    steps = [issued("a", at("09:00")), called("a", at("09:00", 1), "1", "x"),
             issued("b", at("09:00")), called("b", at("09:00", 2), "1", "x")]
    assert report(steps).totals.figures()["avg_wait_s"] == 2  # 1.5 → 2
    fractions = [issued("c", at("09:00")), called("c", at("09:00", 9) + dt.timedelta(microseconds=999_999), "1", "x")]
    assert report(fractions).totals.figures()["avg_wait_s"] == 9  # each wait drops its fraction of a second


@pytest.mark.parametrize("first, last", [
    ("2026-12-03", "2026-12-02"), ("2026-12-01", None), (None, None), ("20261201", "20261202"), ("2026-13-01", "2026-13-02"),
    ("2025-12-01", "2026-12-02"), ("2026-12-01T00:00", "2026-12-02"), (" 2026-12-01", "2026-12-02")])
def test_a_bad_range_is_refused(first, last):
    with pytest.raises(Invalid) as refused:
        r.date_range(first, last)
    assert refused.value.reason is Reason.INVALID_DATE_RANGE


def test_a_range_of_366_days_and_the_groupings():
    assert r.date_range("2025-12-02", "2026-12-02") == (dt.date(2025, 12, 2), dt.date(2026, 12, 2))
    assert r.date_range("2026-12-02", "2026-12-02") == (DAY, DAY)
    with pytest.raises(Invalid) as refused:
        r.grouping("floor")
    assert refused.value.reason is Reason.INVALID_GROUPING
    assert [r.grouping(g) for g in r.GROUPINGS] == list(r.GROUPINGS)
