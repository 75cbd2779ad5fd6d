"""The staffing model (server/domain/staffing.py): which window moves where, and what it is expected to save."""
from __future__ import annotations

import math

import pytest

from server.domain import staffing as st
from server.domain.erlang import mean_wait

# A small hall: floor 1 has 社保 (rst windows also serve 医保), 医保 (ybj), and the hall-staffed 综合受理
# with its pickup queue; floor 2 has 商事登记 (scjg), and rst also works on floor 2 (就业人才).
QUEUE_FLOOR = {"shebao": 1, "yibao": 1, "zh1": 1, "pickup1": 1, "yjs": 1, "ssdj": 2, "jyrc": 2}
LAYOUT = st.HallLayout(
    queue_floor=QUEUE_FLOOR, pickup_queues=frozenset({"pickup1"}),
    legal=st.legal_queues(
        [(1, "rst", ("shebao",)), (1, "rst", ("shebao", "yibao")), (1, "ybj", ("yibao",)),
         (1, None, ("pickup1", "zh1")), (1, None, ("pickup1", "yjs")), (2, "scjg", ("ssdj",)), (2, "rst", ("jyrc",))],
        [("rst", "shebao"), ("rst", "jyrc"), ("ybj", "yibao"), ("scjg", "ssdj")], QUEUE_FLOOR))
NAMES = {"shebao": "社保", "yibao": "医保", "zh1": "综合受理(个人)", "pickup1": "一楼取件", "yjs": "一件事一次办",
         "ssdj": "商事登记", "jyrc": "就业人才(企业)"}


def window(number: int, floor: int, department: str | None, *queues: str) -> st.StaffedWindow:
    return st.StaffedWindow(str(number), floor, department, queues)


def load(arrivals: int, waiting: int = 0, minutes: float = 12.0) -> st.QueueLoad:
    return st.QueueLoad(arrivals, waiting, minutes)


def idle(queues=QUEUE_FLOOR) -> dict[str, st.QueueLoad]:
    return {q: load(0) for q in queues}


def model(windows, **loads) -> st.HallModel:
    return st.HallModel(LAYOUT, tuple(windows), idle() | loads)


def test_a_window_goes_from_the_idle_pool_to_the_overloaded_one():
    windows = [window(n, 1, "rst", "shebao") for n in (1, 2, 3, 4)] + [window(n, 1, "ybj", "yibao") for n in (13, 14)]
    hall = model(windows, shebao=load(6), yibao=load(40, waiting=20))
    moves = st.advise(hall)
    assert moves, "医保 is overloaded and 社保 nearly idle"
    first = moves[0]
    assert first.window in {"1", "2", "3", "4"} and first.queue == "yibao" and first.losing_queue == "shebao"
    assert first.to_queues == ("yibao", "shebao")  # the old queue stays behind as a back-up
    assert first.change < -st.SIGNIFICANT_MIN
    # the expected change is the model recomputed with the move applied
    after = hall.moved(first.window, first.to_queues)
    assert first.change == pytest.approx(after.hall_wait() - hall.hall_wait())
    assert first.gaining_wait == pytest.approx((hall.waits()["yibao"], after.waits()["yibao"]))
    # every later move assumes those above it
    for earlier, later in zip(moves, moves[1:]):
        hall = hall.moved(earlier.window, earlier.to_queues)
        assert later.hall_before == pytest.approx(hall.hall_wait())
    assert len({m.window for m in moves}) == len(moves)
    assert sum(1 for m in moves if m.losing_queue == "shebao") <= 3  # 社保 keeps a window


def test_erlang_c_rules_a_pool_that_keeps_up_well():
    light = load(30, waiting=0, minutes=12)  # 6 Erlangs on 9 windows
    assert st.pool_wait(light, 9) == pytest.approx(mean_wait(0.5, 12, 9), rel=0.25)
    assert st.pool_wait(light, 9) <= mean_wait(0.5, 12, 9)


def test_an_overloaded_pool_is_ranked_by_its_backlog_not_infinity():
    overloaded = load(60, waiting=30, minutes=12)
    waits = [st.pool_wait(overloaded, c) for c in (4, 6, 8, 10)]
    assert all(w < st.UNSERVED_WAIT_MIN for w in waits)
    assert waits == sorted(waits, reverse=True) and len(set(waits)) == 4
    # 4 windows serve 1/3 a minute: the backlog at half an hour is 30 + (1 − 1/3)·30 = 50, i.e. 150 minutes,
    # on top of the queue chance builds within the hour: (2/3)·√(4·1·60/π) tickets at 1/3 a minute
    assert waits[0] == pytest.approx(150 + (2 / 3) * math.sqrt(240 / math.pi) * 3)
    assert st.pool_wait(overloaded, 0) == st.UNSERVED_WAIT_MIN


def test_one_window_more_never_costs():
    for arrivals in range(1, 90, 7):
        for waiting in (0, 3, 30):
            waits = [st.pool_wait(load(arrivals, waiting), c) for c in range(0, 16)]
            assert all(a >= b for a, b in zip(waits, waits[1:])), (arrivals, waiting, waits)


@pytest.mark.parametrize("arrivals", [4, 8, 12, 16, 24])
def test_a_balanced_hall_is_not_split(arrivals):
    """Moving a window between two like pools must look like a loss at any load (the model is convex
    enough in the windows, across the step from keeping up to overload)."""
    windows = [window(n, 1, "rst", "shebao") for n in (1, 2, 3)] + [window(n, 1, "ybj", "yibao") for n in (13, 14, 15)]
    assert st.advise(model(windows, shebao=load(arrivals, 1), yibao=load(arrivals, 1))) == []


def test_never_across_floors():
    # floor 2's rst window is idle, floor 1's 医保 is overloaded: rst may serve 医保, but not from floor 2
    windows = [window(63, 2, "rst", "jyrc"), window(13, 1, "ybj", "yibao")]
    hall = model(windows, yibao=load(40, waiting=30), jyrc=load(1))
    assert not [m for m in st.candidate_moves(hall) if m.window == "63"]
    assert st.advise(hall) == []


def test_never_to_a_queue_the_department_may_not_serve():
    # ybj's windows may serve 医保 only; the hall's comprehensive windows never serve a department's queue
    windows = [window(13, 1, "ybj", "yibao"), window(14, 1, "ybj", "yibao"), window(49, 1, None, "pickup1", "zh1"),
               window(50, 1, None, "pickup1", "zh1"), window(1, 1, "rst", "shebao")]
    hall = model(windows, yibao=load(2), zh1=load(2), shebao=load(50, waiting=40))
    for move in st.candidate_moves(hall):
        assert move.queue in LAYOUT.legal[(1, move.window in {"49", "50"} and None or
                                              {"13": "ybj", "14": "ybj", "1": "rst"}[move.window])]
    assert st.advise(hall) == []  # nobody here may serve 社保 but its own window


def test_a_hall_staffed_window_keeps_its_pickup_queue_first():
    windows = [window(n, 1, None, "pickup1", "zh1") for n in (49, 50, 51)] + [window(57, 1, None, "pickup1", "yjs")]
    hall = model(windows, pickup1=load(3), zh1=load(3), yjs=load(30, waiting=25))
    moves = st.advise(hall)
    assert moves and moves[0].queue == "yjs" and moves[0].losing_queue == "zh1"
    assert moves[0].to_queues == ("pickup1", "yjs", "zh1")
    assert "pickup1" not in hall.pools() or hall.pools()["pickup1"] == 0  # pickups are nobody's primary here


def test_never_removes_the_last_window_of_a_queue_with_demand():
    # 社保 has one window and light demand; 医保 is swamped, yet 社保 keeps its window
    windows = [window(1, 1, "rst", "shebao"), window(13, 1, "ybj", "yibao")]
    hall = model(windows, shebao=load(1), yibao=load(50, waiting=40))
    assert st.candidate_moves(hall) == []
    assert st.advise(hall) == []


def test_an_idle_window_is_moved_at_no_cost():
    windows = [window(1, 1, "rst", "shebao"), window(11, 1, "rst", "shebao", "yibao"), window(13, 1, "ybj", "yibao")]
    hall = model(windows, yibao=load(20, waiting=10), shebao=load(0))
    moves = st.advise(hall)
    assert {m.window for m in moves} == {"1"}  # 11 already serves 医保 first: 社保 has no demand
    assert moves[0].losing_queue is None and moves[0].to_queues == ("yibao", "shebao")
    assert "暂无人办理" in st.why(moves[0], hall.loads["yibao"], NAMES)


def test_no_advice_when_balanced():
    windows = [window(n, 1, "rst", "shebao") for n in (1, 2, 3)] + [window(n, 1, "ybj", "yibao") for n in (13, 14, 15)]
    hall = model(windows, shebao=load(12, waiting=2), yibao=load(12, waiting=2))
    assert st.advise(hall) == []
    assert [m.change for m in st.candidate_moves(hall)] and all(m.change > 0 for m in st.candidate_moves(hall))


def test_the_reason_names_the_queues_and_the_waits():
    windows = [window(n, 1, "rst", "shebao") for n in (1, 2, 3, 4)] + [window(n, 1, "ybj", "yibao") for n in (13, 14)]
    hall = model(windows, shebao=load(6), yibao=load(62, waiting=35))
    move = st.advise(hall)[0]
    sentence = st.why(move, hall.loads["yibao"], NAMES)
    before, after = move.gaining_wait
    assert sentence.startswith(f"医保 近一小时到达 62 人、等候 35 人，预计平均等候 {before:.0f}→{after:.0f} 分钟；社保 ")


def test_measured_service_needs_three_samples():
    assert st.service_minutes((600.0, 3), 12) == 10
    assert st.service_minutes((600.0, 2), 12) == 12
    assert st.service_minutes(None, 12) == 12
    assert st.service_minutes((0.0, 5), 12) == st.MIN_SERVICE_MINUTES  # finished as soon as called


def test_a_queue_nobody_serves_is_listed_apart_not_averaged_at_a_hall_day():
    # 社保 is served; 医保 had 3 citizens in the last hour but its only clerk left: nobody waits now.
    windows = [window(n, 1, "rst", "shebao") for n in (1, 2, 3)]
    hall = model(windows, shebao=load(10, waiting=2), yibao=load(3))
    assert hall.unserved() == ["yibao"]
    assert hall.served_wait() == pytest.approx(st.pool_wait(load(10, waiting=2), 3))
    assert hall.served_wait() < 5  # not dragged towards 480 by the unserved queue's people
    assert hall.hall_wait() > 90  # the ranking mean still counts them a hall day (3 of 15 people at 480)
    first = st.advise(hall)[0]  # so giving 医保 a window ranks first
    assert first.queue == "yibao" and first.opens_queue and first.unserved_before
    text = st.why(first, hall.loads["yibao"], NAMES)
    assert text.startswith("医保 近一小时到达 3 人、等候 0 人，暂无窗口办理，改后预计平均等候 ") and "480" not in text


def test_a_queue_served_only_as_a_back_up_is_neither_unserved_nor_averaged():
    # window 2 lists 医保 behind 社保: 医保 is served, though no window serves it first
    windows = [window(1, 1, "rst", "shebao"), window(2, 1, "rst", "shebao", "yibao")]
    hall = model(windows, shebao=load(4), yibao=load(6, waiting=3))
    assert hall.unserved() == []
    assert hall.served_wait() == pytest.approx(st.pool_wait(load(4), 2))
    moves = st.advise(hall)
    assert moves and moves[0].queue == "yibao" and moves[0].opens_queue and not moves[0].unserved_before
    assert "暂无窗口优先办理" in st.why(moves[0], hall.loads["yibao"], NAMES)


def test_no_demand_on_any_served_queue_gives_no_mean():
    hall = model([window(1, 1, "rst", "shebao")], yibao=load(2))
    assert hall.served_wait() is None and hall.unserved() == ["yibao"]
    assert model([window(1, 1, "rst", "shebao")]).served_wait() is None
