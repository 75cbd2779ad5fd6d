"""ID numbers (GB 11643-1999), masking, and the booking rules in plain Python."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from server.domain.appointments import BookingRules
from server.domain.calendar import WorkingCalendar
from server.domain.errors import Conflict, Invalid
from server.domain.eta import WaitingTicket, requeue_place
from server.domain.identity import IdNumber, mask_id_number

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("number", [
    "11010519491231002X",  # the standard's own example (GB 11643-1999 annex)
    "440524188001010014",  # the second example of the standard
    "11010519491231002x",  # a lower-case x is read as X
])
def test_the_standards_examples_are_valid(number):
    assert IdNumber.parse(number).value == number.upper()


@pytest.mark.parametrize("number", ["110105194912310021", "11010519491231002", "11010519491231002XX",
                                    "1101051949123100 X", "110105194902300023", ""])
def test_a_wrong_check_digit_length_or_birth_date_is_invalid(number):
    with pytest.raises(Invalid) as refused:
        IdNumber.parse(number)
    assert refused.value.reason.value == "invalid_id_number"


def test_age_counts_whole_years_on_the_hall_day():
    born = IdNumber.parse("11010519491231002X")
    assert born.birth_date == dt.date(1949, 12, 31)
    assert born.age_on(dt.date(2014, 12, 30)) == 64 and born.age_on(dt.date(2014, 12, 31)) == 65


def test_masking_keeps_the_region_and_the_last_four():
    assert mask_id_number("11010519491231002X") == "110***********002X"


def rules(**kw) -> BookingRules:
    base = dict(tz=TZ, calendar=WorkingCalendar.of(holidays=[dt.date(2026, 11, 4)]), hours=("08:30", "10:00"),
                days_ahead=3, slot_minutes=30, early_minutes=30, late_minutes=15, per_id_per_day=1,
                per_id_per_week=2, misses_to_ban=3, ban_window_days=90, ban_days=90)
    return BookingRules(**{**base, **kw})


def test_slots_fill_the_hours_with_whole_slots_only():
    starts = [s.start.strftime("%H:%M") for s in rules(slot_minutes=40).slots(dt.date(2026, 11, 2))]
    assert starts == ["08:30", "09:10"]  # 09:50 would end after 10:00


def test_days_ahead_counts_working_days_from_today_skipping_holidays_and_weekends():
    # Monday 2 Nov; Wednesday 4 Nov is a holiday in this calendar.
    assert rules().bookable_days(dt.date(2026, 11, 2)) == [dt.date(2026, 11, 2), dt.date(2026, 11, 3), dt.date(2026, 11, 5)]
    slot = rules().slot_at(dt.date(2026, 11, 6), "08:30")
    with pytest.raises(Conflict) as refused:
        rules().require_bookable(slot, dt.datetime(2026, 11, 2, 8, 0, tzinfo=TZ))
    assert refused.value.reason.value == "too_far_ahead" and refused.value.detail["last"] == "2026-11-05"


def test_per_id_limits_by_day_and_by_week():
    r = rules()
    r.require_within_limits(dt.date(2026, 11, 3), [dt.date(2026, 11, 2)])
    for held in ([dt.date(2026, 11, 3)], [dt.date(2026, 11, 2), dt.date(2026, 11, 5)]):
        with pytest.raises(Conflict) as refused:
            r.require_within_limits(dt.date(2026, 11, 3), held)
        assert refused.value.reason.value == "id_limit"


def test_the_ban_needs_enough_misses_within_the_window_and_lasts_from_the_last_one():
    r = rules()
    day = dt.date(2026, 1, 1)
    spread = [day, day + dt.timedelta(days=50), day + dt.timedelta(days=100)]  # never 3 within 90 days
    assert r.banned_until(spread, day + dt.timedelta(days=101)) is None
    close = [day, day + dt.timedelta(days=10), day + dt.timedelta(days=20)]
    assert r.banned_until(close, day + dt.timedelta(days=21)) == day + dt.timedelta(days=110)
    assert r.banned_until(close, day + dt.timedelta(days=110)) is None  # served


def _w(tid, minute, green=False, appointment=False):
    return WaitingTicket(tid, "q", green, dt.datetime(2026, 11, 2, 9, minute, tzinfo=TZ), minute, appointment)


def test_a_requeued_no_show_stands_after_the_configured_number_within_its_lane():
    waiting = [_w("g", 5, green=True), _w("a", 6, appointment=True), _w("w1", 1), _w("w2", 2), _w("w3", 3)]
    me = _w("me", 30)
    placed, behind = requeue_place(waiting, me, 3)
    assert behind == 3 and _w("w1", 1).placed_at < placed < _w("w2", 2).placed_at  # g, a, w1 before it
    placed, behind = requeue_place(waiting, me, 1)
    assert behind == 2 and placed < _w("w1", 1).placed_at  # the earlier lanes stand before it anyway
    placed, behind = requeue_place(waiting, me, 10)
    assert behind == 5 and placed == me.placed_at
