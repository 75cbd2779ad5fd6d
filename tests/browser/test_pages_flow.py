"""End to end in a real browser against a real server: kiosk → console → floor screen and tracking
page; the admin moving a window to another queue; a server restart under a screen and a kiosk."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from .pages import choose_matter, pair_kiosk, staff_sign_in, take_ticket

from server.services.actors import SYSTEM

LIVE_MS = 1000  # the issue's "within a second", only for the call reaching screens


def test_a_kiosk_ticket_is_called_from_the_console_onto_the_screen_and_tracking_page(hall, open_page):
    kiosk = open_page(hall.server, "/kiosk", viewport=(1080, 1920))
    pair_kiosk(kiosk.page, hall.kiosk.token)
    choose_matter(kiosk.page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    number, ticket_id = take_ticket(kiosk.page)
    expect(kiosk.page.locator("#ticket-direction")).to_contain_text("1楼")
    issued = hall.kiosk.get(f"/tickets/{ticket_id}").json()["ticket"]
    assert issued["number"] == number and issued["matter"] == "rst-sbk" and issued["status"] == "waiting"

    screen = open_page(hall.server, "/display?floor=1")
    tracking = open_page(hall.server, f"/t/{ticket_id}", viewport=(390, 844))
    expect(tracking.page.locator("#number")).to_have_text(number)
    expect(tracking.page.locator("#wait")).to_contain_text("前面还有")
    expect(screen.page.locator("body")).to_have_attribute("data-link", "up")

    hall.add_clerk("ui-clerk-3", "rst")
    console = open_page(hall.server, "/clerk", viewport=(1366, 768))
    staff_sign_in(console.page, "ui-clerk-3", "3")
    call = console.page.get_by_role("button", name="叫号")
    call.click()
    expect(console.page.locator("#current-number")).to_have_text(number)

    # The call reaches the floor screen and the citizen's phone within a second.
    expect(screen.page.locator("#latest-number")).to_have_text(number, timeout=LIVE_MS)
    expect(screen.page.locator("#latest-window")).to_have_text("请到 3 号窗口", timeout=LIVE_MS)
    expect(tracking.page.locator("#called")).to_have_text("请到1楼3号窗口", timeout=LIVE_MS)
    expect(screen.page.locator("body")).to_have_attribute("data-chimes", "1")  # one call, one chime

    # F4 (a USB keypad's key) finishes; calling with nobody waiting is refused in a sentence.
    console.page.keyboard.press("F4")
    expect(console.page.get_by_role("alert")).to_contain_text(f"{number} 号已办结")
    console.page.keyboard.press("F1")
    expect(console.page.get_by_role("alert")).to_contain_text("现在没有等候的号")
    console.page.get_by_role("button", name="重呼").click()
    expect(console.page.get_by_role("alert")).to_contain_text("当前没有正在办理的号，请先叫号。")
    expect(tracking.page.locator("#status")).to_contain_text("已办结")
    for opened in (kiosk, screen, tracking, console):
        opened.assert_stayed_local()


def test_the_tracking_page_moves_up_as_others_are_called(hall, open_page):
    matter = next(m["id"] for m in hall.kiosk.get("/catalog").json()["matters"] if m["queue"] == "huji")
    _, mine = (hall.kiosk.post("/tickets", {"matter": matter}).json()["ticket"] for _ in range(2))
    window = "40"  # 户籍出入境 (queue huji); window 29 belongs to the sign-in test below
    clerk = hall.clerk_at(window)
    tracking = open_page(hall.server, f"/t/{mine['id']}", viewport=(390, 844))
    expect(tracking.page.locator("#ahead")).to_have_text(f"{mine['ahead']} 人")
    called = clerk.post(f"/windows/{window}/call-next").json()["ticket"]
    assert called["number"] < mine["number"] and called["queue"] == "huji"  # one of those ahead of it
    # Pushed, not polled: the page's place follows the call at once.
    expect(tracking.page.locator("#ahead")).to_have_text(f"{mine['ahead'] - 1} 人", timeout=5000)
    tracking.assert_stayed_local()


def test_the_admin_moves_a_window_to_another_queue_and_its_next_call_comes_from_it(hall, open_page):
    shebao = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]   # waits longer
    yibao = hall.kiosk.post("/tickets", {"matter": "ybj-ydjy"}).json()["ticket"]
    clerk = hall.clerk_at("5")   # a 社保 window (queues: shebao)

    board = open_page(hall.server, "/admin")
    staff_sign_in(board.page, "admin")
    row = board.page.locator("tr[data-window='5']")
    expect(row).to_contain_text("社保")
    row.get_by_role("button", name="调整队列 5").click()
    editor = board.page.locator("#editor")
    editor.get_by_label("添加队列").select_option("yibao")
    editor.get_by_role("button", name="添加").click()
    editor.get_by_role("button", name="移除 社保").click()
    expect(editor.locator("#editor-preview")).to_contain_text("医保（1人等候）")
    editor.get_by_role("button", name="保存").click()
    expect(board.page.get_by_role("alert")).to_contain_text("5号窗口现在服务：医保")
    expect(row.locator("td").nth(6)).to_have_text("医保")

    called = clerk.post("/windows/5/call-next").json()["ticket"]
    assert called["id"] == yibao["id"] and called["queue"] == "yibao"
    assert hall.kiosk.get(f"/tickets/{shebao['id']}").json()["ticket"]["status"] == "waiting"
    expect(row.locator("td").nth(4)).to_have_text(yibao["number"])  # the board follows live

    # A refusal on the board is a sentence: a window serving a ticket cannot close.
    row.get_by_role("button", name="关闭 5").click()
    expect(board.page.get_by_role("alert")).to_contain_text("5号窗口还有正在办理的号，办结后才能关闭。")
    clerk.post("/windows/5/finish")
    board.assert_stayed_local()


def test_a_screen_resyncs_after_a_server_restart_and_the_kiosk_refuses_while_it_is_down(fresh_hall, open_page):
    from hallq.bootstrap import build_hall
    h = fresh_hall()
    h.clerk_at("1")
    screen = open_page(h.server, "/display?floor=1")
    kiosk = open_page(h.server, "/kiosk")
    pair_kiosk(kiosk.page, h.kiosk.token)
    choose_matter(kiosk.page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    expect(screen.page.locator("body")).to_have_attribute("data-link", "up")

    h.server.stop()
    expect(screen.page.get_by_role("status")).to_have_text(re.compile("正在重新连接"))
    expect(kiosk.page.get_by_role("button", name="取号")).to_be_disabled()
    expect(kiosk.page.locator("#confirm-message")).to_contain_text("无法连接服务器")
    expect(kiosk.page.locator("#offline")).to_contain_text("暂停取号")

    # While the server is down the hall changes (the service layer on the same database): only a
    # resync from the snapshot can bring this call to the screen.
    service, database = build_hall(None, h.db)
    service.tickets.take_ticket(SYSTEM, "rst-sbk")
    called = service.windows.call_next(SYSTEM, "1").body["ticket"]
    database.dispose()
    h.server.start()

    expect(screen.page.get_by_role("status")).to_be_hidden()
    expect(screen.page.locator("#latest-number")).to_have_text(called["number"])
    expect(screen.page.locator(".tile[data-window='1'] .t-current")).to_have_text(called["number"])
    take = kiosk.page.get_by_role("button", name="取号")
    expect(take).to_be_enabled()
    expect(kiosk.page.locator("#confirm-message")).to_be_hidden()
    expect(kiosk.page.locator("#offline")).to_be_hidden()
    take.dblclick()  # a double tap still makes one ticket
    expect(kiosk.page.locator("#ticket-number")).to_have_text("A002")
    shebao = next(q for q in h.admin.get("/stats").json() if q["code"] == "shebao")
    assert shebao["waiting"] == 1
    for opened in (screen, kiosk):
        opened.assert_stayed_local()


def closed_now_config(tmp_path) -> str:
    """A copy of the demo hall whose issuing hours have just ended (or not yet begun)."""
    from harness import ROOT
    local = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    hours = '["00:00", "00:01"]' if local >= "00:01" else '["23:58", "23:59"]'
    text = (ROOT / "config" / "demo-hall.toml").read_text()
    path = tmp_path / "closed-hall.toml"
    path.write_text(text.replace("[hall]\n", f"[hall]\nissuing_hours = {hours}\n", 1))
    return str(path)


def test_a_closed_kiosk_says_so_and_issues_nothing_and_an_idle_kiosk_goes_home(fresh_hall, open_page, tmp_path):
    h = fresh_hall(config=closed_now_config(tmp_path))
    kiosk = open_page(h.server, "/kiosk", viewport=(1080, 1920), fake_clock=True)
    pair_kiosk(kiosk.page, h.kiosk.token)
    expect(kiosk.page.locator("#offline")).to_contain_text(re.compile(r"取号时间为 \d\d:\d\d–\d\d:\d\d，现在暂停取号。"))
    choose_matter(kiosk.page, "1楼 服务群众个人区", "省人力资源社会保障厅", "社会保障卡申领")
    expect(kiosk.page.get_by_role("button", name="取号")).to_be_disabled()
    expect(kiosk.page.locator("#confirm-message")).to_contain_text("现在暂停取号")
    assert all(q["waiting"] == 0 for q in h.admin.get("/stats").json())
    kiosk.screenshot("kiosk-portrait-closed")

    # Nobody touches it for 30 s: back to the home screen for the next citizen.
    kiosk.page.clock.fast_forward(31_000)
    expect(kiosk.page.get_by_role("heading", name="请选择办事区域")).to_be_visible()
    kiosk.assert_stayed_local()


def test_refusals_read_as_sentences_on_the_sign_in_forms(hall, open_page):
    hall.add_clerk("ui-clerk-gat", "gat")
    console = open_page(hall.server, "/clerk", viewport=(1366, 768))
    console.page.get_by_label("用户名").fill("ui-clerk-gat")
    console.page.get_by_label("密码").fill("not-the-password")
    console.page.get_by_label("窗口").fill("29")
    console.page.get_by_role("button", name="登录").click()
    expect(console.page.get_by_role("alert")).to_contain_text("用户名或密码不正确，请重新输入。")
    staff_sign_in(console.page, "ui-clerk-gat", "1")   # a 社保 window: another department's
    expect(console.page.get_by_role("alert")).to_contain_text("该窗口不属于您的部门，不能在此签到。")
    staff_sign_in(console.page, "ui-clerk-gat", "9999")
    expect(console.page.get_by_role("alert")).to_contain_text("没有这个窗口号，请核对后重新填写。")
    staff_sign_in(console.page, "ui-clerk-gat", "29")
    expect(console.page.get_by_role("button", name="叫号")).to_be_visible()

    # Every code of the contract, and an unreachable server, has a sentence in both languages.
    sentences = console.page.evaluate("""async () => {
        const { describe } = await import("/ui/common/errors.js");
        const codes = ["invalid", "unauthorized", "forbidden", "not_found", "conflict", "queue_empty", "unavailable", "network"];
        return codes.flatMap((code) => ["zh", "en"].map((lang) => describe({ code, message: "" }, lang).text));
    }""")
    assert len(sentences) == 16 and len(set(sentences)) == 16
    assert all(s and s[-1] in "。." for s in sentences), sentences
    console.assert_stayed_local()
