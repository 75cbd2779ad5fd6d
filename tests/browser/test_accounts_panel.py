"""账号与设备 on the admin board, in a real browser against a real server: the admin disables a clerk
(whose token is refused at once), enables it, resets its password, unlocks it, and gives a kiosk a new
token (the old one is refused). A supervisor's board has no such panel."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from conftest import make_hall
from harness import PASSWORD, login, run_cli
from .pages import staff_sign_in


def test_the_admin_manages_accounts_and_devices_on_the_board(tmp_path, open_page):
    hall = make_hall(tmp_path)
    try:
        clerk = hall.add_clerk("panel-clerk", None)
        board = open_page(hall.server, "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
        staff_sign_in(board.page, "admin")
        panel = board.page.locator("#accounts")
        row = panel.locator("tr[data-user='panel-clerk']")
        expect(row).to_contain_text("窗口人员")
        expect(row).to_contain_text("正常")

        row.get_by_role("button", name="停用 panel-clerk").click()
        expect(board.page.locator("#message")).to_contain_text("panel-clerk 已停用")
        expect(row).to_contain_text("已停用")
        assert clerk.get("/me").status_code == 401
        row.get_by_role("button", name="启用 panel-clerk").click()
        expect(row).to_contain_text("正常")

        row.get_by_role("button", name="重置密码 panel-clerk").click()
        row.get_by_label("panel-clerk 的新密码（至少8个字符）").fill("board-new-pass-1")
        row.get_by_role("button", name="确定 panel-clerk").click()
        expect(board.page.locator("#message")).to_contain_text("panel-clerk 的密码已重置")
        assert login(hall.server, "panel-clerk", "board-new-pass-1").get("/me").status_code == 200

        for _ in range(5):
            requests.post(hall.server.api + "/auth/login", json={"username": "panel-clerk", "password": "nope-nope"}, timeout=30)
        row.get_by_role("button", name="解锁 panel-clerk").click()
        expect(board.page.locator("#message")).to_contain_text("清除了 5 次失败登录")

        device = panel.locator("tr[data-device='kiosk-1']")
        device.get_by_role("button", name="更换令牌 kiosk-1").click()
        expect(board.page.locator("#message")).to_contain_text("kiosk-1 的新令牌")
        assert hall.kiosk.get("/me").status_code == 401
        board.screenshot("admin-board-accounts")

        r = run_cli("users", "add", "panel-sup", "--role", "supervisor", "--password-stdin", db=hall.db, stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        watcher = open_page(hall.server, "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
        staff_sign_in(watcher.page, "panel-sup")
        expect(watcher.page.locator("#board")).to_be_visible()
        expect(watcher.page.locator("#accounts")).to_be_hidden()
        assert not board.errors and not watcher.errors, board.errors + watcher.errors
    finally:
        hall.server.stop()
