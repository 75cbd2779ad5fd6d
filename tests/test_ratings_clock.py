"""好差评 on a hall clock the test moves (tests/launchers/clock_server.py): a 差评 given on Thursday
2026-09-24, before the 中秋 holidays (09-25..27) and 国庆 (10-01..07), is followed up by working days
that skip them and count the make-up Saturday 10-10; a ticket may be rated through its id for
`[rating] days` after the day it ended, and no longer. Both in the hall's local time, not UTC."""
from __future__ import annotations

import datetime as dt
import tomllib
from zoneinfo import ZoneInfo

import pytest
import requests

from contract_helpers import assert_error
from harness import PASSWORD, Client, Server, demo_config, login, run_cli
from launchers.clock_server import HallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
# 07:30 local is still the day before in UTC: a deadline or a rating day counted on UTC dates is wrong.
# The clock is set in UTC, as a real server's runs.
START = dt.datetime(2026, 9, 24, 7, 30, tzinfo=SHANGHAI).astimezone(UTC)
FIX_DAYS = 6


@pytest.fixture(scope="module")
def clocked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ratings-clock")
    config = demo_config(tmp, "")
    text = open(config, encoding="utf-8").read()
    assert "fix_days = 5" in text and "contact_days = 1" in text and "days = 7" in text
    open(config, "w", encoding="utf-8").write(text.replace("fix_days = 5", f"fix_days = {FIX_DAYS}"))
    db = f"sqlite:///{tmp}/hall.db"
    assert run_cli("users", "add", "admin", "--role", "admin", "--password-stdin", db=db, config=config,
                   stdin=PASSWORD + "\n").returncode == 0
    kiosk = run_cli("devices", "add", "kiosk-1", "--kind", "kiosk", db=db, config=config)
    assert kiosk.returncode == 0, kiosk.stderr
    clock = HallClock(tmp / "clock", START)
    server = Server(db, tmp, config=config, clock_file=str(clock.path)).start()
    admin = login(server, "admin")
    assert admin.post("/users", {"username": "li", "password": PASSWORD, "role": "clerk", "department": "rst"}).status_code == 201
    clerk = login(server, "li")
    assert clerk.post("/windows/1/sign-in").status_code == 200
    yield {"server": server, "clock": clock, "config": config, "kiosk": Client(server, kiosk.stdout.strip().splitlines()[-1]),
           "clerk": clerk}
    server.stop()


def serve(c) -> dict:
    issued = c["kiosk"].post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    assert c["clerk"].post("/windows/1/call-next").json()["ticket"]["id"] == issued["id"]
    assert c["clerk"].post("/windows/1/finish").status_code == 200
    return issued


def rate(c, ticket: dict, level: int) -> requests.Response:
    return requests.post(c["server"].api + "/ratings", json={"ticket": ticket["id"], "level": level}, timeout=30)


def working_days_after(day: dt.date, n: int, holidays: set, workdays: set) -> dt.date:
    """The test's own count: the n-th working day after `day` (weekends and holidays off, make-up days on)."""
    while n:
        day += dt.timedelta(days=1)
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            n -= 1
    return day


def test_a_bad_rating_is_due_for_follow_up_in_working_days(clocked):
    ticket = serve(clocked)
    r = rate(clocked, ticket, 4)
    assert r.status_code == 201, r.text
    assert dt.datetime.fromisoformat(r.json()["rating"]["at"]).astimezone(SHANGHAI).date() == dt.date(2026, 9, 24)
    follow_ups = login(clocked["server"], "admin").get("/follow-ups").json()["follow_ups"]
    (follow_up,) = [f for f in follow_ups if f["rating"]["ticket"] == ticket["id"]]
    with open(clocked["config"], "rb") as f:
        calendar = tomllib.load(f)["calendar"]
    holidays, workdays = set(calendar["holidays"]), set(calendar["workdays"])
    assert {dt.date(2026, 9, 25), dt.date(2026, 10, 1)} <= holidays and dt.date(2026, 10, 10) in workdays
    rated_on = dt.date(2026, 9, 24)
    expected = (working_days_after(rated_on, 1, holidays, workdays), working_days_after(rated_on, FIX_DAYS, holidays, workdays))
    assert expected == (dt.date(2026, 9, 28), dt.date(2026, 10, 10))  # Monday after 中秋; the make-up Saturday
    assert (follow_up["contact_due"], follow_up["fix_due"]) == tuple(d.isoformat() for d in expected)


def test_a_ticket_is_rated_through_its_id_until_the_rating_days_are_over(clocked):
    early, late = serve(clocked), serve(clocked)
    clock = clocked["clock"]
    clock.set(dt.datetime(2026, 10, 1, 23, 59, tzinfo=SHANGHAI).astimezone(UTC))  # the 7th day after 09-24
    assert rate(clocked, early, 2).status_code == 201
    clock.set(dt.datetime(2026, 10, 2, 0, 1, tzinfo=SHANGHAI).astimezone(UTC))  # 8th day (still 10-01 in UTC)
    err = assert_error(rate(clocked, late, 2), 409, "conflict", "rating_period_over")
    assert err["detail"] == {"last_day": "2026-10-01"}
    admin = login(clocked["server"], "admin")
    rated = {r["ticket"] for r in admin.get("/ratings?from=2026-09-24&to=2026-10-02").json()["ratings"]}
    assert early["id"] in rated and late["id"] not in rated
    assert admin.get(f"/tickets/{late['id']}").json()["ticket"]["rating"] is None
