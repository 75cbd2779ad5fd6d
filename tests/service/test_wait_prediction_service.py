"""The wait predictor through the service layer (docs/waits.md, "Wait prediction"): only staffed windows
count, live service times set the pace, back-up windows count for what their first queue leaves."""
from __future__ import annotations

import datetime as dt

import pytest

from server.domain.prediction import Slowdown, clock_minutes, gamma_quantile
from server.services.actors import Actor
from server.services.waits import PRIOR_TICKETS

pytest_plugins = ["service_hall"]  # the hall_at fixture

KIOSK = Actor("device", "kiosk-1", "kiosk")
SHEBAO_CLERK = Actor("staff", "li", "clerk", ("rst",))
YIBAO_CLERK = Actor("staff", "wang", "clerk", ("ybj",))
BACKUP_CLERK = Actor("staff", "zhao", "clerk", ("rst", "ybj"))


@pytest.fixture
def hall(hall_at):
    return hall_at(dt.datetime(2026, 3, 2, 9, 0))


def take(service, matter="rst-sbk"):
    return service.tickets.take_ticket(KIOSK, matter).body["ticket"]


def later(clock, minutes):
    clock.set(clock.now.replace(tzinfo=None) + dt.timedelta(minutes=minutes))


def stats_row(service, code):
    return next(q for q in service.queries.stats() if q["code"] == code)


def test_no_clerk_at_a_serving_window_means_no_estimate_and_a_clerk_gives_a_range(hall):
    service, _clock = hall
    service.windows.set_state(Actor("staff", "admin", "admin"), "1", "open")
    first = take(service)  # window 1 is open, but nobody is signed in there
    assert first["eta_minutes"] is None and first["eta_range"] is None
    assert stats_row(service, "shebao")["eta_range"] is None
    assert service.queries.get_ticket(first["id"])["ticket"]["eta_range"] is None
    service.windows.sign_in(SHEBAO_CLERK, "1")
    service.windows.call_next(SHEBAO_CLERK, "1")
    second, third = take(service), take(service)
    low, high = third["eta_range"]
    assert type(low) is int and type(high) is int and 0 <= low <= third["eta_minutes"] <= high
    assert second["eta_range"][1] < high  # one more ahead: a later range
    row = stats_row(service, "shebao")
    assert row["eta_minutes"] is not None and row["eta_range"][0] <= row["eta_minutes"] <= row["eta_range"][1]
    tracked = service.queries.get_ticket(second["id"])["ticket"]
    assert tracked["eta_range"] == second["eta_range"]


def paced(service, minutes, n, ahead=2, matter="rst-sbk", queue="shebao"):
    """The mean visit of a ticket with `ahead` visits of `matter` before it in `queue` (and one at the window,
    at the queue's mean), after n visits of `matter` took `minutes` each: the configured averages scaled by
    how those visits compare with their matter's, the configured averages weighing as PRIOR_TICKETS visits."""
    average, configured = service.config.queue_avg_minutes(queue), service.config.matters[matter].avg_minutes
    prior = PRIOR_TICKETS * average
    pace = (n * minutes + prior) / (n * configured + prior)
    return (ahead * configured + average) * pace / (ahead + 1)


def test_the_last_hours_service_times_set_the_pace(hall):
    service, clock = hall
    service.windows.sign_in(SHEBAO_CLERK, "1")

    def serve(minutes):
        take(service)
        service.windows.call_next(SHEBAO_CLERK, "1")
        later(clock, minutes)
        service.windows.finish(SHEBAO_CLERK, "1")

    for _ in range(4):
        serve(30)
    slow = [take(service) for _ in range(3)][-1]
    for ticket in range(3):  # the three waiting go first, 30 minutes each as before
        service.windows.call_next(SHEBAO_CLERK, "1")
        later(clock, 30)
        service.windows.finish(SHEBAO_CLERK, "1")
    later(clock, 120)  # the 30-minute visits are now more than an hour old
    for _ in range(3):
        serve(5)
    fast = [take(service) for _ in range(3)][-1]
    assert slow["ahead"] == fast["ahead"] == 2
    # Window 1 stands free: the ticket waits for the 2nd completion, at the pace of the last hour's three
    # 5-minute visits (against the 8 configured for 社保卡申领), not at today's mean of (7 × 30 + 3 × 5) ÷ 10;
    # the two before it are 社保卡申领 (8 minutes configured) too, not the queue's mean matter (17).
    assert fast["eta_minutes"] == round(gamma_quantile(2, 0.5) * paced(service, 5, 3))
    assert slow["eta_minutes"] == round(gamma_quantile(2, 0.5) * paced(service, 30, 3))
    assert fast["eta_minutes"] < slow["eta_minutes"]


def backup_hall(hall_at, backup_window):
    """Shebao staffed at window 1 and at `backup_window`; an hour of yibao visits served at window 13."""
    service, clock = hall_at(dt.datetime(2026, 3, 2, 9, 0))
    service.windows.sign_in(SHEBAO_CLERK, "1")
    service.windows.sign_in(BACKUP_CLERK, backup_window)
    service.windows.sign_in(YIBAO_CLERK, "13")
    for _ in range(10):
        take(service, "ybj-ydjy")
        service.windows.call_next(YIBAO_CLERK, "13")
        later(clock, 5)
        service.windows.finish(YIBAO_CLERK, "13")
    return [take(service) for _ in range(6)][-1]


def test_a_back_up_window_counts_less_than_one_serving_the_queue_first(hall_at):
    first = backup_hall(hall_at, "11")   # window 11 serves shebao first, yibao second
    backup = backup_hall(hall_at, "19")  # window 19 serves yibao first, shebao second
    assert first["ahead"] == backup["ahead"] == 5
    assert backup["eta_minutes"] > first["eta_minutes"] and backup["eta_range"][1] > first["eta_range"][1]


def test_tickets_of_a_queue_a_shared_window_prefers_are_ahead_but_not_counted_twice(hall):
    """Window 11 serves 社保 first and 医保 as a back-up; window 13 serves 医保 alone. A 医保 ticket has the
    社保 tickets ahead of it (window 11 calls them first), but the minutes come from the 医保 tickets before
    it and the capacity 医保 gets: counting 社保's line again would make it as slow as 社保's."""
    service, _clock = hall
    service.windows.sign_in(SHEBAO_CLERK, "11")
    service.windows.sign_in(YIBAO_CLERK, "13")
    for _ in range(12):
        take(service, "rst-sbk")
    alone = take(service, "ybj-ydjy")
    assert alone["ahead"] == 12
    with_one_before = take(service, "ybj-ydjy")
    assert with_one_before["ahead"] == 13
    # With both windows idle and one 医保 ticket before it, the second waits about a ticket, not 13.
    assert with_one_before["eta_minutes"] <= 2 * service.config.queue_avg_minutes("yibao")
    assert with_one_before["eta_range"][1] < 13 * service.config.queue_avg_minutes("yibao") / 2


def test_the_lunch_break_ahead_slows_the_windows(hall_at):
    """The demo hall states lunch_minutes = 30 in its 12:00–13:30 break: two thirds of the pace through it."""
    service, _clock = hall_at(dt.datetime(2026, 3, 2, 11, 50))
    service.windows.sign_in(SHEBAO_CLERK, "1")
    take(service)
    service.windows.call_next(SHEBAO_CLERK, "1")
    third = [take(service) for _ in range(3)][-1]
    visit = (2 * 8 + service.config.queue_avg_minutes("shebao")) / 3  # two 社保卡申领 before it, one at the window
    work = gamma_quantile(3, 0.5) * visit
    assert work > 10  # it reaches into the break
    assert third["eta_minutes"] == round(clock_minutes(work, (Slowdown(10, 100, 1 - 30 / 90),)))
    assert third["eta_minutes"] > round(work)


def test_a_paused_window_is_expected_back_ten_minutes_after_its_pause_began(hall):
    """A window paused outside the lunch break (临时离岗) is expected back PAUSE_BACK_MINUTES after pausing,
    not always that long from now: eight minutes into its pause it is expected back in two, and the
    tickets of its queue wait less for it (the four completions they wait for: at window 1 alone, or with
    window 2's from its return, 2 × the mean visit + 5 minutes, then + 1)."""
    service, clock = hall
    service.windows.sign_in(SHEBAO_CLERK, "1")
    service.windows.sign_in(BACKUP_CLERK, "2")
    service.windows.pause(BACKUP_CLERK, "2", "临时离岗")
    take(service)
    service.windows.call_next(SHEBAO_CLERK, "1")
    fourth = [take(service) for _ in range(4)][-1]
    at_once = service.queries.get_ticket(fourth["id"])["ticket"]["eta_minutes"]
    later(clock, 8)
    eight_minutes_in = service.queries.get_ticket(fourth["id"])["ticket"]["eta_minutes"]
    assert fourth["ahead"] == 3
    assert eight_minutes_in <= at_once - 3
