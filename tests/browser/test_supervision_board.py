"""电子监察 on the pages, in a real browser against a real server: the admin board's supervision panel
(red before yellow, the red banner and its alarm, 定位, 处理 with a 处理说明) on a hall whose clock the
test moves (tests/launchers/clock_server.py), a supervisor on the same board without the window
controls, and the clerk's 暂停 asking for one of the hall's reasons."""
from __future__ import annotations

import datetime as dt
import re
import time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import socketio
from playwright.sync_api import expect

from harness import PASSWORD, Client, Server, login, run_cli, wait_for
from launchers.clock_server import HallClock
from .pages import staff_sign_in

HALL_TZ = ZoneInfo("Asia/Shanghai")
# The demo hall's [supervision]: a ticket waiting 30 min is yellow, 60 min red; a window paused 30 min
# is red. The engine raises within 5 s of a threshold passing; the board shows the push at once.
RAISED_WITHIN_S = 6
SHOWN_AFTER_PUSH_MS = 1500


@pytest.fixture
def clocked(tmp_path):
    """The demo hall on a clock the test moves, starting at 09:00 hall time today (no lunch break in
    the next two hours), with an admin, a supervisor (sup-1) and a kiosk."""
    start = dt.datetime.now(HALL_TZ).replace(hour=9, minute=0, second=0, microsecond=0)
    clock = HallClock(tmp_path / "hall-clock.txt", start)
    db = f"sqlite:///{tmp_path}/hall.db"
    for name, role in (("admin", "admin"), ("sup-1", "supervisor")):
        r = run_cli("users", "add", name, "--role", role, "--password-stdin", db=db, stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
    r = run_cli("devices", "add", "kiosk-1", "--kind", "kiosk", db=db)
    assert r.returncode == 0, r.stderr
    server = Server(db, tmp_path, clock_file=str(clock.path)).start()
    admin = login(server, "admin")
    hall = SimpleNamespace(server=server, clock=clock, admin=admin, kiosk=Client(server, r.stdout.strip().splitlines()[-1]))
    yield hall
    server.stop()


def clerk_at(hall, window: str, username: str) -> Client:
    department = hall.admin.get(f"/windows/{window}").json()["window"]["department"]
    r = hall.admin.post("/users", {"username": username, "password": PASSWORD, "role": "clerk", "department": department})
    assert r.status_code == 201, r.text
    clerk = login(hall.server, username)
    assert clerk.post(f"/windows/{window}/sign-in").status_code == 200
    return clerk


def advance(hall, pages, **delta) -> None:
    """Move the hall's clock, and the boards' with it: a hall PC's clock agrees with the server's. The
    boards' first, so that no push from the moved hall reaches a board still on the old time."""
    moment = hall.clock.now + dt.timedelta(**delta)
    for opened in pages:
        opened.page.clock.set_fixed_time(moment)
    hall.clock.set(moment)


def listen_for_alerts(server: Server, token: str):
    """The /admin pushes as a board receives them: (monotonic time, ALERT)."""
    pushes: list[tuple[float, dict]] = []
    client = socketio.Client(reconnection=False)
    client.on("alert", lambda data: pushes.append((time.monotonic(), data)), namespace="/admin")
    client.connect(server.url, namespaces=["/admin"], transports=["websocket"], auth={"token": token}, wait_timeout=10)
    return client, pushes


def pushed(pushes, timeout: float = RAISED_WITHIN_S, **fields) -> dict:
    """The first push whose ALERT has these fields (rule, level, …) and is neither cleared nor acknowledged."""
    def find():
        return next((data for _, data in pushes if all(data.get(k) == v for k, v in fields.items())
                     and not data.get("cleared_at") and not data.get("acknowledged_at")), None)
    assert wait_for(lambda: find() is not None, timeout), f"no {fields} alert pushed in {timeout}s: {[d for _, d in pushes]}"
    return find()


def test_red_alerts_reach_the_board_at_once_and_are_acknowledged_with_a_note(clocked, open_page):
    hall = clocked
    ticket = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]  # 社保, floor 1
    clerk = clerk_at(hall, "3", "clerk-3")
    assert clerk.post("/windows/3/pause", {"reason": "会议"}).status_code == 200  # paused: not idle

    listener, pushes = listen_for_alerts(hall.server, hall.admin.token)
    board = open_page(hall.server, "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
    staff_sign_in(board.page, "admin")
    watcher = open_page(hall.server, "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
    staff_sign_in(watcher.page, "sup-1")
    advance(hall, (board, watcher), minutes=0)
    for opened in (board, watcher):
        expect(opened.page.locator("#no-alerts")).to_be_visible()
        expect(opened.page.locator("#red-banner")).to_be_hidden()
    row = board.page.locator("tr[data-window='3']")
    expect(row.locator("td.state")).to_contain_text("暂停服务")
    expect(row.locator("td.state .s-why")).to_contain_text("会议")

    # A supervisor sees the board and the panel, not the window controls.
    expect(watcher.page.locator("#who")).to_contain_text("电子监察")
    expect(watcher.page.locator("tr[data-window='3']")).to_contain_text("会议")
    expect(watcher.page.get_by_role("button", name="调整队列 3", exact=True)).to_have_count(0)
    expect(watcher.page.get_by_role("button", name="开放 3", exact=True)).to_have_count(0)
    expect(board.page.get_by_role("button", name="开放 3", exact=True)).to_be_visible()

    # 31 minutes on: the ticket's wait is yellow, the pause is red.
    advance(hall, (board, watcher), minutes=31)
    pause_red = pushed(pushes, rule="pause", level="red")
    expect(board.page.locator(f"#alerts-red li[data-alert='{pause_red['id']}']")).to_be_visible(timeout=SHOWN_AFTER_PUSH_MS)
    wait_yellow = pushed(pushes, rule="wait", level="yellow")
    expect(board.page.locator(f"#alerts-yellow li[data-alert='{wait_yellow['id']}']")).to_be_visible(timeout=SHOWN_AFTER_PUSH_MS)
    banner = board.page.locator("#red-banner")
    expect(banner).to_have_text("红牌告警 1 条，1 条未处理")
    expect(board.page.locator("body")).to_have_attribute("data-alarms", "1")  # the red one sounded, the yellow did not
    item = board.page.locator(f"#alerts-red li[data-alert='{pause_red['id']}']")
    expect(item).to_contain_text(pause_red["message"])
    expect(item.locator(".a-level")).to_have_text("红牌")
    expect(item.locator(".a-ago")).to_have_text(re.compile(r"^(刚刚|\d分钟前)$"))
    expect(row.locator("td.state .s-why")).to_contain_text("会议 · 09:00起（31分钟）")

    # 定位: the window's row, scrolled to and highlighted.
    item.get_by_role("button", name="定位").click()
    expect(row).to_have_class(re.compile(r"\bfocus\b"))
    expect(row).to_be_in_viewport()

    # 61 minutes: the ticket's wait turns red; the alarm sounds again and the banner counts two.
    advance(hall, (board, watcher), minutes=30)
    wait_red = pushed(pushes, rule="wait", level="red")
    for opened in (board, watcher):
        red_item = opened.page.locator(f"#alerts-red li[data-alert='{wait_red['id']}']")
        expect(red_item).to_be_visible(timeout=SHOWN_AFTER_PUSH_MS)
        expect(red_item).to_contain_text(wait_red["message"])
        expect(opened.page.locator("#red-banner")).to_have_text("红牌告警 2 条，2 条未处理")
    expect(board.page.locator("body")).to_have_attribute("data-alarms", "2")
    assert wait_red["detail"]["number"] == ticket["number"] and wait_red["subject"] == wait_yellow["subject"], wait_red
    # Its yellow stage shows as the red one now (both stay open on the server).
    for opened in (board, watcher):
        expect(opened.page.locator(f"#supervision li[data-alert='{wait_yellow['id']}']")).to_have_count(0)
        expect(opened.page.locator("#alert-group-yellow")).to_be_hidden()
    board.screenshot("admin-board-supervision")

    # The supervisor handles it with a note; both boards show it handled.
    watcher.page.locator(f"#alerts-red li[data-alert='{wait_red['id']}']").get_by_role("button", name="处理").click()
    dialog = watcher.page.locator("#ack-dialog")
    dialog.get_by_role("button", name="确认").click()
    expect(dialog.get_by_role("alert")).to_have_text("请填写处理说明。")  # a note is asked for
    dialog.get_by_label("处理说明").fill("已安排5号窗口加开社保业务，并向群众致歉")
    dialog.get_by_role("button", name="确认").click()
    expect(dialog).to_be_hidden()
    for opened in (watcher, board):
        handled = opened.page.locator(f"#alerts-red li[data-alert='{wait_red['id']}']")
        expect(handled).to_have_attribute("data-acknowledged", "true")
        expect(handled.locator(".a-ack")).to_contain_text("sup-1")
        expect(handled.locator(".a-ack")).to_contain_text("已安排5号窗口加开社保业务")
        expect(opened.page.locator("#red-banner")).to_have_text("红牌告警 2 条，1 条未处理")
    watcher.screenshot("admin-board-supervisor")
    every = hall.admin.get("/alerts?status=all").json()["alerts"]
    done = next(a for a in every if a["id"] == wait_red["id"])
    assert done["acknowledged_by"] == "sup-1" and done["note"] == "已安排5号窗口加开社保业务，并向群众致歉", done
    assert done["acknowledged_at"]
    # Handling the red wait handled its yellow stage with the same note.
    assert wait_for(lambda: next(a for a in hall.admin.get("/alerts?status=all").json()["alerts"]
                                 if a["id"] == wait_yellow["id"])["note"] == done["note"], 5)

    # Acknowledged twice (the admin's board was not told yet): a sentence, not an error page.
    r = hall.admin.post(f"/alerts/{wait_red['id']}/acknowledge", {"note": "again"})
    assert r.status_code == 409 and r.json()["error"]["reason"] == "alert_already_acknowledged", r.text

    # The clerk resumes: the pause alert clears and leaves the open list for the cleared fold.
    assert clerk.post("/windows/3/resume").status_code == 200
    expect(board.page.locator(f"#alerts-red li[data-alert='{pause_red['id']}']")).to_have_count(0, timeout=RAISED_WITHIN_S * 1000)
    expect(board.page.locator(f"#alerts-cleared li[data-alert='{pause_red['id']}']")).to_have_count(1)
    expect(banner).to_have_text("红牌告警 1 条")
    listener.disconnect()
    for opened in (board, watcher):
        opened.assert_stayed_local()


def test_the_clerks_pause_asks_for_a_reason_and_the_window_shows_it(hall, open_page):
    hall.add_clerk("pause-clerk-6", hall.admin.get("/windows/6").json()["window"]["department"])
    console = open_page(hall.server, "/clerk", viewport=(1366, 768))
    staff_sign_in(console.page, "pause-clerk-6", "6")
    page = console.page
    expect(page.get_by_role("button", name="叫号")).to_be_visible()

    # 暂停 asks why; 取消 leaves the window open.
    page.get_by_role("button", name="暂停").click()
    chooser = page.get_by_role("dialog", name="请选择暂停原因")
    expect(chooser).to_be_visible()
    reasons = hall.admin.get("/catalog").json()["hall"]["pause_reasons"]
    for reason in reasons:
        expect(chooser.get_by_role("button", name=reason, exact=True)).to_be_visible()
    console.screenshot("clerk-console-pause-reasons")
    chooser.get_by_role("button", name="取消").click()
    expect(chooser).to_be_hidden()
    assert hall.admin.get("/windows/6").json()["window"]["state"] == "open"

    page.get_by_role("button", name="暂停").click()
    chooser.get_by_role("button", name="午休", exact=True).click()
    expect(page.locator("#window-state")).to_have_text("暂停中：午休")
    expect(page.locator("#pause-notice")).to_contain_text("暂停中：午休")
    expect(page.get_by_role("alert")).to_have_text("窗口已暂停服务（午休）。")
    window = hall.admin.get("/windows/6").json()["window"]
    assert window["state"] == "paused" and window["pause_reason"] == "午休" and window["state_since"], window
    console.screenshot("clerk-console-paused")

    # The admin board says why, and since when.
    board = open_page(hall.server, "/admin", timezone_id="Asia/Shanghai")
    staff_sign_in(board.page, "admin")
    since = dt.datetime.fromisoformat(window["state_since"]).astimezone(HALL_TZ).strftime("%H:%M")
    expect(board.page.locator("tr[data-window='6'] td.state .s-why")).to_contain_text(f"午休 · {since}起")

    # 恢复, then a keypad: F6 opens the choice, its digit chooses (3: 业务咨询).
    page.get_by_role("button", name="恢复").click()
    expect(page.locator("#window-state")).to_have_text("开放")
    expect(page.locator("#pause-notice")).to_be_hidden()
    page.keyboard.press("F6")
    expect(chooser).to_be_visible()
    page.keyboard.press(str(reasons.index("业务咨询") + 1))
    expect(page.locator("#window-state")).to_have_text("暂停中：业务咨询")
    assert hall.admin.get("/windows/6").json()["window"]["pause_reason"] == "业务咨询"
    expect(board.page.locator("tr[data-window='6'] td.state .s-why")).to_contain_text("业务咨询")  # live
    page.get_by_role("button", name="恢复").click()
    expect(page.locator("#window-state")).to_have_text("开放")
    for opened in (console, board):
        opened.assert_stayed_local()


def test_pause_refusals_read_as_sentences(hall, open_page):
    """The shared sentences of errors.js for the pause and the alerts' refusals (both languages)."""
    page = open_page(hall.server, "/clerk", viewport=(1366, 768)).page
    out = page.evaluate("""async () => {
        const { describe } = await import("/ui/common/errors.js");
        const err = (code, reason, detail) => ({ code, reason, message: "m", detail });
        const cases = [err("invalid", "unknown_pause_reason", { reasons: ["午休", "会议"] }), err("invalid", "unknown_pause_reason"),
          err("conflict", "alert_already_acknowledged"), err("not_found", "no_such_alert")];
        return ["zh", "en"].map((lang) => cases.map((e) => describe(e, lang, { codes: { conflict: "page's own" } }).text));
    }""")
    zh, en = out
    assert zh[0] == "请从本大厅的暂停原因中选择一个：午休、会议。"
    assert zh[1] == "请从本大厅设定的暂停原因中选择一个。"
    assert zh[2].startswith("这条告警已由其他人处理过") and zh[3].startswith("找不到这条告警")
    assert en[0] == "Choose one of the pause reasons this hall allows (午休, 会议)." and "already acknowledged" in en[2]
