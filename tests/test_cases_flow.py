"""前台综合受理、后台分类审批、窗口统一出件 over the HTTP API and Socket.IO, against a real server: a ticket
becomes a case at a window, lands in its department's back-office inbox, is decided, returns, is
announced ready, and is collected through a pickup ticket."""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import make_hall
from contract_helpers import assert_error
from harness import connect_socket, wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO = Path(__file__).resolve().parent.parent / "config" / "demo-hall.toml"


def next_weekday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


TODAY = dt.datetime.now(SHANGHAI).date()
HOLIDAY = next_weekday(TODAY)  # the hall is closed on the next weekday (the test's configured holiday)


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """The demo hall with its calendar replaced: one holiday, on the next weekday after today."""
    tmp = tmp_path_factory.mktemp("cases")
    demo = DEMO.read_text(encoding="utf-8")
    assert "\n[calendar]\n" in demo
    config = tmp / "hall.toml"
    config.write_text(demo.split("\n[calendar]\n")[0] + f"\n[calendar]\nholidays = [{HOLIDAY.isoformat()}]\n",
                      encoding="utf-8")
    h = make_hall(tmp, config=str(config))
    yield h
    h.server.stop()


def events(received, name):
    return [data for event, data in received if event == name]


def take_and_call(hall, clerk, window: str, matter: str) -> dict:
    r = hall.kiosk.post("/tickets", {"matter": matter})
    assert r.status_code == 201, r.text
    called = clerk.post(f"/windows/{window}/call-next")
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["id"] == r.json()["ticket"]["id"]
    return called.json()["ticket"]


def route(clerk, window: str, **extra) -> dict:
    r = clerk.post(f"/windows/{window}/route", {"applicant": {"name": "张小三", "phone": "13812341234"},
                                                 "note": "材料齐全", **extra})
    assert r.status_code == 201, r.text
    return r.json()["case"]


def test_a_case_goes_from_the_window_to_the_back_office_and_is_picked_up_at_the_window(hall):
    clerk = hall.clerk_at("49")
    tyjr, jyj = hall.add_backoffice("tyjr"), hall.add_backoffice("jyj")
    sockets = {name: connect_socket(hall.server.url, ns, {"token": token}) for name, ns, token in (
        ("tyjr", "/backoffice", tyjr.token), ("jyj", "/backoffice", jyj.token), ("window", "/clerk", clerk.token))}
    screen, screen_events = connect_socket(hall.server.url, "/display")
    try:
        screen.call("subscribe", {"floor": 1}, namespace="/display", timeout=10)
        ticket = take_and_call(hall, clerk, "49", "tyjr-ydz")  # 退役军人优待证申领 (a comprehensive department)
        case = route(clerk, "49")

        assert re.fullmatch(r"\d{12}", case["number"]) and case["ticket"] == ticket["id"]
        assert case["status"] == "in_review" and case["window"] == "49" and case["matter"] == "tyjr-ydz"
        assert [(d["code"], d["status"]) for d in case["departments"]] == [("tyjr", "pending")]
        assert case["applicant"] == {"name": "张*三", "phone": "138****1234"}
        assert case["materials"] == ["居民身份证", "退役证件", "近期免冠照片"]
        routed_ticket = hall.kiosk.get(f"/tickets/{ticket['id']}").json()["ticket"]
        assert routed_ticket["status"] == "routed" and routed_ticket["case"] == case["number"]
        assert clerk.get("/windows/49").json()["window"]["current"] is None
        # The citizen's tracking page follows the case (public view) by its id.
        tracking, tracking_events = connect_socket(hall.server.url, "/display", {"case": case["id"]})
        sockets["tracking"] = (tracking, tracking_events)
        assert wait_for(lambda: events(tracking_events, "snapshot"), 10)
        assert events(tracking_events, "snapshot")[0]["case"]["status"] == "in_review"

        # The inbox of the department, pushed with the applicant in full; nothing for another department.
        tyjr_events = sockets["tyjr"][1]
        assert wait_for(lambda: events(tyjr_events, "case_routed"), 10), tyjr_events
        pushed = events(tyjr_events, "case_routed")[0]
        assert pushed["id"] == case["id"] and pushed["applicant"] == {"name": "张小三", "phone": "13812341234"}
        inbox = tyjr.get("/cases?status=in_review").json()
        assert [c["id"] for c in inbox] == [case["id"]] and inbox[0]["applicant"]["name"] == "张小三"
        assert case["id"] not in [c["id"] for c in jyj.get("/cases").json()]
        assert_error(jyj.post(f"/cases/{case['id']}/decide", {"result": "approved"}), 403, "forbidden")
        assert_error(jyj.post(f"/cases/{case['id']}/claim"), 403, "forbidden")

        assert tyjr.post(f"/cases/{case['id']}/claim").json()["case"]["departments"][0]["claimed_by"] == tyjr_name(tyjr)
        decided = tyjr.post(f"/cases/{case['id']}/decide", {"result": "approved", "note": "符合条件"})
        assert decided.status_code == 200, decided.text
        assert decided.json()["case"]["status"] == "approved"
        # The accepting window follows its case (masked).
        window_events = sockets["window"][1]
        assert wait_for(lambda: any(c["status"] == "approved" for c in events(window_events, "case_updated")), 10)
        assert all(c["applicant"]["name"] == "张*三" for c in events(window_events, "case_updated"))
        assert wait_for(lambda: any(c["status"] == "approved" for c in events(tracking_events, "case_updated")), 10)
        assert "张小三" not in str(tracking_events) and "13812341234" not in str(tracking_events)

        # Not ready yet: no pickup ticket (a kiosk is not told why: docs/security.md, pickup tickets).
        assert_error(hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": case["pickup_code"]}),
                     404, "not_found", "pickup_not_available")
        returned = tyjr.post(f"/cases/{case['id']}/return")
        assert returned.status_code == 200 and returned.json()["case"]["status"] == "ready_for_pickup"
        assert wait_for(lambda: any(case["number"] in r["numbers"] for r in events(screen_events, "ready_cases")), 10)
        assert "张" not in str(events(screen_events, "ready_cases"))
        assert wait_for(lambda: any(c["status"] == "ready_for_pickup" for c in events(window_events, "case_updated")), 10)
        late, late_events = connect_socket(hall.server.url, "/display", {"floor": 1})  # a screen that (re)connects
        assert wait_for(lambda: events(late_events, "snapshot"), 10)
        assert case["number"] in events(late_events, "snapshot")[0]["ready_cases"]
        late.disconnect()
        tracked = hall.kiosk.get(f"/cases/{case['id']}").json()["case"]
        assert tracked["status"] == "ready_for_pickup" and tracked["applicant"] is None

        # Pickup: a ticket from the case number and its pickup code, served first at the window, then handed over.
        pickup = hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": case["pickup_code"]})
        assert pickup.status_code == 201, pickup.text
        pickup = pickup.json()["ticket"]
        assert pickup["queue"] == "pickup1" and pickup["case"] == case["number"] and pickup["number"].startswith("Q")
        assert_error(hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": case["pickup_code"]}),
                     409, "conflict")
        hall.kiosk.post("/tickets", {"matter": "tyjr-ydz"})  # a newer service ticket waits too
        called = clerk.post("/windows/49/call-next").json()["ticket"]
        assert called["id"] == pickup["id"], "the pickup queue comes first at the window"
        handed = clerk.post("/windows/49/hand-over", {"how": "pickup"})
        assert handed.status_code == 200, handed.text
        assert handed.json()["case"]["status"] == "picked_up" and handed.json()["case"]["handed_over"] == "pickup"
        assert hall.kiosk.get(f"/tickets/{pickup['id']}").json()["ticket"]["status"] == "done"
        assert wait_for(lambda: events(screen_events, "ready_cases")
                        and case["number"] not in events(screen_events, "ready_cases")[-1]["numbers"], 10)

        # The audit trail: every step, who and when; the public sees the steps without names.
        history = tyjr.get(f"/cases/{case['id']}").json()["case"]["history"]
        assert [h["kind"] for h in history] == ["routed", "claimed", "approved", "decided", "returned", "picked_up"]
        assert history[0]["actor"] == f"user:{clerk_name(hall, '49')}" and history[2]["detail"] == {"note": "符合条件"}
        assert all(h["at"] for h in history)
        public = hall.kiosk.get(f"/cases/{case['id']}").json()["case"]["history"]
        assert [h["kind"] for h in public] == [h["kind"] for h in history] and all(h["actor"] is None for h in public)
        time.sleep(0.3)
        assert not events(sockets["jyj"][1], "case_routed") and not events(sockets["jyj"][1], "case_updated")
        assert clerk.post("/windows/49/call-next").status_code == 200  # serve the newer ticket away
        assert clerk.post("/windows/49/finish").status_code == 200
    finally:
        for client, _ in sockets.values():
            client.disconnect()
        screen.disconnect()


def tyjr_name(client) -> str:
    return client.get("/me").json()["name"]


def clerk_name(hall, window: str) -> str:
    return hall.admin.get(f"/windows/{window}").json()["window"]["clerk"]


def test_a_one_thing_case_waits_for_every_department(hall):
    clerk = hall.clerk_at("57")
    staff = {d: hall.add_backoffice(d) for d in ("gat", "ybj", "rst")}
    sockets = {d: connect_socket(hall.server.url, "/backoffice", {"token": c.token}) for d, c in staff.items()}
    try:
        take_and_call(hall, clerk, "57", "yjs-xsr")  # 新生儿出生一件事: 公安, 医保, 人社 at once
        case = route(clerk, "57")
        assert [d["code"] for d in case["departments"]] == ["gat", "ybj", "rst"]
        for department, (_, received) in sockets.items():
            assert wait_for(lambda: any(c["id"] == case["id"] for c in events(received, "case_routed")), 10), department
        for department in ("gat", "ybj"):
            r = staff[department].post(f"/cases/{case['id']}/decide", {"result": "approved"})
            assert r.status_code == 200 and r.json()["case"]["status"] == "in_review"
        assert_error(staff["gat"].post(f"/cases/{case['id']}/return"), 409, "conflict")

        # 补正: 人社 asks for a material; the clock stops until the window records it.
        asked = staff["rst"].post(f"/cases/{case['id']}/request-materials", {"materials": ["结婚证原件"], "note": "请补交"})
        assert asked.status_code == 200, asked.text
        assert asked.json()["case"]["clock_stopped"] is True
        assert asked.json()["case"]["departments"][2]["status"] == "awaiting_materials"
        assert_error(staff["rst"].post(f"/cases/{case['id']}/decide", {"result": "approved"}), 409, "conflict")
        recorded = clerk.post(f"/cases/{case['id']}/materials", {"materials": ["结婚证原件"]})
        assert recorded.status_code == 200, recorded.text
        assert recorded.json()["case"]["clock_stopped"] is False and recorded.json()["case"]["supplements"] == ["结婚证原件"]

        r = staff["rst"].post(f"/cases/{case['id']}/decide", {"result": "approved"})
        assert r.status_code == 200 and r.json()["case"]["status"] == "approved"
        assert [d["status"] for d in r.json()["case"]["departments"]] == ["approved"] * 3
        for department, (_, received) in sockets.items():
            assert wait_for(lambda: any(c["id"] == case["id"] and c["status"] == "approved"
                                        for c in events(received, "case_updated")), 10), department
        assert staff["ybj"].post(f"/cases/{case['id']}/return").json()["case"]["status"] == "ready_for_pickup"
        mailed = clerk.post("/windows/57/hand-over", {"how": "mail", "case": case["number"], "tracking": "EMS12345678"})
        assert mailed.status_code == 200, mailed.text
        assert mailed.json()["case"]["status"] == "picked_up" and mailed.json()["case"]["handed_over"] == "mail"
    finally:
        for client, _ in sockets.values():
            client.disconnect()


def test_a_deadline_counts_working_days_across_a_weekend_and_a_configured_holiday(hall):
    clerk = hall.clerk_at("50")
    take_and_call(hall, clerk, "50", "jyj-qshj")  # 服刑人员亲属会见登记: 5 working days
    case = route(clerk, "50")
    expected, left = TODAY, 5
    while left:  # counted here by hand: Monday to Friday, except the configured holiday
        expected += dt.timedelta(days=1)
        if expected.weekday() < 5 and expected != HOLIDAY:
            left -= 1
    assert (expected - TODAY).days >= 7, "the span crosses a weekend and the holiday"
    due = dt.datetime.fromisoformat(case["due_at"]).astimezone(SHANGHAI)
    assert (due.date(), due.time()) == (expected, dt.time(23, 59, 59))
    assert case["deadline"] == "on_time"


def test_a_professional_window_routes_its_own_department_and_a_short_promise_alerts_the_admin(hall):
    clerk = hall.clerk_at("67")  # 市场监管局 (scjg)
    admin_socket, admin_events = connect_socket(hall.server.url, "/admin", {"token": hall.admin.token})
    try:
        take_and_call(hall, clerk, "67", "scjg-qysl")  # 企业设立登记: 1 working day
        case = route(clerk, "67")
        assert [d["code"] for d in case["departments"]] == ["scjg"] and case["deadline"] == "due_soon"
        assert wait_for(lambda: any(a["detail"].get("case") == case["number"] for a in events(admin_events, "alert")), 10)
        alert = next(a for a in events(admin_events, "alert") if a["detail"].get("case") == case["number"])
        assert (alert["rule"], alert["level"], alert["subject"]) == ("case_due", "yellow", {"kind": "case", "id": case["id"]})
        assert "13812341234" not in str(alert) and "即将到期" in alert["message"]
        # Another department's matter cannot be routed from this window.
        take_and_call(hall, clerk, "67", "scjg-qysl")
        assert_error(clerk.post("/windows/67/route", {"applicant": {"name": "李四", "phone": "13900000000"},
                                                      "matter": "tyjr-ydz"}), 403, "forbidden")
        assert clerk.post("/windows/67/finish").status_code == 200
    finally:
        admin_socket.disconnect()


def test_bad_case_requests_are_refused_and_change_nothing(hall):
    clerk = hall.clerk_at("51")
    tyjr = hall.add_backoffice("tyjr")
    assert_error(clerk.post("/windows/51/route", {"applicant": {"name": "张三", "phone": "13812341234"}}), 409, "conflict")
    take_and_call(hall, clerk, "51", "tyjr-yfrd")
    for body in ({}, {"applicant": {"name": "张三"}}, {"applicant": {"name": "张三", "phone": "call me"}},
                 {"applicant": {"name": "", "phone": "13812341234"}},
                 {"applicant": {"name": "张三", "phone": "13812341234"}, "extra": 1}):
        assert_error(clerk.post("/windows/51/route", body), 400, "invalid")
    assert clerk.get("/windows/51").json()["window"]["current"]["status"] == "called"
    assert_error(hall.kiosk.post("/tickets", {"case": "209901010001"}), 404, "not_found", "pickup_not_available")
    assert_error(hall.kiosk.post("/tickets", {"case": "20990101", "matter": "tyjr-yfrd"}), 400, "invalid")
    assert_error(clerk.get("/cases"), 403, "forbidden")
    assert_error(tyjr.get("/cases?status=lost"), 400, "invalid")
    assert_error(hall.kiosk.get("/cases/not-a-case"), 404, "not_found")
    assert_error(tyjr.post("/cases/not-a-case/decide", {"result": "approved"}), 404, "not_found")
    case = route(clerk, "51")
    assert_error(tyjr.post(f"/cases/{case['id']}/decide", {"result": "maybe"}), 400, "invalid")
    assert_error(tyjr.post(f"/cases/{case['id']}/decide", {"result": "rejected"}), 400, "invalid")  # no reason given
    assert_error(clerk.post(f"/cases/{case['id']}/decide", {"result": "approved"}), 403, "forbidden")
    assert_error(clerk.post(f"/cases/{case['id']}/materials", {"materials": ["x"]}), 409, "conflict")
    assert tyjr.get(f"/cases/{case['id']}").json()["case"]["departments"][0]["status"] == "pending"
    with pytest.raises(Exception):
        connect_socket(hall.server.url, "/backoffice", {"token": clerk.token})


def test_the_case_flow_on_postgresql_and_gevent_with_racing_pickup_tickets(fresh_hall, pg_url):
    from concurrent.futures import ThreadPoolExecutor
    pg = fresh_hall("gevent", db=pg_url)
    clerk = pg.clerk_at("49")
    tyjr = pg.add_backoffice("tyjr")
    take_and_call(pg, clerk, "49", "tyjr-ydz")
    key = {"Idempotency-Key": "route-once"}
    body = {"applicant": {"name": "张小三", "phone": "13812341234"}}
    first = clerk.post("/windows/49/route", body, headers=key)
    again = clerk.post("/windows/49/route", body, headers=key)  # a retry answers the same case, routes nothing new
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    case = first.json()["case"]
    assert tyjr.post(f"/cases/{case['id']}/decide", {"result": "rejected", "note": "不符合申领条件"}).status_code == 200
    assert tyjr.post(f"/cases/{case['id']}/return").json()["case"]["status"] == "ready_for_pickup"
    with ThreadPoolExecutor(6) as pool:  # six taps at once: one pickup ticket
        answers = list(pool.map(lambda _: pg.kiosk.post("/tickets", {"case": case["number"],
                                                                     "pickup_code": case["pickup_code"]}), range(6)))
    assert sorted(r.status_code for r in answers) == [201] + [409] * 5, [r.text for r in answers]
    assert clerk.post("/windows/49/call-next").json()["ticket"]["case"] == case["number"]
    handed = clerk.post("/windows/49/hand-over", {"how": "pickup"})
    assert handed.status_code == 200 and handed.json()["case"]["status"] == "picked_up"
    assert [c["status"] for c in tyjr.get("/cases").json()] == ["picked_up"]


def test_a_window_lists_the_cases_it_accepted_and_a_ticket_leads_to_its_case(hall):
    clerk = hall.clerk_at("53")
    neighbour = hall.clerk_at("54")
    ticket = take_and_call(hall, clerk, "53", "tyjr-yfrd")
    assert_error(hall.kiosk.get(f"/tickets/{ticket['id']}/case"), 404, "not_found")  # not routed yet
    case = route(clerk, "53")
    listed = clerk.get("/windows/53/cases").json()
    assert [c["id"] for c in listed] == [case["id"]]
    assert listed[0]["applicant"] == {"name": "张*三", "phone": "138****1234"} and listed[0]["status"] == "in_review"
    assert clerk.get("/windows/53/cases?status=ready_for_pickup").json() == []
    assert case["id"] not in [c["id"] for c in neighbour.get("/windows/54/cases").json()]
    assert_error(neighbour.get("/windows/53/cases"), 403, "forbidden")  # only the clerk signed in there
    assert_error(hall.kiosk.get("/windows/53/cases"), 403, "forbidden")
    assert_error(clerk.get("/windows/53/cases?status=lost"), 400, "invalid")

    # The routed ticket's holder reaches the case's public view (no applicant, no internal note).
    tracked = hall.kiosk.get(f"/tickets/{ticket['id']}/case").json()["case"]
    assert tracked["id"] == case["id"] and tracked["number"] == case["number"] and tracked["note"] is None
    assert tracked["applicant"] is None and tracked["pickup_code"] is None
    assert [h["kind"] for h in tracked["history"]] == ["routed"] and tracked["history"][0]["actor"] is None
    assert_error(hall.kiosk.get("/tickets/no-such-ticket/case"), 404, "not_found")
