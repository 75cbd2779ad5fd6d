"""The rules of 电子监察 as plain functions of the hall's state and the clock (server/domain/supervision.py)."""
from __future__ import annotations

import datetime as dt

from server.domain import supervision as sv

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH)
LIMITS = sv.Thresholds(wait=lambda q: (20, 45) if q == "yibao" else (30, 60), service_yellow=30, service_red=60,
                       pause_red=30, idle_window=10, unstaffed_window=5, no_show_per_clerk_day=3)
LUNCH = sv.ServiceClock.of(SH, [("12:00", "13:30")])


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SH)


def keys(watch: sv.HallWatch, now: dt.datetime = NOW, clock: sv.ServiceClock = LUNCH) -> set[str]:
    return {c.key for c in sv.conditions(watch, LIMITS, clock, now, lambda q: q)}


def window(number="1", state="open", clerk="li", serving=False, queues=("shebao",), since=at(8), active=at(8),
           reason=None) -> sv.WatchedWindow:
    return sv.WatchedWindow(number, 1, state, clerk, serving, queues, since, active, reason)


def test_lunch_breaks_do_not_count_and_every_day_has_its_own():
    assert LUNCH.minutes(at(11, 50), at(13, 40)) == 20
    assert LUNCH.minutes(at(12, 10), at(13, 0)) == 0
    assert LUNCH.minutes(at(11, 0), at(11, 0, day=3)) == 24 * 60 - 90  # one lunch in between
    assert sv.ServiceClock.of(SH).minutes(at(11, 50), at(13, 40)) == 110
    assert LUNCH.minutes(at(14), at(13)) == 0


def test_waits_use_the_queues_own_thresholds_and_both_levels_stay():
    tickets = (sv.TicketInHall("t1", "A001", "shebao", 1, at(9, 31)), sv.TicketInHall("t2", "B001", "yibao", 1, at(9, 16)),
               sv.TicketInHall("t3", "A002", "shebao", 1, at(8, 59)))
    assert keys(sv.HallWatch(NOW.date(), waiting=tickets)) == {
        "wait|ticket|t2|yellow", "wait|ticket|t3|yellow", "wait|ticket|t3|red"}


def test_an_idle_window_counts_from_its_last_call_or_the_oldest_ticket_waiting():
    waiting = (sv.TicketInHall("t1", "A001", "shebao", 1, at(9, 55)),)
    assert keys(sv.HallWatch(NOW.date(), waiting=waiting, windows=(window(active=at(9)),))) == set()  # 5 minutes
    waiting = (sv.TicketInHall("t1", "A001", "shebao", 1, at(9, 40)),)
    assert keys(sv.HallWatch(NOW.date(), waiting=waiting, windows=(window(active=at(9, 52)),))) == set()
    assert keys(sv.HallWatch(NOW.date(), waiting=waiting, windows=(window(active=at(9, 50)),))) == {
        "idle_window|window|1|yellow"}
    # serving, or nothing waiting in its queues, is not idle
    assert keys(sv.HallWatch(NOW.date(), waiting=waiting, windows=(window(serving=True),))) == set()
    assert keys(sv.HallWatch(NOW.date(), waiting=waiting, windows=(window(queues=("gjj",)),))) == set()


def test_pauses_unstaffed_windows_and_closed_ones():
    watch = sv.HallWatch(NOW.date(), windows=(
        window("1", "paused", since=at(9, 30), reason="会议"), window("2", "paused", since=at(9, 31)),
        window("3", clerk=None, since=at(9, 55)), window("4", clerk=None, since=at(9, 56)),
        window("5", "closed", clerk=None, since=at(7))))
    assert keys(watch) == {"pause|window|1|red", "unstaffed_window|window|3|yellow"}


def test_no_shows_per_clerk_and_devices():
    watch = sv.HallWatch(NOW.date(), no_shows={"li": 3, "wang": 2}, devices=(
        sv.DeviceState("p1", "printer", "自助机 k1", "paper_low", "x"), sv.DeviceState("p2", "printer", "自助机 k2", "offline", "x"),
        sv.DeviceState("s1", "speaker", "1楼", "online", "")))
    found = {c.key: c for c in sv.conditions(watch, LIMITS, LUNCH, NOW, str)}
    assert set(found) == {"no_show|clerk|li|yellow", "device|device|p1|yellow", "device|device|p2|red"}
    assert found["device|device|p2|red"].message == "自助机 k2的打印机 p2 离线。"  # no driver text


def test_a_bad_ratings_follow_up_is_overdue_the_day_after_its_due_day():
    def rating(status, contact, fix, level=4):
        return sv.BadRating("9", level, "不满意", "7", "A007", "li", status, contact, fix)
    today = NOW.date()
    due_today = rating("open", today, today + dt.timedelta(days=4))
    assert keys(sv.HallWatch(today, bad_ratings=(due_today,))) == {"bad_rating|rating|9|yellow"}
    late = rating("open", today - dt.timedelta(days=1), today - dt.timedelta(days=1), level=5)
    assert keys(sv.HallWatch(today, bad_ratings=(late,))) == {
        "bad_rating|rating|9|red", "follow_up_overdue|rating|9|yellow", "follow_up_overdue|rating|9|red"}
    contacted = rating("contacted", today - dt.timedelta(days=3), today - dt.timedelta(days=1))
    assert keys(sv.HallWatch(today, bad_ratings=(contacted,))) == {
        "bad_rating|rating|9|yellow", "follow_up_overdue|rating|9|red"}
    fixed = rating("fixed", today - dt.timedelta(days=3), today - dt.timedelta(days=1))
    assert keys(sv.HallWatch(today, bad_ratings=(fixed,))) == {"bad_rating|rating|9|yellow"}


def test_cases_due_soon_and_overdue():
    watch = sv.HallWatch(NOW.date(), cases=(sv.CaseDeadline("c1", "202612020001", "企业设立登记", False, NOW.date(), ("scjg",)),
                                           sv.CaseDeadline("c2", "202612010001", "企业设立登记", True, NOW.date(), ())))
    assert keys(watch) == {"case_due|case|c1|yellow", "case_overdue|case|c2|red"}
