"""Waiting estimates: how many are ahead of each ticket, and the wait the estimator gives for it
(the model itself: tests/unit/test_wait_prediction.py)."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.eta import ServingWindow, WaitEstimator, WaitingTicket, count_waiting
from server.domain.prediction import QueueRate, WindowStaffing, capacities
from server.domain.policy import PreferenceWithGreenChannel
from unit_factories import at, make_ticket, make_window


def wt(id, queue="A", green=False, minute=0, seq=None):
    return WaitingTicket(id=id, queue=queue, green=green, placed_at=at(minute), seq=seq if seq is not None else int(minute))


def est(*windows, avg=None, staffed=True):
    """Windows (number, queues), all open and busy, with a clerk each unless `staffed` is False."""
    rows = [WindowStaffing(n, tuple(q), "open", staffed, True) for n, q in windows]
    rates = {q: QueueRate(m, 0.0) for q, m in (avg or {}).items()}
    return WaitEstimator([ServingWindow(n, tuple(q)) for n, q in windows], capacities(rows, rates, 0), rates)


# --- ahead -------------------------------------------------------------------------------------

def test_nothing_waiting():
    assert est(("1", "A")).ahead([]) == {}
    assert est(("1", "A")).ahead_of_newcomer("A", []) == 0


def test_same_queue_green_first_then_issue_time():
    e = est(("1", "A"))
    waiting = [wt("n1", minute=0), wt("g1", green=True, minute=5), wt("n2", minute=10), wt("g2", green=True, minute=20)]
    assert e.ahead(waiting) == {"g1": 0, "g2": 1, "n1": 2, "n2": 3}


def test_same_issue_time_orders_by_seq():
    e = est(("1", "A"))
    waiting = [wt("x", minute=5, seq=9), wt("y", minute=5, seq=2)]
    assert e.ahead(waiting) == {"y": 0, "x": 1}


def test_queue_preferred_by_a_shared_window_counts():
    # Window 1 serves A before B.
    e = est(("1", "AB"))
    waiting = [wt("na", "A", minute=30), wt("ga", "A", green=True, minute=40),
               wt("nb", "B", minute=0), wt("gb", "B", green=True, minute=1)]
    assert e.ahead(waiting) == {
        "ga": 0,          # green in the preferred queue: nobody
        "gb": 1,          # green in B: the green of preferred A
        "na": 2,          # normal in A: its own green + the green of B (greens go first everywhere)
        "nb": 3,          # normal in B: all of A + the green of B
    }


def test_green_of_less_preferred_queue_counts_only_for_normal_tickets():
    e = est(("1", "AB"))
    waiting = [wt("ga", "A", green=True, minute=50), wt("gb1", "B", green=True, minute=0),
               wt("gb2", "B", green=True, minute=1), wt("nb", "B", minute=2), wt("na", "A", minute=60)]
    result = e.ahead(waiting)
    assert result["ga"] == 0             # B's greens are less preferred
    assert result["na"] == 1 + 2         # A's green + both greens of B; B's normal does not count
    assert result["gb2"] == 1 + 1        # ga (preferred) + gb1 (same queue, earlier)


def test_queues_sharing_no_window_do_not_count():
    e = est(("1", "A"), ("2", "B"))
    waiting = [wt("a1", "A", minute=0), wt("ga", "A", green=True, minute=1), wt("b1", "B", minute=5)]
    assert e.ahead(waiting) == {"ga": 0, "a1": 1, "b1": 0}


def test_sharing_is_through_a_common_window_only():
    # A and C are both served together with B, but never by the same window: they do not interact.
    e = est(("1", "AB"), ("2", "BC"))
    waiting = [wt("a", "A", minute=0), wt("c", "C", minute=1), wt("gc", "C", green=True, minute=2),
               wt("b", "B", minute=3)]
    assert e.ahead(waiting) == {
        "a": 0,        # C's green does not count: no window serves both A and C
        "gc": 0,       # B has no green; A does not count
        "c": 1 + 1,    # its own green + all of B (window 2 prefers B)
        "b": 1 + 1,    # all of A (window 1 prefers A) + the green of C (after B at window 2)
    }


def test_any_shared_window_preferring_the_other_queue_counts_it_fully():
    # Window 1 prefers A, window 2 prefers B: each counts the other queue as preferred.
    e = est(("1", "AB"), ("2", "BA"))
    waiting = [wt("a1", "A", minute=0), wt("a2", "A", minute=1), wt("b1", "B", minute=2), wt("gb", "B", green=True, minute=3)]
    assert e.ahead(waiting) == {"a1": 2, "a2": 3, "b1": 3, "gb": 0}


def test_unserved_queue_counts_only_its_own_line():
    e = est(("1", "A"))
    waiting = [wt("a", "A", minute=0), wt("z1", "Z", minute=1), wt("z2", "Z", minute=2)]
    assert e.ahead(waiting) == {"a": 0, "z1": 0, "z2": 1}
    assert e.estimate("Z", 1) is None


def test_ahead_of_newcomer_examples():
    e = est(("1", "AB"), ("2", "C"))
    waiting = [wt("a", "A", minute=0), wt("ga", "A", green=True, minute=1), wt("b", "B", minute=2),
               wt("gb", "B", green=True, minute=3), wt("c", "C", minute=4)]
    assert e.ahead_of_newcomer("A", waiting) == 2 + 1   # all of A + the green of B
    assert e.ahead_of_newcomer("B", waiting) == 2 + 2   # all of A + all of B
    assert e.ahead_of_newcomer("C", waiting) == 1
    assert e.ahead_of_newcomer("Z", waiting) == 0


# --- eta ---------------------------------------------------------------------------------------

def test_eta_of_first_queues_is_ahead_plus_one_completions_among_the_windows():
    # A is the first queue of windows 1 and 2 (6 minutes a ticket): with 5 ahead the ticket waits for the
    # 6th completion at 2 windows, about 6 × 6 / 2 = 18 minutes (the median a little below the mean).
    e = est(("1", "AB"), ("2", "AB"), avg={"A": 6, "B": 4})
    wait = e.estimate("A", 5)
    assert 16 <= wait.minutes <= 18 and wait.low < wait.minutes < wait.high


def test_more_windows_shorten_the_estimate():
    one = est(("1", "A"), avg={"A": 6}).estimate("A", 4)
    three = est(("1", "A"), ("2", "A"), ("3", "A"), avg={"A": 6}).estimate("A", 4)
    assert three.minutes * 2 < one.minutes and three.high < one.high


def test_eta_is_none_without_a_clerk_at_a_serving_window():
    assert est(avg={"A": 5}).estimate("A", 0) is None
    assert est(("1", "B"), avg={"A": 5, "B": 5}).estimate("A", 3) is None
    assert est(("1", "A"), avg={"A": 5}, staffed=False).estimate("A", 3) is None
    assert est(("1", "A"), avg={"A": 5}).estimate("A", 3) is not None


def test_eta_is_none_for_a_queue_without_rate():
    assert est(("1", "A")).estimate("A", 1) is None


# --- properties --------------------------------------------------------------------------------

QUEUES = ["A", "B", "C", "D"]

windows_st = st.lists(
    st.lists(st.sampled_from(QUEUES), min_size=1, max_size=4, unique=True).map(tuple),
    min_size=0, max_size=4)
waiting_st = st.lists(st.tuples(st.sampled_from(QUEUES), st.booleans(), st.integers(0, 30)), max_size=25)


def build_waiting(spec):
    return [wt(f"t{i}", q, g, m, seq=i + 1) for i, (q, g, m) in enumerate(spec)]


@settings(max_examples=300, deadline=None)
@given(windows=windows_st, spec=waiting_st, queue=st.sampled_from(QUEUES + ["Z"]))
def test_ahead_of_newcomer_equals_ahead_of_a_new_normal_ticket(windows, spec, queue):
    e = WaitEstimator([ServingWindow(str(i), qs) for i, qs in enumerate(windows)], {}, {})
    waiting = build_waiting(spec)
    newcomer = WaitingTicket("new", queue, False, at(31), len(spec) + 1)
    assert e.ahead(waiting + [newcomer])["new"] == e.ahead_of_newcomer(queue, waiting)


@settings(max_examples=200, deadline=None)
@given(queues=st.lists(st.sampled_from(QUEUES), min_size=1, max_size=4, unique=True).map(tuple), spec=waiting_st)
def test_with_one_window_ahead_is_the_exact_position_in_the_policy_ranking(queues, spec):
    """With a single window and no green streak, the estimate is exact: it matches the policy."""
    waiting = [w for w in build_waiting(spec) if w.queue in queues]
    e = WaitEstimator([ServingWindow("1", queues)], {}, {})
    tickets = [make_ticket(id=w.id, queue=w.queue, seq=w.seq, green=w.green,
                           issued_min=(w.placed_at - at(0)) / dt.timedelta(minutes=1)) for w in waiting]
    ranked = PreferenceWithGreenChannel(green_max_in_row=1000).rank(make_window(queues=queues), tickets)
    assert e.ahead(waiting) == {t.id: i for i, t in enumerate(ranked)}


@settings(max_examples=100, deadline=None)
@given(windows=windows_st, spec=waiting_st)
def test_ahead_is_a_permutation_within_each_queue(windows, spec):
    """Within one queue the counts grow strictly along green-then-issue order."""
    e = WaitEstimator([ServingWindow(str(i), qs) for i, qs in enumerate(windows)], {}, {})
    waiting = build_waiting(spec)
    result = e.ahead(waiting)
    assert set(result) == {w.id for w in waiting}
    for q in QUEUES:
        line = sorted((w for w in waiting if w.queue == q), key=lambda w: (not w.green, w.placed_at, w.seq))
        counts = [result[w.id] for w in line]
        assert counts == sorted(counts) and len(set(counts)) == len(counts)
        if line:
            assert counts[0] >= 0 and all(c >= i for i, c in enumerate(counts))


@given(st.lists(st.tuples(st.sampled_from("ABC"), st.booleans(), st.integers(0, 50)), max_size=40))
def test_ahead_of_one_ticket_equals_ahead_of_all(rows):
    """The one-pass count the kiosk uses agrees with the full computation, ticket by ticket."""
    estimator = WaitEstimator([ServingWindow("1", ("A", "B")), ServingWindow("2", ("B", "A")),
                               ServingWindow("3", ("C",)), ServingWindow("4", ("C", "A"))], {}, {})
    base = dt.datetime(2024, 5, 6, 1, tzinfo=dt.timezone.utc)
    waiting = [WaitingTicket(f"t{i}", q, g, base + dt.timedelta(minutes=m), i) for i, (q, g, m) in enumerate(rows)]
    everyone = estimator.ahead(waiting)
    assert {t.id: estimator.ahead_of(t, waiting) for t in waiting} == everyone


@settings(max_examples=300, deadline=None)
@given(windows=windows_st, spec=waiting_st, queue=st.sampled_from(QUEUES + ["Z"]), green=st.booleans())
def test_ahead_of_newest_from_counts_equals_ahead_of_a_new_ticket(windows, spec, queue, green):
    """The kiosk's count-only answer agrees with the full computation for a ticket issued now."""
    e = WaitEstimator([ServingWindow(str(i), qs) for i, qs in enumerate(windows)], {}, {})
    waiting = build_waiting(spec)
    newest = WaitingTicket("new", queue, green, at(31), len(spec) + 1)
    assert e.ahead(waiting + [newest])["new"] == e.ahead_of_newest(queue, green, count_waiting(waiting))
