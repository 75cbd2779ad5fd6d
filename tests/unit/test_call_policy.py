"""The call-next policy: queue preference, waiting order, the green channel and its no-starvation cap."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.model import Priority, TicketStatus
from server.domain.policy import PreferenceWithGreenChannel
from unit_factories import at, make_ticket, make_window

policy = PreferenceWithGreenChannel(green_max_in_row=2)


def ids(tickets):
    return [t.id for t in tickets]


def test_empty_candidates_rank_empty():
    assert policy.rank(make_window(queues=("A",)), []) == []


def test_window_prefers_queues_in_its_order():
    a = make_ticket(id="a", queue="A", issued_min=0)
    b = make_ticket(id="b", queue="B", issued_min=30)
    c = make_ticket(id="c", queue="C", issued_min=10)
    assert ids(policy.rank(make_window(queues=("B", "C", "A")), [a, b, c])) == ["b", "c", "a"]
    assert ids(policy.rank(make_window(queues=("A", "B", "C")), [c, b, a])) == ["a", "b", "c"]


def test_within_a_queue_the_earliest_issued_goes_first():
    t1 = make_ticket(id="late", seq=1, issued_min=20)
    t2 = make_ticket(id="early", seq=2, issued_min=5)
    t3 = make_ticket(id="mid", seq=3, issued_min=10)
    assert ids(policy.rank(make_window(queues=("A",)), [t1, t2, t3])) == ["early", "mid", "late"]


def test_same_issue_time_falls_back_to_sequence():
    t1 = make_ticket(id="x", seq=7, issued_min=5)
    t2 = make_ticket(id="y", seq=3, issued_min=5)
    assert ids(policy.rank(make_window(queues=("A",)), [t1, t2])) == ["y", "x"]


def test_transferred_ticket_keeps_its_place_by_issue_time():
    window_b = make_window(number="9", queues=("B",))
    moved = make_ticket(id="moved", queue="B", seq=1, issued_min=0)  # issued 09:00 in queue B
    moved.call(window_b, "li", at(40))
    moved.transfer("A", at(45))
    a1 = make_ticket(id="a1", queue="A", seq=1, issued_min=10)
    a2 = make_ticket(id="a2", queue="A", seq=2, issued_min=20)
    ranked = policy.rank(make_window(queues=("A",)), [a1, a2, moved])
    assert ids(ranked) == ["moved", "a1", "a2"]


def test_transferred_ticket_goes_after_earlier_ones():
    window_b = make_window(number="9", queues=("B",))
    moved = make_ticket(id="moved", queue="B", seq=5, issued_min=15)
    moved.call(window_b, "li", at(40))
    moved.transfer("A", at(45))
    a1 = make_ticket(id="a1", queue="A", seq=1, issued_min=10)
    a2 = make_ticket(id="a2", queue="A", seq=2, issued_min=20)
    assert ids(policy.rank(make_window(queues=("A",)), [a2, moved, a1])) == ["a1", "moved", "a2"]


def test_green_goes_first_across_the_window_queues():
    w = make_window(queues=("A", "B"))
    na = make_ticket(id="na", queue="A", issued_min=0)
    gb = make_ticket(id="gb", queue="B", green=True, issued_min=30)
    nb = make_ticket(id="nb", queue="B", issued_min=1)
    assert ids(policy.rank(w, [na, nb, gb])) == ["gb", "na", "nb"]


def test_greens_among_themselves_follow_queue_preference_then_issue_time():
    w = make_window(queues=("A", "B"))
    gb = make_ticket(id="gb", queue="B", green=True, issued_min=0)
    ga2 = make_ticket(id="ga2", queue="A", green=True, seq=2, issued_min=20)
    ga1 = make_ticket(id="ga1", queue="A", green=True, seq=1, issued_min=10)
    na = make_ticket(id="na", queue="A", issued_min=0)
    assert ids(policy.rank(w, [gb, na, ga2, ga1])) == ["ga1", "ga2", "gb", "na"]


@pytest.mark.parametrize("streak, expected", [
    (0, ["g1", "g2", "n1", "n2"]),
    (1, ["g1", "g2", "n1", "n2"]),
    (2, ["n1", "n2", "g1", "g2"]),  # the cap: a normal ticket goes first
    (5, ["n1", "n2", "g1", "g2"]),
])
def test_green_cap_lets_a_normal_ticket_through(streak, expected):
    w = make_window(queues=("A", "B"), green_streak=streak)
    g1 = make_ticket(id="g1", queue="A", green=True, seq=1, issued_min=5)
    g2 = make_ticket(id="g2", queue="B", green=True, seq=2, issued_min=6)
    n1 = make_ticket(id="n1", queue="A", seq=3, issued_min=1)
    n2 = make_ticket(id="n2", queue="B", seq=4, issued_min=0)
    assert ids(policy.rank(w, [g2, n2, g1, n1])) == expected


def test_greens_still_go_past_the_cap_when_no_normal_waits():
    w = make_window(queues=("A",), green_streak=7)
    g1 = make_ticket(id="g1", green=True, seq=1, issued_min=1)
    g2 = make_ticket(id="g2", green=True, seq=2, issued_min=2)
    assert ids(policy.rank(w, [g2, g1])) == ["g1", "g2"]


def test_normal_from_an_unserved_queue_does_not_trigger_the_cap():
    w = make_window(queues=("A",), green_streak=2)
    g = make_ticket(id="g", queue="A", green=True)
    stranger = make_ticket(id="s", queue="Z")
    assert ids(policy.rank(w, [stranger, g])) == ["g"]


def test_tickets_of_unserved_queues_are_dropped():
    w = make_window(queues=("B", "A"))
    tickets = [make_ticket(id="c", queue="C", issued_min=0), make_ticket(id="a", queue="A", issued_min=1),
               make_ticket(id="gz", queue="Z", green=True), make_ticket(id="b", queue="B", issued_min=2)]
    assert ids(policy.rank(w, tickets)) == ["b", "a"]
    assert policy.rank(make_window(queues=("Q",)), tickets) == []


def test_rank_does_not_mutate_input_or_window():
    w = make_window(queues=("A",), green_streak=1)
    cands = [make_ticket(id="n", issued_min=0), make_ticket(id="g", green=True, issued_min=5)]
    policy.rank(w, cands)
    assert ids(cands) == ["n", "g"]
    assert w.green_streak == 1 and w.events == []


# --- simulation --------------------------------------------------------------------------------

def drain(policy, window, waiting):
    """Call the first ranked ticket until nothing is left; return (calls, greens-in-a-row violations)."""
    waiting = list(waiting)
    calls, run, worst_run_with_normals = [], 0, 0
    minute = 100
    while waiting:
        ranked = policy.rank(window, waiting)
        assert ranked, "tickets wait but none is ranked"
        t = ranked[0]
        normals_waiting = any(x.priority is Priority.NORMAL for x in waiting)
        t.call(window, "li", at(minute))
        window.took(t)
        waiting.remove(t)
        t.finish(at(minute + 1))
        window.released()
        minute += 2
        run = run + 1 if t.priority is Priority.GREEN else 0
        if normals_waiting:
            worst_run_with_normals = max(worst_run_with_normals, run)
        calls.append(t)
    return calls, worst_run_with_normals


def test_simulation_green_cap_two_drains_ten_green_and_ten_normal():
    rnd = random.Random(20240506)
    tickets = []
    for i in range(20):
        tickets.append(make_ticket(id=f"t{i:02d}", queue=rnd.choice("AB"), seq=i + 1, green=i % 2 == 0,
                                   issued_min=i))
    rnd.shuffle(tickets)
    window = make_window(queues=("A", "B"))
    calls, worst = drain(PreferenceWithGreenChannel(2), window, tickets)

    assert worst <= 2
    assert sorted(ids(calls)) == sorted(t.id for t in tickets)
    assert len(calls) == len(set(ids(calls))) == 20
    assert all(t.status is TicketStatus.DONE and t.window == "1" for t in tickets)
    assert all(sum(1 for e in t.events if e.kind == "called") == 1 for t in tickets)
    pattern = "".join("G" if t.priority is Priority.GREEN else "N" for t in calls)
    assert pattern == "GGN" * 5 + "NNNNN"
    # Within each priority class the calls follow queue preference, then issue time.
    for prio in Priority:
        seen = [t for t in calls if t.priority is prio]
        assert seen == sorted(seen, key=lambda t: (window.queues.index(t.queue), t.issued_at))


@settings(max_examples=60, deadline=None)
@given(
    cap=st.integers(min_value=1, max_value=4),
    mix=st.lists(st.tuples(st.booleans(), st.sampled_from(["A", "B", "C"]), st.integers(0, 120)),
                 min_size=1, max_size=25),
)
def test_simulation_cap_holds_for_any_mix(cap, mix):
    tickets = [make_ticket(id=f"t{i}", queue=q, seq=i + 1, green=g, issued_min=m) for i, (g, q, m) in enumerate(mix)]
    window = make_window(queues=("C", "A", "B"))
    calls, worst = drain(PreferenceWithGreenChannel(cap), window, tickets)
    assert worst <= cap
    assert sorted(ids(calls)) == sorted(t.id for t in tickets)
    greens = sum(1 for t in tickets if t.priority is Priority.GREEN)
    normals = len(tickets) - greens
    # Greens are never held back when they may go: the i-th normal is called no later than allowed.
    pattern = "".join("G" if t.priority is Priority.GREEN else "N" for t in calls)
    expected, g, n = "", greens, normals
    while g or n:
        take = min(g, cap) if n else g
        expected += "G" * take
        g -= take
        if n:
            expected += "N"
            n -= 1
            if g == 0:
                expected += "N" * n
                n = 0
    assert pattern == expected
