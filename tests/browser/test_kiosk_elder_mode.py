"""Elder mode (长者模式) on the kiosk at 1080×1920, measured: on every screen of a visit (home, list,
confirm, ticket) each text grows by at least a quarter to ≥ 24 px (18 pt) with lines spaced ≥ 1.3 and
each button is ≥ 60×60 px (the 工信部 适老化 numbers); the header keeps the hall's name on one line with
the green badge; and the mode ends with the visit: 完成, 回到首页, the idle timeout, a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .pages import pair_kiosk, take_ticket

GROWTH = 1.25        # elder mode enlarges every text by at least a quarter
MAIN_TEXT_PX = 24    # 18 pt
LINE_SPACING = 1.3
TARGET_PX = 60
ELDER = "长者模式"

# Every visible element of the header and the shown screen with text of its own: its size and line
# height; every visible button: its box. Keyed by its place in the document, so the two modes compare.
MEASURE = """() => {
  const path = (el) => { const parts = []; for (; el && el !== document.body; el = el.parentElement)
      parts.unshift(el.tagName + ":" + Array.prototype.indexOf.call(el.parentElement.children, el)); return parts.join(">"); };
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const roots = [document.querySelector("header.bar"), document.querySelector(".screen:not([hidden])")];
  const texts = {}, buttons = {};
  for (const root of roots) for (const el of [root, ...root.querySelectorAll("*")]) {
    if (!shown(el)) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
                || (el.tagName === "INPUT" && el.value);
    const style = getComputedStyle(el);
    if (own) texts[path(el)] = { text: (el.textContent || el.value).trim().slice(0, 20), oneLine: el.tagName === "INPUT" || el.id === "ticket-number",
                                 size: parseFloat(style.fontSize), line: style.lineHeight };
    if (el.tagName === "BUTTON") { const r = el.getBoundingClientRect();
      // Whole and on top: the middles of its edges are its own (a list that scrolls may hide part of a choice).
      const mid = [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
      const corners = [[mid[0], r.top + 6], [mid[0], r.bottom - 6], [r.left + 6, mid[1]], [r.right - 6, mid[1]]];
      const inScroller = [...document.querySelectorAll("*")].some((box) => box.contains(el) && box !== el
                           && /auto|scroll/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight);
      const covered = !inScroller && corners.some(([x, y]) => !el.contains(document.elementFromPoint(x, y)));
      buttons[path(el)] = { text: el.textContent.trim().slice(0, 20), width: r.width, height: r.height, covered }; }
  }
  return { texts, buttons };
}"""


def elder_on(page) -> bool:
    return page.get_by_role("button", name=ELDER).get_attribute("aria-pressed") == "true"


def set_elder(page, on: bool) -> None:
    if elder_on(page) != on:
        page.get_by_role("button", name=ELDER).click()
    expect(page.locator("body")).to_have_class("elder" if on else "")


def check_screen(page, screen: str) -> dict:
    """Measures the screen in the normal mode, then in elder mode (left on), and checks the numbers."""
    set_elder(page, False)
    normal = page.evaluate(MEASURE)
    set_elder(page, True)
    elder = page.evaluate(MEASURE)
    assert elder["texts"] and elder["buttons"], f"{screen}: nothing measured"
    problems = []
    for key, big in elder["texts"].items():
        where = f"{screen} «{big['text']}»"
        small = normal["texts"].get(key)
        if small and big["size"] < small["size"] * GROWTH - 0.01:
            problems.append(f"{where}: {small['size']} → {big['size']} px, less than ×{GROWTH}")
        if big["size"] < MAIN_TEXT_PX:
            problems.append(f"{where}: {big['size']} px < {MAIN_TEXT_PX}")
        line = float(big["line"].removesuffix("px")) if big["line"].endswith("px") else 0.0
        if not big["oneLine"] and line < big["size"] * LINE_SPACING - 0.01:  # a field, the number: no lines to space
            problems.append(f"{where}: line height {big['line']} < {LINE_SPACING} × {big['size']} px")
    for key, box in elder["buttons"].items():
        if box["width"] < TARGET_PX or box["height"] < TARGET_PX:
            problems.append(f"{screen} button «{box['text']}»: {box['width']:.0f}×{box['height']:.0f} px")
        if box["covered"]:
            problems.append(f"{screen} button «{box['text']}»: cut off or covered")
    overflow = page.evaluate("document.documentElement.scrollHeight - innerHeight")
    if overflow > 0:
        problems.append(f"{screen}: {overflow} px below the screen")
    assert not problems, "\n".join(problems)
    return normal


def root_size(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def assert_normal_mode(page, normal_root: float) -> None:
    expect(page.locator("body")).not_to_have_class("elder")
    expect(page.get_by_role("button", name=ELDER)).to_have_attribute("aria-pressed", "false")
    assert root_size(page) == normal_root
    assert page.evaluate("localStorage.getItem('hallq.kiosk.elder')") is None  # nothing kept for the next


@pytest.fixture(scope="module")
def staffed_hall(hall):
    hall.clerk_at("1")  # 社保 is served: the ticket screen shows a wait
    return hall


def visit(kiosk, shots: str) -> None:
    """Home → zone → department → matter → 取号, each screen measured in both modes (elder left on)."""
    page = kiosk.page
    check_screen(page, "home")
    kiosk.screenshot(f"elder-kiosk-home{shots}")
    page.get_by_role("button", name="1楼 服务群众个人区").click()
    check_screen(page, "departments")
    expect(page.locator("#list .choice")).to_have_count(4)  # fewer choices a screen
    page.get_by_role("button", name="省人力资源社会保障厅").click()
    check_screen(page, "matters")
    kiosk.screenshot(f"elder-kiosk-matters{shots}")
    page.get_by_role("button", name="社会保障卡申领", exact=True).click()
    expect(page.locator("#confirm-waiting")).not_to_have_text("…")
    check_screen(page, "confirm")
    kiosk.screenshot(f"elder-kiosk-confirm{shots}")
    take_ticket(page)
    expect(page.locator("#ticket-qr")).to_have_js_property("complete", True)
    check_screen(page, "ticket")
    kiosk.screenshot(f"elder-kiosk-ticket{shots}")


def test_elder_mode_enlarges_every_screen_of_a_visit_and_ends_with_it(staffed_hall, open_page):
    kiosk = open_page(staffed_hall.server, "/kiosk", viewport=(1080, 1920), fake_clock=True)
    page = kiosk.page
    pair_kiosk(page, staffed_hall.kiosk.token)
    normal_root = root_size(page)
    visit(kiosk, "")

    # 完成 ends the visit, and elder mode with it.
    page.get_by_role("button", name="完成").click()
    expect(page.get_by_role("heading", name="请选择办事区域")).to_be_visible()
    assert_normal_mode(page, normal_root)

    # 回到首页 from the middle of a visit.
    set_elder(page, True)
    page.get_by_role("button", name="1楼 服务群众个人区").click()
    page.get_by_role("button", name="回到首页").click()
    expect(page.get_by_role("heading", name="请选择办事区域")).to_be_visible()
    assert_normal_mode(page, normal_root)

    # Nobody touches the kiosk for 30 s, on a list.
    set_elder(page, True)
    page.get_by_role("button", name="1楼 服务群众个人区").click()
    page.clock.fast_forward(31_000)
    expect(page.get_by_role("heading", name="请选择办事区域")).to_be_visible()
    assert_normal_mode(page, normal_root)

    # A reload is not the same citizen for certain.
    set_elder(page, True)
    page.reload()
    expect(page.get_by_role("heading", name="请选择办事区域")).to_be_visible()
    assert_normal_mode(page, normal_root)
    kiosk.assert_stayed_local()


@pytest.mark.parametrize("viewport", [(1080, 1920), (1920, 1080)])
def test_elder_mode_enlarges_the_other_screens(staffed_hall, open_page, viewport):
    """The other ways in: 绿色通道, search, 取件, 预约签到, 过号顺延 and the phone pad."""
    kiosk = open_page(staffed_hall.server, "/kiosk", viewport=viewport)
    page = kiosk.page
    pair_kiosk(page, staffed_hall.kiosk.token)
    for opener, screen in (("#to-green", "green"), ("#to-search", "search"), ("#to-pickup", "pickup"),
                           ("#to-appointment", "appointment"), ("#to-requeue", "requeue")):
        page.locator(opener).click()
        expect(page.locator(f"#screen-{screen}")).to_be_visible()
        if screen == "search":
            page.locator("#search-input").fill("社会保障")
            expect(page.locator("#search-results .choice").first).to_be_visible()
        check_screen(page, screen)
        kiosk.screenshot(f"elder-kiosk-{screen}-{viewport[0]}x{viewport[1]}")
        page.locator(f"#screen-{screen} [data-home]").click()
    page.get_by_role("button", name="1楼 服务群众个人区").click()
    page.get_by_role("button", name="省人力资源社会保障厅").click()
    page.get_by_role("button", name="社会保障卡申领", exact=True).click()
    page.locator("#to-phone").click()
    expect(page.locator("#screen-phone")).to_be_visible()
    check_screen(page, "phone")
    kiosk.assert_stayed_local()


def test_a_landscape_kiosk_visit_in_elder_mode(staffed_hall, open_page):
    kiosk = open_page(staffed_hall.server, "/kiosk", viewport=(1920, 1080))
    pair_kiosk(kiosk.page, staffed_hall.kiosk.token)
    visit(kiosk, "-1920x1080")
    kiosk.assert_stayed_local()


@pytest.mark.parametrize("viewport", [(1080, 1920), (1920, 1080)])
def test_the_header_keeps_the_hall_name_on_one_line_with_the_green_badge(staffed_hall, open_page, viewport):
    kiosk = open_page(staffed_hall.server, "/kiosk", viewport=viewport)
    page = kiosk.page
    pair_kiosk(page, staffed_hall.kiosk.token)
    page.get_by_role("button", name="绿色通道").click()
    page.get_by_role("button", name="进入绿色通道").click()
    expect(page.locator("#green-badge")).to_be_visible()
    expect(page.locator("body")).to_have_class("elder")
    for lang in ("中文", "English"):
        if lang == "English":
            page.get_by_role("button", name="English").click()
            expect(page.get_by_role("heading", name="Choose a service area")).to_be_visible()
        header = page.evaluate("""() => {
          const lines = (el) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size;
          const box = (el) => el.getBoundingClientRect();
          const name = document.getElementById("hall-name"), right = document.querySelector(".bar-right");
          const sameRow = box(name).bottom > box(right).top && box(right).bottom > box(name).top;
          return { name: lines(name), subtitle: lines(document.querySelector(".hall .subtitle")),
                   controls: [...right.querySelectorAll("button, .green-badge, .clock > div")].every((el) => {
                     const text = document.createRange(); text.selectNodeContents(el); return lines(text) === 1; }),
                   overlap: sameRow && name.scrollWidth + box(name).left > box(right).left,
                   inside: box(right).right <= innerWidth + 0.5 && name.scrollWidth + box(name).left <= innerWidth };
        }""")
        assert header == {"name": 1, "subtitle": 1, "controls": True, "overlap": False, "inside": True}, (lang, header)
        kiosk.screenshot(f"elder-kiosk-header-{viewport[0]}x{viewport[1]}-{'en' if lang == 'English' else 'zh'}")
    kiosk.assert_stayed_local()
