"""The working-day calendar (限时办结): weekends and holidays are off, make-up workdays are on."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from server.domain.calendar import WorkingCalendar
from server.domain.cases import Deadline, DeadlinePolicy

D = dt.date
# October 2026: National Day 1-7 October off, Saturday 10 October worked in exchange.
NATIONAL_DAY = WorkingCalendar.of(holidays=[D(2026, 10, d) for d in range(1, 8)], workdays=[D(2026, 10, 10)])
PLAIN = WorkingCalendar()


@pytest.mark.parametrize("start, days, due", [
    (D(2026, 11, 23), 1, D(2026, 11, 24)),   # Monday + 1 = Tuesday
    (D(2026, 11, 27), 1, D(2026, 11, 30)),   # Friday + 1 = Monday, across the weekend
    (D(2026, 11, 28), 1, D(2026, 11, 30)),   # accepted on a Saturday: Monday is the first day
    (D(2026, 11, 23), 5, D(2026, 11, 30)),   # a week
    (D(2026, 11, 23), 0, D(2026, 11, 23)),   # 即办件: the same day
    (D(2026, 11, 28), 0, D(2026, 11, 30)),   # ... or the next working day
])
def test_weekends_are_skipped(start, days, due):
    assert PLAIN.add_working_days(start, days) == due


def test_holidays_are_skipped_and_make_up_workdays_count():
    # Accepted Tuesday 29 September: 30 Sep (1), 1-7 Oct off, Thu 8 (2), Fri 9 (3), Sat 10 worked (4), Mon 12 (5).
    assert NATIONAL_DAY.add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 12)
    assert PLAIN.add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 6)
    assert NATIONAL_DAY.is_working_day(D(2026, 10, 10)) and not NATIONAL_DAY.is_working_day(D(2026, 10, 5))
    assert NATIONAL_DAY.working_days_between(D(2026, 9, 29), D(2026, 10, 12)) == 5
    assert NATIONAL_DAY.working_days_between(D(2026, 10, 12), D(2026, 10, 12)) == 0
    assert NATIONAL_DAY.working_days_between(D(2026, 10, 13), D(2026, 10, 12)) == 0


def test_a_negative_promise_is_refused():
    with pytest.raises(ValueError):
        PLAIN.add_working_days(D(2026, 11, 23), -1)


SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = DeadlinePolicy(NATIONAL_DAY, SHANGHAI, due_soon_days=1)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_a_case_is_due_at_the_end_of_its_last_working_day_hall_time():
    due = POLICY.due(local(2026, 9, 29, 10, 0), 5)
    assert due == local(2026, 10, 12, 23, 59, 59)
    # 01:00 Shanghai is still the previous day in UTC; the hall's date is what counts.
    assert POLICY.due(local(2026, 9, 30, 1, 0), 1) == local(2026, 10, 8, 23, 59, 59)


def test_on_time_due_soon_overdue():
    due = local(2026, 10, 12, 23, 59, 59)
    assert POLICY.state(due, local(2026, 9, 30, 9)) is Deadline.ON_TIME
    assert POLICY.state(due, local(2026, 10, 9, 9)) is Deadline.ON_TIME      # Sat 10 and Mon 12 still to come
    assert POLICY.state(due, local(2026, 10, 10, 9)) is Deadline.DUE_SOON    # one working day left after today
    assert POLICY.state(due, local(2026, 10, 12, 23, 59)) is Deadline.DUE_SOON
    assert POLICY.state(due, local(2026, 10, 13, 0, 0)) is Deadline.OVERDUE


def test_a_stopped_clock_gives_back_the_working_days_that_were_left():
    due = local(2026, 10, 12, 23, 59, 59)  # stopped on Fri 9 October: Sat 10 and Mon 12 were left
    assert POLICY.resumed(due, local(2026, 10, 9, 11), local(2026, 10, 9, 16)) == due  # same day: nothing lost
    assert POLICY.resumed(due, local(2026, 10, 9, 11), local(2026, 10, 14, 9)) == local(2026, 10, 16, 23, 59, 59)
