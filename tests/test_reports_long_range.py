"""统计报表 over a long range while the hall works: three months of a busy hall's log, and GET /stats
answering promptly while the report reads them."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time

import requests

from harness import PASSWORD, Server, login, run_cli
from reports_plan import local


def test_a_long_report_does_not_hold_the_hall_up(tmp_path):
    """Three months of a busy hall's log (written as the log keeps it): the report reads them a business day
    at a time and lets the other requests run in between, so the hall's screens keep their figures."""
    import random
    from sqlalchemy import create_engine, insert
    from server.adapters import tables

    db = f"sqlite:///{tmp_path}/hall.db"
    r = run_cli("users", "add", "admin", "--role", "admin", "--password-stdin", db=db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    first, days, per_day = dt.date(2026, 6, 1), 90, 800
    rng = random.Random(7)
    engine = create_engine(db)
    with engine.begin() as conn:
        for d in range(days):
            day = first + dt.timedelta(days=d)
            tickets, events = [], []
            for i in range(per_day):
                tid = f"{day:%m%d}-{i}"
                issued = local("08:30:00", day) + dt.timedelta(seconds=rng.randint(0, 8 * 3600))
                called, window = issued + dt.timedelta(seconds=rng.randint(0, 3600)), str(rng.randint(1, 10))
                tickets.append(dict(id=tid, day=day, series_queue="shebao", seq=i + 1, number=f"A{i + 1:03d}",
                                    queue="shebao", matter="rst-sbk", floor=1, zone="individual", priority="normal",
                                    status="done", issued_at=issued, placed_at=issued))
                for kind, at, where in (("issued", issued, {}), ("called", called, {"window": window, "clerk": "c" + window}),
                                        ("done", called + dt.timedelta(minutes=9), {"window": window, "clerk": "c" + window})):
                    ticket = {"id": tid, "queue": "shebao", "matter": "rst-sbk", **where}
                    events.append(dict(hall="hall", at=at, subject="ticket", kind=kind, subject_id=tid, floor=1,
                                       window=where.get("window"), payload=json.dumps({"ticket": ticket})))
            conn.execute(insert(tables.tickets), tickets)
            conn.execute(insert(tables.events), events)
    engine.dispose()
    server = Server(db, tmp_path).start()
    try:
        admin = login(server, "admin")
        answer, took = [], []

        def long_report():
            started = time.monotonic()
            answer.append(admin.get(f"/reports/service?from={first}&to={first + dt.timedelta(days=days - 1)}&by=window"))
            took.append(time.monotonic() - started)
        reading = threading.Thread(target=long_report)
        reading.start()
        slowest = 0.0
        while reading.is_alive():
            started = time.monotonic()
            assert requests.get(server.api + "/stats", timeout=60).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.1)
        reading.join()
        assert answer[0].status_code == 200, answer[0].text
        assert answer[0].json()["totals"]["tickets"] == days * per_day
        assert answer[0].json()["totals"]["avg_service_s"] == 540
        assert took[0] > 1.5, f"the report took {took[0]:.2f}s: too little data to tell whether it holds the hall up"
        assert slowest < 1.0, f"GET /stats waited {slowest:.2f}s while the report ran ({took[0]:.2f}s)"
    finally:
        server.stop()
