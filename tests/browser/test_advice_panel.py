"""调度建议 on the admin board, in a real browser against a real server: 医保 swamped at its one window, 社保's
three windows nearly idle. The board lists the model's move of a 社保 window to 医保; tapping 应用 sets that
window's queues (seen through the API and in the window list) and the advice is read again. A supervisor
sees the same advice without the button."""
from __future__ import annotations

from playwright.sync_api import expect

from conftest import make_hall
from harness import PASSWORD, login, run_cli
from .pages import staff_sign_in


def test_the_board_shows_a_move_and_applying_it_changes_the_window(tmp_path, open_page):
    hall = make_hall(tmp_path)
    try:
        for w in ("1", "2", "3", "13"):
            hall.clerk_at(w, f"adv-{w}")
        for _ in range(20):
            assert hall.kiosk.post("/tickets", {"matter": "ybj-ydjy"}).status_code == 201
        assert hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
        expected = hall.admin.get("/advice").json()["advice"]
        assert expected and expected[0]["window"] in {"1", "2", "3"}, expected
        first = expected[0]

        board = open_page(hall.server, "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
        staff_sign_in(board.page, "admin")
        panel = board.page.locator("#advice")
        item = panel.locator(f"li[data-window='{first['window']}']")
        expect(item).to_contain_text(f"{first['window']}号窗口")
        expect(item).to_contain_text("社保 → 医保 › 社保")
        expect(item).to_contain_text(f"预计大厅平均等候缩短 {-first['expected_wait_change_min']:.1f} 分钟")
        expect(item).to_contain_text(first["why"])
        expect(panel.locator("#no-advice")).to_be_hidden()
        board.screenshot("admin-board-advice")

        item.get_by_role("button", name="应用").click()
        expect(board.page.locator("#message")).to_contain_text(f"已将 {first['window']}号窗口改为：医保 › 社保")
        assert hall.admin.get(f"/windows/{first['window']}").json()["window"]["queues"] == ["yibao", "shebao"]
        expect(board.page.locator(f"tr[data-window='{first['window']}']")).to_contain_text("医保 › 社保")
        expect(panel.locator(f"li[data-window='{first['window']}']")).to_have_count(0)  # read again
        board.screenshot("admin-board-advice-applied")

        r = run_cli("users", "add", "adv-sup", "--role", "supervisor", "--password-stdin", db=hall.db,
                    stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        still = login(hall.server, "adv-sup").get("/advice").json()["advice"]
        watcher = open_page(hall.server, "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
        staff_sign_in(watcher.page, "adv-sup")
        if still:
            expect(watcher.page.locator("#advice li").first).to_contain_text(still[0]["why"])
        else:
            expect(watcher.page.locator("#no-advice")).to_be_visible()
        expect(watcher.page.locator("#advice").get_by_role("button", name="应用")).to_have_count(0)
        board.assert_stayed_local()
        assert not board.errors and not watcher.errors, board.errors + watcher.errors
    finally:
        hall.server.stop()
