"""Windows: sign in/out, pause/resume, open/close, queues and the green streak."""
from __future__ import annotations

import copy

import pytest

from server.domain import events
from server.domain.errors import Conflict
from server.domain.model import WindowState
from unit_factories import make_ticket, make_window

OPEN, PAUSED, CLOSED = WindowState.OPEN, WindowState.PAUSED, WindowState.CLOSED


def win(state=CLOSED, clerk=None, current=None, queues=("A", "B")):
    return make_window(number="3", queues=queues, state=state, clerk=clerk, current_ticket=current)


def refused(w, action, message=None):
    before, events_before = copy.deepcopy(w), list(w.events)
    with pytest.raises(Conflict) as err:
        action()
    assert err.value.code == "conflict"
    if message is not None:
        assert err.value.message == message
    assert w == before
    assert w.events == events_before
    return err.value


# --- sign in / out -----------------------------------------------------------------------------

def test_sign_in_opens_a_closed_window():
    w = win(CLOSED)
    w.sign_in("li")
    assert (w.state, w.clerk) == (OPEN, "li")
    assert w.events == [events.WindowSignedIn("3", "li")]


def test_sign_in_keeps_a_paused_window_paused():
    w = win(PAUSED)
    w.sign_in("li")
    assert (w.state, w.clerk) == (PAUSED, "li")


def test_same_clerk_may_sign_in_again():
    w = win(OPEN, clerk="li")
    w.sign_in("li")
    assert (w.state, w.clerk) == (OPEN, "li")
    assert w.events == [events.WindowSignedIn("3", "li")]


def test_sign_in_refuses_another_clerk():
    w = win(OPEN, clerk="li")
    refused(w, lambda: w.sign_in("wang"),
            "Window 3 is signed in by li; they must sign out first, or an admin closes the window.")
    assert w.clerk == "li"


def test_sign_out_closes_and_clears_the_clerk():
    w = win(OPEN, clerk="li")
    w.sign_out()
    assert (w.state, w.clerk) == (CLOSED, None)
    assert w.events == [events.WindowSignedOut("3", "li")]
    w.sign_in("wang")  # now someone else may sign in
    assert (w.state, w.clerk) == (OPEN, "wang")


def test_sign_out_refused_while_serving():
    w = win(OPEN, clerk="li", current="t1")
    refused(w, w.sign_out,
            "Window 3 still serves a ticket; finish, transfer or mark it before signing out.")


def test_sign_out_from_paused_window_closes_it():
    w = win(PAUSED, clerk="li")
    w.sign_out()
    assert (w.state, w.clerk) == (CLOSED, None)


# --- can call / current ------------------------------------------------------------------------

def test_require_can_call():
    win(OPEN, clerk="li").require_can_call()  # no error
    refused(w := win(PAUSED, clerk="li"), w.require_can_call, "Window 3 is paused; resume it before calling.")
    refused(w := win(CLOSED), w.require_can_call, "Window 3 is closed.")


def test_require_current():
    assert win(OPEN, clerk="li", current="t7").require_current() == "t7"
    refused(w := win(OPEN, clerk="li"), w.require_current, "Window 3 has no current ticket; call one first.")


# --- pause / resume ----------------------------------------------------------------------------

def test_pause_and_resume():
    w = win(OPEN, clerk="li")
    w.pause()
    assert w.state is PAUSED
    w.resume()
    assert w.state is OPEN
    assert w.events == [events.WindowPaused("3"), events.WindowResumed("3")]
    assert w.clerk == "li"


@pytest.mark.parametrize("state", [PAUSED, CLOSED])
def test_only_an_open_window_can_pause(state):
    w = win(state, clerk="li")
    refused(w, w.pause, f"Window 3 is {state.value}; only an open window can pause.")


@pytest.mark.parametrize("state", [OPEN, CLOSED])
def test_only_a_paused_window_can_resume(state):
    w = win(state, clerk="li")
    refused(w, w.resume, f"Window 3 is {state.value}, not paused.")


def test_pause_is_allowed_while_serving():
    w = win(OPEN, clerk="li", current="t1")
    w.pause()
    assert (w.state, w.current_ticket) == (PAUSED, "t1")


# --- set_state (admin) -------------------------------------------------------------------------

def test_set_state_closed_clears_the_clerk():
    w = win(OPEN, clerk="li")
    w.set_state(CLOSED)
    assert (w.state, w.clerk) == (CLOSED, None)
    assert w.events == [events.WindowStateSet("3", "closed")]


@pytest.mark.parametrize("state", [OPEN, PAUSED])
def test_set_state_closed_refused_while_serving(state):
    w = win(state, clerk="li", current="t1")
    refused(w, lambda: w.set_state(CLOSED),
            "Window 3 still serves a ticket; it can close once that ticket is finished.")


@pytest.mark.parametrize("start, target", [(CLOSED, OPEN), (OPEN, PAUSED), (PAUSED, OPEN), (CLOSED, PAUSED)])
def test_set_state_other_states_keep_the_clerk(start, target):
    w = win(start, clerk="li", current="t1")
    w.set_state(target)
    assert (w.state, w.clerk, w.current_ticket) == (target, "li", "t1")
    assert w.events == [events.WindowStateSet("3", target.value)]


# --- queues ------------------------------------------------------------------------------------

def test_set_queues_replaces_the_preference_order():
    w = win(OPEN, clerk="li")
    w.set_queues(("C", "A"))
    assert w.queues == ("C", "A")
    assert w.events == [events.WindowQueuesSet("3", ("C", "A"))]


def test_set_queues_refuses_empty():
    w = win(OPEN, clerk="li")
    refused(w, lambda: w.set_queues(()), "A window must serve at least one queue.")
    assert w.queues == ("A", "B")


def test_set_queues_refuses_duplicates():
    w = win(OPEN, clerk="li")
    refused(w, lambda: w.set_queues(("A", "C", "A")), "A queue is listed twice.")
    assert w.queues == ("A", "B")


# --- took / released and the green streak ------------------------------------------------------

def test_took_sets_current_and_counts_green_streak():
    w = win(OPEN, clerk="li")
    assert w.green_streak == 0
    w.took(make_ticket(id="g1", green=True))
    assert (w.current_ticket, w.green_streak) == ("g1", 1)
    w.released()
    assert w.current_ticket is None
    w.took(make_ticket(id="g2", green=True))
    assert w.green_streak == 2
    w.took(make_ticket(id="g3", green=True))
    assert w.green_streak == 3
    w.took(make_ticket(id="n1", green=False))
    assert (w.current_ticket, w.green_streak) == ("n1", 0)
    w.took(make_ticket(id="n2", green=False))
    assert w.green_streak == 0
    w.took(make_ticket(id="g4", green=True))
    assert w.green_streak == 1
    assert w.events == []  # what a window serves is told when it is saved (WindowUpdated)


def test_released_records_no_fact_of_its_own():
    w = win(OPEN, clerk="li", current="t1")
    w.released()
    assert w.current_ticket is None
    assert w.events == []  # as above: the save tells it
