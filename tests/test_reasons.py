"""Refusals name their rule (CONTRACT v2: `reason`), over a real server: the two staffing rules, the
misread sign-in of a clerk still serving elsewhere, the values a page shows (`detail`), and the
OpenAPI document that lists every reason with its meaning."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from conftest import make_hall
from contract_helpers import assert_error
from harness import PASSWORD, demo_config, login, run_cli
from server.domain.errors import REASONS, Reason


def test_a_clerk_of_two_departments_staffs_both_and_no_other_window(hall):
    r = run_cli("users", "add", "zhang2", "--role", "clerk", "--department", "rst", "--department", "ybj",
                "--password-stdin", db=hall.db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    zhang = login(hall.server, "zhang2")
    me = zhang.get("/me").json()
    assert me["departments"] == ["rst", "ybj"] and me["department"] == "rst"
    assert zhang.post("/windows/3/sign-in").status_code == 200  # 社保 (rst)
    assert zhang.post("/windows/14/sign-in").status_code == 200  # 医保 (ybj): the clerk moves there
    assert zhang.get("/me").json()["window"] == "14"
    for window in ("23", "49"):  # 公积金 (jgsw), and a hall-staffed comprehensive window
        assert_error(zhang.post(f"/windows/{window}/sign-in"), 403, "forbidden", Reason.WINDOW_OF_OTHER_DEPARTMENT)
    # An admin does not sign a clerk out (the admin closes the window instead).
    assert_error(hall.admin.post("/windows/14/sign-out"), 403, "forbidden", Reason.WINDOW_OF_OTHER_CLERK)
    assert zhang.post("/windows/14/sign-out").status_code == 200


def test_a_clerk_serving_at_one_window_is_told_so_when_signing_in_at_another(hall):
    clerk = hall.clerk_at("4", "li-two-windows")
    hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    called = clerk.post("/windows/4/call-next").json()["ticket"]
    err = assert_error(clerk.post("/windows/5/sign-in"), 409, "conflict", Reason.SERVING_AT_OTHER_WINDOW)
    assert err["detail"] == {"window": "4"}
    assert clerk.get("/me").json()["window"] == "4"  # refused: nothing changed
    clerk.post("/windows/4/finish")
    assert clerk.post("/windows/5/sign-in").status_code == 200
    assert called["number"]


def test_a_window_serves_only_queues_of_its_own_floor(hall):
    err = assert_error(hall.admin.put("/windows/6/queues", {"queues": ["shebao", "ssdj"]}), 400, "invalid",
                       Reason.QUEUE_ON_OTHER_FLOOR)
    assert err["detail"] == {"queues": ["ssdj"]}
    assert hall.admin.get("/windows/6").json()["window"]["queues"] == ["shebao"]


def test_refusals_carry_the_values_pages_show(hall):
    clerk = hall.clerk_at("8")
    hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    number = clerk.post("/windows/8/call-next").json()["ticket"]["number"]
    for _ in range(3):
        clerk.post("/windows/8/recall")
    assert_error(clerk.post("/windows/8/recall"), 409, "conflict", Reason.RECALL_LIMIT)
    assert_error(clerk.post("/windows/8/transfer", {"queue": "shebao"}), 409, "conflict", Reason.SAME_QUEUE)
    assert_error(clerk.post("/windows/8/transfer", {"queue": "nope"}), 404, "not_found", Reason.NO_SUCH_QUEUE)
    clerk.post("/windows/8/no-show")
    assert_error(clerk.post("/windows/8/recall"), 409, "conflict", Reason.NO_CURRENT_TICKET)
    assert_error(hall.kiosk.post("/tickets", {"matter": "x"}), 404, "not_found", Reason.NO_SUCH_MATTER)
    assert_error(hall.kiosk.post("/tickets", {"matter": 5}), 400, "invalid", Reason.INVALID_FIELD)
    assert_error(hall.kiosk.get("/no/such/path"), 404, "not_found", Reason.NO_SUCH_ROUTE)
    assert number


def test_outside_issuing_hours_says_the_hours(tmp_path):
    local_hour = dt.datetime.now(ZoneInfo("Asia/Shanghai")).hour
    hours = ["13:00", "14:00"] if local_hour < 12 else ["01:00", "02:00"]  # an hour that is not now
    config = demo_config(tmp_path, "")
    text = open(config, encoding="utf-8").read().replace("[hall]\n", f"[hall]\nissuing_hours = {hours}\n".replace("'", '"'), 1)
    open(config, "w", encoding="utf-8").write(text)
    h = make_hall(tmp_path, config=config)
    try:
        r = h.kiosk.post("/tickets", {"matter": "rst-sbk"})
        assert r.status_code == 503  # try again later: the contract's `unavailable`
        assert r.json()["error"] | {"message": ""} == {"code": "unavailable", "reason": "outside_issuing_hours",
                                                        "message": "", "detail": {"from": hours[0], "to": hours[1]}}
    finally:
        h.server.stop()


def test_the_openapi_document_lists_every_reason_with_its_meaning(hall):
    doc = hall.kiosk.get("/openapi.json").json()
    reason = doc["components"]["schemas"]["ErrorDetail"]["properties"]["reason"]
    listed = {r["const"]: r["description"] for r in reason["oneOf"]}
    assert listed == {r.value: REASONS[r] for r in Reason}
    assert all(text for text in listed.values())
    assert set(doc["components"]["schemas"]["ErrorDetail"]["required"]) == {"code", "reason", "message"}
