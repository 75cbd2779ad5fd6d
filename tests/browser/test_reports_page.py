"""The reports page (/reports) in a real browser: an admin signs in, the charts draw (ECharts, vendored),
the table shows what GET /reports/service answers, the grouping changes, and 下载 Excel saves a
workbook openpyxl opens with the same rows. Screenshots at 1920×1080 and 1366×768."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
import requests

from .pages import staff_sign_in

HALL_TZ = "Asia/Shanghai"  # the page's default range is the browser's last 7 days: a hall's PCs keep its time
# Pixels of the chart's canvas that are drawn on, and of those the served bars' green (#1b7f3b).
CANVAS_PIXELS = """(box) => {
  const canvas = box.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) return { drawn: 0, green: 0 };
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0, green = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0) drawn++;
    if (Math.abs(data[i] - 27) < 12 && Math.abs(data[i + 1] - 127) < 12 && Math.abs(data[i + 2] - 59) < 12) green++;
  }
  return { drawn, green };
}"""


@pytest.fixture(scope="module")
def busy_day(hall):
    """Tickets served and missed at three windows today, two of them rated."""
    clerks = {w: hall.clerk_at(w) for w in ("5", "6", "15")}
    for matter in ["rst-sbk"] * 5 + ["ybj-ydjy"] * 2:
        assert hall.kiosk.post("/tickets", {"matter": matter}).status_code == 201
    served = []
    for window, clerk in clerks.items():
        for ending in ("finish", "no-show", "finish"):
            r = clerk.post(f"/windows/{window}/call-next")
            if r.status_code != 200:
                break
            assert clerk.post(f"/windows/{window}/{ending}").status_code == 200
            if ending == "finish":
                served.append((window, r.json()["ticket"]))
    # Two of them rated on their tracking page: a 非常满意 and a 不满意 (a 差评: its follow-up opens).
    for (_window, ticket), level in zip(served, (1, 4)):
        r = requests.post(hall.server.api + "/ratings", json={"ticket": ticket["id"], "level": level, "comment": "等太久"},
                          timeout=30)
        assert r.status_code == 201, r.text
    hall.bad_ticket = served[1][1]
    return hall


def api_report(hall, by: str) -> dict:
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    r = hall.admin.get(f"/reports/service?from={today - dt.timedelta(days=6)}&to={today}&by={by}")
    assert r.status_code == 200, r.text
    return r.json()


def sign_in_to_reports(open_page, hall, viewport):
    opened = open_page(hall.server, "/reports", viewport=viewport, timezone_id=HALL_TZ, accept_downloads=True)
    staff_sign_in(opened.page, "admin")
    expect(opened.page.locator("#report-totals tr")).to_have_count(1)
    return opened


def test_an_admin_sees_charts_and_rows_and_downloads_the_excel_workbook(busy_day, open_page, tmp_path):
    hall = busy_day
    opened = sign_in_to_reports(open_page, hall, (1920, 1080))
    page = opened.page
    expect(page.get_by_role("heading", name="按部门统计")).to_be_visible()
    by_department = api_report(hall, "department")
    rows = page.locator("#report-rows tr")
    expect(rows).to_have_count(len(by_department["rows"]))
    for i, row in enumerate(by_department["rows"]):
        cells = rows.nth(i).locator("th, td")
        expect(cells.nth(0)).to_have_text(row["name"])
        expect(cells.nth(1)).to_have_text(str(row["tickets"]))
        expect(cells.nth(2)).to_have_text(str(row["served"]))
        expect(cells.nth(3)).to_have_text(str(row["no_show"]))
    totals = page.locator("#report-totals tr th, #report-totals tr td")
    expect(totals.nth(0)).to_have_text("合计")
    expect(totals.nth(1)).to_have_text(str(by_department["totals"]["tickets"]))
    expect(page.locator(".card[data-figure='tickets'] strong")).to_have_text(str(by_department["totals"]["tickets"]))
    for box in ("chart-groups", "chart-waits", "chart-satisfaction"):
        pixels = page.locator(f"#{box}").evaluate(CANVAS_PIXELS)
        assert pixels["drawn"] > 2000, (box, pixels)
    assert page.locator("#chart-groups").evaluate(CANVAS_PIXELS)["green"] > 200  # the served bars
    # The 差评 with its follow-up, waiting for the call back.
    bad = page.locator("#bad-rows tr")
    expect(bad).to_have_count(1)
    expect(bad.first).to_contain_text(hall.bad_ticket["number"])
    for words in ("不满意", "等太久", "待回访", "登记"):
        expect(bad.first).to_contain_text(words)
    expect(page.locator("#bad-note")).to_have_text("")
    opened.screenshot("reports-1920x1080")

    page.get_by_label("分组").select_option(label="按窗口")
    by_window = api_report(hall, "window")
    expect(page.get_by_role("heading", name="按窗口统计")).to_be_visible()
    expect(rows).to_have_count(len(by_window["rows"]))
    expect(rows.first.locator("th")).to_have_text(by_window["rows"][0]["name"])
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 Excel").click()
    saved = download.value
    assert saved.suggested_filename.endswith("_window.xlsx"), saved.suggested_filename
    saved.save_as(tmp_path / saved.suggested_filename)
    book = load_workbook(tmp_path / saved.suggested_filename)
    assert book.sheetnames[0] == "按窗口"
    sheet_rows = list(book["按窗口"].iter_rows(min_row=2, values_only=True))
    assert [(line[1], line[2], line[3], line[4]) for line in sheet_rows[:len(by_window["rows"]) + 1]] == [
        (row["name"], row["tickets"], row["served"], row["no_show"]) for row in by_window["rows"] + [by_window["totals"]]]
    expect(page.get_by_role("alert")).to_contain_text("已下载")
    opened.screenshot("reports-1920x1080-by-window")
    opened.assert_stayed_local()


def test_the_page_fits_a_1366_screen_and_refuses_a_clerk(busy_day, open_page):
    hall = busy_day
    opened = sign_in_to_reports(open_page, hall, (1366, 768))
    page = opened.page
    expect(page.locator("#report-rows tr")).to_have_count(len(api_report(hall, "department")["rows"]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scrolling
    for box in ("chart-groups", "chart-waits", "chart-satisfaction"):
        assert page.locator(f"#{box}").evaluate(CANVAS_PIXELS)["drawn"] > 2000, box
    opened.screenshot("reports-1366x768")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Download Excel")).to_be_visible()
    expect(page.locator("#report-totals th")).to_have_text("合计")  # the server's name for the totals row
    opened.screenshot("reports-1366x768-en")
    page.get_by_role("button", name="中文").click()
    page.get_by_label("开始日期").fill("2026-12-09")
    page.get_by_label("结束日期").fill("2026-12-01")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#message")).to_contain_text("日期范围不正确：开始日期不能晚于结束日期，最长 366 天。")
    expect(page.locator("#report-rows tr")).to_have_count(0)
    assert page.locator("#chart-groups").evaluate(CANVAS_PIXELS)["green"] == 0  # the last range's bars are gone
    opened.screenshot("reports-1366x768-refused")
    page.get_by_role("button", name="退出").click()
    clerk_name = next(iter(hall.clerks))
    staff_sign_in(page, clerk_name)
    expect(page.locator("#signin-message")).to_have_text("统计报表需要管理员或电子监察账号。")
    opened.assert_stayed_local()


def test_the_bad_ratings_list_shows_each_follow_up_and_its_state(busy_day, open_page):
    """Several follow-ups in each state, played to the page as GET /follow-ups answers (CONTRACT v2's
    shape), one entry missing half its fields, which the list must still show."""
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    answer = {"follow_ups": [
        {"id": "1", "rating": {"number": "A012", "window": "5", "clerk": "clerk-w5-0", "level": 5, "label": "非常不满意",
                               "comment": "等候太久", "at": now},
         "status": "open", "contact_due": "2026-12-03", "fix_due": "2026-12-09", "history": []},
        {"id": "2", "rating": {"number": "B003", "window": "15", "level": 4, "at": now}, "status": "contacted",
         "contact_due": "2026-12-03", "fix_due": "2026-12-09",
         "history": [{"who": "admin", "at": now, "action": "contact", "note": "已电话回访"}]},
        {"id": "3", "status": "appealed"},
        None,
    ]}
    opened = open_page(busy_day.server, "/reports", viewport=(1920, 1080), timezone_id=HALL_TZ)
    page = opened.page
    page.route("**/api/v1/follow-ups", lambda route: route.fulfill(status=200, json=answer))
    staff_sign_in(page, "admin")
    rows = page.locator("#bad-rows tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("A012")
    expect(rows.nth(0)).to_contain_text("非常不满意")
    expect(rows.nth(0)).to_contain_text("等候太久")
    expect(rows.nth(0)).to_contain_text("待回访")
    expect(rows.nth(1)).to_contain_text("已回访")
    expect(rows.nth(1)).to_contain_text("回访")
    expect(rows.nth(1).locator("td").nth(4)).to_have_text("不满意")  # the level's name, without a label sent
    expect(rows.nth(2)).to_contain_text("申诉中")
    expect(page.locator("#bad-note")).to_have_text("")
    page.locator("#bad-table").scroll_into_view_if_needed()
    opened.screenshot("reports-1920x1080-follow-ups")
    opened.assert_stayed_local()
