"""Issue 14, point 4: case actions are checked against the case, against a real server.

A hall clerk at window 49 once mailed a case of window 1 (社保, a professional window) with a made-up
tracking number and reopened it with POST /cases/{id}/materials, restarting its deadline. Now only the
case's desk acts on it (the accepting window, its department's windows; for a hall-staffed window the
hall-staffed windows of its floor), and the window its pickup ticket is called to hands it over."""
from __future__ import annotations


import pytest

from contract_helpers import assert_error
from harness import PASSWORD, login


@pytest.fixture(scope="module")
def desks(hall):
    """Window 1 (社保, professional) accepts a case; window 2 is of the same department; window 49 is a
    hall-staffed comprehensive window, which serves the floor's pickup queue."""
    return {"1": hall.clerk_at("1"), "2": hall.clerk_at("2"), "49": hall.clerk_at("49"), "rst": hall.add_backoffice("rst")}


def accept_at_window_1(hall, desks) -> dict:
    r = hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    assert r.status_code == 201, r.text
    called = desks["1"].post("/windows/1/call-next")
    assert called.status_code == 200 and called.json()["ticket"]["id"] == r.json()["ticket"]["id"], called.text
    routed = desks["1"].post("/windows/1/route", {"applicant": {"name": "张小三", "phone": "13812341234"}})
    assert routed.status_code == 201, routed.text
    return routed.json()["case"]


def state(hall, case) -> dict:
    got = hall.admin.get(f"/cases/{case['id']}").json()["case"]
    return {k: got[k] for k in ("status", "due_at", "clock_stopped", "supplements", "handed_over", "tracking", "departments")}


def test_a_clerk_of_another_desk_can_neither_reopen_nor_mail_a_case(hall, desks):
    case = accept_at_window_1(hall, desks)
    rst = desks["rst"]
    asked = rst.post(f"/cases/{case['id']}/request-materials", {"materials": ["户口本"], "note": "请补交"})
    assert asked.status_code == 200 and asked.json()["case"]["clock_stopped"] is True, asked.text

    # The reproduction: window 49 records materials on window 1's case, restarting its clock.
    before = state(hall, case)
    assert_error(desks["49"].post(f"/cases/{case['id']}/materials", {"materials": ["户口本"]}),
                 403, "forbidden", "case_of_other_window")
    assert state(hall, case) == before

    # A window of the case's own department may (its clerks stand in for each other).
    recorded = desks["2"].post(f"/cases/{case['id']}/materials", {"materials": ["户口本"]})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["case"]["clock_stopped"] is False and recorded.json()["case"]["supplements"] == ["户口本"]

    assert rst.post(f"/cases/{case['id']}/decide", {"result": "approved"}).status_code == 200
    assert rst.post(f"/cases/{case['id']}/return").json()["case"]["status"] == "ready_for_pickup"

    # The reproduction: window 49 marks it mailed with a made-up tracking number, or handed over.
    before = state(hall, case)
    assert_error(desks["49"].post("/windows/49/hand-over", {"how": "mail", "case": case["number"],
                                                             "tracking": "SF1234567890123"}),
                 403, "forbidden", "case_of_other_window")
    assert_error(desks["49"].post("/windows/49/hand-over", {"how": "pickup", "case": case["number"]}),
                 403, "forbidden", "case_of_other_window")
    assert state(hall, case) == before
    assert case["number"] in [c["number"] for c in hall.admin.get("/cases?status=ready_for_pickup").json()]

    # A tracking number that is no tracking number is refused at the case's own window.
    for tracking in ("x", "abc", "没有单号", "1-2-3-4-5-6-7-8", "ABCDEFGHIJK1"):
        assert_error(desks["1"].post("/windows/1/hand-over", {"how": "mail", "case": case["number"], "tracking": tracking}),
                     400, "invalid", "invalid_tracking_number")
    assert state(hall, case) == before

    # 窗口统一出件: the window the pickup ticket is called to hands it over, even though another desk.
    pickup = hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": case["pickup_code"]})
    assert pickup.status_code == 201, pickup.text
    assert pickup.json()["ticket"]["queue"] == "pickup1"
    called = desks["49"].post("/windows/49/call-next")
    assert called.status_code == 200 and called.json()["ticket"]["case"] == case["number"], called.text
    handed = desks["49"].post("/windows/49/hand-over", {"how": "pickup"})
    assert handed.status_code == 200, handed.text
    assert handed.json()["case"]["status"] == "picked_up" and handed.json()["case"]["handed_over"] == "pickup"


def test_the_accepting_window_mails_its_case_and_the_admin_records_materials(hall, desks):
    case = accept_at_window_1(hall, desks)
    rst = desks["rst"]
    assert rst.post(f"/cases/{case['id']}/request-materials", {"materials": ["照片"]}).status_code == 200
    recorded = hall.admin.post(f"/cases/{case['id']}/materials", {"materials": ["照片"]})
    assert recorded.status_code == 200 and recorded.json()["case"]["clock_stopped"] is False, recorded.text
    assert rst.post(f"/cases/{case['id']}/decide", {"result": "approved"}).status_code == 200
    assert rst.post(f"/cases/{case['id']}/return").status_code == 200
    mailed = desks["1"].post("/windows/1/hand-over", {"how": "mail", "case": case["number"], "tracking": "ea123456789cn"})
    assert mailed.status_code == 200, mailed.text
    assert (mailed.json()["case"]["handed_over"], mailed.json()["case"]["tracking"]) == ("mail", "EA123456789CN")


def test_a_clerk_signed_in_nowhere_cannot_record_materials(hall, desks):
    case = accept_at_window_1(hall, desks)
    assert desks["rst"].post(f"/cases/{case['id']}/request-materials", {"materials": ["照片"]}).status_code == 200
    r = hall.admin.post("/users", {"username": "rst-off-duty", "password": PASSWORD, "role": "clerk", "department": "rst"})
    assert r.status_code == 201, r.text
    off_duty = login(hall.server, "rst-off-duty")
    before = state(hall, case)
    assert_error(off_duty.post(f"/cases/{case['id']}/materials", {"materials": ["照片"]}), 403, "forbidden")
    assert state(hall, case) == before
