"""调度建议 in the service layer (server/services/advice.py) on the in-memory unit of work: what the model is
fed from the hall (the last hour's arrivals, measured service, who waits, which windows are staffed), who may
ask, and that applying a move through the window's queues changes the advice."""
from __future__ import annotations

import datetime as dt

import pytest

from server.domain import staffing as st
from server.domain.errors import Forbidden, Unauthorized
from server.services.actors import ANONYMOUS, Actor

pytest_plugins = ["service_hall"]  # the hall_at fixture

KIOSK = Actor("device", "kiosk-1", "kiosk")
ADMIN = Actor("staff", "boss", "admin")
SUPERVISOR = Actor("staff", "jian", "supervisor")
CLERK = Actor("staff", "wang", "clerk", ("ybj",))


@pytest.fixture
def morning(hall_at):
    """社保's three windows and one 医保 window staffed; 医保 swamped, 社保 nearly idle; the 医保 clerk has
    finished three tickets of 5 minutes each in the last hour."""
    hall, clock = hall_at(dt.datetime(2026, 3, 2, 8, 0))
    hall.tickets.take_ticket(KIOSK, "ybj-ydjy")  # issued more than an hour before the advice: waits, not an arrival
    for number, department in (("1", "rst"), ("2", "rst"), ("3", "rst"), ("13", "ybj"), ("49", None)):
        hall.windows.sign_in(Actor("staff", f"clerk{number}", "clerk", (department,) if department else ()), number)
    hall.windows.set_state(ADMIN, "49", "paused")  # paused: not staffed for the model, never moved
    clock.set(dt.datetime(2026, 3, 2, 9, 0))
    for _ in range(20):
        hall.tickets.take_ticket(KIOSK, "ybj-ydjy")
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    clerk13 = Actor("staff", "clerk13", "clerk", ("ybj",))
    for minute in (5, 10, 15):
        hall.windows.call_next(clerk13, "13")
        clock.set(dt.datetime(2026, 3, 2, 9, minute))
        hall.windows.finish(clerk13, "13")
    clock.set(dt.datetime(2026, 3, 2, 9, 30))
    return hall, clock


def test_a_window_of_the_idle_queue_is_advised_to_the_loaded_one(morning):
    hall, _ = morning
    answer = hall.advice.advise(ADMIN)
    advice = answer["advice"]
    assert advice and len(advice) <= 2  # 社保 keeps at least one of its three windows
    first = advice[0]
    assert first["window"] in {"1", "2", "3"} and first["from_queues"] == ["shebao"]
    assert first["to_queues"] == ["yibao", "shebao"] and first["queue"] == "yibao" and first["losing_queue"] == "shebao"
    assert first["expected_wait_change_min"] < -0.1
    assert first["why"].startswith("医保 近一小时到达 20 人、等候 18 人")
    # the model was fed the last hour: 20 arrivals (not the 08:00 one), 18 waiting, a 5-minute measured service
    yibao = st.QueueLoad(arrivals=20, waiting=18, service_minutes=5.0)
    assert first["from_wait_min"] == round(st.pool_wait(yibao, 1), 1)
    assert first["to_wait_min"] == round(st.pool_wait(yibao, 2), 1)
    assert answer["hall_mean_wait_min"] > 0


def test_applying_a_move_changes_the_windows_queues_and_the_advice(morning):
    hall, _ = morning
    first = hall.advice.advise(ADMIN)["advice"][0]
    hall.windows.set_queues(ADMIN, first["window"], first["to_queues"])
    assert hall.queries.window(ADMIN, first["window"])["queues"] == ["yibao", "shebao"]
    after = hall.advice.advise(ADMIN)["advice"]
    assert first["window"] not in {m["window"] for m in after}
    if after:
        assert after[0]["from_wait_min"] == first["to_wait_min"]  # the model now counts the moved window


def test_only_admin_and_supervisor_may_ask(morning):
    hall, _ = morning
    assert "advice" in hall.advice.advise(SUPERVISOR)
    with pytest.raises(Forbidden) as refused:
        hall.advice.advise(CLERK)
    assert refused.value.reason == "role_not_allowed"
    with pytest.raises(Unauthorized):
        hall.advice.advise(ANONYMOUS)


def test_no_advice_in_a_quiet_hall(hall_at):
    hall, _ = hall_at(dt.datetime(2026, 3, 2, 9, 0))
    for number, department in (("1", "rst"), ("13", "ybj")):
        hall.windows.sign_in(Actor("staff", f"clerk{number}", "clerk", (department,)), number)
    hall.tickets.take_ticket(KIOSK, "ybj-ydjy")
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    assert hall.advice.advise(ADMIN)["advice"] == []


def test_a_queue_whose_clerk_left_is_listed_apart_and_opened_first(morning):
    hall, _ = morning
    hall.windows.sign_out(Actor("staff", "clerk13", "clerk", ("ybj",)), "13")
    answer = hall.advice.advise(ADMIN)
    assert answer["unserved_queues"] == [{"queue": "yibao", "arrivals": 20, "waiting": 18}]
    # the headline is 社保's own wait (one arrival, three windows), not 医保's people counted at a hall day
    shebao = st.QueueLoad(arrivals=1, waiting=1, service_minutes=hall.advice.config.queue_avg_minutes("shebao"))
    assert answer["hall_mean_wait_min"] == round(st.pool_wait(shebao, 3), 1) < 30
    first = answer["advice"][0]
    assert first["queue"] == "yibao" and first["opens_queue"] is True and first["from_wait_min"] == st.UNSERVED_WAIT_MIN
    assert "暂无窗口办理，改后预计平均等候" in first["why"]
