"""The wait model (server/domain/prediction.py): Gamma quantiles, the windows that count, the range."""
from __future__ import annotations

import math
import statistics
from dataclasses import replace

import pytest

from server.domain.prediction import (HIGH_QUANTILE, MIN_BACKUP_SHARE, Capacity, QueueRate, Slowdown, Wait,
                                      WindowStaffing, capacities, clock_minutes, gamma_cdf, gamma_quantile,
                                      idle_windows, predict)
from server.domain.wording import wait_text


# --- the Gamma distribution: Gamma(k, 1) quantile = χ²(2k) quantile / 2, from the χ² tables ---------
@pytest.mark.parametrize("shape, p, expected", [
    (1, 0.9, 4.605 / 2),      # χ²(2): also −ln 0.1
    (1, 0.5, 1.386 / 2),
    (3, 0.1, 2.204 / 2),      # χ²(6)
    (3, 0.9, 10.645 / 2),
    (10, 0.5, 19.337 / 2),    # χ²(20)
    (20, 0.1, 29.051 / 2),    # χ²(40)
    (20, 0.9, 51.805 / 2),
    (0.5, 0.5, 0.455 / 2),    # χ²(1): a shape that is not a whole number
    (50, 0.9, 118.498 / 2),   # χ²(100)
])
def test_gamma_quantiles_match_the_chi_square_tables(shape, p, expected):
    assert gamma_quantile(shape, p) == pytest.approx(expected, rel=2e-3)


@pytest.mark.parametrize("shape", [0.7, 1, 2.5, 7, 40, 200])
def test_gamma_cdf_inverts_the_quantile_and_centres_on_the_mean(shape):
    for p in (0.05, 0.1, 0.5, 0.9, 0.95):
        assert gamma_cdf(shape, gamma_quantile(shape, p)) == pytest.approx(p, abs=1e-6)
    assert gamma_cdf(shape, 0) == 0.0
    # the median lies a little below the mean (shape), by about a third
    assert shape - 0.34 < gamma_quantile(shape, 0.5) < shape


# --- the spread: relative error 1/√(n+1) ---------------------------------------------------------
def one_window(n_ahead: int, minutes: float = 10.0, uncertainty: float = 0.0) -> Wait:
    return predict(n_ahead, Capacity(((1.0, 0.0),), idle=0), QueueRate(minutes, uncertainty))


@pytest.mark.parametrize("ahead", [3, 8, 15, 35])
def test_the_range_narrows_as_one_over_root_n_plus_one(ahead):
    # the range's quantiles of a normal lie ± z sd from the mean; sd / mean = 1/√(n+1)
    wait = one_window(ahead)
    mean = (ahead + 1) * 10
    z = statistics.NormalDist().inv_cdf(HIGH_QUANTILE)
    relative_half_width = (wait.high - wait.low) / 2 / mean / z
    assert relative_half_width == pytest.approx(1 / math.sqrt(ahead + 1), rel=0.12)


def test_estimate_is_near_the_mean_and_inside_its_range():
    wait = one_window(15)
    assert 155 <= wait.minutes <= 160 and wait.low < wait.minutes < wait.high
    assert wait.range == [wait.low, wait.high]


def test_uncertain_service_times_widen_the_range():
    sure, unsure = one_window(5), one_window(5, uncertainty=0.3)
    assert unsure.minutes == sure.minutes and unsure.low < sure.low and unsure.high > sure.high


def test_faster_service_shortens_the_wait():
    fast, slow = one_window(5, minutes=5), one_window(5, minutes=10)
    assert fast.minutes == pytest.approx(slow.minutes / 2, abs=1) and fast.high < slow.high


# --- which windows count -------------------------------------------------------------------------
def test_nobody_staffing_the_queue_gives_no_estimate():
    assert predict(3, None, QueueRate(10, 0)) is None
    rows = [WindowStaffing("1", ("A",), "open", False, False), WindowStaffing("2", ("A",), "closed", False, False)]
    assert capacities(rows, {"A": QueueRate(10, 0)}, 0) == {}


def test_idle_windows_take_the_first_tickets_at_once():
    rows = [WindowStaffing(str(i), ("A",), "open", True, False) for i in (1, 2)]
    rows.append(WindowStaffing("3", ("A",), "open", True, True))  # busy: not idle
    rows.append(WindowStaffing("4", ("A",), "paused", True, False))  # away: not idle
    assert idle_windows(rows) == {"A": 2}
    capacity = replace(capacities(rows[:2], {"A": QueueRate(10, 0)}, 0)["A"], idle=2)
    assert predict(1, capacity, QueueRate(10, 0)) == Wait(0, 0, 1)
    assert predict(2, capacity, QueueRate(10, 0)) == predict(0, Capacity(capacity.windows, 0), QueueRate(10, 0))


def test_a_back_up_window_counts_for_what_its_first_queue_leaves():
    # Window 2 serves B first: B's 6 arrivals an hour at 5 minutes each keep it busy half the time.
    rates = {"A": QueueRate(10, 0, 0.0), "B": QueueRate(5, 0, 0.1)}
    rows = [WindowStaffing("1", ("A",), "open", True, True), WindowStaffing("2", ("B", "A"), "open", True, True)]
    capacity = capacities(rows, rates, 0)
    assert sorted(capacity["A"].windows) == [(0.5, 0.0), (1.0, 0.0)]
    assert capacity["B"].windows == ((1.0, 0.0),)
    with_backup = predict(6, capacity["A"], rates["A"])
    first_only = predict(6, Capacity(((1.0, 0.0),), 0), rates["A"])
    two_first = predict(6, Capacity(((1.0, 0.0), (1.0, 0.0)), 0), rates["A"])
    assert two_first.minutes < with_backup.minutes < first_only.minutes


def test_a_queue_served_only_by_busy_back_up_windows_does_not_look_fast():
    rates = {"A": QueueRate(10, 0, 0.0), "B": QueueRate(10, 0, 0.5)}  # B alone would need 5 windows
    rows = [WindowStaffing("1", ("B", "A"), "open", True, True)]
    capacity = capacities(rows, rates, 0)["A"]
    assert capacity.windows == ((MIN_BACKUP_SHARE, 0.0),)
    assert predict(2, capacity, rates["A"]).minutes >= 2 * 10 / MIN_BACKUP_SHARE * 0.8


def test_paused_windows_count_from_when_they_are_back():
    rates = {"A": QueueRate(10, 0)}
    lunch = [WindowStaffing(str(i), ("A",), "paused", True, False) for i in (1, 2)]
    wait = predict(0, capacities(lunch, rates, 45)["A"], rates["A"])
    assert wait.minutes >= 45 and wait.low >= 45 * 0.9
    # one open window and one away for an hour: the short wait does not wait for the absent one
    mixed = [WindowStaffing("1", ("A",), "open", True, True), WindowStaffing("2", ("A",), "paused", True, False)]
    assert predict(1, capacities(mixed, rates, 60)["A"], rates["A"]) == one_window(1)
    # a long line gains from the window that returns
    assert predict(30, capacities(mixed, rates, 60)["A"], rates["A"]).minutes < one_window(30).minutes


@pytest.mark.parametrize("work, expected", [
    (10, 10),      # done before the break
    (30, 40),      # 20 minutes at full pace, then 10 minutes of work take 20 at half pace
    (80, 125),     # 20 before, 45 in the 90-minute break, the last 15 after it
])
def test_work_stretches_through_a_slower_span(work, expected):
    lunch = (Slowdown(20, 110, 0.5),)
    assert clock_minutes(work, lunch) == pytest.approx(expected)
    assert clock_minutes(work) == work


def test_a_break_under_way_slows_from_now_and_one_past_is_ignored():
    assert clock_minutes(10, (Slowdown(-30, 10, 0.5),)) == pytest.approx(15)  # 5 of work by its end, 5 after
    assert clock_minutes(10, (Slowdown(-90, 0, 0.5),)) == pytest.approx(10)


def test_the_lunch_ahead_lengthens_the_wait_and_its_range():
    rates = {"A": QueueRate(10, 0.1)}
    capacity = capacities([WindowStaffing(str(i), ("A",), "open", True, True) for i in (1, 2, 3)], rates, 0)["A"]
    before = predict(8, capacity, rates["A"])
    lunch = predict(8, capacity, rates["A"], (Slowdown(5, 95, 2 / 3),))
    assert lunch.minutes > before.minutes and lunch.high > before.high and lunch.low >= before.low
    # the quantiles are stretched alike: the median of the work, at the lunch pace after 5 minutes
    assert lunch.minutes == round(5 + (gamma_quantile(9, 0.5) * 10 / 3 - 5) * 3 / 2)


def test_wait_of_event_figures():
    assert Wait.of(None, None) is None
    assert Wait.of(7, [5, 11]) == Wait(7, 5, 11)
    assert Wait.of(7, None) == Wait(7, 7, 7)


# --- the wording on paper ------------------------------------------------------------------------
@pytest.mark.parametrize("minutes, eta_range, text", [
    (None, None, "暂无窗口办理"),
    (11, [8, 15], "预计等候约 8–15 分钟"),
    (0, [0, 1], "即将叫号"),
    (2, [0, 5], "预计等候 5 分钟内"),  # never "约 0–5 分钟" (issue 13)
    (5, [5, 5], "预计等候约 5 分钟"),
    (18, None, "预计等候约 18 分钟"),  # an event logged before ranges existed
])
def test_wait_text(minutes, eta_range, text):
    assert wait_text(minutes, eta_range) == text
