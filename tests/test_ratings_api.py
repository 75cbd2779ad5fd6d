"""好差评 and 回访整改 over the HTTP API of a real server (CONTRACT v2): one rating per served ticket, from
the tracking page (by id) or a window's rating pad (by window), refusals with their reasons, who reads
ratings and works follow-ups, a follow-up's steps up to an appeal that removes the rating, and the
national export's lines. The rating days and the follow-up deadlines, which need a moving clock, are in
test_ratings_clock.py."""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest
import requests

from contract_helpers import Windows, assert_error
from harness import PASSWORD, Client, login, run_cli

SHANGHAI = ZoneInfo("Asia/Shanghai")
RATING_KEYS = {"id", "ticket", "number", "window", "clerk", "matter", "department", "level", "label", "channel",
               "comment", "at", "removed"}
EXPORT_KEYS = {"办件编号", "评价渠道", "评价人", "评价时间", "评价次数", "满意度代码", "文字评价", "行政区划", "事项编码",
               "部门", "经办人"}
WINDOWS = Windows()


def public_rate(hall, body, **kw) -> requests.Response:
    """A rating from a tracking page: no token at all."""
    return requests.post(hall.server.api + "/ratings", json=body, timeout=30, **kw)


def serve(hall, clerk, window: str, end: str = "finish") -> dict:
    """Issue a ticket and serve it at `window` (`end`: finish, no-show, or None to leave it called)."""
    issued = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    called = clerk.post(f"/windows/{window}/call-next")
    assert called.status_code == 200 and called.json()["ticket"]["id"] == issued["id"], called.text
    if end:
        assert clerk.post(f"/windows/{window}/{end}").status_code == 200
    return issued


def ratings_of(hall, ticket_id: str) -> list[dict]:
    return [r for r in hall.admin.get("/ratings").json()["ratings"] if r["ticket"] == ticket_id]


def pad_token(hall, name: str) -> Client:
    r = run_cli("devices", "add", name, "--kind", "pad", db=hall.db)
    assert r.returncode == 0, r.stderr
    return Client(hall.server, r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def supervisor(hall):
    r = run_cli("users", "add", "jian-cha", "--role", "supervisor", "--password-stdin", db=hall.db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    return login(hall.server, "jian-cha")


def test_a_served_ticket_is_rated_once_and_its_tracking_read_shows_the_level(hall):
    window = WINDOWS.take("rst")
    clerk = hall.clerk_at(window)
    ticket = serve(hall, clerk, window)
    assert hall.kiosk.get(f"/tickets/{ticket['id']}").json()["ticket"]["rating"] is None
    r = public_rate(hall, {"ticket": ticket["id"], "level": 2, "comment": "办事很快", "channel": "tracking"})
    assert r.status_code == 201, r.text
    rating = r.json()["rating"]
    assert set(rating) == RATING_KEYS
    assert {k: rating[k] for k in RATING_KEYS - {"id", "at"}} == {
        "ticket": ticket["id"], "number": ticket["number"], "window": window, "clerk": None,  # no username in public
        "matter": "rst-sbk", "department": "rst", "level": 2, "label": "满意", "channel": "tracking",
        "comment": "办事很快", "removed": False}
    assert dt.datetime.fromisoformat(rating["at"]).tzinfo is not None
    assert requests.get(hall.server.api + f"/tickets/{ticket['id']}", timeout=30).json()["ticket"]["rating"] == 2
    again = public_rate(hall, {"ticket": ticket["id"], "level": 5})
    assert assert_error(again, 409, "conflict", "already_rated")["detail"] == {"number": ticket["number"]}
    (listed,) = ratings_of(hall, ticket["id"])
    assert (listed["level"], listed["clerk"], listed["id"]) == (2, hall.admin.get(f"/windows/{window}").json()["window"]["clerk"], rating["id"])
    assert hall.admin.get("/follow-ups").json()["follow_ups"] == []  # 满意 opens no follow-up


def race(hall, ticket_id: str, n: int = 8) -> list[requests.Response]:
    """`n` ratings of one ticket sent at the same moment."""
    gate, answers = threading.Barrier(n), []

    def one(level: int) -> None:
        gate.wait()
        answers.append(public_rate(hall, {"ticket": ticket_id, "level": level}))
    threads = [threading.Thread(target=one, args=(1 + i % 5,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def assert_one_wins(hall, ticket_id: str, answers: list[requests.Response]) -> None:
    won = [r for r in answers if r.status_code == 201]
    assert len(won) == 1, [(r.status_code, r.text[:100]) for r in answers]
    for r in answers:
        if r.status_code != 201:
            assert_error(r, 409, "conflict", "already_rated")
    (stored,) = ratings_of(hall, ticket_id)
    assert stored["level"] == won[0].json()["rating"]["level"]


def test_ratings_sent_at_once_store_one_and_refuse_the_others(hall):
    window = WINDOWS.take("rst")
    ticket = serve(hall, hall.clerk_at(window), window)
    assert_one_wins(hall, ticket["id"], race(hall, ticket["id"]))


def test_on_postgresql_ratings_at_once_meet_the_unique_key_and_a_follow_up_removes_one(fresh_hall, pg_url):
    pg = fresh_hall(db=pg_url)
    clerk = pg.clerk_at("1")
    for _ in range(3):  # several rounds: the race reaches the database's unique key in some of them
        ticket = serve(pg, clerk, "1")
        assert_one_wins(pg, ticket["id"], race(pg, ticket["id"], 12))
    # The same hall's follow-up, removal and export, on PostgreSQL's SQL.
    serve(pg, clerk, "1", end=None)
    case = clerk.post("/windows/1/route", {"applicant": {"name": "欧阳小明", "phone": "13800001111"}}).json()["case"]
    bad = public_rate(pg, {"ticket": case["ticket"], "level": 5, "comment": "跑了两次"}).json()["rating"]
    (follow_up,) = [f for f in pg.admin.get("/follow-ups").json()["follow_ups"] if f["rating"]["id"] == bad["id"]]
    path = f"/follow-ups/{follow_up['id']}"
    assert pg.admin.post(path, {"action": "appeal", "note": "申诉"}).status_code == 200
    (line,) = [json.loads(x) for x in pg.admin.get("/ratings/export").text.splitlines() if case["number"] in x]
    assert (line["办件编号"], line["评价人"], line["满意度代码"]) == (case["number"], "欧**明", 5)
    removed = pg.admin.post(path, {"action": "remove", "note": "核实"}).json()["follow_up"]
    assert [h["action"] for h in removed["history"]] == ["open", "appeal", "remove"]
    assert ratings_of(pg, case["ticket"])[0]["removed"] is True
    assert case["number"] not in pg.admin.get("/ratings/export").text


def test_only_a_served_ticket_is_rated_through_its_id(hall):
    window = WINDOWS.take("rst")
    clerk = hall.clerk_at(window)
    waiting = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    assert_error(public_rate(hall, {"ticket": waiting["id"], "level": 1}), 409, "conflict", "ticket_not_served")
    assert clerk.post(f"/windows/{window}/call-next").status_code == 200  # called: not served yet
    assert_error(public_rate(hall, {"ticket": waiting["id"], "level": 1}), 409, "conflict", "ticket_not_served")
    assert clerk.post(f"/windows/{window}/no-show").status_code == 200
    err = assert_error(public_rate(hall, {"ticket": waiting["id"], "level": 1}), 409, "conflict", "ticket_not_served")
    assert err["detail"] == {"status": "no_show"}
    assert_error(public_rate(hall, {"ticket": "no-such-ticket", "level": 1}), 404, "not_found", "no_such_ticket")
    assert ratings_of(hall, waiting["id"]) == []


BAD_BODIES = [
    ({"level": 0}, "invalid_rating_level"),
    ({"level": 6}, "invalid_rating_level"),
    ({"level": "2"}, "invalid_field"),
    ({"level": True}, "invalid_field"),
    ({"level": 2.5}, "invalid_field"),
    ({"level": 2, "channel": "sms"}, "invalid_channel"),
    ({"level": 2, "channel": "pad"}, "rating_target_required"),  # a pad's rating names the window
    ({"level": 2, "comment": "长" * 501}, "invalid_field"),
    ({"level": 2, "stars": 5}, "invalid_field"),
    ({"level": 2, "ticket": None}, "invalid_field"),
]


@pytest.fixture(scope="module")
def one_window(hall):
    window = WINDOWS.take("rst")
    return window, hall.clerk_at(window)


@pytest.mark.parametrize("extra, reason", BAD_BODIES, ids=[r for _, r in BAD_BODIES])
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(hall, one_window, extra, reason):
    window, clerk = one_window
    ticket = serve(hall, clerk, window)
    before = hall.admin.get("/ratings").json()
    body = {"ticket": ticket["id"], **extra}
    assert_error(public_rate(hall, body), 400, "invalid", reason)
    assert hall.admin.get("/ratings").json() == before
    assert hall.kiosk.get(f"/tickets/{ticket['id']}").json()["ticket"]["rating"] is None
    assert_error(public_rate(hall, {"level": 2}), 400, "invalid", "rating_target_required")
    assert_error(public_rate(hall, {"ticket": ticket["id"], "window": window, "level": 2}), 400, "invalid",
                 "rating_target_required")
    assert hall.admin.get("/ratings").json() == before


def test_a_pad_rates_what_its_window_serves_now_or_served_last(hall):
    window = WINDOWS.take("rst")
    pad = pad_token(hall, f"pad-{window}")
    clerk = hall.clerk_at(window)
    staffed = hall.admin.get(f"/windows/{window}").json()["window"]
    clerk_name, shown_name = staffed["clerk"], staffed["clerk_name"]
    assert shown_name and shown_name != clerk_name  # the pad faces the citizen: a display name, no username
    assert pad.get(f"/windows/{window}/rating-target").json() == {
        "window": window, "clerk": shown_name, "number": None, "ticket": None, "status": None, "rated": False,
        "level": None}
    assert_error(pad.post("/ratings", {"window": window, "level": 1, "channel": "pad"}), 409, "conflict",
                 "nothing_to_rate")
    current = serve(hall, clerk, window, end=None)  # called: the citizen rates as the service ends
    target = pad.get(f"/windows/{window}/rating-target").json()
    assert (target["number"], target["ticket"], target["status"], target["rated"]) == (
        current["number"], current["id"], "called", False)
    key = {"Idempotency-Key": f"pad-{current['id']}"}
    r = pad.post("/ratings", {"window": window, "level": 1, "channel": "pad"}, headers=key)
    assert r.status_code == 201, r.text
    rated = r.json()["rating"]
    assert (rated["ticket"], rated["number"], rated["channel"], rated["clerk"], rated["level"]) == (
        current["id"], current["number"], "pad", clerk_name, 1)
    double_tap = pad.post("/ratings", {"window": window, "level": 1, "channel": "pad"}, headers=key)
    assert double_tap.status_code == 201 and double_tap.json() == r.json()  # the same answer, stored once
    assert clerk.post(f"/windows/{window}/finish").status_code == 200
    target = pad.get(f"/windows/{window}/rating-target").json()
    assert (target["number"], target["status"], target["rated"], target["level"]) == (current["number"], "done", True, 1)
    assert_error(pad.post("/ratings", {"window": int(window), "level": 2}), 409, "conflict", "already_rated")
    later = serve(hall, clerk, window)
    r = pad.post("/ratings", {"window": int(window), "level": 3})  # a number is a window too; channel pad by default
    assert r.status_code == 201 and (r.json()["rating"]["ticket"], r.json()["rating"]["channel"]) == (later["id"], "pad")
    assert [x["level"] for x in ratings_of(hall, current["id"]) + ratings_of(hall, later["id"])] == [1, 3]
    assert_error(pad.get("/windows/99999/rating-target"), 404, "not_found", "no_such_window")


def test_a_pads_token_is_good_for_the_pad_alone(hall):
    window = WINDOWS.take("rst")
    pad = pad_token(hall, f"pad-only-{window}")
    assert_error(pad.post("/tickets", {"matter": "rst-sbk"}), 403, "forbidden", "device_cannot_issue")
    for path in ("/windows", "/ratings", "/ratings/export", "/follow-ups", "/tickets/x/history", "/devices"):
        assert_error(pad.get(path), 403, "forbidden", "role_not_allowed")
    assert_error(pad.post(f"/windows/{window}/call-next"), 403, "forbidden")
    # Rating by window needs a pad: a kiosk, staff, or no token at all cannot.
    body = {"window": window, "level": 1, "channel": "pad"}
    assert_error(hall.kiosk.post("/ratings", body), 403, "forbidden", "role_not_allowed")
    assert_error(hall.admin.post("/ratings", body), 403, "forbidden", "role_not_allowed")
    assert_error(public_rate(hall, body), 401, "unauthorized", "token_missing")
    assert_error(requests.get(hall.server.api + f"/windows/{window}/rating-target", timeout=30), 401, "unauthorized")
    assert_error(hall.admin.get(f"/windows/{window}/rating-target"), 403, "forbidden", "role_not_allowed")


def test_ratings_and_follow_ups_are_read_by_admins_and_supervisors_only(hall, supervisor):
    r = hall.admin.post("/users", {"username": "bo-ratings", "password": PASSWORD, "role": "backoffice", "department": "rst"})
    assert r.status_code == 201, r.text
    clerk = hall.clerk_at(WINDOWS.take("rst"))
    refused = {"clerk": clerk, "backoffice": login(hall.server, "bo-ratings"), "kiosk": hall.kiosk,
               "display": hall.display}
    for path in ("/ratings", "/ratings/export", "/follow-ups", "/follow-ups/1"):
        for who, client in refused.items():
            assert_error(client.get(path), 403, "forbidden", "role_not_allowed")
        assert_error(requests.get(hall.server.api + path, timeout=30), 401, "unauthorized", "token_missing")
        for client in (hall.admin, supervisor):
            assert client.get(path).status_code in (200, 404), path  # 404: follow-up 1 may not exist yet
    assert_error(clerk.post("/follow-ups/1", {"action": "contact", "note": "x"}), 403, "forbidden", "role_not_allowed")
    for query, reason in (("from=2026-03-05&to=2026-03-01", "invalid_date_range"), ("from=2026-3-1", "invalid_date_range"),
                          ("from=2024-01-01&to=2026-01-01", "invalid_date_range"), ("level=9", "invalid_rating_level"),
                          ("level=x", "invalid_rating_level")):
        assert_error(supervisor.get(f"/ratings?{query}"), 400, "invalid", reason)
    assert_error(supervisor.get("/ratings/export?to=yesterday"), 400, "invalid", "invalid_date_range")
    assert_error(supervisor.get("/follow-ups?status=lost"), 400, "invalid", "invalid_status_filter")
    today = dt.datetime.now(SHANGHAI).date()
    day_range = f"from={today - dt.timedelta(days=1)}&to={today + dt.timedelta(days=1)}"
    assert supervisor.get(f"/ratings?{day_range}&level=2").status_code == 200


def events_of(hall, subject: str, subject_id: str) -> list[tuple[str, str, dict]]:
    """(kind, actor, payload) of the hall's event log rows about one subject, in order."""
    with sqlite3.connect(hall.db.removeprefix("sqlite:///")) as db:
        rows = db.execute("SELECT kind, actor, payload FROM events WHERE subject = ? AND subject_id = ? ORDER BY id",
                          (subject, subject_id)).fetchall()
    return [(kind, actor, json.loads(payload)) for kind, actor, payload in rows]


def test_a_bad_rating_is_followed_up_and_an_appeal_can_remove_it(hall, supervisor):
    window = WINDOWS.take("rst")
    clerk = hall.clerk_at(window)
    first, second = serve(hall, clerk, window), serve(hall, clerk, window)
    bad = public_rate(hall, {"ticket": first["id"], "level": 4, "comment": "等太久"}).json()["rating"]
    worse = public_rate(hall, {"ticket": second["id"], "level": 5}).json()["rating"]
    opened = {f["rating"]["id"]: f for f in supervisor.get("/follow-ups?status=open").json()["follow_ups"]}
    one, two = opened[bad["id"]], opened[worse["id"]]
    assert (one["status"], one["outcome"], one["rating"]["comment"], one["rating"]["clerk"]) == (
        "open", None, "等太久", hall.admin.get(f"/windows/{window}").json()["window"]["clerk"])
    assert dt.date.fromisoformat(one["contact_due"]) <= dt.date.fromisoformat(one["fix_due"])
    assert [(h["action"], h["who"]) for h in one["history"]] == [("open", "anonymous:-")]

    path = f"/follow-ups/{one['id']}"
    assert_error(supervisor.post(path, {"action": "contact"}), 400, "invalid", "note_required")
    assert_error(supervisor.post(path, {"action": "contact", "note": "   "}), 400, "invalid", "note_required")
    assert_error(supervisor.post(path, {"action": "forget", "note": "x"}), 400, "invalid", "invalid_follow_up_action")
    assert_error(supervisor.post(path, {"action": "fix", "note": "x"}), 409, "conflict", "follow_up_step_not_allowed")
    assert_error(supervisor.post("/follow-ups/999999", {"action": "contact", "note": "x"}), 404, "not_found",
                 "no_such_follow_up")
    assert supervisor.get(path).json()["follow_up"]["history"] == one["history"]  # refused: nothing changed
    for client, action, status in ((supervisor, "contact", "contacted"), (hall.admin, "fix", "fixed"),
                                   (supervisor, "close", "closed")):
        r = client.post(path, {"action": action, "note": f"已{action}"})
        assert r.status_code == 200, r.text
        assert r.json()["follow_up"]["status"] == status
    done = supervisor.get(path).json()["follow_up"]
    assert [(h["action"], h["who"], h["note"], h["status"]) for h in done["history"]] == [
        ("open", "anonymous:-", None, "open"), ("contact", "user:jian-cha", "已contact", "contacted"),
        ("fix", "user:admin", "已fix", "fixed"), ("close", "user:jian-cha", "已close", "closed")]
    assert done == r.json()["follow_up"]  # the answer to the step said what the log now holds
    assert_error(supervisor.post(path, {"action": "appeal", "note": "晚了"}), 409, "conflict", "follow_up_step_not_allowed")

    def window_ratings() -> dict:  # the window's row of today's report (business day: yesterday at night)
        today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
        span = f"from={today - dt.timedelta(days=1)}&to={today}"
        rows = supervisor.get(f"/reports/service?by=window&{span}").json()["rows"]
        return next(row for row in rows if row["key"] == window)["ratings"]
    assert window_ratings()["5"] == 1 and window_ratings()["4"] == 1

    path = f"/follow-ups/{two['id']}"
    assert supervisor.post(path, {"action": "appeal", "note": "窗口申诉：非本窗口原因"}).json()["follow_up"]["status"] == "appealed"
    assert window_ratings()["5"] == 1  # an appeal alone changes nothing
    removed = supervisor.post(path, {"action": "remove", "note": "核实属实，不计入统计"}).json()["follow_up"]
    assert window_ratings()["5"] == 0 and window_ratings()["4"] == 1  # removed: out of the report's counts
    assert (removed["status"], removed["outcome"], removed["rating"]["removed"]) == ("closed", "removed", True)
    (listed,) = ratings_of(hall, second["id"])
    assert listed["removed"] is True and ratings_of(hall, first["id"])[0]["removed"] is False
    kinds = [kind for kind, _, _ in events_of(hall, "rating", worse["id"])]
    assert kinds == ["given", "bad", "removed"]
    steps = [(kind, actor, p["action"], p["outcome"]) for kind, actor, p in events_of(hall, "follow_up", two["id"])[1:]]
    assert steps == [("step", "user:jian-cha", "appeal", None), ("step", "user:jian-cha", "remove", "removed")]
    exported = [json.loads(line) for line in hall.admin.get("/ratings/export").text.splitlines()]
    assert second["number"] not in [line["办件编号"] for line in exported]  # removed: not exported
    assert first["number"] in [line["办件编号"] for line in exported]


def test_the_export_carries_the_national_record_of_each_rating(hall, supervisor):
    window = WINDOWS.take("rst")
    clerk = hall.clerk_at(window)
    clerk_name = hall.admin.get(f"/windows/{window}").json()["window"]["clerk"]
    walk_in = serve(hall, clerk, window)
    public_rate(hall, {"ticket": walk_in["id"], "level": 3, "comment": "还行"})
    serve(hall, clerk, window, end=None)
    routed = clerk.post(f"/windows/{window}/route", {"applicant": {"name": "张小三", "phone": "13800001111"}})
    assert routed.status_code == 201, routed.text
    case = routed.json()["case"]
    pad = pad_token(hall, f"pad-export-{window}")
    by_pad = pad.post("/ratings", {"window": window, "level": 5, "comment": "材料说明不清"})
    assert by_pad.status_code == 201 and by_pad.json()["rating"]["ticket"] == case["ticket"], by_pad.text

    r = supervisor.get("/ratings/export")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/x-ndjson"), r.headers
    documented = hall.kiosk.get("/openapi.json").json()["paths"]["/api/v1/ratings/export"]["get"]["responses"]["200"]
    assert set(documented["content"]) == {"application/x-ndjson"}  # what is served is what is documented
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert all(set(line) == EXPORT_KEYS for line in lines), lines
    mine = {line["办件编号"]: line for line in lines if line["经办人"] == clerk_name}
    assert set(mine) == {walk_in["number"], case["number"]}  # the case number when the ticket was routed
    ratings = {r["ticket"]: r for r in hall.admin.get("/ratings").json()["ratings"]}
    department = {d["code"]: d["name"] for d in hall.kiosk.get("/catalog").json()["departments"]}["rst"]
    for line, ticket_id in ((mine[walk_in["number"]], walk_in["id"]), (mine[case["number"]], case["ticket"])):
        assert re.fullmatch(r"\d{8}T\d{6}", line["评价时间"]), line
        at = dt.datetime.fromisoformat(ratings[ticket_id]["at"]).astimezone(SHANGHAI)
        assert line["评价时间"] == at.strftime("%Y%m%dT%H%M%S")
        assert (line["评价次数"], line["行政区划"], line["事项编码"], line["部门"]) == (1, "430000", "rst-sbk", department)
    assert {k: mine[walk_in["number"]][k] for k in ("评价渠道", "评价人", "满意度代码", "文字评价")} == {
        "评价渠道": "3", "评价人": "匿名", "满意度代码": 3, "文字评价": "还行"}
    assert {k: mine[case["number"]][k] for k in ("评价渠道", "评价人", "满意度代码", "文字评价")} == {
        "评价渠道": "4", "评价人": "张*三", "满意度代码": 5, "文字评价": "材料说明不清"}
    today = dt.datetime.now(SHANGHAI).date()
    assert supervisor.get(f"/ratings/export?from={today + dt.timedelta(days=1)}&to={today + dt.timedelta(days=2)}").text == ""
