"""What the device drivers ask of the hall (`DeviceDesk`), on the in-memory unit of work: the print queue,
a pager's keys, an evaluator's press and the 差评 rule, and device health."""
from __future__ import annotations

import datetime as dt

import pytest

from fake_uow import fake_unit_of_work
from hall_clock import Clock
from hallq.bootstrap import build_services
from harness import ROOT
from server.config import load_config
from server.domain import events as ev
from server.domain.errors import Conflict, Reason
from server.services.actors import Actor
from server.services.bus import Audience
from server.services.pagers import PagerKey, PagerOutcome

KIOSK = Actor("device", "kiosk-1", "kiosk")
ADMIN = Actor("staff", "boss", "admin")
LI = Actor("staff", "li", "clerk", ("rst",))
DEVICES = """
[[devices]]
name = "kiosk-1-printer"
kind = "printer"
url = "tcp://127.0.0.1:9"
protocol = "escpos"
attach = "kiosk:kiosk-1"

[[devices]]
name = "spare-printer"
kind = "printer"
url = "tcp://127.0.0.1:9"
protocol = "escpos"
attach = "kiosk:kiosk-2"
"""


@pytest.fixture
def hall(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text((ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8") + DEVICES, encoding="utf-8")
    clock = Clock(dt.datetime(2026, 3, 2, 9, 0))
    hall = build_services(load_config(path), fake_unit_of_work(), clock)
    hall.housekeeping.install_windows()
    return hall


@pytest.fixture
def admin_hears(hall):
    """What reaches the admin board's supervision list (not the windows' updates it also hears)."""
    heard = []
    alerts = (ev.BadRatingGiven, ev.DeviceHealthChanged, ev.DeadlineWatch)
    hall.bus.subscribe(Audience.ADMIN, lambda event, _a: heard.append(event) if isinstance(event, alerts) else None)
    return heard


def test_a_kiosks_ticket_is_owed_to_its_printer_until_printed_once(hall):
    desk = hall.device_desk
    ticket = hall.tickets.take_ticket(KIOSK, "rst-sbk").body["ticket"]
    hall.tickets.take_ticket(ADMIN, "rst-sbk")  # staff at the guide desk: no printer owes it
    (job,) = desk.owed_prints("kiosk-1-printer")
    assert (job.ticket["id"], job.reprint, job.ticket["ahead"]) == (ticket["id"], False, 0)
    assert desk.owed_prints("spare-printer") == []
    assert [o.number for o in hall.printing.unprinted()] == [ticket["number"]]
    hall.printing.reprint(ADMIN, ticket["id"], "spare-printer")  # while the first is still owed
    assert [o.printer for o in hall.printing.unprinted()] == ["spare-printer"]  # listed once, where it waits now
    desk.printed(job)
    desk.printed(job)  # a second confirmation records nothing more
    assert hall.printing.unprinted() == []  # printed once: a pending reprint does not make it owed
    trail = [e["kind"] for e in hall.queries.ticket_history(ADMIN, ticket["id"])]
    assert trail == ["issued", "printed"]


def test_pager_keys_run_the_clerks_commands(hall):
    desk = hall.device_desk
    assert desk.press("pager-1", "1", PagerKey.CALL, None) is PagerOutcome.REFUSED  # nobody signed in
    hall.windows.sign_in(LI, "1")
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    assert desk.press("pager-1", "1", PagerKey.CALL, None) is PagerOutcome.DONE
    called = hall.queries.window(ADMIN, "1")["current"]
    assert desk.press("pager-1", "1", PagerKey.D6, None) is PagerOutcome.TYPED
    assert desk.press("pager-1", "1", PagerKey.CONFIRM, None) is PagerOutcome.DONE  # 6 then 确认: a no-show
    assert hall.queries.get_ticket(called["id"])["ticket"]["status"] == "no_show"
    assert hall.queries.window(ADMIN, "1")["current"] is None
    assert desk.press("pager-1", "1", PagerKey.RECALL, None) is PagerOutcome.REFUSED  # nothing to recall
    assert desk.press("pager-1", "1", PagerKey.PAUSE, None) is PagerOutcome.DONE
    assert hall.queries.window(ADMIN, "1")["state"] == "paused"
    assert desk.press("pager-1", "1", PagerKey.PAUSE, None) is PagerOutcome.DONE
    assert hall.queries.window(ADMIN, "1")["state"] == "open"


def test_an_evaluators_bad_rating_reaches_the_watch(hall):
    watch_hears = []  # 电子监察's watch raises the alert from the stored rating
    hall.bus.subscribe(Audience.SUPERVISION, lambda event, _audience: watch_hears.append(event))
    hall.windows.sign_in(LI, "1")
    with pytest.raises(Conflict) as nothing:
        hall.device_desk.rate("1", 2, "evaluator-1")
    assert nothing.value.reason is Reason.NOTHING_TO_RATE
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    hall.windows.call_next(LI, "1")
    hall.device_desk.rate("1", 2, "evaluator-1")
    assert not [e for e in watch_hears if isinstance(e, ev.BadRatingGiven)]  # 满意: no 差评
    with pytest.raises(Conflict) as twice:  # 一次一评: the first rating counts
        hall.device_desk.rate("1", 5, "evaluator-1")
    assert twice.value.reason is Reason.ALREADY_RATED
    assert not [e for e in watch_hears if isinstance(e, ev.BadRatingGiven)]
    served = hall.windows.call_next(LI, "1").body["ticket"]
    hall.device_desk.rate("1", 5, "evaluator-1")
    (bad,) = [e for e in watch_hears if isinstance(e, ev.BadRatingGiven)]
    assert isinstance(bad, ev.BadRatingGiven)
    assert (bad.number, bad.clerk, bad.label, bad.channel) == (served["number"], "li", "非常不满意", "evaluator")
    assert (bad.matter, bad.department) == ("rst-sbk", "rst")
    (follow_up,) = hall.follow_ups.listing(ADMIN)
    assert follow_up["status"] == "open" and follow_up["rating"]["number"] == served["number"]


def test_device_health_is_news_only_when_it_changes(hall, admin_hears):
    health, clock = hall.device_health, hall.clock
    health.report("kiosk-1-printer", "online", "ready")  # the first success after a start is no news
    assert admin_hears == []
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    health.report("kiosk-1-printer", "offline", "connection refused")
    (down,) = admin_hears
    assert (down.state, down.was, [o.printer for o in down.unprinted]) == ("offline", "online", ["kiosk-1-printer"])
    clock.set(dt.datetime(2026, 3, 2, 9, 0, 30))
    health.report("kiosk-1-printer", "offline", "connection refused")  # the same: no news
    assert len(admin_hears) == 1
    health.report("kiosk-1-printer", "online", "ready")
    assert [e.state for e in admin_hears] == ["offline", "online"]
    listed = {d["name"]: d for d in health.listing()}
    # The ticket owed when the printer went down was dropped (never printed by itself): still unprinted.
    assert listed["kiosk-1-printer"]["state"] == "online" and listed["kiosk-1-printer"]["queued"] == 0
    assert len(hall.printing.unprinted()) == 1
    assert listed["spare-printer"]["state"] == "unknown" and listed["spare-printer"]["since"] is None
