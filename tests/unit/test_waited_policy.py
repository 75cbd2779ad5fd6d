"""The `waited` call-next policy: waiting time weighed across the window's queues, green first with its cap."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from server.domain.model import TicketKind
from server.domain.policy import POLICIES, PreferenceWithGreenChannel, WaitedAcrossQueues, policy_named
from unit_factories import make_ticket, make_window

waited = WaitedAcrossQueues(green_max_in_row=2, minutes_per_preference=10)


def ids(tickets):
    return [t.id for t in tickets]


def test_a_long_waiting_ticket_of_the_second_queue_goes_before_a_fresh_one_of_the_first():
    w = make_window(queues=("A", "B"))
    old_b = make_ticket(id="old_b", queue="B", issued_min=0)
    fresh_a = make_ticket(id="fresh_a", queue="A", issued_min=25)
    assert ids(waited.rank(w, [fresh_a, old_b])) == ["old_b", "fresh_a"]
    # today's rule takes the first queue whatever the second waited: the starvation this policy ends
    assert ids(PreferenceWithGreenChannel(2).rank(w, [fresh_a, old_b])) == ["fresh_a", "old_b"]


def test_within_the_handicap_the_first_queue_keeps_its_turn():
    w = make_window(queues=("A", "B"))
    b = make_ticket(id="b", queue="B", issued_min=0)
    a = make_ticket(id="a", queue="A", issued_min=9)  # b waited 9 minutes longer: less than one step of 10
    assert ids(waited.rank(w, [b, a])) == ["a", "b"]


def test_the_handicap_grows_with_each_step_down_the_window_order():
    w = make_window(queues=("A", "B", "C"))
    c = make_ticket(id="c", queue="C", issued_min=0)
    b = make_ticket(id="b", queue="B", issued_min=5)
    a = make_ticket(id="a", queue="A", issued_min=18)
    # turns: A 18, B 5+10 = 15, C 0+20 = 20
    assert ids(waited.rank(w, [a, b, c])) == ["b", "a", "c"]


def test_green_still_goes_first_across_queues():
    w = make_window(queues=("A", "B"))
    old_normal = make_ticket(id="old_normal", queue="A", issued_min=0)
    green_b = make_ticket(id="green_b", queue="B", green=True, issued_min=60)
    assert ids(waited.rank(w, [old_normal, green_b]))[0] == "green_b"


def test_the_green_cap_lets_a_normal_ticket_through():
    w = make_window(queues=("A", "B"), green_streak=2)
    g = make_ticket(id="g", queue="A", green=True, issued_min=0)
    n = make_ticket(id="n", queue="B", issued_min=30)
    assert ids(waited.rank(w, [g, n])) == ["n", "g"]


def test_an_appointment_keeps_its_place_before_walk_ins_of_its_queue():
    w = make_window(queues=("A",))
    walk_in = make_ticket(id="walk_in", issued_min=0)
    booked = make_ticket(id="booked", seq=2, issued_min=20, kind=TicketKind.APPOINTMENT)
    assert ids(waited.rank(w, [walk_in, booked])) == ["booked", "walk_in"]


def test_tickets_of_queues_the_window_does_not_serve_are_dropped():
    w = make_window(queues=("A",))
    assert ids(waited.rank(w, [make_ticket(id="z", queue="Z"), make_ticket(id="a", queue="A")])) == ["a"]


def test_the_registry_names_both_policies_and_refuses_others():
    config = SimpleNamespace(hall=SimpleNamespace(green_max_in_row=3))
    assert set(POLICIES) == {"preference", "waited"}
    assert isinstance(policy_named("preference", config), PreferenceWithGreenChannel)
    chosen = policy_named("waited", config)
    assert isinstance(chosen, WaitedAcrossQueues) and chosen.green_max_in_row == 3
    with pytest.raises(ValueError, match="unknown policy"):
        policy_named("fifo", config)
