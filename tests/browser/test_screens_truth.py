"""Issue 13, point 2: the screens tell the truth. A call leaves the floor screen's 正在叫号 banner and
the window's tile (and the window screen) as soon as its ticket leaves the window, whatever way it
leaves; every open window of a busy floor appears, page by page, in numbers readable from 5 m."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS

NONE = "—"
MIN_NUMBER_PX = 48


@pytest.fixture(scope="module")
def screens(hall, browser):
    """One floor screen (1920×1080) and window screens for windows 3 and 51, for the whole module."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    pages = {}
    for name, path in (("floor", "/display?floor=1"), ("w3", "/display?window=3"), ("w51", "/display?window=51")):
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(hall.server.url + path)
        expect(page.locator("body")).to_have_attribute("data-link", "up")
        pages[name] = page
    yield pages
    context.close()


def call(hall, clerk, window: str, matter: str, screens) -> str:
    assert hall.kiosk.post("/tickets", {"matter": matter}).status_code == 201
    r = clerk.post(f"/windows/{window}/call-next")
    assert r.status_code == 200, r.text
    number = r.json()["ticket"]["number"]
    floor = screens["floor"]
    expect(floor.locator("#latest-number")).to_have_text(number)
    expect(floor.locator(f'.tile[data-window="{window}"] .t-current')).to_have_text(number)
    expect(screens[f"w{window}"].locator("#w-current")).to_have_text(number)
    return number


def assert_departed(screens, window: str, number: str, tile_text: str = NONE) -> None:
    floor = screens["floor"]
    expect(floor.locator("#latest-number")).to_have_text(NONE)
    expect(floor.locator("#latest-window")).to_have_text("")
    expect(floor.locator(f'.tile[data-window="{window}"] .t-current')).to_have_text(tile_text)
    expect(floor.locator("#recent")).to_contain_text(number)  # the recent calls keep it
    screen = screens[f"w{window}"]
    if tile_text == NONE:
        expect(screen.locator("#w-current")).to_have_text(NONE)
    else:  # paused: the window screen says so instead of a number
        expect(screen.locator("#w-current")).to_be_hidden()
        expect(screen.locator("#w-paused")).to_have_text(tile_text)


def test_a_call_leaves_the_screens_when_its_ticket_leaves_the_window(hall, screens):
    clerk = hall.clerk_at("3")
    for leave in (lambda: clerk.post("/windows/3/transfer", {"queue": "yibao"}),
                  lambda: clerk.post("/windows/3/no-show"),
                  lambda: clerk.post("/windows/3/finish")):
        number = call(hall, clerk, "3", "rst-sbk", screens)
        assert leave().status_code == 200
        assert_departed(screens, "3", number)
    # Paused with the ticket still at the window (the F6): the tile says 暂停服务, no banner.
    number = call(hall, clerk, "3", "rst-sbk", screens)
    assert clerk.post("/windows/3/pause", {"reason": "会议"}).status_code == 200
    assert_departed(screens, "3", number, tile_text="暂停服务")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screens["floor"].screenshot(path=str(SCREENSHOTS / "floor-screen-after-pause.png"))

    # 受理转办: the comprehensive window routes the ticket's matter to the back office as a case.
    comprehensive = hall.clerk_at("51")
    number = call(hall, comprehensive, "51", "tyjr-yfrd", screens)
    routed = comprehensive.post("/windows/51/route", {"applicant": {"name": "张小三", "phone": "13812341234"}})
    assert routed.status_code == 201, routed.text
    assert_departed(screens, "51", number)

    # A reload builds the same from the snapshot: the departed calls are recent calls only.
    screens["floor"].reload()
    expect(screens["floor"].locator("body")).to_have_attribute("data-link", "up")
    expect(screens["floor"].locator("#latest-number")).to_have_text(NONE)
    expect(screens["floor"].locator("#recent")).to_contain_text(number)


def test_every_open_window_of_a_busy_floor_appears_page_by_page_in_numbers_readable_from_5_m(hall, open_page):
    floor_windows = [str(n) for n in range(1, 63)]  # the demo hall's floor 1
    for number in floor_windows:
        r = hall.admin.put(f"/windows/{number}/state", {"state": "open"})
        assert r.status_code in (200, 409), r.text  # 409: already open (or paused) by a clerk above
    screen = open_page(hall.server, "/display?floor=1", fake_clock=True)
    page = screen.page
    expect(page.locator("body")).to_have_attribute("data-link", "up")
    grid = page.locator("#windows")
    expect(grid.locator(".tile")).not_to_have_count(0)
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # (seconds) the pages turn when the test says
    pages = int(grid.get_attribute("data-pages"))
    assert pages > 1
    first = int(grid.get_attribute("data-page"))
    seen: list[str] = []
    for n in [(first - 1 + i) % pages + 1 for i in range(pages)]:
        expect(grid).to_have_attribute("data-page", str(n))
        expect(page.locator("#windows-page")).to_have_text(f"第 {n}/{pages} 页")
        sizes = page.evaluate("""() => [...document.querySelectorAll('#windows .tile')].map((tile) => {
            const box = tile.getBoundingClientRect(), area = tile.closest('.windows').getBoundingClientRect();
            return {window: tile.dataset.window, paused: tile.classList.contains('tile-paused'),
                    number: parseFloat(getComputedStyle(tile.querySelector('.t-window')).fontSize),
                    current: parseFloat(getComputedStyle(tile.querySelector('.t-current')).fontSize),
                    inside: box.bottom <= area.bottom + 0.5 && box.right <= area.right + 0.5};
        })""")
        for tile in sizes:
            assert tile["number"] >= MIN_NUMBER_PX, tile
            assert tile["paused"] or tile["current"] >= MIN_NUMBER_PX, tile
            assert tile["inside"], f"window {tile['window']} is cut off: {tile}"
        seen += [tile["window"] for tile in sizes]
        if len(seen) == len(sizes):
            screen.screenshot("floor-screen-62-windows")
        page.clock.run_for(8000)
    assert sorted(seen, key=int) == floor_windows  # every window on exactly one page
    expect(grid).to_have_attribute("data-page", str(first))  # and round again
    screen.assert_stayed_local()
