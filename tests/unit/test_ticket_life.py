"""A ticket's life: waiting → called → done | no_show | routed | cancelled, with recalls and transfers."""
from __future__ import annotations

import copy

import pytest

from server.domain.errors import Conflict
from server.domain.model import FINAL_STATUSES, TicketStatus
from unit_factories import at, make_ticket, make_window, said


@pytest.fixture
def ticket():
    return make_ticket(id="t1", queue="A", seq=1)


@pytest.fixture
def window():
    return make_window(number="5", queues=("A", "B"), clerk="li")


def called(ticket, window, minute=10):
    ticket.call(window, "li", at(minute))
    return ticket


def snapshot(ticket):
    return copy.deepcopy(ticket), list(ticket.events)


def assert_unchanged(ticket, snap):
    before, events_before = snap
    assert ticket == before  # every field except the event list
    assert ticket.events == events_before


# --- the happy paths ---------------------------------------------------------------------------

def test_new_ticket_waits_with_no_window(ticket):
    assert ticket.status is TicketStatus.WAITING
    assert (ticket.window, ticket.clerk, ticket.called_at, ticket.finished_at, ticket.recalls) == (None, None, None, None, 0)
    assert ticket.events == []


def test_call_assigns_window_clerk_and_time(ticket, window):
    ticket.call(window, "li", at(10))
    assert ticket.status is TicketStatus.CALLED
    assert ticket.window == "5"
    assert ticket.clerk == "li"
    assert ticket.called_at == at(10)
    assert ticket.recalls == 0
    assert said(ticket) == [("called", "5")]
    assert ticket.events[0].ticket == ticket.facts()  # the event carries the ticket as it stood


def test_finish_records_done_and_service_time(ticket, window):
    called(ticket, window, 10)
    ticket.finish(at(17.5))
    assert ticket.status is TicketStatus.DONE
    assert ticket.finished_at == at(17.5)
    assert ticket.service_seconds == 450
    assert ticket.window == "5"  # the window that served it stays on record
    assert said(ticket)[-1] == ("done", "5") and ticket.events[-1].ticket.status == "done"
    assert len(ticket.events) == 2


@pytest.mark.parametrize("method, status", [
    ("mark_no_show", TicketStatus.NO_SHOW),
    ("mark_routed", TicketStatus.ROUTED),
])
def test_called_ticket_can_end_as_no_show_or_routed(ticket, window, method, status):
    called(ticket, window, 10)
    getattr(ticket, method)(at(12), *(["202405060001"] if method == "mark_routed" else []))
    assert ticket.status is status
    assert ticket.finished_at == at(12)
    assert ticket.service_seconds is None  # only a finished (done) ticket has a service time
    assert said(ticket) == [("called", "5"), (status.value, "5")]


def test_service_seconds_is_none_before_the_end(ticket, window):
    assert ticket.service_seconds is None
    called(ticket, window)
    assert ticket.service_seconds is None


def test_cancel_a_waiting_ticket(ticket):
    ticket.cancel(at(3), reason="left the hall")
    assert ticket.status is TicketStatus.CANCELLED
    assert ticket.finished_at == at(3)
    assert said(ticket) == [("cancelled", None)] and ticket.events[0].reason == "left the hall"


def test_cancel_a_called_ticket_names_its_window(ticket, window):
    called(ticket, window)
    ticket.cancel(at(11), reason="wrong matter")
    assert ticket.status is TicketStatus.CANCELLED
    assert said(ticket)[-1] == ("cancelled", "5") and ticket.events[-1].reason == "wrong matter"


def test_final_statuses():
    assert FINAL_STATUSES == {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.ROUTED, TicketStatus.CANCELLED}
    assert TicketStatus.WAITING not in FINAL_STATUSES and TicketStatus.CALLED not in FINAL_STATUSES


# --- illegal transitions -----------------------------------------------------------------------

ACTIONS = {
    "call": lambda t, w: t.call(w, "wang", at(30)),
    "recall": lambda t, w: t.recall(3, at(30)),
    "finish": lambda t, w: t.finish(at(30)),
    "mark_no_show": lambda t, w: t.mark_no_show(at(30)),
    "mark_routed": lambda t, w: t.mark_routed(at(30), "202405060001"),
    "transfer": lambda t, w: t.transfer("B", at(30)),
    "cancel": lambda t, w: t.cancel(at(30), reason="x"),
}
WORDS = {"call": "called", "recall": "recalled", "finish": "finished", "mark_no_show": "marked as a no-show",
         "mark_routed": "routed", "transfer": "transferred", "cancel": "cancelled"}
ALLOWED = {
    TicketStatus.WAITING: {"call", "cancel"},
    TicketStatus.CALLED: {"recall", "finish", "mark_no_show", "mark_routed", "transfer", "cancel"},
    TicketStatus.DONE: set(),
    TicketStatus.NO_SHOW: set(),
    TicketStatus.ROUTED: set(),
    TicketStatus.CANCELLED: set(),
}


def ticket_in(status, window):
    t = make_ticket(id="t9", queue="A", seq=42)
    if status is TicketStatus.WAITING:
        return t
    called(t, window)
    if status is TicketStatus.DONE:
        t.finish(at(20))
    elif status is TicketStatus.NO_SHOW:
        t.mark_no_show(at(20))
    elif status is TicketStatus.ROUTED:
        t.mark_routed(at(20), "202405060001")
    elif status is TicketStatus.CANCELLED:
        t.cancel(at(20), reason="gone")
    assert t.status is status
    return t


ILLEGAL = [(s, a) for s in TicketStatus for a in ACTIONS if a not in ALLOWED[s]]


@pytest.mark.parametrize("status, action", ILLEGAL, ids=[f"{s.value}-{a}" for s, a in ILLEGAL])
def test_illegal_transition_raises_conflict_and_changes_nothing(status, action, window):
    t = ticket_in(status, window)
    snap = snapshot(t)
    with pytest.raises(Conflict) as err:
        ACTIONS[action](t, window)
    assert err.value.code == "conflict"
    assert err.value.message == f"Ticket A042 is {status.value}; it cannot be {WORDS[action]}."
    assert str(err.value) == err.value.message
    assert_unchanged(t, snap)


def test_the_transition_table_is_complete():
    # Every (status, action) is either allowed or tested as illegal.
    assert len(ILLEGAL) == 6 * 7 - 2 - 6
    assert ("waiting", "call") not in {(s.value, a) for s, a in ILLEGAL}


def test_called_ticket_cannot_be_called_again(ticket, window):
    called(ticket, window)
    other = make_window(number="6", queues=("A",), clerk="wang")
    with pytest.raises(Conflict, match="Ticket A001 is called; it cannot be called."):
        ticket.call(other, "wang", at(11))
    assert ticket.window == "5" and ticket.clerk == "li"


# --- recall ------------------------------------------------------------------------------------

def test_recall_up_to_the_default_limit_then_conflict(ticket, window):
    called(ticket, window)
    for n in (1, 2, 3):
        ticket.recall(3, at(10 + n))
        assert ticket.recalls == n
        assert ticket.status is TicketStatus.CALLED
    assert said(ticket) == [("called", "5")] + [("recalled", "5")] * 3
    snap = snapshot(ticket)
    with pytest.raises(Conflict) as err:
        ticket.recall(3, at(15))
    assert err.value.message == "Ticket A001 has been recalled 3 times, the limit; mark it as a no-show."
    assert_unchanged(ticket, snap)
    ticket.mark_no_show(at(16))  # the way out
    assert ticket.status is TicketStatus.NO_SHOW


def test_recall_respects_a_custom_limit(ticket, window):
    called(ticket, window)
    ticket.recall(1, at(11))
    with pytest.raises(Conflict, match="recalled 1 times"):
        ticket.recall(1, at(12))
    assert ticket.recalls == 1


def test_recall_limit_zero_forbids_any_recall(ticket, window):
    called(ticket, window)
    with pytest.raises(Conflict):
        ticket.recall(0, at(11))
    assert ticket.recalls == 0
    assert len(ticket.events) == 1


def test_recall_keeps_the_original_call_time(ticket, window):
    called(ticket, window, 10)
    ticket.recall(3, at(12))
    assert ticket.called_at == at(10)


# --- transfer ----------------------------------------------------------------------------------

def test_transfer_puts_the_ticket_back_to_waiting_in_another_queue(ticket, window):
    issued = ticket.issued_at
    called(ticket, window)
    ticket.recall(3, at(11))
    ticket.transfer("B", at(12))
    assert ticket.status is TicketStatus.WAITING
    assert ticket.queue == "B"
    assert ticket.series_queue == "A"
    assert ticket.number == "A001"
    assert ticket.issued_at == issued
    assert (ticket.window, ticket.clerk, ticket.called_at, ticket.finished_at) == (None, None, None, None)
    assert ticket.recalls == 0
    assert said(ticket)[-1] == ("transferred", None)
    assert (ticket.events[-1].ticket.queue, ticket.events[-1].from_window) == ("B", "5")
    assert len(ticket.events) == 3


def test_transfer_to_the_same_queue_is_refused(ticket, window):
    called(ticket, window)
    snap = snapshot(ticket)
    with pytest.raises(Conflict) as err:
        ticket.transfer("A", at(12))
    assert err.value.message == "Ticket A001 already waits in queue A; choose another queue."
    assert_unchanged(ticket, snap)


def test_transferred_ticket_can_be_called_again_with_fresh_recalls(ticket, window):
    called(ticket, window)
    for i in range(3):
        ticket.recall(3, at(11 + i))
    ticket.transfer("B", at(15))
    other = make_window(number="7", queues=("B",), clerk="zhao")
    ticket.call(other, "zhao", at(20))
    assert (ticket.status, ticket.window, ticket.clerk, ticket.called_at) == (TicketStatus.CALLED, "7", "zhao", at(20))
    ticket.recall(3, at(21))  # the counter started over
    assert ticket.recalls == 1
    ticket.finish(at(25))
    assert ticket.service_seconds == 300  # measured from the new call


def test_full_event_history(ticket, window):
    called(ticket, window)
    ticket.recall(3, at(11))
    ticket.transfer("B", at(12))
    ticket.call(make_window(number="7", queues=("B",)), "zhao", at(20))
    ticket.finish(at(30))
    assert said(ticket) == [("called", "5"), ("recalled", "5"), ("transferred", None), ("called", "7"), ("done", "7")]
