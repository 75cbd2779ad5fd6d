"""The public HTTP surface of CONTRACT.md: the shapes of /catalog and /stats (against the demo hall's
configuration), and /stats counting what happens in the hall.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import requests

from contract_helpers import rows, serve_all, stats_rows

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8"))


def test_catalog_shape(hall):
    r = requests.get(hall.server.api + "/catalog", timeout=30)  # anyone: no token
    assert r.status_code == 200, r.text
    cat = r.json()
    zones = {"individual", "enterprise", "institution"}
    floors = {f["number"]: f for f in cat["floors"]}
    assert [f["number"] for f in cat["floors"]] == [1, 2, 3]
    assert all(type(f["number"]) is int and f["zone"] in zones for f in cat["floors"])
    assert {f["zone"] for f in cat["floors"]} == zones
    departments = {d["code"]: d for d in cat["departments"]}
    assert len(departments) == len(cat["departments"]) == len(CONFIG["departments"])
    for d in cat["departments"]:
        assert isinstance(d["code"], str) and d["code"] and isinstance(d["name"], str) and d["name"]
        assert d["kind"] in {"professional", "comprehensive"}
    assert sum(d["kind"] == "professional" for d in cat["departments"]) == 20
    queues = {q["code"]: q for q in cat["queues"]}
    assert len(queues) == len(cat["queues"]) == len(CONFIG["queues"])
    for q in cat["queues"]:
        assert isinstance(q["code"], str) and q["name"] and type(q["floor"]) is int and q["floor"] in floors
    assert queues["shebao"]["floor"] == 1
    ids = [m["id"] for m in cat["matters"]]
    assert len(set(ids)) == len(ids) and set(ids) == {m["id"] for m in CONFIG["matters"]}
    for m in cat["matters"]:
        assert {"id", "name", "department", "queue", "floor", "zone", "promised_days"} <= set(m), m
        assert isinstance(m["id"], str) and isinstance(m["name"], str) and m["name"]
        assert m["department"] in departments and m["queue"] in queues, m
        assert m["floor"] == queues[m["queue"]]["floor"] and m["zone"] == floors[m["floor"]]["zone"], m
        assert type(m["promised_days"]) is int and m["promised_days"] >= 0, m
    sbk = next(m for m in cat["matters"] if m["id"] == "rst-sbk")
    assert (sbk["department"], sbk["queue"], sbk["floor"], sbk["zone"]) == ("rst", "shebao", 1, "individual")


def test_stats_shape(hall):
    r = requests.get(hall.server.api + "/stats", timeout=30)  # anyone: no token
    assert r.status_code == 200, r.text
    table = rows(r.json(), "queues")
    catalog = requests.get(hall.server.api + "/catalog", timeout=30).json()
    assert [q["code"] for q in table] == [q["code"] for q in catalog["queues"]]
    for q in table:
        assert {"code", "waiting", "open_windows", "longest_wait_s", "eta_minutes"} <= set(q), q
        assert isinstance(q["code"], str)
        for k in ("waiting", "open_windows", "longest_wait_s"):
            assert type(q[k]) is int and q[k] >= 0, q
        assert q["eta_minutes"] is None or (type(q["eta_minutes"]) is int and q["eta_minutes"] >= 0), q
        # CONTRACT v2: eta_range is [low, high] around eta_minutes, and null exactly when it is (nobody staffs it)
        assert (q["eta_range"] is None) == (q["eta_minutes"] is None), q
        if q["eta_range"] is not None:
            low, high = q["eta_range"]
            assert type(low) is int and type(high) is int and 0 <= low <= q["eta_minutes"] <= high, q
    floor2 = rows(requests.get(hall.server.api + "/stats?floor=2", timeout=30).json(), "queues")
    assert floor2 and {q["code"] for q in floor2} == {q["code"] for q in catalog["queues"] if q["floor"] == 2}


def test_stats_count_what_happens(hall, windows):
    """waiting and open_windows follow the hall: a ticket waits, a window opens, a call takes it."""
    window = windows.take("mzt")
    row = lambda: next(q for q in stats_rows(hall) if q["code"] == "minzheng")
    start = row()
    clerk = hall.clerk_at(window)
    assert row()["open_windows"] == start["open_windows"] + 1
    r = hall.kiosk.post("/tickets", {"matter": "mzt-shtt"})
    assert r.status_code == 201
    ticket = r.json()["ticket"]
    try:
        assert row()["waiting"] == start["waiting"] + 1 and row()["eta_minutes"] is not None
        low, high = ticket["eta_range"]  # a clerk staffs the window: a range, around the estimate
        assert type(low) is int and type(high) is int and low <= ticket["eta_minutes"] <= high, ticket
        assert row()["eta_range"] is not None
    finally:
        serve_all(clerk, window)
    assert row()["waiting"] == start["waiting"] and row()["longest_wait_s"] == 0
