"""统计报表 over a real server on a clock the test moves (tests/launchers/clock_server.py): a hall morning
of seven tickets at moments the test chooses — served, a no-show, a transfer, a case routed, a recall,
one never called — rated on the windows' evaluators (a pty as the RS485 bus), one rating taken out by
an appeal. Every figure of GET /reports/service is computed here again from those moments alone, by
window, clerk and hour with the totals, and found the same in the JSON, the XLSX and the CSV; the
rating days pass and the unrated served ticket counts at the default level. docs/reports.md defines
each figure. (On PostgreSQL: test_reports_postgresql.py; over months: test_reports_long_range.py.)"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import select
import sqlite3
import threading

import pytest
import requests
from openpyxl import load_workbook

from contract_helpers import assert_error
from harness import PASSWORD, Client, Server, demo_config, login, run_cli, wait_for
from launchers.clock_server import HallClock
from reports_plan import CLERKS, DAY, RATING_DAYS, Planned, expected_table, local, report

EVALUATORS = {"1": 4, "2": 5, "13": 6}  # window → the evaluator's address on the bus


def ft12_frame(address: int, function: int, data: bytes) -> bytes:
    length = 2 + len(data)
    return bytes((0xFF, 0x68, length, length, 0x68, address, function)) + data + bytes(
        ((address + function + sum(data)) % 256, 0x16))


# ---------------------------------------------------------------- the hall
@pytest.fixture(scope="module")
def reporting(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    master, slave = os.openpty()
    devices = "".join(f"""
[[devices]]
name = "evaluator-{window}"
kind = "evaluator"
url = "{os.ttyname(slave)}"
protocol = "ft12"
attach = "window:{window}"
address = {address}
""" for window, address in EVALUATORS.items())
    config = demo_config(tmp, devices)
    text = open(config, encoding="utf-8").read()
    assert "\n[rating]\ndays = 7\n" in text
    open(config, "w", encoding="utf-8").write(text.replace("\n[rating]\ndays = 7\n", f"\n[rating]\ndays = {RATING_DAYS}\n"))
    db_path = tmp / "hall.db"
    db = f"sqlite:///{db_path}"
    for name, role in (("admin", "admin"), ("rpt-sup", "supervisor")):
        r = run_cli("users", "add", name, "--role", role, "--password-stdin", db=db, config=config, stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
    r = run_cli("devices", "add", "kiosk-1", "--kind", "kiosk", db=db, config=config)
    assert r.returncode == 0, r.stderr
    kiosk_token = r.stdout.strip().splitlines()[-1]
    clock = HallClock(tmp / "clock", local("08:50:00"))
    server = Server(db, tmp, config=config, clock_file=str(clock.path)).start()
    stop = threading.Event()

    def drain():  # the host echoes each frame: read the bus so it never fills
        while not stop.is_set():
            if select.select([master], [], [], 0.2)[0]:
                try:
                    os.read(master, 4096)
                except OSError:
                    return
    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    admin = login(server, "admin")
    yield {"server": server, "clock": clock, "admin": admin, "kiosk": Client(server, kiosk_token), "bus": master,
           "db": db_path, "config": config}
    stop.set()
    drainer.join()  # before the descriptors close: a number reused by the next test must not be read here
    server.stop()
    os.close(master)
    os.close(slave)


@pytest.fixture(scope="module")
def morning(reporting):
    """Plays the morning; returns the plan with the tickets' ids."""
    server, clock, admin, kiosk, bus = (reporting[k] for k in ("server", "clock", "admin", "kiosk", "bus"))
    clerks = {}
    for window, (username, department) in CLERKS.items():
        r = admin.post("/users", {"username": username, "password": PASSWORD, "role": "clerk", "department": department})
        assert r.status_code == 201, r.text
        clerks[window] = login(server, username)
        assert clerks[window].post(f"/windows/{window}/sign-in").status_code == 200
    plan: dict[str, Planned] = {}
    ratings_stored = [0]

    def at(hhmmss: str) -> dt.datetime:
        clock.set(local(hhmmss))
        return clock.now

    def issue(name: str, matter: str, hhmmss: str) -> None:
        plan[name] = Planned(name, at(hhmmss))
        r = kiosk.post("/tickets", {"matter": matter})
        assert r.status_code == 201, r.text
        plan[name].id = r.json()["ticket"]["id"]

    def act(window: str, action: str, hhmmss: str, body=None) -> dict:
        moment = at(hhmmss)
        r = clerks[window].post(f"/windows/{window}/{action}", body)
        assert r.status_code in (200, 201), r.text
        answer = r.json()
        if action == "call-next":
            ticket = next(t for t in plan.values() if t.id == answer["ticket"]["id"])
            ticket.first_call = ticket.first_call or moment
            ticket.last_call, ticket.window = moment, window
        return answer

    def end(name: str, outcome: str) -> None:
        plan[name].outcome, plan[name].end = outcome, clock.now

    def rate(window: str, name: str, level: int) -> None:
        os.write(bus, ft12_frame(EVALUATORS[window], 0x11, bytes((level,))))
        ratings_stored[0] += 1
        assert wait_for(lambda: stored(reporting["db"]) == ratings_stored[0], 15), "the evaluator's rating was not stored"
        plan[name].rating = level

    issue("T1", "rst-sbk", "09:00:00")
    issue("T2", "rst-sbk", "09:02:00")
    issue("T3", "rst-sbk", "09:05:00")
    act("1", "call-next", "09:10:00")  # T1
    act("2", "call-next", "09:12:30")  # T2
    act("1", "finish", "09:20:00")
    end("T1", "done")
    rate("1", "T1", 1)
    act("2", "no-show", "09:25:00")
    end("T2", "no_show")
    act("2", "call-next", "09:26:00")  # T3
    act("2", "transfer", "09:30:00", {"queue": "yibao"})
    plan["T3"].transfers.append("2")
    issue("T4", "ybj-ydjy", "09:40:00")
    act("13", "call-next", "09:45:00")  # T3 again: it kept its place by issue time
    act("13", "finish", "09:50:00")
    end("T3", "done")
    rate("13", "T3", 5)
    issue("T5", "rst-sbk", "10:05:00")
    issue("T6", "rst-sbk", "10:06:00")
    act("1", "call-next", "10:10:00")  # T5
    act("1", "route", "10:20:00", {"applicant": {"name": "张三", "phone": "13800001111"}})
    end("T5", "routed")
    act("13", "call-next", "10:21:00")  # T4
    act("13", "finish", "10:31:40")
    end("T4", "done")
    rate("13", "T4", 3)
    act("2", "call-next", "10:40:00")  # T6
    act("2", "recall", "10:41:00")
    act("2", "finish", "10:55:30")
    end("T6", "done")
    rate("2", "T6", 4)
    issue("T7", "rst-sbk", "11:00:00")  # never called
    assert [plan[n].window for n in ("T1", "T2", "T3", "T4", "T5", "T6", "T7")] == ["1", "2", "13", "13", "1", "2", None]
    # An upheld appeal (申诉) takes T3's 差评 out of the statistics. The follow-up API that does this is
    # another branch's; here the store of rating facts is changed as it would change it.
    with sqlite3.connect(reporting["db"]) as conn:
        conn.execute("UPDATE ratings SET removed_at = ? WHERE ticket_id = ?",
                     (local("12:00:00").astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" "), plan["T3"].id))
    plan["T3"].removed = True
    at("11:05:00")
    return plan


def stored(db_path) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT count(*) FROM ratings WHERE ticket_id IS NOT NULL").fetchone()[0]


# ---------------------------------------------------------------- the figures
@pytest.mark.parametrize("by", ["window", "clerk", "hour"])
def test_every_figure_is_what_the_morning_makes_of_it(reporting, morning, by):
    now = reporting["clock"].now
    r = report(reporting["admin"], by)
    assert r.status_code == 200, r.text
    rows, totals = expected_table(morning, by, now)
    answer = r.json()
    assert answer["rows"] == rows
    assert answer["totals"] == totals
    # The morning, in words the test can check by eye: 7 tickets, 5 served (one routed), 1 no-show, one
    # transfer; ratings 1, 3, 4 counted (the 5 was removed, T5 not rated yet): 2 of 3 satisfied.
    assert (totals["tickets"], totals["served"], totals["no_show"], totals["transferred"], totals["routed"]) == (7, 5, 1, 1, 1)
    assert totals["ratings"] == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 0} and totals["satisfaction"] == 0.6667


def test_every_grouping_adds_up_to_the_totals(reporting, morning):
    totals = report(reporting["admin"], "window").json()["totals"]
    for by in ("department", "window", "clerk", "matter", "queue", "hour", "day"):
        answer = report(reporting["admin"], by).json()
        assert answer["totals"] == totals, by
        for figure in ("tickets", "served", "no_show", "transferred", "routed"):
            assert sum(row[figure] for row in answer["rows"]) == totals[figure], (by, figure)
    names = {by: [(row["key"], row["name"]) for row in report(reporting["admin"], by).json()["rows"]]
             for by in ("department", "queue", "matter", "day")}
    assert names == {"department": [("rst", "省人力资源社会保障厅"), ("ybj", "省医保局")],
                     "queue": [("shebao", "社保"), ("yibao", "医保")],
                     "matter": [("rst-sbk", "社会保障卡申领"), ("ybj-ydjy", "异地就医备案")],
                     "day": [("2026-12-01", "2026-12-01")]}
    empty = report(reporting["admin"], "window", day=DAY - dt.timedelta(days=1)).json()
    assert empty["rows"] == [] and empty["totals"]["tickets"] == 0 and empty["totals"]["avg_wait_s"] is None


HEADERS = {"取号数": "tickets", "办结数": "served", "过号数": "no_show", "转移次数": "transferred", "受理转办数": "routed",
           "平均等候（秒）": "avg_wait_s", "90%等候（秒）": "p90_wait_s", "最长等候（秒）": "max_wait_s",
           "平均办理（秒）": "avg_service_s", "非常满意": "1", "满意": "2", "基本满意": "3", "不满意": "4", "非常不满意": "5",
           "满意率": "satisfaction"}
KEY_HEADERS = {"window": "窗口号", "clerk": "工作人员", "hour": "时段"}


def as_lines(rows: list[dict], totals: dict) -> list[dict]:
    flat = []
    for row in rows + [totals]:
        line = {"key": row["key"], "name": row["name"]}
        for field_name in HEADERS.values():
            line[field_name] = row["ratings"][field_name] if field_name.isdigit() else row[field_name]
        flat.append(line)
    return flat


def read_sheet(sheet, by: str) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    assert header[:2] == (KEY_HEADERS[by], "名称") and set(header[2:]) == set(HEADERS)
    out = []
    for line in values[1:]:
        record = {"key": line[0], "name": line[1], **{HEADERS[h]: v for h, v in zip(header[2:], line[2:])}}
        out.append(record)
        if line[1] == "合计":
            return out
    raise AssertionError(f"no totals row on sheet {sheet.title}")


def test_the_xlsx_holds_the_same_numbers_on_the_right_sheets(reporting, morning):
    now = reporting["clock"].now
    r = report(reporting["admin"], "window", "xlsx")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["按窗口", "按部门", "按工作人员", "按事项", "按队列", "按时段", "按日期"]  # asked first
    for sheet, by in (("按窗口", "window"), ("按工作人员", "clerk"), ("按时段", "hour")):
        assert read_sheet(book[sheet], by) == as_lines(*expected_table(morning, by, now)), sheet
    assert isinstance(book["按窗口"]["C2"].value, int)  # numbers are numbers
    assert load_workbook(io.BytesIO(report(reporting["admin"], "hour", "xlsx").content)).sheetnames[0] == "按时段"


def test_the_csv_holds_the_same_numbers_for_excel(reporting, morning):
    now = reporting["clock"].now
    for by in ("window", "clerk", "hour"):
        r = report(reporting["admin"], by, "csv")
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/csv") and r.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
        lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        header = lines[0]
        assert header[:2] == [KEY_HEADERS[by], "名称"]
        got = [{"key": line[0] or None, "name": line[1], **{HEADERS[h]: v for h, v in zip(header[2:], line[2:])}}
               for line in lines[1:]]
        want = [{k: ("" if v is None else str(v)) if k not in ("key", "name") else v for k, v in line.items()}
                for line in as_lines(*expected_table(morning, by, now))]
        assert got == want, by


# ---------------------------------------------------------------- who may read, and what is refused
def test_admin_and_supervisor_read_reports_clerks_back_office_and_nobody_do_not(reporting, morning):
    server, admin = reporting["server"], reporting["admin"]
    r = admin.post("/users", {"username": "rpt-bo", "password": PASSWORD, "role": "backoffice", "department": "rst"})
    assert r.status_code == 201, r.text
    path = f"/reports/service?from={DAY}&to={DAY}&by=clerk"
    supervisor = login(server, "rpt-sup")
    assert supervisor.get(path).json() == admin.get(path).json()
    for fmt in ("csv", "xlsx"):
        assert supervisor.get(path + f"&format={fmt}").status_code == 200
    for who in ("rpt-wang", "rpt-bo"):
        for fmt in ("", "&format=xlsx"):
            assert_error(login(server, who).get(path + fmt), 403, "forbidden", "role_not_allowed")
    assert_error(reporting["kiosk"].get(path), 403, "forbidden", "role_not_allowed")
    assert_error(requests.get(server.api + path, timeout=30), 401, "unauthorized", "token_missing")


@pytest.mark.parametrize("query, reason", [
    ("from=2026-12-02&to=2026-12-01&by=window", "invalid_date_range"),
    ("from=2025-11-30&to=2026-12-01&by=window", "invalid_date_range"),  # 367 days
    ("from=2026-12-01&by=window", "invalid_date_range"),
    ("from=2026/12/01&to=2026/12/01&by=window", "invalid_date_range"),
    ("from=2026-12-01&to=2026-12-01&by=floor", "invalid_grouping"),
    ("from=2026-12-01&to=2026-12-01", "invalid_grouping"),
    ("from=2026-12-01&to=2026-12-01&by=window&format=pdf", "invalid_format"),
])
def test_bad_queries_are_refused_with_their_reason(reporting, query, reason):
    assert_error(reporting["admin"].get(f"/reports/service?{query}"), 400, "invalid", reason)


def test_a_year_of_366_days_is_a_range(reporting, morning):
    r = reporting["admin"].get("/reports/service?from=2025-12-02&to=2026-12-02&by=day")
    assert r.status_code == 200, r.text
    assert r.json()["totals"]["tickets"] == 7


# ---------------------------------------------------------------- the rating days pass (moves the clock: last)
def test_a_served_ticket_left_unrated_counts_at_the_default_once_its_rating_days_have_passed(reporting, morning):
    clock = reporting["clock"]
    routed_end = morning["T5"].end
    clock.set(routed_end + dt.timedelta(days=RATING_DAYS, seconds=-1))
    admin = login(reporting["server"], "admin")  # the morning's sign-in has expired by the next day
    before = report(admin, "window").json()
    assert before["totals"]["ratings"]["2"] == 0
    clock.set(routed_end + dt.timedelta(days=RATING_DAYS))
    for by in ("window", "clerk", "hour"):
        rows, totals = expected_table(morning, by, clock.now)
        answer = report(admin, by).json()
        assert answer["rows"] == rows and answer["totals"] == totals, by
    after = report(admin, "window").json()
    assert after["totals"]["ratings"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 0} and after["totals"]["satisfaction"] == 0.75
    assert next(row for row in after["rows"] if row["key"] == "1")["ratings"]["2"] == 1  # T5 ended at window 1


# ---------------------------------------------------------------- with the ratings API (another branch)
def test_a_rating_from_the_tracking_page_counts_in_that_days_report(reporting, morning):
    """CONTRACT v2's POST /ratings is the ratings branch's; until it is served here this test skips."""
    server, clock, kiosk = reporting["server"], reporting["clock"], reporting["kiosk"]
    documented = requests.get(server.api + "/openapi.json", timeout=30).json()["paths"]
    if "post" not in documented.get("/api/v1/ratings", {}):
        pytest.skip("POST /ratings is not served on this branch yet (it comes with the ratings branch)")
    day = DAY + dt.timedelta(days=RATING_DAYS + 1)  # after the clock's last move, and a day of its own
    clock.set(local("09:00:00", day))
    admin, clerk = login(server, "admin"), login(server, "rpt-wang")
    assert clerk.post("/windows/1/sign-in").status_code == 200
    ticket = kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    clock.set(local("09:03:00", day))
    called = clerk.post("/windows/1/call-next").json()["ticket"]
    while called["id"] != ticket["id"]:  # the morning left tickets waiting (the day's turn runs on real time)
        called = clerk.post("/windows/1/call-next").json()["ticket"]
    clock.set(local("09:09:00", day))
    assert clerk.post("/windows/1/finish").status_code == 200
    r = requests.post(server.api + "/ratings", json={"ticket": ticket["id"], "level": 4, "channel": "tracking"}, timeout=30)
    assert r.status_code == 201, r.text
    rows = report(admin, "clerk", day=day).json()["rows"]
    assert [(row["key"], row["tickets"], row["avg_wait_s"], row["avg_service_s"], row["ratings"], row["satisfaction"])
            for row in rows] == [("rpt-wang", 1, 180, 360, {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}, 0.0)]
    again = requests.post(server.api + "/ratings", json={"ticket": ticket["id"], "level": 1, "channel": "tracking"}, timeout=30)
    assert_error(again, 409, "conflict", "already_rated")
    assert report(admin, "clerk", day=day).json()["rows"] == rows
