"""The visits under way (server/domain/residual.py): what a visit that has lasted so long still takes, the
spread measured today, and the wait of a ticket that needs no more completions than busy windows."""
from __future__ import annotations

import math
import random
import statistics

import pytest

from server.domain.eta import ServingWindow, WaitEstimator
from server.domain.prediction import QueueRate, WindowStaffing, capacities
from server.domain.residual import PRIOR_CV, expected_left, kth_end, order_wait, visit_cv


def lognormal_draws(mean: float, cv: float, n: int = 200_000, seed: int = 7) -> list[float]:
    sigma = math.sqrt(math.log(1 + cv * cv))
    rng = random.Random(seed)
    return [rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma) for _ in range(n)]


@pytest.mark.parametrize("elapsed", [0, 2, 5, 10, 20, 35])
def test_expected_left_is_the_mean_residual_life_of_the_lognormal(elapsed):
    draws = lognormal_draws(10, 0.6)
    lasting = [x - elapsed for x in draws if x > elapsed]
    assert expected_left(10, 0.6, elapsed) == pytest.approx(sum(lasting) / len(lasting), rel=0.03)


def test_a_visit_just_begun_is_far_from_over_and_one_past_its_mean_is_nearly():
    # CV 0.6: not memoryless; a 10-minute visit 12 minutes in has about 5.6 left, one a minute in about 9
    assert expected_left(10, 0.6, 1) > 8.5
    assert expected_left(10, 0.6, 12) < 6
    assert expected_left(10, 0.6, 500) > 0  # far in the tail: finite, positive


def test_the_spread_is_measured_against_each_matter_and_shrunk_to_the_prior():
    assert visit_cv(0, 0.0, 0.0) == PRIOR_CV
    ratios = [x / 10 for x in lognormal_draws(10, 0.6, 5000)]
    measured = visit_cv(len(ratios), sum(ratios), sum(r * r for r in ratios))
    assert measured == pytest.approx(0.6, abs=0.04)
    few = ratios[:10]
    assert 0.6 < visit_cv(len(few), sum(few), sum(r * r for r in few)) < PRIOR_CV  # ten visits: mostly the prior


def test_kth_end_is_the_kth_of_the_visits_under_way():
    # two windows, both 20-minute matters: one 19 minutes in, one just begun. The first ticket is called at
    # the first of the two ends (its median from 200,000 draws below); the second ticket later
    busy = [(1.0, 20.0, 19.0), (1.0, 20.0, 0.5)]
    draws_old = [x - 19 for x in lognormal_draws(20, 0.6) if x > 19]
    draws_new = [x - 0.5 for x in lognormal_draws(20, 0.6, seed=8) if x > 0.5]
    first = [min(a, b) for a, b in zip(draws_old, draws_new)]
    assert kth_end(1, busy, 0.6, 0.5, 20.0) == pytest.approx(statistics.median(first), rel=0.05)
    assert kth_end(1, busy, 0.6, 0.5, 20.0) < kth_end(2, busy, 0.6, 0.5, 20.0)
    assert kth_end(1, busy, 0.6, 0.15, 20.0) < kth_end(1, busy, 0.6, 0.85, 20.0)


def test_order_wait_gives_a_median_inside_its_range():
    wait = order_wait(1, [(1.0, 20.0, 19.0), (1.0, 20.0, 0.5)], 0.6, 0.05, 20.0)
    assert wait.low <= wait.minutes <= wait.high and wait.minutes < 10


def estimator(elapsed: tuple[float, ...], mean: float = 20.0) -> WaitEstimator:
    rows = [WindowStaffing(str(i), ("A",), "open", True, True) for i in range(len(elapsed))]
    rates = {"A": QueueRate(mean, 0.05)}
    e = WaitEstimator([ServingWindow(r.number, r.queues) for r in rows], capacities(rows, rates, 0), rates)
    return e.with_staffing(capacities(rows, rates, 0), rates, {}, (),
                           {"A": [(1.0, mean, x) for x in elapsed]}, 0.6)


def test_the_estimator_reads_the_visits_under_way():
    # two 20-minute windows: the Poisson stream says the same whatever the windows are doing (one ticket
    # before: about 17 minutes); two visits nearly done call the ticket sooner than two just begun
    nearly_done, just_begun = estimator((25.0, 25.0)), estimator((0.5, 0.5))
    assert nearly_done.estimate("A", 0, 0.0).minutes < 6 < 10 < just_begun.estimate("A", 0, 0.0).minutes
    assert nearly_done.estimate("A", 1, 20.0).minutes < 15 < 20 < just_begun.estimate("A", 1, 20.0).minutes
    one_of_each = estimator((25.0, 0.5)).estimate("A", 1, 20.0)
    assert nearly_done.estimate("A", 1, 20.0).minutes < one_of_each.minutes < just_begun.estimate("A", 1, 20.0).minutes
    # more tickets before it than busy windows: the Gamma model, the visits under way not used
    assert nearly_done.estimate("A", 4, 80.0) == just_begun.estimate("A", 4, 80.0)
