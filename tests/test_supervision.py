"""电子监察 through a hall day on a clock the test moves (tests/launchers/clock_server.py): each rule
raises its alert within 5 seconds of its threshold, without any request arriving, pushes it to
/admin, and clears it when its condition ends. Thresholds are the demo hall's [supervision]:
waits 30/60 minutes (医保 20/45), pause 30, idle 10, unstaffed 5, lunch 12:00–13:30 not counted."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from conftest import make_hall
from contract_helpers import assert_error
from harness import connect_socket, login, run_cli, wait_for
from launchers.clock_server import HallClock

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
WEDNESDAY_9AM = dt.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
ALERT_WITHIN_S = 5.5  # CONTRACT v2: within 5 seconds of the threshold (and a little for the HTTP round trip)


@pytest.fixture
def day(tmp_path):
    """A fresh hall at 09:00 on a Wednesday, the admin's /admin socket listening."""
    clock = HallClock(tmp_path / "clock", WEDNESDAY_9AM)
    hall = make_hall(tmp_path, clock_file=str(clock.path))
    client, heard = connect_socket(hall.server.url, "/admin", auth={"token": hall.admin.token})
    yield hall, clock, heard
    client.disconnect()
    hall.server.stop()


def alerts(hall, status="open") -> list[dict]:
    r = hall.admin.get(f"/alerts?status={status}")
    assert r.status_code == 200, r.text
    return r.json()["alerts"]


def open_keys(hall) -> set[tuple]:
    return {(a["rule"], a["subject"]["kind"], a["subject"]["id"], a["level"]) for a in alerts(hall)}


def pushed(heard) -> list[dict]:
    return [data for name, data in heard if name == "alert"]


def take(hall, matter="rst-sbk") -> dict:
    r = hall.kiosk.post("/tickets", {"matter": matter})
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def test_a_long_wait_raises_yellow_then_red_and_the_call_clears_both(day):
    hall, clock, heard = day
    ticket = take(hall)  # 社保: 30 / 60 minutes
    clock.advance(minutes=29)
    assert not wait_for(lambda: open_keys(hall), 2.5)  # nothing before the threshold
    clock.advance(minutes=1, seconds=5)
    yellow = ("wait", "ticket", ticket["id"], "yellow")
    assert wait_for(lambda: open_keys(hall) == {yellow}, ALERT_WITHIN_S), alerts(hall)
    (alert,) = alerts(hall)
    assert alert["detail"]["number"] == ticket["number"] and ticket["number"] in alert["message"]
    assert alert["cleared_at"] is None and alert["acknowledged_by"] is None
    clock.advance(minutes=30)
    red = ("wait", "ticket", ticket["id"], "red")
    assert wait_for(lambda: open_keys(hall) == {yellow, red}, ALERT_WITHIN_S), alerts(hall)
    red_alert, yellow_alert = alerts(hall)  # newest first
    assert red_alert["level"] == "red" and red_alert["detail"]["after"] == yellow_alert["id"]
    clerk = hall.clerk_at("1")
    assert clerk.post("/windows/1/call-next").json()["ticket"]["id"] == ticket["id"]
    assert wait_for(lambda: not open_keys(hall), ALERT_WITHIN_S), alerts(hall)
    every = alerts(hall, "all")
    assert sorted(a["level"] for a in every) == ["red", "yellow"] and all(a["cleared_at"] for a in every)
    # The board heard each raised, in order, then each cleared: once each.
    assert wait_for(lambda: len(pushed(heard)) == 4, 3), pushed(heard)
    steps = [(a["level"], a["cleared_at"] is not None) for a in pushed(heard)]
    assert steps[:2] == [("yellow", False), ("red", False)] and sorted(steps[2:]) == [("red", True), ("yellow", True)]


def test_the_lunch_break_does_not_count_in_a_wait(day):
    hall, clock, _ = day
    clock.set(WEDNESDAY_9AM.replace(hour=11, minute=50))
    ticket = take(hall)
    clock.set(WEDNESDAY_9AM.replace(hour=13, minute=48))  # 118 minutes, 28 of them outside lunch
    assert not wait_for(lambda: open_keys(hall), 2.5), alerts(hall)
    clock.set(WEDNESDAY_9AM.replace(hour=13, minute=50, second=30))  # 30.5 minutes
    assert wait_for(lambda: open_keys(hall) == {("wait", "ticket", ticket["id"], "yellow")}, ALERT_WITHIN_S)


def test_a_queue_may_set_its_own_wait_thresholds(day):
    hall, clock, _ = day
    ticket = take(hall, "ybj-ydjy")  # 医保: 20 / 45 minutes
    clock.advance(minutes=21)
    assert wait_for(lambda: open_keys(hall) == {("wait", "ticket", ticket["id"], "yellow")}, ALERT_WITHIN_S)


def test_an_idle_window_a_long_pause_and_an_unstaffed_window(day):
    hall, clock, _ = day
    idle = hall.clerk_at("2")  # 社保 window, signed in, not calling
    take(hall)
    paused = hall.clerk_at("3")
    stopped = paused.post("/windows/3/pause", {"reason": "会议"}).json()["window"]
    assert (stopped["state"], stopped["pause_reason"]) == ("paused", "会议")
    assert dt.datetime.fromisoformat(stopped["state_since"]) == WEDNESDAY_9AM
    assert_error(hall.clerk_at("4").post("/windows/4/pause", {"reason": "喝茶"}), 400, "invalid", "unknown_pause_reason")
    assert_error(hall.clerk_at("6").post("/windows/6/pause", {}), 400, "invalid", "invalid_field")
    assert hall.admin.put("/windows/5/state", {"state": "open"}).status_code == 200  # nobody signs in
    clock.advance(minutes=5, seconds=5)
    assert wait_for(lambda: ("unstaffed_window", "window", "5", "yellow") in open_keys(hall), ALERT_WITHIN_S)
    clock.advance(minutes=5)  # 10 minutes
    idle_key = ("idle_window", "window", "2", "yellow")
    assert wait_for(lambda: idle_key in open_keys(hall), ALERT_WITHIN_S), alerts(hall)
    assert ("idle_window", "window", "1", "yellow") not in open_keys(hall)  # window 1 is closed
    clock.advance(minutes=20, seconds=5)  # paused 30 minutes
    pause_key = ("pause", "window", "3", "red")
    assert wait_for(lambda: pause_key in open_keys(hall), ALERT_WITHIN_S), alerts(hall)
    (pause,) = [a for a in alerts(hall) if a["rule"] == "pause"]
    assert "会议" in pause["message"] and pause["detail"]["reason"] == "会议"
    # Each condition ends: the alerts clear.
    assert idle.post("/windows/2/call-next").status_code == 200
    assert paused.post("/windows/3/resume").status_code == 200
    hall.clerk_at("5")
    assert wait_for(lambda: not {k for k in open_keys(hall) if k[1] == "window"}, ALERT_WITHIN_S), alerts(hall)


def test_a_clerks_many_no_shows_raise_an_alert(tmp_path):
    clock = HallClock(tmp_path / "clock", WEDNESDAY_9AM)
    config = (tmp_path / "hall.toml")
    from harness import ROOT
    text = (ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8")
    config.write_text(text.replace("no_show_per_clerk_day = 10", "no_show_per_clerk_day = 2"), encoding="utf-8")
    hall = make_hall(tmp_path, config=str(config), clock_file=str(clock.path))
    try:
        clerk = hall.clerk_at("1", "zhao")
        for _ in range(2):
            take(hall)
            assert clerk.post("/windows/1/call-next").status_code == 200
            assert clerk.post("/windows/1/no-show").status_code == 200
        assert wait_for(lambda: ("no_show", "clerk", "zhao", "yellow") in open_keys(hall), ALERT_WITHIN_S)
    finally:
        hall.server.stop()


def test_acknowledge_with_a_note_and_the_alert_survives_a_restart(day):
    hall, clock, heard = day
    ticket = take(hall)
    clock.advance(minutes=31)
    assert wait_for(lambda: len(alerts(hall)) == 1, ALERT_WITHIN_S)
    (alert,) = alerts(hall)
    assert_error(hall.admin.post(f"/alerts/{alert['id']}/acknowledge", {"note": ""}), 400, "invalid")
    assert_error(hall.admin.post("/alerts/99999/acknowledge", {"note": "看过"}), 404, "not_found", "no_such_alert")
    run_cli("users", "add", "jian", "--role", "supervisor", "--password-stdin", db=hall.db, stdin="hall-test-pass-1\n")
    supervisor = login(hall.server, "jian")
    done = supervisor.post(f"/alerts/{alert['id']}/acknowledge", {"note": "已安排3号窗口协助"})
    assert done.status_code == 200, done.text
    acked = done.json()["alert"]
    assert (acked["acknowledged_by"], acked["note"], acked["cleared_at"]) == ("jian", "已安排3号窗口协助", None)
    assert wait_for(lambda: any(a["acknowledged_at"] for a in pushed(heard)), 3)
    assert_error(hall.admin.post(f"/alerts/{alert['id']}/acknowledge", {"note": "again"}), 409, "conflict",
                 "alert_already_acknowledged")
    # A supervisor reads what an admin reads, but does not operate windows.
    assert supervisor.get("/alerts").status_code == 200 and supervisor.get("/windows").status_code == 200
    assert_error(supervisor.put("/windows/1/state", {"state": "open"}), 403, "forbidden", "role_not_allowed")
    # A clerk reads no alerts; anonymous neither.
    clerk = hall.clerk_at("9")
    assert_error(clerk.get("/alerts"), 403, "forbidden", "role_not_allowed")
    assert_error(hall.kiosk.get("/alerts"), 403, "forbidden")
    hall.server.restart()
    clock.advance(seconds=10)
    wait_for(lambda: False, 3)  # a sweep or two after the restart
    every = alerts(hall, "all")
    assert len(every) == 1 and every[0]["id"] == alert["id"] and every[0]["note"] == "已安排3号窗口协助"
    assert every[0]["cleared_at"] is None and ticket["number"] in every[0]["message"]


@pytest.mark.slow
def test_each_alert_is_raised_once_with_two_server_processes(tmp_path, pg_url, message_queue):
    from harness import Server
    queue, channel = message_queue
    clock = HallClock(tmp_path / "clock", WEDNESDAY_9AM)
    hall = make_hall(tmp_path, db=pg_url, message_queue=queue, channel=channel, clock_file=str(clock.path))
    second = Server(pg_url, tmp_path, message_queue=queue, channel=channel, clock_file=str(clock.path)).start()
    sockets = [connect_socket(server.url, "/admin", auth={"token": hall.admin.token})
               for server in (hall.server, second)]
    try:
        tickets = [take(hall) for _ in range(5)]
        clerk = hall.clerk_at("2")
        clock.advance(minutes=61)
        expected = {("wait", "ticket", t["id"], level) for t in tickets for level in ("yellow", "red")}
        expected.add(("idle_window", "window", "2", "yellow"))
        assert wait_for(lambda: open_keys(hall) == expected, ALERT_WITHIN_S * 2), alerts(hall)
        wait_for(lambda: False, 5)  # both processes sweep twice more
        every = alerts(hall, "all")
        assert len(every) == len(expected), every
        for _client, heard in sockets:  # each socket heard each alert raised once
            raised = Counter(a["id"] for a in pushed(heard) if a["cleared_at"] is None)
            assert set(raised) == {a["id"] for a in every} and set(raised.values()) == {1}, raised
        assert clerk.post("/windows/2/call-next").status_code == 200
    finally:
        for client, _ in sockets:
            client.disconnect()
        second.stop()
        hall.server.stop()


def test_a_bad_rating_raises_its_alert_and_an_overdue_follow_up_another(tmp_path):
    """A 差评 on Friday 4 December; Monday 7 December is a holiday in this hall's calendar: the contact is
    due on Tuesday the 8th and the fix on Monday the 14th (counted by hand below)."""
    from harness import ROOT
    config = tmp_path / "hall.toml"
    text = (ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8")
    config.write_text(text.replace("holidays = [\n", "holidays = [\n  2026-12-07,\n", 1), encoding="utf-8")
    friday = dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
    clock = HallClock(tmp_path / "clock", friday)
    hall = make_hall(tmp_path, config=str(config), clock_file=str(clock.path))
    try:
        clerk = hall.clerk_at("1", "qian")
        ticket = take(hall)
        assert clerk.post("/windows/1/call-next").status_code == 200
        assert clerk.post("/windows/1/finish").status_code == 200
        rated = hall.kiosk.post("/ratings", {"ticket": ticket["id"], "level": 4, "comment": "等太久", "channel": "tracking"})
        assert rated.status_code == 201, rated.text
        rating = rated.json()["rating"]
        bad = ("bad_rating", "rating", rating["id"], "yellow")  # 不满意: yellow
        assert wait_for(lambda: open_keys(hall) == {bad}, ALERT_WITHIN_S), alerts(hall)
        (follow_up,) = hall.admin.get("/follow-ups?status=open").json()["follow_ups"]
        assert (follow_up["contact_due"], follow_up["fix_due"]) == ("2026-12-08", "2026-12-14")
        clock.set(dt.datetime(2026, 12, 8, 17, 0, tzinfo=SHANGHAI))  # the contact's last day: not overdue yet
        hall.admin = login(hall.server, "admin")  # a sign-in lasts a working day, on the hall's clock
        assert not wait_for(lambda: len(open_keys(hall)) > 1, 2.5), alerts(hall)
        clock.set(dt.datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI))
        hall.admin = login(hall.server, "admin")
        late = ("follow_up_overdue", "rating", rating["id"], "yellow")
        assert wait_for(lambda: open_keys(hall) == {bad, late}, ALERT_WITHIN_S), alerts(hall)
        (overdue,) = [a for a in alerts(hall) if a["rule"] == "follow_up_overdue"]
        assert "2026-12-08" in overdue["message"] and overdue["detail"]["number"] == ticket["number"]
        step = hall.admin.post(f"/follow-ups/{follow_up['id']}", {"action": "contact", "note": "已电话回访"})
        assert step.status_code == 200, step.text
        assert wait_for(lambda: open_keys(hall) == {bad}, ALERT_WITHIN_S), alerts(hall)
        for action in ("fix", "close"):
            assert hall.admin.post(f"/follow-ups/{follow_up['id']}", {"action": action, "note": "已整改"}).status_code == 200
        assert wait_for(lambda: not open_keys(hall), ALERT_WITHIN_S), alerts(hall)
        assert Counter(a["rule"] for a in alerts(hall, "all")) == {"bad_rating": 1, "follow_up_overdue": 1}
    finally:
        hall.server.stop()
