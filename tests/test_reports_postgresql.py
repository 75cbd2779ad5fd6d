"""统计报表 on PostgreSQL: a real server on its own database and a clock the test moves; one ticket served
and one left waiting read the same as on SQLite, in the JSON and the XLSX."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from harness import PASSWORD, Client, Server, login, run_cli
from launchers.clock_server import HallClock
from reports_plan import local, report


def test_the_report_reads_the_same_on_postgresql(tmp_path, pg_url):
    r = run_cli("users", "add", "admin", "--role", "admin", "--password-stdin", db=pg_url, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    kiosk_token = run_cli("devices", "add", "kiosk-1", "--kind", "kiosk", db=pg_url).stdout.strip().splitlines()[-1]
    clock = HallClock(tmp_path / "clock", local("14:00:00"))
    server = Server(pg_url, tmp_path, clock_file=str(clock.path)).start()
    try:
        admin, kiosk = login(server, "admin"), Client(server, kiosk_token)
        assert admin.post("/users", {"username": "pg-clerk", "password": PASSWORD, "role": "clerk",
                                     "department": "rst"}).status_code == 201
        clerk = login(server, "pg-clerk")
        assert clerk.post("/windows/7/sign-in").status_code == 200
        for _ in range(2):
            assert kiosk.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
        clock.set(local("14:05:00"))
        assert clerk.post("/windows/7/call-next").status_code == 200
        clock.set(local("14:08:20"))
        assert clerk.post("/windows/7/finish").status_code == 200
        answer = report(admin, "window").json()
        zero = {str(n): 0 for n in range(1, 6)}
        assert answer["rows"] == [
            {"key": "7", "name": "7号窗口", "tickets": 1, "served": 1, "no_show": 0, "transferred": 0, "routed": 0,
             "avg_wait_s": 300, "p90_wait_s": 300, "max_wait_s": 300, "avg_service_s": 200, "ratings": zero, "satisfaction": None},
            {"key": None, "name": "未叫号", "tickets": 1, "served": 0, "no_show": 0, "transferred": 0, "routed": 0,
             "avg_wait_s": None, "p90_wait_s": None, "max_wait_s": None, "avg_service_s": None, "ratings": zero,
             "satisfaction": None}]
        assert load_workbook(io.BytesIO(report(admin, "window", "xlsx").content))["按窗口"]["C4"].value == 2  # 合计 取号数
    finally:
        server.stop()
