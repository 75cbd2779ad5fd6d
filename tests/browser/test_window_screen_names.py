"""The window screen shows the clerk by the account's display name (issue 14: screens carry no
usernames), and nothing for an account without one."""
from __future__ import annotations

from playwright.sync_api import expect

from harness import PASSWORD, login, run_cli, unique


def test_the_window_screen_shows_the_display_name_and_never_the_username(hall, open_page):
    username = unique("clerk-name")
    r = run_cli("users", "add", username, "--role", "clerk", "--display-name", "工号 0123 张三", "--password-stdin",
                db=hall.db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    clerk = login(hall.server, username)
    screen = open_page(hall.server, "/display?window=51")
    expect(screen.page.locator("body")).to_have_attribute("data-link", "up")
    expect(screen.page.locator("#w-clerk")).to_be_hidden()
    assert clerk.post("/windows/51/sign-in").status_code == 200
    expect(screen.page.locator("#w-clerk")).to_have_text("工号 0123 张三")
    assert username not in screen.page.content()
    hall.clerk_at("52", named=False)  # an account without a display name
    other = open_page(hall.server, "/display?window=52")
    expect(other.page.locator("#w-number")).to_contain_text("52")
    expect(other.page.locator("#w-clerk")).to_be_hidden()
    assert list(hall.clerks)[-1] not in other.page.content()
