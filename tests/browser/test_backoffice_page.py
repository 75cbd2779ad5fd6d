"""The /backoffice page in a real browser (Debian's Chromium): a back-office clerk signs in, sees a case
pushed into the inbox, approves it and returns it; the accepting window follows it over /clerk."""
from __future__ import annotations

from harness import PASSWORD, connect_socket, wait_for

TIMEOUT_MS = 20_000


def test_the_back_office_approves_a_case_and_the_window_sees_it(hall, open_page):
    clerk = hall.clerk_at("52")
    r = hall.admin.post("/users", {"username": "bo-tyjr-page", "password": PASSWORD, "role": "backoffice",
                                   "department": "tyjr"})
    assert r.status_code == 201, r.text
    window_socket, window_events = connect_socket(hall.server.url, "/clerk", {"token": clerk.token})
    opened = open_page(hall.server, "/backoffice", viewport=(1920, 1080))
    page = opened.page
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.get_by_label("用户名").fill("bo-tyjr-page")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_text("已连接").wait_for()
        assert not page.get_by_role("button", name="登录").is_visible()

        # A case accepted now is pushed into the open inbox (no reload).
        assert hall.kiosk.post("/tickets", {"matter": "tyjr-yfrd"}).status_code == 201
        assert clerk.post("/windows/52/call-next").status_code == 200
        routed = clerk.post("/windows/52/route", {"applicant": {"name": "王小明", "phone": "13900001111"}})
        assert routed.status_code == 201, routed.text
        case = routed.json()["case"]
        row = page.get_by_role("row").filter(has_text=case["number"])
        row.wait_for()
        assert "王小明" in row.inner_text() and "优抚对象认定" in row.inner_text()  # the department sees the applicant

        row.click()
        detail = page.get_by_role("region", name="办件详情")
        detail.get_by_label("备注").fill("符合认定条件")
        detail.get_by_role("button", name="批准", exact=True).click()
        assert wait_for(lambda: any(e == "case_updated" and d["id"] == case["id"] and d["status"] == "approved"
                                    for e, d in window_events), 15), window_events
        detail.get_by_text("已批准").first.wait_for()

        detail.get_by_role("button", name="退回窗口").click()
        assert wait_for(lambda: any(e == "case_updated" and d["id"] == case["id"] and d["status"] == "ready_for_pickup"
                                    for e, d in window_events), 15)
        shown = next(d for e, d in window_events if e == "case_updated" and d["status"] == "ready_for_pickup")
        assert shown["applicant"]["name"] == "王*明" and shown["window"] == "52"
        history = hall.admin.get(f"/cases/{case['id']}").json()["case"]["history"]
        assert [(h["kind"], h["actor"]) for h in history][1:] == [
            ("approved", "user:bo-tyjr-page"), ("decided", "user:bo-tyjr-page"), ("returned", "user:bo-tyjr-page")]
        assert history[1]["detail"] == {"note": "符合认定条件"}
        opened.screenshot("backoffice-1920x1080")
        opened.assert_stayed_local()
    finally:
        window_socket.disconnect()
