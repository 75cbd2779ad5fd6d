"""The one event stream, on the in-memory unit of work: a ticket's audit trail is exactly the events its
commands published, in order; events reach the bus only after the commit, and a refused command
publishes nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from server.domain import events as ev
from server.domain.errors import Conflict
from server.services.actors import Actor
from server.services.bus import AUDIENCES, Audience

pytest_plugins = ["service_hall"]  # the hall_at fixture

KIOSK = Actor("device", "kiosk-1", "kiosk")
LI = Actor("staff", "li", "clerk", ("rst",))
WANG = Actor("staff", "wang", "clerk", ("rst",))


class Heard:
    """Every event any audience hears, once each, in the order the bus handed them on."""

    def __init__(self, bus):
        self.events: list[ev.Event] = []
        for audience in Audience:
            bus.subscribe(audience, self.take)

    def take(self, event, _audience) -> None:
        if not any(e is event for e in self.events):
            self.events.append(event)


@pytest.fixture
def hall(hall_at):
    return hall_at(dt.datetime(2026, 3, 2, 9, 0))[0]


def test_a_tickets_audit_trail_equals_the_events_it_went_through(hall):
    log: list[ev.Event] = []
    hall.bus.publish = lambda events, publish=hall.bus.publish: (log.extend(events), publish(events))[-1]
    hall.windows.sign_in(LI, "1")
    hall.windows.sign_in(WANG, "2")
    ticket = hall.tickets.take_ticket(KIOSK, "rst-sbk").body["ticket"]
    hall.windows.call_next(LI, "1")
    hall.windows.recall(LI, "1")
    hall.windows.transfer(LI, "1", "yibao")
    hall.windows.set_queues(Actor("staff", "boss", "admin"), "2", ["yibao"])
    hall.windows.call_next(WANG, "2")
    hall.windows.finish(WANG, "2")

    mine = [e for e in log if isinstance(e, ev.TicketEvent) and e.ticket.id == ticket["id"]]
    assert [e.kind for e in mine] == ["issued", "called", "recalled", "transferred", "called", "done"]
    trail = hall.queries.ticket_history(LI, ticket["id"])
    assert [(h["kind"], h["status"], h["queue"], h["window"]) for h in trail] == \
        [(e.kind, e.ticket.status, e.ticket.queue, e.ticket.window) for e in mine]
    assert trail[1]["actor"] == "user:li" and trail[4]["actor"] == "user:wang" and trail[0]["actor"] == "device:kiosk-1"
    assert trail[3]["detail"]["from_window"] == "1" and trail[0]["detail"]["issued_by"] == "kiosk-1"


def test_events_are_published_after_the_commit_and_a_refusal_publishes_nothing(hall):
    heard = Heard(hall.bus)
    committed = []
    uow_factory = hall.runner.unit_of_work

    def spying_unit_of_work():
        uow = uow_factory()
        commit = uow.commit

        def commit_then_note():
            assert heard.events == [], "an event was published before its commit"
            commit()
            committed.append(True)
        uow.commit = commit_then_note
        return uow
    hall.runner.unit_of_work = spying_unit_of_work
    hall.windows.sign_in(LI, "1")
    assert committed and [type(e) for e in heard.events] == [ev.WindowUpdated]
    assert heard.events[0].facts.clerk == "li" and heard.events[0].facts.state == "open"

    heard.events.clear()
    with pytest.raises(Conflict):
        hall.windows.recall(LI, "1")  # nothing is being served
    assert heard.events == []


def test_a_call_reaches_screens_devices_and_the_figures_in_one_order(hall):
    heard = Heard(hall.bus)
    hall.windows.sign_in(LI, "1")
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    heard.events.clear()
    hall.windows.call_next(LI, "1")
    assert [type(e) for e in heard.events] == [ev.TicketCalled, ev.WindowUpdated]
    called, window = heard.events
    assert window.current == called.ticket and window.facts.number == called.ticket.window == "1"
    assert {Audience.FLOOR_SCREENS, Audience.DEVICES} <= set(AUDIENCES[ev.TicketCalled])


def test_every_event_a_command_can_publish_has_its_audiences_or_is_kept_in_the_log_only():
    published_only = [cls for cls in ev.registry().values() if not cls.stored and not AUDIENCES.get(cls)]
    assert published_only == [], "a state message nobody hears"
