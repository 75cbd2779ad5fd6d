"""Every role against every route of the API and every Socket.IO namespace, as one table.

`test_auth.py` checks the refusals in depth (nothing changes); this table checks the whole grid both
ways: a role the contract lets through is never refused as unauthorized/forbidden, and every other
role is. The table must name every operation the OpenAPI document lists, so a new route cannot slip
in without a decision about who may call it.
"""
from __future__ import annotations

import random

import pytest
import requests
import socketio

from booking_hall import next_working_day
from contract_helpers import Windows, assert_error, send
from harness import PASSWORD, Client, login, run_cli, unique

ROLES = ("nobody", "kiosk", "display", "pad", "platform", "clerk", "other_clerk", "backoffice", "admin", "supervisor")
EVERYONE = set(ROLES)
STAFF = {"clerk", "other_clerk", "backoffice", "admin", "supervisor"}
AT_WINDOW = {"clerk"}  # the clerk signed in at {w}
READERS = {"admin", "supervisor"}  # READS_EVERYTHING: ratings, follow-ups
BOOKERS = {"platform"} | STAFF  # the provincial platform books, and staff for a citizen


def booking() -> dict:
    first = f"430104199001{random.randint(10, 28)}{random.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2))) % 11]
    return {"matter": "rst-sbk", "date": next_working_day().isoformat(), "start": "16:30", "id_number": first + check,
            "name": "张三", "phone": "13800001111"}

# (method, path, body, who may) in an order that keeps {w} usable: the window's own clerk pauses before
# resuming and signs out last; the admin's changes leave the window open.
ROUTES = [
    ("GET", "/catalog", None, EVERYONE),
    ("GET", "/stats", None, EVERYONE),
    ("GET", "/health", None, EVERYONE),
    ("GET", "/openapi.json", None, EVERYONE),
    ("GET", "/tickets/{t}", None, EVERYONE),
    ("POST", "/auth/login", lambda: {"username": "matrix-login", "password": PASSWORD}, EVERYONE),
    ("GET", "/me", None, EVERYONE - {"nobody"}),
    ("POST", "/tickets", lambda: {"matter": "rst-sbk"}, {"kiosk"} | STAFF),
    ("GET", "/tickets/{t}/history", None, STAFF),
    ("POST", "/tickets/requeue", lambda: {"number": "A999"}, {"kiosk"} | STAFF),  # no such ticket: 404 for them
    ("GET", "/appointments/slots?matter=rst-sbk&date=2026-11-02", None, EVERYONE),
    ("POST", "/appointments", booking, BOOKERS),
    ("GET", "/appointments", None, READERS | {"clerk", "other_clerk"}),
    ("GET", "/appointments/{p}", None, BOOKERS),
    ("POST", "/appointments/{p}/cancel", None, BOOKERS),
    ("GET", "/windows", None, STAFF),
    ("GET", "/windows/{w}", None, STAFF),
    ("POST", "/users", lambda: {"username": unique("m"), "password": PASSWORD, "role": "clerk"}, {"admin"}),
    ("POST", "/windows/{w}/sign-in", None, {"clerk", "other_clerk"}),  # the other one: 409, taken
    ("POST", "/windows/{w}/call-next", None, AT_WINDOW),
    ("POST", "/windows/{w}/recall", None, AT_WINDOW),
    ("POST", "/windows/{w}/transfer", lambda: {"queue": "yibao"}, AT_WINDOW),
    ("POST", "/windows/{w}/call-next", None, AT_WINDOW),
    ("POST", "/windows/{w}/no-show", None, AT_WINDOW),
    ("POST", "/windows/{w}/call-next", None, AT_WINDOW),
    ("POST", "/windows/{w}/finish", None, AT_WINDOW),
    ("GET", "/windows/{w}/holder", None, AT_WINDOW),  # serves nothing now: 409 for the clerk
    ("GET", "/windows/{w}/rating-target", None, {"pad"}),
    ("POST", "/ratings", lambda: {"window": "{w}", "level": 2, "channel": "pad"}, {"pad"}),  # rates {w}'s last
    ("POST", "/ratings", lambda: {"ticket": "{s}", "level": 1}, EVERYONE),  # rated already: 409, not refused
    ("GET", "/ratings", None, READERS),
    ("GET", "/ratings/export", None, READERS),
    ("GET", "/follow-ups", None, READERS),
    ("GET", "/follow-ups/{f}", None, READERS),
    ("POST", "/follow-ups/{f}", lambda: {"action": "appeal", "note": "窗口申诉"}, READERS),
    ("POST", "/windows/{w}/pause", {"reason": "会议"}, AT_WINDOW),
    ("POST", "/windows/{w}/resume", None, AT_WINDOW),
    ("GET", "/windows/{w}/cases", None, AT_WINDOW | READERS),
    ("POST", "/windows/{w}/route", lambda: {"applicant": {"name": "张三", "phone": "13800001111"}}, AT_WINDOW),
    ("POST", "/windows/{w}/hand-over", lambda: {"how": "mail", "tracking": "SF1234567890"}, AT_WINDOW),
    ("GET", "/tickets/{t}/case", None, EVERYONE),
    ("GET", "/cases", None, {"backoffice"} | READERS),
    ("GET", "/cases/{c}", None, EVERYONE),
    ("POST", "/cases/{c}/claim", None, {"backoffice"}),
    ("POST", "/cases/{c}/request-materials", lambda: {"materials": ["身份证复印件"]}, {"backoffice"}),
    ("POST", "/cases/{c}/materials", lambda: {"materials": ["身份证复印件"]}, {"clerk", "other_clerk", "admin"}),
    ("POST", "/cases/{c}/decide", lambda: {"result": "approved", "note": "ok"}, {"backoffice"}),
    ("POST", "/cases/{c}/return", None, {"backoffice"}),
    ("GET", "/devices", None, READERS),
    ("GET", "/alerts", None, READERS),
    ("POST", "/alerts/{a}/acknowledge", lambda: {"note": "看过"}, READERS),  # no such alert: 404 for them
    ("GET", "/reports/service", None, READERS),
    ("GET", "/advice", None, READERS),
    ("POST", "/tickets/{t}/reprint", None, {"kiosk", "admin", "clerk", "other_clerk"}),  # 补打: the guide desk too
    ("PUT", "/windows/{w}/queues", lambda: {"queues": ["shebao", "yibao"]}, {"admin"}),
    ("PUT", "/windows/{w}/state", lambda: {"state": "open"}, {"admin"}),
    ("POST", "/windows/{w}/sign-out", None, AT_WINDOW),
    # Accounts and devices ({u}: an account of its own, {d}: a kiosk of its own), admin only.
    ("GET", "/users", None, {"admin"}),
    ("POST", "/users/{u}/unlock", None, {"admin"}),
    ("POST", "/users/{u}/disable", None, {"admin"}),
    ("POST", "/users/{u}/enable", None, {"admin"}),
    ("POST", "/users/{u}/password", lambda: {"password": "matrix-new-pass"}, {"admin"}),
    ("DELETE", "/users/{u}", None, {"admin"}),
    ("POST", "/sign-in/unlock", lambda: {"address": "10.0.0.1"}, {"admin"}),
    ("GET", "/device-tokens", None, {"admin"}),
    ("POST", "/device-tokens/{d}/revoke", None, {"admin"}),
    ("POST", "/device-tokens/{d}/rotate", None, {"admin"}),
    # Any staff member's own password; too short a new one (400) keeps the shared tokens alive.
    ("POST", "/auth/password", lambda: {"old_password": PASSWORD, "new_password": PASSWORD}, STAFF),
    ("POST", "/auth/logout", None, STAFF),  # with a fresh token per staff role
]


@pytest.fixture(scope="module")
def cast(hall):
    windows = Windows()
    w, other = windows.take("rst"), windows.take("rst")
    hall.add_clerk("matrix-login", "rst")
    r = hall.admin.post("/users", {"username": "matrix-bo", "password": PASSWORD, "role": "backoffice",
                                   "department": "rst"})
    assert r.status_code == 201, r.text
    for _ in range(4):
        assert hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
    ticket = hall.kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    r = run_cli("users", "add", "matrix-sup", "--role", "supervisor", "--password-stdin", db=hall.db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = hall.admin.post("/users", {"username": "matrix-target", "password": PASSWORD, "role": "clerk"})
    assert r.status_code == 201, r.text
    assert run_cli("devices", "add", "matrix-kiosk", "--kind", "kiosk", db=hall.db).returncode == 0
    r = run_cli("devices", "add", "matrix-pad", "--kind", "pad", db=hall.db)
    assert r.returncode == 0, r.stderr
    p = run_cli("devices", "add", "matrix-platform", "--kind", "platform", db=hall.db)
    assert p.returncode == 0, p.stderr
    platform = Client(hall.server, p.stdout.strip().splitlines()[-1])
    booked = platform.post("/appointments", booking())
    assert booked.status_code == 201, booked.text
    clients = {"nobody": None, "kiosk": hall.kiosk, "display": hall.display, "platform": platform,
               "pad": Client(hall.server, r.stdout.strip().splitlines()[-1]), "clerk": hall.clerk_at(w, "matrix-clerk"),
               "other_clerk": hall.clerk_at(other, "matrix-other"), "backoffice": login(hall.server, "matrix-bo"),
               "admin": login(hall.server, "admin"), "supervisor": login(hall.server, "matrix-sup")}
    names = {"clerk": "matrix-clerk", "other_clerk": "matrix-other", "backoffice": "matrix-bo", "admin": "admin",
             "supervisor": "matrix-sup"}
    # A case of the back office's department, accepted at the other window, for the /cases rows.
    assert clients["other_clerk"].post(f"/windows/{other}/call-next").status_code == 200
    routed = clients["other_clerk"].post(f"/windows/{other}/route", {"applicant": {"name": "李四", "phone": "13900002222"}})
    assert routed.status_code == 201, routed.text
    # A 差评 of a served ticket (rated through its id), and the follow-up it opened.
    served = clients["other_clerk"].post(f"/windows/{other}/call-next").json()["ticket"]
    assert clients["other_clerk"].post(f"/windows/{other}/finish").status_code == 200
    bad = requests.post(hall.server.api + "/ratings", json={"ticket": served["id"], "level": 5}, timeout=30)
    assert bad.status_code == 201, bad.text
    follow_ups = {f["rating"]["id"]: f["id"] for f in clients["admin"].get("/follow-ups").json()["follow_ups"]}
    return {"w": w, "t": ticket["id"], "c": routed.json()["case"]["id"], "s": served["id"],
            "p": booked.json()["appointment"]["id"],
            "f": follow_ups[bad.json()["rating"]["id"]], "clients": clients, "names": names}


def test_the_table_names_every_documented_operation(hall):
    doc = requests.get(hall.server.api + "/openapi.json", timeout=30).json()
    documented = {(m.upper(), p.removeprefix("/api/v1")) for p, ops in doc["paths"].items() for m in ops
                  if m in ("get", "post", "put", "patch", "delete")}
    tabled = {(m, p.replace("{w}", "{window}").replace("{t}", "{ticket_id}").replace("{c}", "{case_id}")
               .replace("{f}", "{follow_up_id}").replace("{a}", "{alert_id}").replace("{p}", "{appointment_id}")
               .replace("{u}", "{username}").replace("{d}", "{name}").split("?")[0]) for m, p, _, _ in ROUTES}
    assert documented == tabled, f"missing: {documented - tabled}; unknown: {tabled - documented}"


@pytest.mark.parametrize("method, path, body, allowed", ROUTES,
                         ids=[f"{i:02d}-{m}-{p}" for i, (m, p, _, _) in enumerate(ROUTES)])
def test_every_role_on_every_route(hall, cast, method, path, body, allowed):
    fill = lambda text: text.replace("{w}", cast["w"]).replace("{t}", cast["t"]).replace("{c}", cast["c"]).replace(
        "{f}", cast["f"]).replace("{s}", cast["s"]).replace("{a}", "424242").replace("{p}", cast["p"]).replace(
        "{u}", "matrix-target").replace("{d}", "matrix-kiosk")
    path = fill(path)
    made = body
    body = (lambda: {k: fill(v) if isinstance(v, str) else v for k, v in made().items()}) if callable(made) else made
    wrong = []
    # Refused roles first, so that an allowed call cannot hide a refusal behind a changed state.
    for role in sorted(ROLES, key=lambda r: r in allowed):
        client = cast["clients"][role] or cast["clients"]["admin"]
        if path == "/auth/logout" and role in STAFF:
            client = login(hall.server, cast["names"][role])  # keep the shared tokens alive
        token = "" if role == "nobody" else None
        if role == "nobody":
            r = requests.request(method, hall.server.api + path, json=body() if callable(body) else body, timeout=30)
        else:
            r = send(client, method, path, body() if callable(body) else body, token=token)
        if role in allowed:
            if r.status_code in (401, 403) or r.status_code >= 500:
                wrong.append(f"{role}: let through by the contract, answered {r.status_code} {r.text[:120]}")
        elif r.status_code != (401 if role == "nobody" else 403):
            wrong.append(f"{role}: must be refused, answered {r.status_code} {r.text[:120]}")
        else:
            assert_error(r)
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- Socket.IO
NAMESPACES = {"/display": EVERYONE, "/clerk": {"clerk", "other_clerk", "admin"}, "/admin": READERS,
              "/backoffice": {"backoffice"}}


@pytest.mark.parametrize("namespace", list(NAMESPACES))
@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_namespace(hall, cast, namespace, role):
    client = cast["clients"][role]
    token = client.token if client else None
    if role == "clerk":  # the route table ends with the clerk signing out
        assert client.post(f"/windows/{cast['w']}/sign-in").status_code == 200
    sio = socketio.Client(reconnection=False)
    try:
        sio.connect(hall.server.url, namespaces=[namespace], transports=["websocket"],
                    auth={"token": token} if token else None, wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        assert role not in NAMESPACES[namespace], f"{role} was refused on {namespace}"
        return
    try:
        assert role in NAMESPACES[namespace], f"{role} was let into {namespace}"
        if namespace == "/display":
            assert sio.call("subscribe", {"floor": 1}, namespace=namespace, timeout=10) == {"ok": True, "room": "floor:1"}
        elif namespace == "/clerk":
            answer = sio.call("join", {}, namespace=namespace, timeout=10)
            if role == "admin":  # may follow, but has no window of its own to join
                assert answer["error"]["code"] == "unauthorized", answer
            else:
                assert answer.get("ok") is True, answer
    finally:
        sio.disconnect()
