"""调度建议 over a real server and its SQLite database (CONTRACT v2 `GET /advice`): 医保 swamped at its one
window while 社保's three windows have little to do. The advice moves a 社保 window to 医保, fed through SQL with
the last hour's arrivals and measured service; only the admin and supervisors may read it; applying it with
PUT /windows/{w}/queues changes the window and the advice."""
from __future__ import annotations

from contract_helpers import assert_error
from harness import PASSWORD, Client, login, run_cli
from server.config import load_config
from server.domain import staffing as st


def test_advice_moves_an_idle_window_to_the_loaded_queue_and_applying_it_changes_the_window(fresh_hall):
    hall = fresh_hall()
    shebao = {w: hall.clerk_at(w, f"adv-rst-{w}") for w in ("1", "2", "3")}
    hall.clerk_at("13", "adv-ybj-13")
    for _ in range(20):
        assert hall.kiosk.post("/tickets", {"matter": "ybj-ydjy"}).status_code == 201
    for _ in range(4):
        assert hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
    for _ in range(3):  # three 社保 tickets served at once: a measured service far below the configured one
        assert shebao["1"].post("/windows/1/call-next").status_code == 200
        assert shebao["1"].post("/windows/1/finish").status_code == 200

    assert_error(Client(hall.server).get("/advice"), 401, "unauthorized")
    assert_error(shebao["2"].get("/advice"), 403, "forbidden", "role_not_allowed")
    r = run_cli("users", "add", "adv-sup", "--role", "supervisor", "--password-stdin", db=hall.db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    seen = login(hall.server, "adv-sup").get("/advice")
    assert seen.status_code == 200, seen.text

    answer = hall.admin.get("/advice")
    assert answer.status_code == 200, answer.text
    assert answer.json() == seen.json()
    advice = answer.json()["advice"]
    assert advice, answer.json()
    first = advice[0]
    assert first["window"] in {"1", "2", "3"}
    assert first["from_queues"] == ["shebao"] and first["to_queues"] == ["yibao", "shebao"]
    assert first["expected_wait_change_min"] < -0.1
    assert first["why"].startswith("医保 近一小时到达 20 人、等候 20 人")
    # fed through SQL: 医保's 20 arrivals at its configured service; 社保's 4 arrivals, 1 waiting, the
    # measured (floored) service of its three finished tickets
    config = load_config()
    yibao = st.QueueLoad(20, 20, config.queue_avg_minutes("yibao"))
    assert (first["from_wait_min"], first["to_wait_min"]) == (round(st.pool_wait(yibao, 1), 1), round(st.pool_wait(yibao, 2), 1))
    measured_shebao = st.QueueLoad(4, 1, st.MIN_SERVICE_MINUTES)
    assert first["losing_from_wait_min"] == round(st.pool_wait(measured_shebao, 3), 1)

    applied = hall.admin.put(f"/windows/{first['window']}/queues", {"queues": first["to_queues"]})
    assert applied.status_code == 200, applied.text
    assert hall.admin.get(f"/windows/{first['window']}").json()["window"]["queues"] == ["yibao", "shebao"]
    after = hall.admin.get("/advice").json()["advice"]
    assert first["window"] not in {m["window"] for m in after}
