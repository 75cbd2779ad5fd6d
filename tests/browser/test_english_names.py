"""In English, the staff pages and the citizen's tracking page name matters, queues and departments by
the hall config's English names (`name_en`), as the kiosk does, not in Chinese inside English
sentences. A real browser, a real server, the demo hall's config."""
from __future__ import annotations

from playwright.sync_api import expect

from .pages import staff_sign_in


def test_the_tracking_page_names_the_matter_in_english(hall, open_page):
    ticket = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    phone = open_page(hall.server, f"/t/{ticket['id']}", viewport=(390, 844))
    expect(phone.page.locator("#matter")).to_have_text("社会保障卡申领")
    phone.page.get_by_role("button", name="English", exact=True).click()
    expect(phone.page.locator("#matter")).to_have_text("Social security card application")
    phone.assert_stayed_local()


def test_the_clerk_console_names_the_matter_and_queues_in_english(hall, open_page):
    hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    hall.add_clerk("english-clerk-12", "rst")
    console = open_page(hall.server, "/clerk", viewport=(1366, 768))
    page = console.page
    staff_sign_in(page, "english-clerk-12", "12")
    page.get_by_role("button", name="叫号").click()
    expect(page.locator("#current")).to_contain_text("社会保障卡申领")
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("#current")).to_contain_text("Social security card application")
    counts = page.locator("#queue-counts")
    expect(counts.locator("tr[data-queue='shebao'] td").first).to_have_text("Social security")
    expect(counts).not_to_contain_text("社保")
    console.screenshot("clerk-english-names-1366x768")
    page.get_by_role("button", name="中文", exact=True).click()
    console.assert_stayed_local()


def test_the_admin_board_names_queues_in_english(hall, open_page):
    board = open_page(hall.server, "/admin", viewport=(1920, 1080))
    page = board.page
    staff_sign_in(page, "admin")
    row = page.locator("#queues tr[data-queue='shebao'] td").first
    expect(row).to_have_text("社保")
    page.get_by_role("button", name="English", exact=True).click()
    expect(row).to_have_text("Social security")
    expect(page.locator("#floor-tabs")).to_contain_text("Floor 1 · Individuals")  # the zone too, not 服务群众个人区
    expect(page.locator("#floor-tabs")).not_to_contain_text("服务")
    page.get_by_role("button", name="中文", exact=True).click()
    expect(page.locator("#floor-tabs")).to_contain_text("服务群众个人区")
    board.assert_stayed_local()
