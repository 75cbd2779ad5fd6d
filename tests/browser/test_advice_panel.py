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


def test_a_queue_whose_clerk_left_is_named_apart_and_its_move_says_so(tmp_path, open_page):
    """The 医保 clerk signs out with 20 citizens waiting: the board names 医保 as served by no window, the
    hall's mean wait is the served queues' (not 医保's people counted at a hall day), and the first move
    gives 医保 a window without claiming minutes."""
    hall = make_hall(tmp_path)
    try:
        for w in ("1", "2", "3"):
            hall.clerk_at(w, f"adv-{w}")
        yibao_clerk = hall.clerk_at("13", "adv-13")
        for _ in range(20):
            assert hall.kiosk.post("/tickets", {"matter": "ybj-ydjy"}).status_code == 201
        assert hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
        assert yibao_clerk.post("/windows/13/sign-out").status_code == 200
        answer = hall.admin.get("/advice").json()
        assert answer["unserved_queues"] == [{"queue": "yibao", "arrivals": 20, "waiting": 20}], answer
        first = answer["advice"][0]
        assert first["queue"] == "yibao" and first["opens_queue"], first

        board = open_page(hall.server, "/admin", viewport=(1920, 1080), timezone_id="Asia/Shanghai")
        staff_sign_in(board.page, "admin")
        expect(board.page.locator("#link")).to_be_hidden()  # the live board is connected (its queue list filled)
        expect(board.page.locator("#queues tr").first).to_be_visible()
        panel = board.page.locator("#advice")
        expect(panel.locator("#advice-unserved")).to_have_text("暂无窗口办理：医保（近一小时 20 人，等候 20 人）")
        assert answer["hall_mean_wait_min"] < 30, answer  # 社保's one citizen on three windows
        expect(panel.locator("#advice-hall")).to_have_text(f"大厅平均等候预计 {answer['hall_mean_wait_min']:.1f} 分钟")
        item = panel.locator(f"li[data-window='{first['window']}']")
        expect(item.locator(".advice-change")).to_have_text("让医保有窗口优先办理")
        expect(item).to_contain_text("暂无窗口办理，改后预计平均等候")
        board.screenshot("admin-board-advice-unserved")

        # In English the board words the same figures itself (the server's `why` is Chinese)
        board.page.get_by_role("button", name="English", exact=True).click()
        names = {q["code"]: q["name_en"] for q in hall.admin.get("/catalog").json()["queues"]}
        expect(panel.locator("#advice-unserved")).to_have_text(
            f"No window serving: {names['yibao']} (20 in the last hour, 20 waiting)")
        expect(item.locator(".advice-change")).to_have_text(f"gives {names['yibao']} a window serving it first")
        losing = (f"; {names[first['losing_queue']]} {round(first['losing_from_wait_min'])}→{round(first['losing_to_wait_min'])} min"
                  if first["losing_queue"] else "; the window's own queues have nobody waiting")
        expect(item.locator(".advice-why")).to_have_text(
            f"{names['yibao']}: 20 in the last hour, 20 waiting; no window serving it; mean wait expected "
            f"{round(first['to_wait_min'])} min after the move" + losing)
        board.screenshot("admin-board-advice-unserved-en")
        board.page.get_by_role("button", name="中文", exact=True).click()

        item.get_by_role("button", name="应用").click()
        expect(panel.locator("#advice-unserved")).to_be_hidden()  # read again: 医保 has a window now
        assert not hall.admin.get("/advice").json()["unserved_queues"]
        board.assert_stayed_local()
        assert not board.errors, board.errors
    finally:
        hall.server.stop()
