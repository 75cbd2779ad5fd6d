"""A slip that did not print is never printed later by itself (issue 13): a ticket issued while its
kiosk's printer is known down, a job owed when the printer goes down, and a job older than
`[printing] stale_after_seconds` are dropped and recorded; staff reprint (补打)."""
from __future__ import annotations

import datetime as dt

import pytest

from server.domain import events as ev
from server.domain.errors import Conflict, Forbidden, Reason
from server.services.actors import Actor
from server.services.bus import Audience
from test_device_desk import ADMIN, KIOSK, LI, hall  # noqa: F401  (the fixture)

PRINTER = "kiosk-1-printer"
BACKOFFICE = Actor("staff", "bo", "backoffice", ("rst",))


@pytest.fixture
def kiosk_hears(hall):  # noqa: F811
    heard = []
    hall.bus.subscribe(Audience.KIOSKS, lambda event, _a: heard.append(event))
    return heard


def trail(hall, ticket) -> list[str]:  # noqa: F811
    return [e["kind"] for e in hall.queries.ticket_history(ADMIN, ticket["id"])]


def test_a_ticket_issued_while_the_printer_is_down_is_dropped_at_once_and_the_kiosk_told(hall, kiosk_hears):  # noqa: F811
    assert hall.printing.kiosk_printer("kiosk-1") == {"name": PRINTER, "state": "unknown", "ready": True}
    hall.device_health.report(PRINTER, "paper_out", "paper out")
    assert kiosk_hears == [ev.KioskPrinterChanged("kiosk-1", PRINTER, "paper_out", False)]
    assert hall.printing.kiosk_printer("kiosk-1")["ready"] is False
    answer = hall.tickets.take_ticket(KIOSK, "rst-sbk").body
    assert answer["slip"] == {"printer": PRINTER, "state": "paper_out", "printing": False}
    assert hall.device_desk.owed_prints(PRINTER) == []
    assert [o.number for o in hall.printing.unprinted()] == [answer["ticket"]["number"]]  # for 补打
    assert trail(hall, answer["ticket"]) == ["issued", "print_dropped"]
    assert "slip" not in hall.tickets.take_ticket(ADMIN, "rst-sbk").body  # the guide desk prints nothing


def test_a_printer_that_goes_down_drops_what_it_owed_and_prints_only_what_came_after(hall, kiosk_hears):  # noqa: F811
    hall.device_health.report(PRINTER, "online", "ready")
    before = hall.tickets.take_ticket(KIOSK, "rst-sbk").body
    assert before["slip"]["printing"] is True and len(hall.device_desk.owed_prints(PRINTER)) == 1
    hall.device_health.report(PRINTER, "offline", "connection refused")
    assert hall.device_desk.owed_prints(PRINTER) == []
    hall.device_health.report(PRINTER, "online", "ready")
    after = hall.tickets.take_ticket(KIOSK, "rst-sbk").body
    assert [j.ticket["number"] for j in hall.device_desk.owed_prints(PRINTER)] == [after["ticket"]["number"]]
    assert [(e.state, e.ready) for e in kiosk_hears] == [("online", True), ("offline", False), ("online", True)]
    assert trail(hall, before["ticket"]) == ["issued", "print_dropped"]


def test_a_job_older_than_the_limit_is_dropped_when_the_printer_looks(hall):  # noqa: F811
    clock = hall.clock
    old = hall.tickets.take_ticket(KIOSK, "rst-sbk").body["ticket"]
    clock.set(dt.datetime(2026, 3, 2, 9, 0, 50))
    fresh = hall.tickets.take_ticket(KIOSK, "rst-sbk").body["ticket"]
    clock.set(dt.datetime(2026, 3, 2, 9, 1, 1))  # 61 s after the first: over the 60 s default
    assert [j.ticket["id"] for j in hall.device_desk.owed_prints(PRINTER)] == [fresh["id"]]
    assert hall.device_desk.owed_prints(PRINTER)[0].ticket["id"] == fresh["id"]
    assert trail(hall, old) == ["issued", "print_dropped"]  # recorded once, at the first look


def test_staff_reprint_once_the_printer_is_back_and_are_refused_while_it_is_down(hall):  # noqa: F811
    hall.device_health.report(PRINTER, "paper_out", "paper out")
    ticket = hall.tickets.take_ticket(KIOSK, "rst-sbk").body["ticket"]
    with pytest.raises(Conflict) as down:
        hall.printing.reprint(LI, ticket["id"])
    assert down.value.reason is Reason.PRINTER_DOWN and down.value.detail == {"printer": PRINTER, "state": "paper_out"}
    with pytest.raises(Forbidden):
        hall.printing.reprint(BACKOFFICE, ticket["id"])
    hall.device_health.report(PRINTER, "online", "ready")
    queued = hall.printing.reprint(LI, ticket["id"]).body  # a clerk (the guide desk) asks: 补打
    assert queued == {"ticket": ticket["id"], "number": ticket["number"], "printer": PRINTER, "queued": True}
    (job,) = hall.device_desk.owed_prints(PRINTER)
    assert job.reprint and job.ticket["id"] == ticket["id"]
