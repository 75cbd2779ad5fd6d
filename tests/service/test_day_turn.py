"""Service-layer tests (no server, no database: the in-memory unit of work): the business day turns at
the configured hour, numbering restarts, and yesterday's leftovers are cancelled. The clock is the
service's own, set by the test."""
from __future__ import annotations

import datetime as dt

import pytest

from server.domain.prediction import gamma_quantile
from server.services.actors import Actor
from server.services.waits import PRIOR_TICKETS

pytest_plugins = ["service_hall"]  # the hall_at fixture

KIOSK = Actor("device", "kiosk-1", "kiosk")


@pytest.fixture
def service(hall_at):
    return hall_at(dt.datetime(2026, 3, 2, 16, 0))[0]


@pytest.fixture
def clock(service):
    return service.clock


def take(service, matter="rst-sbk"):
    return service.tickets.take_ticket(KIOSK, matter).body["ticket"]


def test_numbers_restart_at_the_rollover_hour_and_not_at_midnight(service, clock):
    assert [take(service)["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    clock.set(dt.datetime(2026, 3, 3, 2, 59))  # after midnight, before 03:00: still the same business day
    assert take(service)["number"] == "A004"
    service.housekeeping.close_stale_day()  # nothing of an earlier day is left
    clock.set(dt.datetime(2026, 3, 3, 3, 0))
    assert service.housekeeping.close_stale_day() == 4
    assert take(service)["number"] == "A001"
    assert take(service, "ybj-ydjy")["number"] == "B001"  # each queue has its own series


def test_a_new_days_series_starts_above_the_numbers_still_live(service, clock):
    """At the turn, before housekeeping: yesterday's A001-A003 still wait, so today's series goes on
    from A004, and no two live tickets share a number; once they are gone, tomorrow starts at A001."""
    old = [take(service) for _ in range(3)]
    clock.set(dt.datetime(2026, 3, 3, 3, 0))
    assert take(service)["number"] == "A004"
    assert take(service)["number"] == "A005"
    assert service.housekeeping.close_stale_day() == 3
    assert {service.queries.get_ticket(t["id"])["ticket"]["status"] for t in old} == {"cancelled"}
    assert take(service)["number"] == "A006"  # within a day the series only grows
    clock.set(dt.datetime(2026, 3, 4, 3, 0))
    service.housekeeping.close_stale_day()
    assert take(service)["number"] == "A001"


def test_yesterdays_waiting_tickets_are_cancelled_at_the_day_turn_and_the_one_at_a_window_finishes(service, clock):
    clerk = Actor("staff", "li", "clerk", ("rst",))
    old = [take(service) for _ in range(3)]
    service.windows.sign_in(clerk, "1")
    called = service.windows.call_next(clerk, "1").body["ticket"]
    assert called["id"] == old[0]["id"]
    assert service.housekeeping.close_stale_day() == 0  # nothing is stale on the same day

    clock.set(dt.datetime(2026, 3, 3, 8, 30))
    assert service.housekeeping.close_stale_day() == 2  # the waiting ones; the one at the window stays
    for t in old[1:]:
        assert service.queries.get_ticket(t["id"])["ticket"]["status"] == "cancelled"
    assert service.queries.get_ticket(old[0]["id"])["ticket"]["status"] == "called"
    assert service.queries.window(clerk, "1")["current"]["id"] == old[0]["id"]
    fresh = take(service)
    assert fresh["number"] == "A002" and fresh["ahead"] == 0  # A001 is still live at window 1
    assert service.windows.call_next(clerk, "1").body["ticket"]["id"] == fresh["id"]
    assert service.queries.get_ticket(old[0]["id"])["ticket"]["status"] == "done"  # finished normally
    kinds = [e["kind"] for e in service.queries.ticket_history(clerk, old[1]["id"])]
    assert kinds == ["issued", "cancelled"]


def test_measured_service_times_move_the_configured_average(service, clock):
    clerk = Actor("staff", "li", "clerk", ("rst",))
    service.windows.sign_in(clerk, "1")
    take(service)
    for _ in range(3):  # three visits of exactly 30 minutes each
        take(service)
        service.windows.call_next(clerk, "1")
        clock.set(clock.now.replace(tzinfo=None) + dt.timedelta(minutes=30))
        service.windows.finish(clerk, "1")
    waiting = [take(service) for _ in range(3)]
    # Window 1 is the only open window serving 社保; one ticket from the loop still waits before these.
    # The window stands free, so it takes the first of the 3 ahead at once: the ticket waits for the
    # 3rd completion (the model's median of that, docs/waits.md). The visits took 30 minutes against the
    # 8 configured for 社保卡申领, which moves the queue's pace (the configured averages weighing as
    # PRIOR_TICKETS visits); the three before it are 社保卡申领 too, one at the window at the queue's mean.
    average, configured = service.config.queue_avg_minutes("shebao"), service.config.matters["rst-sbk"].avg_minutes
    pace = (3 * 30 + PRIOR_TICKETS * average) / (3 * configured + PRIOR_TICKETS * average)
    assert pace > 1.05
    visit = (3 * configured + average) * pace / 4
    assert waiting[-1]["ahead"] == 3
    assert waiting[-1]["eta_minutes"] == round(gamma_quantile(3, 0.5) * visit)
    assert waiting[-1]["eta_minutes"] > round(gamma_quantile(3, 0.5) * (3 * configured + average) / 4)
    low, high = waiting[-1]["eta_range"]
    assert low < waiting[-1]["eta_minutes"] < high
