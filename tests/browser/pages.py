"""What a person does on the pages, as steps the browser tests share (Playwright's sync API)."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from harness import PASSWORD


def pair_kiosk(page: Page, token: str) -> None:
    page.get_by_label("设备令牌").fill(token)
    page.get_by_role("button", name="配对").click()
    expect(page.get_by_role("heading", name="请选择办事区域")).to_be_visible()


def choose_matter(page: Page, floor_zone: str, department: str, matter: str) -> None:
    """Home → zone (its button is named e.g. "1楼 服务群众个人区") → department → matter → confirm screen."""
    page.get_by_role("button", name=floor_zone).click()
    page.get_by_role("button", name=department, exact=True).click()
    page.get_by_role("button", name=matter, exact=True).click()
    expect(page.get_by_role("heading", name=matter)).to_be_visible()


def take_ticket(page: Page) -> tuple[str, str]:
    """Press 取号 on the confirm screen; returns (ticket number, ticket id from the QR code)."""
    number, qr = page.locator("#ticket-number"), page.locator("#ticket-qr")
    # The ticket view keeps the last citizen's ticket while hidden: wait for this one's, not that.
    before = (number.text_content() or "", qr.get_attribute("src") or "")
    page.get_by_role("button", name="取号").click()
    expect(number).to_be_visible()
    page.wait_for_function(
        """([old, oldSrc]) => {
            const n = document.getElementById('ticket-number'), q = document.getElementById('ticket-qr');
            return /^[A-Z]\\d{3}$/.test(n.textContent) && n.textContent !== old && q.getAttribute('src') !== oldSrc;
        }""", arg=list(before))
    return number.inner_text(), qr.get_attribute("src").split("/")[2]


def staff_sign_in(page: Page, username: str, window: str | None = None) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    if window is not None:
        page.get_by_label("窗口").fill(window)
    page.get_by_role("button", name="登录").click()
