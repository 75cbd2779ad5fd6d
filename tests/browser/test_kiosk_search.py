"""Kiosk search for touch, and the kiosk's small untruths (issue 13), at the kiosk's real size
(1080×1920) against one real hall for the module: `sbk` typed on the on-screen keyboard finds
社会保障卡申领, 营业执照 finds 企业设立登记 by the config's synonym, a matter's code finds it; in
English the matters carry their English names and 取号's spacing is gone; the clock keeps the hall's
time zone on a PC set to New York; the ticket on screen names the windows, as the paper does."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from drivers.printer import ticket_paper
from server.config import load_config
from .pages import pair_kiosk, take_ticket

PORTRAIT = (1080, 1920)


def open_search(open_page, hall, **context):
    kiosk = open_page(hall.server, "/kiosk", viewport=PORTRAIT, **context)
    pair_kiosk(kiosk.page, hall.kiosk.token)
    kiosk.page.get_by_role("button", name="搜索事项").click()
    return kiosk


def press(keyboard, keys: str) -> None:
    for key in keys:
        keyboard.get_by_role("button", name=key.upper(), exact=True).click()


def test_pinyin_initials_synonyms_and_codes_typed_on_the_on_screen_keyboard(hall, open_page):
    kiosk = open_search(open_page, hall)
    page = kiosk.page
    keyboard = page.get_by_role("group", name="字母数字键盘")
    keys = keyboard.get_by_role("button")
    expect(keys).to_have_count(10 + 26 + 1 + 2)  # digits, letters, "-", 删除 and 清空
    for box in (keys.nth(i).bounding_box() for i in range(keys.count())):
        assert box["width"] >= 60 and box["height"] >= 60, box  # a touch target (适老化: ≥ 60×60 px)
    results = page.locator("#search-results .choice")

    press(keyboard, "sbk")
    expect(page.get_by_label("输入事项名称中的字词")).to_have_value("sbk")
    expect(results.first).to_have_text("社会保障卡申领")  # 社保卡's initials, from the config's synonym
    assert keyboard.bounding_box()["y"] + keyboard.bounding_box()["height"] <= PORTRAIT[1]  # on screen
    kiosk.screenshot("kiosk-search-sbk")

    keyboard.get_by_role("button", name="清空").click()
    expect(results).to_have_count(0)
    press(keyboard, "shebao")  # full pinyin of the synonym 社保: the 社保 matters
    expect(page.get_by_role("button", name="社会保障卡申领", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="职工正常退休申请", exact=True)).to_be_visible()
    keyboard.get_by_role("button", name="删除").click()
    expect(page.get_by_label("输入事项名称中的字词")).to_have_value("sheba")

    page.get_by_label("输入事项名称中的字词").fill("营业执照")  # a hardware keyboard still types here
    expect(results.first).to_have_text("企业设立登记")
    expect(page.get_by_role("button", name="企业注销登记", exact=True)).to_be_visible()
    kiosk.screenshot("kiosk-search-synonym")

    keyboard.get_by_role("button", name="清空").click()
    press(keyboard, "gat-hz")  # the matter's code (its id in the catalogue)
    expect(results.first).to_have_text("普通护照签发")
    results.first.click()
    expect(page.get_by_role("heading", name="普通护照签发")).to_be_visible()
    kiosk.assert_stayed_local()


def test_english_names_and_an_unspaced_take_button(hall, open_page):
    kiosk = open_search(open_page, hall)
    page = kiosk.page
    page.get_by_role("button", name="English").click()
    keyboard = page.get_by_role("group", name="Keyboard")
    press(keyboard, "passport")  # an English name, from the start of its word
    page.get_by_role("button", name="Passport", exact=True).click()
    expect(page.get_by_role("heading", name="Passport")).to_be_visible()
    expect(page.locator("#confirm-crumbs")).to_contain_text("Public Security Department")
    expect(page.locator("#confirm-where")).to_have_text("Floor 1 Individuals · Household registration and exit-entry")
    take = page.get_by_role("button", name="Take a number")
    expect(take).to_have_text("Take a number")
    expect(take).to_have_css("letter-spacing", "normal")  # the spacing meant for 取号's two hanzi is gone
    kiosk.screenshot("kiosk-confirm-en")
    take.click()
    expect(page.locator("#ticket-matter")).to_have_text("Passport")
    expect(page.locator("#ticket-direction")).to_contain_text("Wait near windows 29–40")  # 户籍出入境, as on paper
    page.get_by_role("button", name="中文").click()
    expect(page.locator("#ticket-matter")).to_have_text("普通护照签发")
    expect(page.get_by_role("button", name="完成")).to_have_css("letter-spacing", re.compile(r"^[1-9][\d.]*px$"))
    kiosk.assert_stayed_local()


def test_the_clock_shows_the_halls_time_on_a_pc_set_to_another_zone(hall, open_page):
    kiosk = open_page(hall.server, "/kiosk", viewport=PORTRAIT, timezone_id="America/New_York")
    pair_kiosk(kiosk.page, hall.kiosk.token)
    assert kiosk.page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    shanghai = ZoneInfo("Asia/Shanghai")
    now = dt.datetime.now(shanghai)
    times = {(now + dt.timedelta(minutes=m)).strftime("%H:%M") for m in (-1, 0, 1)}  # a minute may turn
    expect(kiosk.page.get_by_role("button", name="1楼 服务群众个人区")).to_be_visible()  # the catalogue is in
    assert kiosk.page.locator("#clock-time").inner_text() in times  # at once, not at the next tick
    dates = {f"{d.year}年{d.month}月{d.day}日" for d in (now - dt.timedelta(minutes=1), now + dt.timedelta(minutes=1))}
    assert any(kiosk.page.locator("#clock-date").inner_text().startswith(d) for d in dates)
    kiosk.assert_stayed_local()
    # The floor screen's clock too (its PC may be set to another zone as well)
    screen = open_page(hall.server, "/display?floor=1", timezone_id="America/New_York")
    expect(screen.page.locator("#clock-time")).to_have_text(re.compile("^(" + "|".join(times) + r"):\d\d$"))
    screen.assert_stayed_local()


def test_the_ticket_on_screen_names_the_windows_of_its_queue_as_the_paper_does(hall, open_page):
    kiosk = open_search(open_page, hall)
    page = kiosk.page
    page.get_by_label("输入事项名称中的字词").fill("社保卡")
    page.get_by_role("button", name="社会保障卡申领", exact=True).click()
    number, ticket_id = take_ticket(page)
    ticket = hall.kiosk.get(f"/tickets/{ticket_id}").json()["ticket"]
    paper = ticket_paper(load_config(), ticket).direction  # what the kiosk's printer would say
    windows = re.fullmatch(r"请到1楼 (\S+)号窗口附近等候叫号", paper).group(1)
    assert windows == "1-12、19-20"  # the demo's 社保 windows, in two runs
    expect(page.locator("#ticket-direction")).to_contain_text(f"请到 {windows.replace('-', '–')} 号窗口附近等候叫号")
    # The page's wording of a range from 0 (nobody staffs 社保 here, so the ticket itself says 暂无窗口办理).
    words = page.evaluate("""async () => { const { waitText } = await import("/ui/common/i18n.js");
        return [waitText("zh", 2, [0, 5]), waitText("en", 2, [0, 5]), waitText("zh", 0, [0, 1]), waitText("zh", 9, [4, 12])]; }""")
    assert words == ["5 分钟内", "within 5 min", "即将叫号", "约 4–12 分钟"]  # never "约 0–5 分钟"
    kiosk.screenshot("kiosk-ticket-windows")
    kiosk.assert_stayed_local()
