"""Service-layer tests of 限时办结 (on the in-memory unit of work) with the service's own clock: a case's due time counts working days
of the hall's calendar, and due-soon and overdue alerts reach the admin once per case per state."""
from __future__ import annotations

import datetime as dt

import pytest

from hall_clock import SHANGHAI
from server.domain import events as ev
from server.services.actors import Actor
from server.services.bus import Audience

pytest_plugins = ["service_hall"]  # the hall_at fixture

KIOSK = Actor("device", "kiosk-1", "kiosk")
CLERK = Actor("staff", "wang", "clerk")
TYJR = Actor("staff", "tyjr-1", "backoffice", ("tyjr",))


class Watch:
    """What 电子监察's watch hears of the deadline check: its facts, as plain data."""

    def __init__(self, config):
        self.config = config
        self.heard = []

    def take(self, event, _audience) -> None:
        self.heard.append(event)

    def alerts(self) -> list[dict]:
        return [{"kind": f"case_{e.kind}", **ev.encode(e)} for e in self.heard
                if isinstance(e, (ev.CaseDueSoon, ev.CaseOverdue))]


@pytest.fixture
def hall(hall_at):
    service, clock = hall_at(dt.datetime(2026, 9, 28, 10, 0))  # Monday 28 September 2026, before National Day
    board = Watch(service.config)
    service.bus.subscribe(Audience.SUPERVISION, board.take)
    service.windows.sign_in(CLERK, "49")
    return service, service.cases, clock, board


def route(service, cases, matter="tyjr-ydz") -> dict:
    service.tickets.take_ticket(KIOSK, matter)
    service.windows.call_next(CLERK, "49")
    return cases.route(CLERK, "49", "张小三", "13812341234").body["case"]


def test_the_demo_calendar_skips_national_day_and_counts_the_make_up_saturday(hall):
    service, cases, clock, _ = hall
    case = route(service, cases)  # 退役军人优待证申领: 10 working days
    # 29, 30 Sep (2); 1-7 Oct off; 8, 9 (4); Sat 10 worked (5); 12-16 (10).
    assert dt.datetime.fromisoformat(case["due_at"]).astimezone(SHANGHAI) == dt.datetime(2026, 10, 16, 23, 59, 59, tzinfo=SHANGHAI)
    assert case["deadline"] == "on_time" and case["number"] == "202609280001"


def test_due_soon_and_overdue_alerts_are_raised_once(hall):
    service, cases, clock, recorder = hall
    # 服刑人员服刑信息查询: 3 working days: 29, 30 September and, after National Day, 8 October.
    case = route(service, cases, "jyj-xxcx")
    assert service.housekeeping.check_deadlines() == 0 and recorder.alerts() == []
    clock.set(dt.datetime(2026, 9, 29, 17, 0))
    assert service.housekeeping.check_deadlines() == 0  # two working days left after today
    clock.set(dt.datetime(2026, 9, 30, 9, 0))  # one left, across the holiday
    assert service.housekeeping.check_deadlines() == 1
    assert service.housekeeping.check_deadlines() == 0  # once per state
    (alert,) = recorder.alerts()
    assert alert["kind"] == "case_due_soon" and alert["number"] == case["number"] and alert["waiting"] == ["jyj"]
    assert "13812341234" not in str(alert) and "张小三" not in str(alert)
    clock.set(dt.datetime(2026, 10, 9, 0, 0, 1))
    assert service.housekeeping.check_deadlines() == 1 and service.housekeeping.check_deadlines() == 0
    assert [a["kind"] for a in recorder.alerts()] == ["case_due_soon", "case_overdue"]
    assert cases.get_case(TYJR, case["id"])["case"]["deadline"] == "overdue"
    history = [h["kind"] for h in cases.get_case(TYJR, case["id"])["case"]["history"]]
    assert history == ["routed", "due_soon", "overdue"]


def test_a_case_waiting_for_materials_raises_no_alert(hall):
    service, cases, clock, recorder = hall
    case = route(service, cases, "tyjr-ydz")
    tyjr = Actor("staff", "t1", "backoffice", ("tyjr",))
    cases.request_materials(tyjr, case["id"], ["退役证件"], "请补交退役证件")
    clock.set(dt.datetime(2026, 11, 30, 9, 0))  # far past the original due day
    assert service.housekeeping.check_deadlines() == 0 and recorder.alerts() == []
    assert cases.get_case(tyjr, case["id"])["case"]["clock_stopped"] is True
