"""Erlang C against the worked hall example of research/next-features.md §6.1 (60 arrivals an hour,
12-minute service) and against the one-window case, where M/M/1 has a closed form."""
import math

import pytest

from server.domain.erlang import mean_wait, wait_probability


@pytest.mark.parametrize("windows, p_wait, wait_min", [(13, 0.70, 8.5), (14, 0.48, 2.9), (15, 0.32, 1.3)])
def test_the_worked_hall_example(windows, p_wait, wait_min):
    assert wait_probability(windows, 12.0) == pytest.approx(p_wait, abs=0.005)
    assert mean_wait(1.0, 12.0, windows) == pytest.approx(wait_min, abs=0.05)


def test_one_window_is_m_m_1():
    # M/M/1: P(wait) = ρ and Wq = ρ / (μ − λ).
    rho = 0.8
    assert wait_probability(1, rho) == pytest.approx(rho)
    assert mean_wait(rho / 10, 10.0, 1) == pytest.approx(rho / (0.1 - rho / 10))


def test_no_arrivals_no_wait_and_too_many_arrivals_no_end():
    assert mean_wait(0, 12.0, 3) == 0.0
    assert math.isinf(mean_wait(1.0, 12.0, 12))
    assert wait_probability(0, 1.0) == 1.0


def test_large_halls_do_not_overflow():
    assert 0 < wait_probability(200, 190.0) < 1


def test_a_queue_with_little_time_to_build_waits_less_than_the_steady_state_and_never_forever():
    from server.domain.erlang import building_wait
    steady = mean_wait(1.0, 12.0, 13)
    assert building_wait(1.0, 12.0, 13, 30) < steady
    assert building_wait(1.0, 12.0, 13, 1_000_000) == pytest.approx(steady, rel=0.05)  # given long enough, it gets there
    assert math.isfinite(building_wait(1.0, 12.0, 12, 30)) and building_wait(1.0, 12.0, 12, 30) > 0
    assert building_wait(0.0, 12.0, 3, 30) == 0.0
