"""Issue 14, points 7 and (the case half of) 6, against a real server.

A pickup ticket needs something only the citizen has: the pickup code (取件码) on the acceptance receipt,
or the applicant's ID card. From a kiosk, an unknown case number, a case not ready, a missing or wrong
code and a case locked after too many wrong codes all get one and the same answer, so neither can the
one pickup ticket be squatted nor the state of a case number be learnt; staff (the guide desk) issue
without a code. The public views of a case carry no applicant and no pickup code."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from contract_helpers import assert_error
from harness import connect_socket, wait_for
from server.domain.identity import check_character


@pytest.fixture(scope="module")
def desk(hall):
    return {"clerk": hall.clerk_at("50"), "tyjr": hall.add_backoffice("tyjr")}


def accept(hall, desk, ready: bool, id_card: dict | None = None) -> dict:
    body = {"matter": "tyjr-ydz", **({"id_card": id_card} if id_card else {})}
    r = hall.kiosk.post("/tickets", body)
    assert r.status_code == 201, r.text
    called = desk["clerk"].post("/windows/50/call-next")
    assert called.status_code == 200 and called.json()["ticket"]["id"] == r.json()["ticket"]["id"], called.text
    routed = desk["clerk"].post("/windows/50/route", {"applicant": {"name": "张小三", "phone": "13812341234"}})
    assert routed.status_code == 201, routed.text
    case = routed.json()["case"]
    if ready:
        assert desk["tyjr"].post(f"/cases/{case['id']}/decide", {"result": "approved"}).status_code == 200
        assert desk["tyjr"].post(f"/cases/{case['id']}/return").json()["case"]["status"] == "ready_for_pickup"
    return case


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def refusal(r) -> tuple:
    err = assert_error(r, 404, "not_found", "pickup_not_available")
    return r.status_code, err


def test_squatting_attempts_from_a_kiosk_all_get_one_answer_and_the_code_issues_the_ticket(hall, desk):
    ready = accept(hall, desk, ready=True)
    in_review = accept(hall, desk, ready=False)
    assert re.fullmatch(r"\d{6}", ready["pickup_code"]), "the receipt's pickup code, for the clerk"

    attempts = {
        "no code": {"case": ready["number"]},
        "wrong code": {"case": ready["number"], "pickup_code": wrong(ready["pickup_code"])},
        "unknown number": {"case": "209901019999", "pickup_code": "123456"},
        "unknown number, no code": {"case": "209901019999"},
        "not ready, its own code": {"case": in_review["number"], "pickup_code": in_review["pickup_code"]},
        "not ready, no code": {"case": in_review["number"]},
    }
    answers = {what: hall.kiosk.post("/tickets", body) for what, body in attempts.items()}
    seen = {what: refusal(r) for what, r in answers.items()}
    assert len({repr(v) for v in seen.values()}) == 1, seen  # same status, reason, message: nothing to tell apart
    assert not [c for c in hall.admin.get("/cases?status=ready_for_pickup").json()
                if c["number"] == ready["number"] and c["status"] != "ready_for_pickup"]

    # The right code issues the one pickup ticket; asked again, the citizen is told which ticket it is.
    taken = hall.kiosk.post("/tickets", {"case": ready["number"], "pickup_code": ready["pickup_code"]})
    assert taken.status_code == 201, taken.text
    ticket = taken.json()["ticket"]
    assert (ticket["kind"], ticket["case"], ticket["queue"]) == ("pickup", ready["number"], "pickup1")
    again = hall.kiosk.post("/tickets", {"case": ready["number"], "pickup_code": ready["pickup_code"]})
    assert assert_error(again, 409, "conflict", "pickup_ticket_exists")["detail"] == {"number": ticket["number"]}
    # Without the code, the same question still tells nothing.
    assert refusal(hall.kiosk.post("/tickets", {"case": ready["number"]})) == next(iter(seen.values()))
    # A pickup code must look like one: six digits (a format error says nothing about the case).
    assert_error(hall.kiosk.post("/tickets", {"case": ready["number"], "pickup_code": "12"}), 400, "invalid")
    assert_error(hall.kiosk.post("/tickets", {"matter": "tyjr-ydz", "pickup_code": "123456"}), 400, "invalid")
    served = desk["clerk"].post("/windows/50/call-next")
    assert served.json()["ticket"]["id"] == ticket["id"], served.text
    assert desk["clerk"].post("/windows/50/hand-over", {"how": "pickup"}).status_code == 200


def test_four_wrong_codes_still_let_the_right_one_through(hall, desk):
    case = accept(hall, desk, ready=True)
    for _ in range(4):
        refusal(hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": wrong(case["pickup_code"])}))
    taken = hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": case["pickup_code"]})
    assert taken.status_code == 201, taken.text
    assert desk["clerk"].post("/windows/50/call-next").json()["ticket"]["case"] == case["number"]
    assert desk["clerk"].post("/windows/50/hand-over", {"how": "pickup"}).status_code == 200


def test_wrong_codes_lock_the_kiosk_pickup_until_staff_help(hall, desk):
    case = accept(hall, desk, ready=True)
    # Guesses at once cannot slip past the count: each is counted in the case's row, under its lock.
    with ThreadPoolExecutor(8) as pool:
        guesses = list(pool.map(lambda n: hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": f"{n:06d}"}),
                                [n for n in range(20) if f"{n:06d}" != case["pickup_code"]][:16]))
    for r in guesses:
        refusal(r)
    # Locked: now even the right code gets the one answer.
    refusal(hall.kiosk.post("/tickets", {"case": case["number"], "pickup_code": case["pickup_code"]}))
    # Staff at the guide desk (首问负责) check the citizen and issue it without a code, and say why not when
    # they cannot (staff may know a case's state).
    assert_error(hall.admin.post("/tickets", {"case": "209901019999"}), 404, "not_found", "no_such_case")
    issued = hall.admin.post("/tickets", {"case": case["number"]})
    assert issued.status_code == 201, issued.text
    assert issued.json()["ticket"]["case"] == case["number"]
    served = desk["clerk"].post("/windows/50/call-next")
    assert served.json()["ticket"]["case"] == case["number"], served.text
    assert desk["clerk"].post("/windows/50/hand-over", {"how": "pickup"}).status_code == 200


def id_number(serial: int) -> str:
    first = f"43010419900101{serial:03d}"
    return first + check_character(first)


def test_the_applicants_id_card_issues_the_pickup_ticket_instead_of_the_code(hall, desk):
    card = {"number": id_number(123), "name": "张小三"}
    case = accept(hall, desk, ready=True, id_card=card)
    other = {"number": id_number(124), "name": "李四"}
    refusal(hall.kiosk.post("/tickets", {"case": case["number"], "id_card": other}))
    taken = hall.kiosk.post("/tickets", {"case": case["number"], "id_card": card})
    assert taken.status_code == 201, taken.text
    assert taken.json()["ticket"]["case"] == case["number"]
    served = desk["clerk"].post("/windows/50/call-next")
    assert served.json()["ticket"]["case"] == case["number"], served.text
    assert desk["clerk"].post("/windows/50/hand-over", {"how": "pickup"}).status_code == 200


def test_public_case_views_carry_no_applicant_and_no_pickup_code(hall, desk):
    r = hall.kiosk.post("/tickets", {"matter": "tyjr-ydz"})
    ticket = r.json()["ticket"]
    assert desk["clerk"].post("/windows/50/call-next").json()["ticket"]["id"] == ticket["id"]
    routed = desk["clerk"].post("/windows/50/route", {"applicant": {"name": "王大明", "phone": "13912345678"}})
    case = routed.json()["case"]
    code = case["pickup_code"]
    assert re.fullmatch(r"\d{6}", code)
    tracking, tracking_events = connect_socket(hall.server.url, "/display", {"case": case["id"]})
    try:
        assert wait_for(lambda: any(e == "snapshot" for e, _ in tracking_events), 10)
        assert desk["tyjr"].post(f"/cases/{case['id']}/decide", {"result": "approved"}).status_code == 200
        assert wait_for(lambda: any(e == "case_updated" for e, _ in tracking_events), 10)
        public = {
            "GET /cases/{id}, anonymous": requests.get(f"{hall.server.api}/cases/{case['id']}", timeout=30).json()["case"],
            "GET /cases/{id}, kiosk": hall.kiosk.get(f"/cases/{case['id']}").json()["case"],
            "GET /tickets/{id}/case": hall.kiosk.get(f"/tickets/{ticket['id']}/case").json()["case"],
            "case:ID on /display": [d for _, d in tracking_events],
        }
        for where, seen in public.items():
            text = str(seen)
            for secret in ("王大明", "王*明", "13912345678", "139****5678", code):
                assert secret not in text, f"{where} carries {secret!r}"
        for where in ("GET /cases/{id}, anonymous", "GET /tickets/{id}/case"):
            assert public[where]["applicant"] is None and public[where]["pickup_code"] is None, where
            assert public[where]["status"] == "approved" and public[where]["history"], where

        # Staff of the case see the code (its back office; the accepting window's clerk); other staff not.
        assert desk["tyjr"].get(f"/cases/{case['id']}").json()["case"]["pickup_code"] == code
        listed = desk["clerk"].get("/windows/50/cases").json()
        assert next(c for c in listed if c["id"] == case["id"])["pickup_code"] == code
        assert next(c for c in hall.admin.get("/windows/50/cases").json() if c["id"] == case["id"])["pickup_code"] is None
        assert hall.admin.get(f"/cases/{case['id']}").json()["case"]["pickup_code"] is None
        neighbour = hall.clerk_at("51")
        seen = neighbour.get(f"/cases/{case['id']}").json()["case"]
        assert seen["pickup_code"] is None and seen["applicant"]["name"] == "王*明"
    finally:
        tracking.disconnect()
