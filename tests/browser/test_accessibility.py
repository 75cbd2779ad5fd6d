"""axe-core (vendored from the npm registry) on every page at its real size, in both modes: Chinese and
English, and on the kiosk also elder mode (docs/accessibility.md). No serious or critical violation;
a screenshot of each page in each mode (a11y-PAGE-MODE.png) for CI's artefacts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness import PASSWORD, run_cli

from .pages import pair_kiosk, staff_sign_in

LANG_STORE = "hallq.lang"  # ui_common/i18n.js keeps the page's language here


@pytest.fixture(scope="module")
def a11y_hall(hall):
    """A hall at work: tickets waiting, windows 1 and 2 serving, a rating pad for window 1, a back-office
    account."""
    hall.tickets = [hall.kiosk.post("/tickets", {"matter": m}).json()["ticket"] for m in ("rst-sbk", "rst-sbk", "gat-hz")]
    for window in ("1", "2"):
        assert hall.clerk_at(window).post(f"/windows/{window}/call-next").status_code == 200
    made = run_cli("devices", "add", "a11y-pad-1", "--kind", "pad", db=hall.db)
    assert made.returncode == 0, made.stderr
    hall.pad_token = made.stdout.strip().splitlines()[-1]
    r = hall.admin.post("/users", {"username": "a11y-bo", "password": PASSWORD, "role": "backoffice", "department": "rst"})
    assert r.status_code == 201, r.text
    hall.add_clerk("a11y-clerk", "rst")
    return hall


def check_in_both_languages(opened, axe_check, name: str, ready) -> None:
    """The page in Chinese, then in English (chosen as its switch would, and reloaded): each ready,
    photographed and checked."""
    page = opened.page
    for lang in ("zh", "en"):
        if lang == "en":
            page.evaluate(f"localStorage.setItem('{LANG_STORE}', 'en')")
            page.reload()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        ready(page)
        # Connected: the link banner shown while connecting has been told the link is up.
        page.wait_for_function("""() => { const banner = document.getElementById("link");
                                          return !banner || (banner.hidden && banner.textContent.trim() !== ""); }""")
        opened.screenshot(f"a11y-{name}-{lang}")
        axe_check(opened, f"{name} ({lang})")
    opened.assert_stayed_local()


def test_floor_screen(a11y_hall, open_page, axe_check):
    opened = open_page(a11y_hall.server, "/display?floor=1", viewport=(1920, 1080))
    check_in_both_languages(opened, axe_check, "display-floor-1",
                            lambda page: expect(page.locator("body")).to_have_attribute("data-link", "up"))


def test_window_screen(a11y_hall, open_page, axe_check):
    opened = open_page(a11y_hall.server, "/display?window=1", viewport=(1280, 720))
    current = a11y_hall.admin.get("/windows/1").json()["window"]["current"]["number"]
    check_in_both_languages(opened, axe_check, "display-window-1",
                            lambda page: expect(page.locator("#w-current")).to_have_text(current))


def test_tracking_page(a11y_hall, open_page, axe_check):
    waiting = a11y_hall.tickets[-1]
    opened = open_page(a11y_hall.server, f"/t/{waiting['id']}", viewport=(390, 844))
    check_in_both_languages(opened, axe_check, "tracking",
                            lambda page: expect(page.locator("#number")).to_have_text(waiting["number"]))


def test_rating_pad(a11y_hall, open_page, axe_check):
    opened = open_page(a11y_hall.server, "/rate?window=1", viewport=(1280, 800))
    opened.page.get_by_label("设备令牌").fill(a11y_hall.pad_token)
    opened.page.get_by_role("button", name="配对").click()
    check_in_both_languages(opened, axe_check, "rating-pad",
                            lambda page: expect(page.locator("#window-badge")).to_contain_text("1"))


def test_clerk_console_and_guide_desk(a11y_hall, open_page, axe_check):
    opened = open_page(a11y_hall.server, "/clerk", viewport=(1366, 768))
    staff_sign_in(opened.page, "a11y-clerk", "3")
    check_in_both_languages(opened, axe_check, "clerk", lambda page: expect(page.locator("#act-call")).to_be_visible())
    page = opened.page
    for lang in ("en", "zh"):  # the guide desk (导办台) is a dialog of the clerk's page
        if lang == "zh":
            page.locator("#guide-close").click()
            page.locator("#lang").click()
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        page.locator("#guide-open").click()
        expect(page.locator("#guide-dialog")).to_be_visible()
        opened.screenshot(f"a11y-guide-desk-{lang}")
        axe_check(opened, f"guide desk ({lang})")
    opened.assert_stayed_local()


def test_admin_board(a11y_hall, open_page, axe_check):
    opened = open_page(a11y_hall.server, "/admin", viewport=(1920, 1080))
    staff_sign_in(opened.page, "admin")
    check_in_both_languages(opened, axe_check, "admin",
                            lambda page: expect(page.locator("tr[data-window='1']")).to_be_visible())


def test_back_office(a11y_hall, open_page, axe_check):
    opened = open_page(a11y_hall.server, "/backoffice", viewport=(1920, 1080))
    staff_sign_in(opened.page, "a11y-bo")
    check_in_both_languages(opened, axe_check, "backoffice",
                            lambda page: expect(page.locator("#status-filter")).to_be_visible())


def test_reports(a11y_hall, open_page, axe_check):
    opened = open_page(a11y_hall.server, "/reports", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
    staff_sign_in(opened.page, "admin")
    check_in_both_languages(opened, axe_check, "reports",
                            lambda page: expect(page.locator("#report-totals tr")).to_have_count(1))


@pytest.mark.parametrize("lang, elder", [("zh", False), ("zh", True), ("en", False), ("en", True)])
def test_kiosk_screens(a11y_hall, open_page, axe_check, lang, elder):
    """Home, a list, the confirm screen and the ticket, in one visit (first zone, first department,
    first matter) at 1080×1920."""
    opened = open_page(a11y_hall.server, "/kiosk", viewport=(1080, 1920))
    page = opened.page
    pair_kiosk(page, a11y_hall.kiosk.token)
    if lang == "en":
        page.locator("#lang").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    if elder:
        page.locator("#elder-toggle").click()
        expect(page.locator("body")).to_have_class("elder")
    mode = f"{lang}-{'elder' if elder else 'normal'}"

    def check(screen: str) -> None:
        expect(page.locator(f"#screen-{screen}")).to_be_visible()
        opened.screenshot(f"a11y-kiosk-{screen}-{mode}")
        axe_check(opened, f"kiosk {screen} ({mode})")

    check("home")
    page.locator("#zones .zone").first.click()
    page.locator("#list .choice").first.click()
    check("list")
    page.locator("#list .choice").first.click()
    expect(page.locator("#take")).to_be_enabled()
    check("confirm")
    page.locator("#take").click()
    expect(page.locator("#ticket-qr")).to_have_js_property("complete", True)
    check("ticket")
    opened.assert_stayed_local()
