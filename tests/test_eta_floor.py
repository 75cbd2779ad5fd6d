"""server/simulation/oracle.py (python -m hallq.eta_floor), the oracle behind docs/waits.md's floor for the wait prediction: its twin of a day must
wait exactly as the real service layer did, a future that keeps every duration must give each ticket its
real wait, and re-drawn visits must keep their matter's mean and outlast the time already spent."""
from __future__ import annotations

import random
import statistics

import pytest

from hallq.simulate import DEFAULT_DATE, run_day
from server.config import load_config
from server.domain.policy import policy_named
from server.simulation.arrivals import draw_breaks, draw_day
from server.simulation.oracle import Future, Twin, floor_profile, future_wait
from server.simulation.profile import load_profile

# Floor 1 of the demo hall for a morning: shared windows (社保 › 医保), green tickets, no-shows, transfers,
# the 限号 queue's quota, a late clerk, short breaks, a lunch and a meeting.
MORNING = """
[day]
arrivals_from = "08:30"
hard_end = "14:00"
[behaviour]
green_rate = 0.1
no_show_rate = 0.1
transfers = [{ from = "zh1", to = "yjs", rate = 0.2 }]
[staffing]
sign_in = "08:30"
sign_out = "12:00"
lunch_from = "11:00"
lunch_to = "12:00"
unstaffed = [1, 2, 3, 4, 5, 6, 7, 8]
late = { "13" = 25 }
breaks_per_clerk = 1
pauses = [{ window = 9, at = "09:10", minutes = 30 }]
[arrivals]
shebao = [12, 14, 12, 10, 8, 6]
yibao = [10, 12, 10, 8, 6, 4]
zh1 = [8, 8, 8, 8, 6, 4]
yjs = [2, 2, 2, 2, 2, 2]
falv = [10, 10, 10, 10, 10, 10]
"""


@pytest.fixture(scope="module")
def morning(tmp_path_factory):
    path = tmp_path_factory.mktemp("eta-floor") / "morning.toml"
    path.write_text(MORNING, encoding="utf-8")
    config = load_config(None)
    profile = load_profile(str(path), config)
    seed = 4
    return config, profile, draw_day(seed, profile, config), draw_breaks(seed, profile), run_day(config, profile, "preference", seed)


def waits_by_arrival(log) -> dict:
    return {(r.arrival.minute, r.arrival.matter): r.wait for r in log.records.values()}


def test_the_twin_waits_ticket_by_ticket_as_the_service_layer(morning):
    config, profile, arrivals, breaks, real = morning
    twin = Twin(config, profile, arrivals, breaks, DEFAULT_DATE, policy_named("preference", config)).run()
    assert real.refused.get("quota_reached", 0) > 0 and twin.refused == real.refused
    outcomes = {r.outcome for r in real.records.values()}
    assert {"done", "no_show"} <= outcomes
    assert any(r.calls > 1 for r in real.records.values())  # a transferred ticket was called again
    assert any(r.arrival.green for r in real.records.values())
    assert max(r.wait for r in real.records.values() if r.wait is not None) > 10  # the windows were busy
    assert waits_by_arrival(twin) == pytest.approx(waits_by_arrival(real), abs=1e-9)


def test_a_future_that_keeps_every_duration_gives_each_ticket_its_real_wait(morning):
    config, profile, arrivals, breaks, real = morning
    floor_day = floor_profile(profile, config, 1)
    real_waits = waits_by_arrival(real)
    called = [i for i, a in enumerate(arrivals) if real_waits.get((a.minute, a.matter)) is not None]
    for index in called[::7]:
        a = arrivals[index]
        wait = future_wait(config, floor_day, arrivals, breaks, DEFAULT_DATE, policy_named("preference", config), index,
                           lambda start, minutes, mean: minutes)
        assert wait == pytest.approx(real_waits[(a.minute, a.matter)], abs=1e-9)


def test_a_redrawn_visit_keeps_its_mean_and_outlasts_what_it_has_lasted():
    future = Future(since=600.0, cv=0.6, rng=random.Random(1))
    assert future(500.0, 20.0, 12.0) == 20.0  # ended before: as it was
    fresh = [future(600.0, 99.0, 12.0) for _ in range(40_000)]
    assert statistics.fmean(fresh) == pytest.approx(12.0, rel=0.02)
    assert statistics.stdev(fresh) / statistics.fmean(fresh) == pytest.approx(0.6, rel=0.05)
    under_way = [future(590.0, 99.0, 12.0) for _ in range(5_000)]  # began 10 minutes ago
    assert min(under_way) > 10.0
    assert statistics.fmean(under_way) > 12.0  # a visit that has lasted 10 minutes has more than its mean left
