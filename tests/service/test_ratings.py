"""好差评 and 回访整改 in the service layer, on the in-memory unit of work: who may rate what and when, the
follow-up a 差评 opens (its working-day deadlines), its steps, and the national export's record."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from server.domain.errors import Conflict, Forbidden, Invalid, Reason, Unauthorized
from server.services.actors import ANONYMOUS, Actor

pytest_plugins = ["service_hall"]  # the hall_at fixture

KIOSK = Actor("device", "kiosk-1", "kiosk")
PAD = Actor("device", "pad-1", "pad")
ADMIN = Actor("staff", "boss", "admin")
SUPERVISOR = Actor("staff", "jian", "supervisor")
CLERK = Actor("staff", "li", "clerk", ("rst",))


def serve(hall, finish=True) -> dict:
    """A ticket of matter rst-sbk served at window 1 by li (finished, or still being served)."""
    if not hall.queries.window(ADMIN, "1")["clerk"]:
        hall.windows.sign_in(CLERK, "1")
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    ticket = hall.windows.call_next(CLERK, "1").body["ticket"]
    if finish:
        hall.windows.finish(CLERK, "1")
    return ticket


def refused(kind, reason, call):
    with pytest.raises(kind) as caught:
        call()
    assert caught.value.reason is reason, caught.value
    return caught.value


def test_a_served_ticket_is_rated_once_by_its_id_within_the_rating_days(hall_at):
    hall, clock = hall_at(dt.datetime(2026, 3, 2, 9, 0))  # a Monday
    waiting = hall.tickets.take_ticket(KIOSK, "rst-sbk").body["ticket"]
    refused(Conflict, Reason.TICKET_NOT_SERVED, lambda: hall.ratings.rate(ANONYMOUS, ticket=waiting["id"], level=1))
    ticket = serve(hall)
    assert ticket["id"] == waiting["id"]
    clock.set(dt.datetime(2026, 3, 9, 23, 59))  # the 7th day after the day it ended: still open
    rated = hall.ratings.rate(ANONYMOUS, ticket=ticket["id"], level=2, comment="  很快  ").body["rating"]
    assert {k: rated[k] for k in ("ticket", "number", "window", "clerk", "matter", "department", "level", "label",
                                  "channel", "comment", "removed")} == {
        "ticket": ticket["id"], "number": ticket["number"], "window": "1", "clerk": None, "matter": "rst-sbk",
        "department": "rst", "level": 2, "label": "满意", "channel": "tracking", "comment": "很快", "removed": False}
    refused(Conflict, Reason.ALREADY_RATED, lambda: hall.ratings.rate(ANONYMOUS, ticket=ticket["id"], level=5))
    assert hall.queries.get_ticket(ticket["id"])["ticket"]["rating"] == 2
    assert hall.follow_ups.listing(ADMIN) == []  # 满意 is no 差评

    late = serve(hall)
    clock.set(dt.datetime(2026, 3, 17, 0, 0))  # 8 days after 2026-03-09
    refused(Conflict, Reason.RATING_PERIOD_OVER, lambda: hall.ratings.rate(ANONYMOUS, ticket=late["id"], level=1))


def test_refused_ratings_name_their_rule_and_store_nothing(hall_at):
    hall, _ = hall_at(dt.datetime(2026, 3, 2, 9, 0))
    ticket = serve(hall)
    hall.windows.sign_in(CLERK, "1")
    hall.tickets.take_ticket(KIOSK, "rst-sbk")
    hall.windows.call_next(CLERK, "1")
    missed = hall.windows.no_show(CLERK, "1").body["ticket"]
    rate = hall.ratings.rate
    refused(Conflict, Reason.TICKET_NOT_SERVED, lambda: rate(ANONYMOUS, ticket=missed["id"], level=1))
    refused(Invalid, Reason.INVALID_RATING_LEVEL, lambda: rate(ANONYMOUS, ticket=ticket["id"], level=6))
    refused(Invalid, Reason.INVALID_CHANNEL, lambda: rate(ANONYMOUS, ticket=ticket["id"], level=1, channel="sms"))
    refused(Invalid, Reason.RATING_TARGET_REQUIRED, lambda: rate(ANONYMOUS, level=1))
    refused(Invalid, Reason.RATING_TARGET_REQUIRED, lambda: rate(PAD, level=1, channel="pad", ticket=ticket["id"]))
    refused(Unauthorized, Reason.TOKEN_MISSING, lambda: rate(ANONYMOUS, window="1", level=1, channel="pad"))
    refused(Forbidden, Reason.ROLE_NOT_ALLOWED, lambda: rate(KIOSK, window="1", level=1, channel="pad"))
    refused(Forbidden, Reason.ROLE_NOT_ALLOWED, lambda: hall.ratings.target(CLERK, "1"))
    today = dt.date(2026, 3, 2)
    assert hall.ratings.listing(ADMIN, today, today) == []
    refused(Forbidden, Reason.ROLE_NOT_ALLOWED, lambda: hall.ratings.listing(CLERK, today, today))


def test_a_pad_rates_what_its_window_serves_now_or_served_last(hall_at):
    hall, _ = hall_at(dt.datetime(2026, 3, 2, 9, 0))
    hall.accounts.add_user("li", "a-long-password", "clerk", ("rst",), display_name="工号 0007")
    hall.windows.sign_in(CLERK, "1")
    refused(Conflict, Reason.NOTHING_TO_RATE, lambda: hall.ratings.rate(PAD, window="1", level=1))
    # The pad faces the citizen: the clerk's display name, never the username.
    assert hall.ratings.target(PAD, "1") == {"window": "1", "clerk": "工号 0007", "number": None, "ticket": None,
                                             "status": None, "rated": False, "level": None}
    current = serve(hall, finish=False)
    assert hall.ratings.target(PAD, "1")["number"] == current["number"]
    rated = hall.ratings.rate(PAD, window="1", level=1).body["rating"]  # channel pad by default
    assert (rated["ticket"], rated["channel"], rated["clerk"]) == (current["id"], "pad", "li")
    hall.windows.finish(CLERK, "1")
    target = hall.ratings.target(PAD, "1")  # served last: rated already
    assert (target["number"], target["status"], target["rated"], target["level"]) == (current["number"], "done", True, 1)
    refused(Conflict, Reason.ALREADY_RATED, lambda: hall.ratings.rate(PAD, window="1", level=2))


def test_a_bad_rating_opens_a_follow_up_due_in_working_days(tmp_path):
    from fake_uow import fake_unit_of_work
    from hall_clock import Clock
    from hallq.bootstrap import build_services
    from harness import ROOT
    from server.config import load_config
    config = tmp_path / "hall.toml"
    config.write_text((ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8")
                      .replace("fix_days = 5", "fix_days = 6"), encoding="utf-8")
    clock = Clock(dt.datetime(2026, 9, 24, 23, 30))  # Thursday night; 9-25..27 are 中秋 holidays
    hall = build_services(load_config(config), fake_unit_of_work(), clock)
    hall.housekeeping.install_windows()
    ticket = serve(hall)
    rated = hall.ratings.rate(ANONYMOUS, ticket=ticket["id"], level=4).body["rating"]
    (follow_up,) = hall.follow_ups.listing(SUPERVISOR)
    # Mon 9-28 is the first working day; then 9-29, 9-30, (10-01..07 国庆), 10-08, 10-09 and Saturday
    # 10-10, a make-up workday (调休上班).
    assert (follow_up["contact_due"], follow_up["fix_due"]) == ("2026-09-28", "2026-10-10")
    assert follow_up["rating"]["id"] == rated["id"] and follow_up["status"] == "open"
    assert [(h["action"], h["who"]) for h in follow_up["history"]] == [("open", "anonymous:-")]


def test_a_follow_up_steps_through_its_states_and_an_appeal_can_remove_the_rating(hall_at):
    hall, clock = hall_at(dt.datetime(2026, 3, 2, 9, 0))
    first = hall.ratings.rate(ANONYMOUS, ticket=serve(hall)["id"], level=5).body["rating"]
    second = hall.ratings.rate(ANONYMOUS, ticket=serve(hall)["id"], level=4).body["rating"]
    by_rating = {f["rating"]["id"]: f["id"] for f in hall.follow_ups.listing(ADMIN)}
    one, two = by_rating[first["id"]], by_rating[second["id"]]
    step = hall.follow_ups.step
    refused(Invalid, Reason.NOTE_REQUIRED, lambda: step(SUPERVISOR, one, "contact", "  "))
    refused(Invalid, Reason.INVALID_FOLLOW_UP_ACTION, lambda: step(SUPERVISOR, one, "forget", "x"))
    refused(Conflict, Reason.FOLLOW_UP_STEP_NOT_ALLOWED, lambda: step(SUPERVISOR, one, "close", "done"))
    refused(Forbidden, Reason.ROLE_NOT_ALLOWED, lambda: step(CLERK, one, "contact", "called"))
    for action, status in (("contact", "contacted"), ("fix", "fixed"), ("close", "closed")):
        clock.set(clock.now.replace(tzinfo=None) + dt.timedelta(hours=1))
        assert step(SUPERVISOR, one, action, f"{action} note").body["follow_up"]["status"] == status
    done = hall.follow_ups.get(ADMIN, one)
    assert [(h["action"], h["note"], h["who"]) for h in done["history"]] == [
        ("open", None, "anonymous:-"), ("contact", "contact note", "user:jian"), ("fix", "fix note", "user:jian"),
        ("close", "close note", "user:jian")]
    assert done["outcome"] is None
    refused(Conflict, Reason.FOLLOW_UP_STEP_NOT_ALLOWED, lambda: step(SUPERVISOR, one, "appeal", "too late"))

    appealed = step(ADMIN, two, "appeal", "窗口申诉：群众误评").body["follow_up"]
    assert appealed["status"] == "appealed"
    removed = step(SUPERVISOR, two, "remove", "核实属实，不计入统计").body["follow_up"]
    assert (removed["status"], removed["outcome"], removed["rating"]["removed"]) == ("closed", "removed", True)
    assert [h["action"] for h in removed["history"]] == ["open", "appeal", "remove"]
    trail = [(row.kind, json.loads(row.payload)["rating_id"]) for row in hall.runner.read(
        lambda uow, _now: uow.log.of("rating", second["id"]))]
    assert trail == [("given", second["id"]), ("bad", second["id"]), ("removed", second["id"])]
    day = dt.date(2026, 3, 2)
    assert [r["removed"] for r in hall.ratings.listing(ADMIN, day, day)] == [False, True]
    assert [line["满意度代码"] for line in hall.ratings.export(ADMIN, day, day)] == [5]  # removed: not exported
    refused(Invalid, Reason.INVALID_STATUS_FILTER, lambda: hall.follow_ups.listing(ADMIN, "lost"))
    assert [f["id"] for f in hall.follow_ups.listing(ADMIN, "closed")] == [two, one]


def test_the_export_record_of_a_rating(hall_at):
    hall, _ = hall_at(dt.datetime(2026, 3, 2, 9, 5, 7))
    ticket = serve(hall)
    hall.ratings.rate(ANONYMOUS, ticket=ticket["id"], level=3, comment="还行")
    day = dt.date(2026, 3, 2)
    (line,) = hall.ratings.export(SUPERVISOR, day, day)
    assert line == {"办件编号": ticket["number"], "评价渠道": "3", "评价人": "匿名", "评价时间": "20260302T090507",
                    "评价次数": 1, "满意度代码": 3, "文字评价": "还行", "行政区划": "430000", "事项编码": "rst-sbk",
                    "部门": hall.config.departments["rst"].name, "经办人": "li"}
    refused(Invalid, Reason.INVALID_DATE_RANGE, lambda: hall.ratings.export(ADMIN, day, day - dt.timedelta(days=1)))
