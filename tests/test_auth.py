"""Who may do what (CONTRACT.md "who" column), against a real server.

Every refusal is checked with `refused`: the contract's error shape, the exact status and code,
and the full GET /stats and admin GET /windows answers unchanged. `desk` is a window whose clerk
serves a called ticket, so a command wrongly let through would visibly change it.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests

from contract_helpers import Windows, assert_error, refused, send, stats_rows, window_rows
from harness import PASSWORD, Client, login, unique


@pytest.fixture(scope="module")
def windows():
    return Windows()


@pytest.fixture(scope="module")
def desk(hall, windows):
    window = windows.take("rst")
    clerk = hall.clerk_at(window, "desk-clerk")
    issued = hall.kiosk.post("/tickets", {"matter": "rst-sbk"})
    assert issued.status_code == 201, issued.text
    called = clerk.post(f"/windows/{window}/call-next")
    assert called.status_code == 200 and called.json()["ticket"]["id"] == issued.json()["ticket"]["id"], called.text
    assert all(q["waiting"] == 0 for q in stats_rows(hall)), "the desk must leave no ticket waiting"
    return SimpleNamespace(window=window, clerk=clerk, ticket=called.json()["ticket"])


@pytest.fixture(scope="module")
def neighbour(hall, windows):
    """Another rst clerk, signed in at its own window next to the desk."""
    window = windows.take("rst")
    return SimpleNamespace(window=window, clerk=hall.clerk_at(window, "neighbour-clerk"))


@pytest.fixture(scope="module")
def idle_window(windows):
    """An rst window nobody ever signs in to."""
    return windows.take("rst")


@pytest.fixture(scope="module")
def backoffice(hall):
    r = hall.admin.post("/users", {"username": "bo-rst", "password": PASSWORD, "role": "backoffice",
                                   "department": "rst"})
    assert r.status_code == 201, r.text
    return login(hall.server, "bo-rst")


# Every staff route, and POST /tickets, with a body that would be valid for the right caller.
# {w} is the desk window, {t} the desk's ticket.
GUARDED = [
    ("list-windows", "GET", "/windows", None),
    ("get-window", "GET", "/windows/{w}", None),
    ("me", "GET", "/me", None),
    ("ticket-history", "GET", "/tickets/{t}/history", None),
    ("logout", "POST", "/auth/logout", None),
    ("add-user", "POST", "/users", lambda: {"username": unique("u"), "password": PASSWORD, "role": "admin"}),
    ("take-ticket", "POST", "/tickets", {"matter": "rst-sbk"}),
    ("take-green-ticket", "POST", "/tickets", {"matter": "rst-sbk", "priority": "green"}),
    ("sign-in", "POST", "/windows/{w}/sign-in", None),
    ("sign-out", "POST", "/windows/{w}/sign-out", None),
    ("call-next", "POST", "/windows/{w}/call-next", None),
    ("recall", "POST", "/windows/{w}/recall", None),
    ("no-show", "POST", "/windows/{w}/no-show", None),
    ("finish", "POST", "/windows/{w}/finish", None),
    ("transfer", "POST", "/windows/{w}/transfer", {"queue": "yibao"}),
    ("pause", "POST", "/windows/{w}/pause", {"reason": "会议"}),
    ("resume", "POST", "/windows/{w}/resume", None),
    ("set-queues", "PUT", "/windows/{w}/queues", {"queues": ["yibao", "shebao"]}),
    ("set-state", "PUT", "/windows/{w}/state", {"state": "paused"}),
]


def _call(desk, method, path, body, client: Client, token: str | None = None):
    path = path.replace("{w}", desk.window).replace("{t}", desk.ticket["id"])
    return send(client, method, path, body() if callable(body) else body, token=token)


@pytest.mark.parametrize("method, path, body", [pytest.param(*g[1:], id=g[0]) for g in GUARDED])
def test_no_token_is_unauthorized(hall, desk, method, path, body):
    refused(hall, lambda: _call(desk, method, path, body, Client(hall.server)), 401, "unauthorized")


@pytest.fixture(scope="module")
def signed_out_token(hall):
    hall.add_clerk("signed-out-clerk", "rst")
    client = login(hall.server, "signed-out-clerk")
    assert client.post("/auth/logout").status_code == 200
    return client.token


BAD_TOKENS = {
    "garbage": lambda h: "Bearer garbage-token",
    "300-chars": lambda h: "Bearer " + "x" * 300,
    "basic-scheme": lambda h: "Basic dXNlcjpwYXNz",
    "no-scheme": lambda h: h.admin.token,
    "empty-bearer": lambda h: "Bearer",
    "signed-out": lambda h: "Bearer " + h.signed_out_token,
}


@pytest.mark.parametrize("token", list(BAD_TOKENS))
@pytest.mark.parametrize("method, path, body", [pytest.param(*g[1:], id=g[0]) for g in GUARDED])
def test_bad_token_is_unauthorized(hall, desk, signed_out_token, method, path, body, token):
    header = BAD_TOKENS[token](SimpleNamespace(admin=hall.admin, signed_out_token=signed_out_token))
    refused(hall, lambda: _call(desk, method, path, body, hall.admin, token=header), 401, "unauthorized")


# (who, method, path, body): each must be 403 forbidden. {w} desk window, {n} the neighbour's
# window, {i} an idle rst window, {g} a gat window, {c} a comprehensive window.
FORBIDDEN = [
    # a display device only shows
    ("display-take-ticket", "display", "POST", "/tickets", {"matter": "rst-sbk"}),
    ("display-call-next", "display", "POST", "/windows/{w}/call-next", None),
    ("display-sign-in", "display", "POST", "/windows/{i}/sign-in", None),
    ("display-list-windows", "display", "GET", "/windows", None),
    ("display-set-state", "display", "PUT", "/windows/{w}/state", {"state": "paused"}),
    # a kiosk issues tickets, nothing else
    ("kiosk-call-next", "kiosk", "POST", "/windows/{w}/call-next", None),
    ("kiosk-recall", "kiosk", "POST", "/windows/{w}/recall", None),
    ("kiosk-finish", "kiosk", "POST", "/windows/{w}/finish", None),
    ("kiosk-sign-in", "kiosk", "POST", "/windows/{i}/sign-in", None),
    ("kiosk-set-queues", "kiosk", "PUT", "/windows/{w}/queues", {"queues": ["yibao"]}),
    ("kiosk-set-state", "kiosk", "PUT", "/windows/{w}/state", {"state": "paused"}),
    ("kiosk-list-windows", "kiosk", "GET", "/windows", None),
    ("kiosk-add-user", "kiosk", "POST", "/users", {"username": "kiosk-made", "password": PASSWORD, "role": "admin"}),
    ("kiosk-logout", "kiosk", "POST", "/auth/logout", None),
    # a clerk acts only at its own window
    ("clerk-call-next-elsewhere", "neighbour", "POST", "/windows/{w}/call-next", None),
    ("clerk-recall-elsewhere", "neighbour", "POST", "/windows/{w}/recall", None),
    ("clerk-no-show-elsewhere", "neighbour", "POST", "/windows/{w}/no-show", None),
    ("clerk-finish-elsewhere", "neighbour", "POST", "/windows/{w}/finish", None),
    ("clerk-transfer-elsewhere", "neighbour", "POST", "/windows/{w}/transfer", {"queue": "yibao"}),
    ("clerk-pause-elsewhere", "neighbour", "POST", "/windows/{w}/pause", {"reason": "会议"}),
    ("clerk-sign-out-elsewhere", "neighbour", "POST", "/windows/{w}/sign-out", None),
    ("clerk-call-next-at-idle-window", "neighbour", "POST", "/windows/{i}/call-next", None),
    ("clerk-pause-idle-window", "neighbour", "POST", "/windows/{i}/pause", {"reason": "会议"}),
    # ... only at a window of its own department
    ("clerk-sign-in-other-department", "neighbour", "POST", "/windows/{g}/sign-in", None),
    ("clerk-sign-in-hall-window", "neighbour", "POST", "/windows/{c}/sign-in", None),
    ("hall-clerk-sign-in-rst-window", "hall_clerk", "POST", "/windows/{i}/sign-in", None),
    ("floor2-clerk-sign-in-rst-window", "scjg_clerk", "POST", "/windows/{i}/sign-in", None),
    # ... and does not run the hall
    ("clerk-set-queues-own", "neighbour", "PUT", "/windows/{n}/queues", {"queues": ["shebao", "yibao"]}),
    ("clerk-set-state-own", "neighbour", "PUT", "/windows/{n}/state", {"state": "closed"}),
    ("clerk-set-queues-desk", "neighbour", "PUT", "/windows/{w}/queues", {"queues": ["yibao"]}),
    ("clerk-set-state-desk", "neighbour", "PUT", "/windows/{w}/state", {"state": "paused"}),
    ("clerk-add-user", "neighbour", "POST", "/users", {"username": "clerk-made", "password": PASSWORD, "role": "admin"}),
    # back office does not call
    ("backoffice-call-next", "backoffice", "POST", "/windows/{w}/call-next", None),
    ("backoffice-recall", "backoffice", "POST", "/windows/{w}/recall", None),
    ("backoffice-sign-in", "backoffice", "POST", "/windows/{i}/sign-in", None),
    ("backoffice-set-state", "backoffice", "PUT", "/windows/{w}/state", {"state": "paused"}),
    ("backoffice-add-user", "backoffice", "POST", "/users", {"username": "bo-made", "password": PASSWORD, "role": "admin"}),
    # an admin runs the hall but does not serve at a window
    ("admin-call-next", "admin", "POST", "/windows/{w}/call-next", None),
    ("admin-finish", "admin", "POST", "/windows/{w}/finish", None),
    ("admin-sign-in", "admin", "POST", "/windows/{i}/sign-in", None),
]


@pytest.fixture(scope="module")
def actors(hall, desk, neighbour, idle_window, backoffice, windows):
    return SimpleNamespace(
        display=hall.display, kiosk=hall.kiosk, admin=hall.admin, neighbour=neighbour.clerk, backoffice=backoffice,
        hall_clerk=hall.add_clerk("guide-desk", None), scjg_clerk=hall.add_clerk("scjg-clerk", "scjg"),
        paths={"{w}": desk.window, "{n}": neighbour.window, "{i}": idle_window, "{g}": windows.take("gat"),
               "{c}": windows.take(None)})


@pytest.mark.parametrize("who, method, path, body", [pytest.param(*f[1:], id=f[0]) for f in FORBIDDEN])
def test_forbidden(hall, actors, who, method, path, body):
    for k, v in actors.paths.items():
        path = path.replace(k, v)
    refused(hall, lambda: send(getattr(actors, who), method, path, body), 403, "forbidden")


def test_forbidden_users_were_not_created(hall, actors):
    for name in ("kiosk-made", "clerk-made", "bo-made"):
        r = hall.admin.post("/users", {"username": name, "password": PASSWORD, "role": "clerk"})
        assert r.status_code == 201, f"{name} already existed: {r.text}"


def test_desk_is_untouched(hall, desk, neighbour):
    """What all the refusals above were aimed at is still as it was."""
    w = window_rows(hall)
    assert w[desk.window]["clerk"] == "desk-clerk" and w[desk.window]["state"] == "open"
    assert w[desk.window]["current"]["id"] == desk.ticket["id"] and w[desk.window]["current"]["recalls"] == 0
    assert w[desk.window]["queues"] == ["shebao"]
    assert w[neighbour.window]["clerk"] == "neighbour-clerk" and w[neighbour.window]["state"] == "open"
    assert desk.clerk.get("/me").status_code == 200


# ---------------------------------------------------------------- not found, and the window's own state
UNKNOWN = [
    ("call-next-window-999", "neighbour", "POST", "/windows/999/call-next", None),
    ("recall-window-149", "neighbour", "POST", "/windows/149/recall", None),
    ("sign-in-window-999", "neighbour", "POST", "/windows/999/sign-in", None),
    ("sign-in-window-0", "neighbour", "POST", "/windows/0/sign-in", None),
    ("get-window-149", "admin", "GET", "/windows/149", None),
    ("set-state-window-999", "admin", "PUT", "/windows/999/state", {"state": "open"}),
    ("set-queues-window-999", "admin", "PUT", "/windows/999/queues", {"queues": ["shebao"]}),
    ("kiosk-unknown-matter", "kiosk", "POST", "/tickets", {"matter": "no-such-matter"}),
    ("staff-unknown-matter", "neighbour", "POST", "/tickets", {"matter": "rst-nope", "priority": "green"}),
    ("unknown-ticket", "kiosk", "GET", "/tickets/AAAAAAAAAAAAAAAAAAAAAA", None),
    ("unknown-ticket-history", "admin", "GET", "/tickets/AAAAAAAAAAAAAAAAAAAAAA/history", None),
    ("transfer-unknown-queue", "desk_clerk", "POST", "/windows/{w}/transfer", {"queue": "nosuch"}),
]


@pytest.mark.parametrize("who, method, path, body", [pytest.param(*u[1:], id=u[0]) for u in UNKNOWN])
def test_unknown_is_not_found(hall, actors, desk, who, method, path, body):
    client = desk.clerk if who == "desk_clerk" else getattr(actors, who)
    path = path.replace("{w}", desk.window)
    refused(hall, lambda: send(client, method, path, body), 404, "not_found")


def test_call_next_on_an_empty_queue(hall, windows):
    window = windows.take("wjw")  # queue wsjk: nobody in this module issues for it
    clerk = hall.clerk_at(window)
    refused(hall, lambda: clerk.post(f"/windows/{window}/call-next"), 409, "queue_empty")
    assert window_rows(hall)[window]["state"] == "open"


def test_call_next_on_an_empty_queue_while_serving_changes_nothing(hall, windows):
    window = windows.take("jyt")  # queue jiaoyu: nobody else in this module issues for it
    clerk = hall.clerk_at(window)
    assert hall.kiosk.post("/tickets", {"matter": _matter_of("jiaoyu", hall)}).status_code == 201
    assert clerk.post(f"/windows/{window}/call-next").status_code == 200
    refused(hall, lambda: clerk.post(f"/windows/{window}/call-next"), 409, "queue_empty")


def _matter_of(queue: str, hall) -> str:
    return next(m["id"] for m in requests.get(hall.server.api + "/catalog", timeout=30).json()["matters"]
                if m["queue"] == queue)


def test_paused_window_cannot_call(hall, windows):
    window = windows.take("gat")
    clerk = hall.clerk_at(window)
    assert clerk.post(f"/windows/{window}/pause", json={"reason": "会议"}).json()["window"]["state"] == "paused"
    refused(hall, lambda: clerk.post(f"/windows/{window}/call-next"), 409, "conflict")
    # Resumed, it calls again: the refusal was about the pause, not about the clerk.
    assert clerk.post(f"/windows/{window}/resume").status_code == 200
    refused(hall, lambda: clerk.post(f"/windows/{window}/call-next"), 409, "queue_empty")


def test_closed_window_cannot_call(hall, windows):
    window = windows.take("gat")
    clerk = hall.clerk_at(window)
    assert hall.admin.put(f"/windows/{window}/state", {"state": "closed"}).status_code == 200
    err = refused(hall, lambda: clerk.post(f"/windows/{window}/call-next"))
    assert err["code"] in {"conflict", "forbidden"}


# ---------------------------------------------------------------- sign-in
def test_login_answers_a_token_and_the_role(hall):
    hall.add_clerk("role-check", "mzt")
    r = requests.post(hall.server.api + "/auth/login", json={"username": "role-check", "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"token", "role"} and r.json()["role"] == "clerk" and len(r.json()["token"]) >= 20
    me = requests.get(hall.server.api + "/me", headers={"Authorization": "Bearer " + r.json()["token"]}, timeout=30)
    assert me.status_code == 200 and me.json()["name"] == "role-check"


def test_wrong_password_and_unknown_user_look_the_same(hall):
    hall.add_clerk("lookalike", "mzt")
    wrong = requests.post(hall.server.api + "/auth/login", json={"username": "lookalike", "password": "nope-nope"}, timeout=30)
    ghost = requests.post(hall.server.api + "/auth/login", json={"username": "ghost-user", "password": "nope-nope"}, timeout=30)
    a, b = assert_error(wrong, 401, "unauthorized"), assert_error(ghost, 401, "unauthorized")
    assert a["message"] == b["message"]


def test_login_is_throttled_after_five_failures(hall):
    hall.add_clerk("throttled-user", "mzt")
    url = hall.server.api + "/auth/login"
    for _ in range(5):
        assert_error(requests.post(url, json={"username": "throttled-user", "password": "wrong-pass"}, timeout=30),
                     401, "unauthorized")
    r = requests.post(url, json={"username": "throttled-user", "password": PASSWORD}, timeout=30)
    assert_error(r, 429, "unavailable")
    assert r.headers.get("Retry-After", "").isdigit() and int(r.headers["Retry-After"]) > 0, r.headers
    # The lock-out is per user: someone else still signs in.
    hall.add_clerk("not-throttled", "mzt")
    assert requests.post(url, json={"username": "not-throttled", "password": PASSWORD}, timeout=30).status_code == 200


def test_signed_out_token_no_longer_works(hall):
    hall.add_clerk("short-shift", "mzt")
    client = login(hall.server, "short-shift")
    assert client.get("/me").status_code == 200
    assert client.post("/auth/logout").status_code == 200
    assert_error(client.get("/me"), 401, "unauthorized")
    assert_error(client.post("/auth/logout"), 401, "unauthorized")
