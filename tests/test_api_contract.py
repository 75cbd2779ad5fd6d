"""The public HTTP surface of CONTRACT.md, checked table by table against a real server:

1. bad input on every endpoint is refused with the contract's error shape and changes nothing;
2. (auth lives in test_auth.py)
3. Idempotency-Key: a repeat returns the first answer, once, even under concurrency;
4. the OpenAPI document lists every route, its bodies, and its $refs resolve;
5. the shapes of /catalog and /stats.

Every refusal is checked with `refused`: the full GET /stats and admin GET /windows answers are
compared before and after. The module shares one server (`hall`); the `stage` fixture prepares
a few windows in known states, and every other test takes fresh windows from `windows`.
"""
from __future__ import annotations

import json
import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from contract_helpers import (Windows, assert_error, assert_unchanged, hall_state, refused, rows, send, serve_all,
                              stats_rows, waiting, window_rows)
from harness import PASSWORD, Client, unique

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "config" / "demo-hall.toml").read_text(encoding="utf-8"))

# The stage: windows of 省司法厅 (sft, queue falv) and 省公安厅 (gat, queue huji) in known states.
SERVED = "46"   # clerk signed in, serving a called ticket (call-next, recall, no-show, finish, transfer)
OPEN = "47"     # clerk signed in, open, no ticket (pause, sign-out)
PAUSED = "48"   # clerk signed in, paused (resume)
SIGN_IN = "29"  # closed, nobody signed in; the gat clerk of the stage may sign in here (sign-in)
ADMIN_W = "30"  # closed; the admin's PUT /queues and PUT /state target
LOGIN_USER = "login-badbody"


@pytest.fixture(scope="module")
def windows():
    return Windows(reserved=(SERVED, OPEN, PAUSED, SIGN_IN, ADMIN_W))


@pytest.fixture(scope="module")
def stage(hall):
    kiosk_ticket = hall.kiosk.post("/tickets", {"matter": "sft-lszy"})
    assert kiosk_ticket.status_code == 201, kiosk_ticket.text
    served = hall.clerk_at(SERVED, "stage-served")
    called = served.post(f"/windows/{SERVED}/call-next")
    assert called.status_code == 200 and called.json()["ticket"]["id"] == kiosk_ticket.json()["ticket"]["id"], called.text
    opened = hall.clerk_at(OPEN, "stage-open")
    paused = hall.clerk_at(PAUSED, "stage-paused")
    assert paused.post(f"/windows/{PAUSED}/pause", json={"reason": "会议"}).status_code == 200
    signin = hall.add_clerk("stage-signin", "gat")
    logout = hall.add_clerk("stage-logout", "rst")
    hall.add_clerk(LOGIN_USER, "rst")
    st = SimpleNamespace(served=served, open=opened, paused=paused, signin=signin, logout=logout,
                         admin=hall.admin, kiosk=hall.kiosk, anonymous=Client(hall.server),
                         ticket=called.json()["ticket"])
    # The stage is what the bad requests below would change if they were carried out.
    w = window_rows(hall)
    assert w[SERVED]["current"] and w[OPEN]["state"] == "open" and w[PAUSED]["state"] == "paused"
    assert w[SIGN_IN]["clerk"] is None and w[ADMIN_W]["state"] == "closed"
    assert all(q["waiting"] == 0 for q in stats_rows(hall))
    return st


# ================================================================ 1. bad input changes nothing
def _without(body: dict, *keys: str) -> dict:
    return {k: v for k, v in body.items() if k not in keys}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    who: str                 # attribute of the stage: the token that would be allowed to do it
    valid: object            # a valid body (callable for bodies that must be fresh)
    fields: tuple = ()       # (case id, body -> bad body): missing, wrong-typed, oversized fields
    idempotent: bool = True  # reads Idempotency-Key

    def body(self) -> dict:
        return self.valid() if callable(self.valid) else dict(self.valid)


EMPTY = {}
X = "x"
ENDPOINTS = [
    Endpoint("tickets", "POST", "/tickets", "kiosk", {"matter": "rst-sbk"}, (
        ("empty-object", lambda b: {}),
        ("missing-matter", lambda b: {"priority": "green"}),
        ("matter-int", lambda b: {**b, "matter": 5}),
        ("matter-null", lambda b: {**b, "matter": None}),
        ("matter-list", lambda b: {**b, "matter": ["rst-sbk"]}),
        ("matter-object", lambda b: {**b, "matter": {"id": "rst-sbk"}}),
        ("matter-bool", lambda b: {**b, "matter": True}),
        ("matter-chinese", lambda b: {**b, "matter": "社保卡"}),
        ("matter-empty", lambda b: {**b, "matter": ""}),
        ("matter-33-chars", lambda b: {**b, "matter": X * 33}),
        ("matter-60k", lambda b: {**b, "matter": X * 60000}),
        ("priority-vip", lambda b: {**b, "priority": "vip"}),
        ("priority-upper", lambda b: {**b, "priority": "GREEN"}),
        ("priority-int", lambda b: {**b, "priority": 1}),
        ("priority-null", lambda b: {**b, "priority": None}),
        ("priority-bool", lambda b: {**b, "priority": True}),
    )),
    Endpoint("login", "POST", "/auth/login", "anonymous", {"username": LOGIN_USER, "password": PASSWORD}, (
        ("empty-object", lambda b: {}),
        ("missing-password", lambda b: _without(b, "password")),
        ("missing-username", lambda b: _without(b, "username")),
        ("username-int", lambda b: {**b, "username": 5}),
        ("username-list", lambda b: {**b, "username": [LOGIN_USER]}),
        ("password-int", lambda b: {**b, "password": 12345678}),
        ("password-null", lambda b: {**b, "password": None}),
        ("username-empty", lambda b: {**b, "username": ""}),
        ("password-empty", lambda b: {**b, "password": ""}),
        ("username-65-chars", lambda b: {**b, "username": "u" * 65}),
        ("password-201-chars", lambda b: {**b, "password": "p" * 201}),
        ("username-60k", lambda b: {**b, "username": "u" * 60000}),
    ), idempotent=False),
    Endpoint("logout", "POST", "/auth/logout", "logout", EMPTY, idempotent=False),
    Endpoint("users", "POST", "/users", "admin",
             lambda: {"username": unique("u"), "password": PASSWORD, "role": "clerk", "department": "rst"}, (
        ("empty-object", lambda b: {}),
        ("missing-role", lambda b: _without(b, "role")),
        ("missing-password", lambda b: _without(b, "password")),
        ("missing-username", lambda b: _without(b, "username")),
        ("role-int", lambda b: {**b, "role": 1}),
        ("role-unknown", lambda b: {**b, "role": "superuser"}),
        ("role-list", lambda b: {**b, "role": ["admin"]}),
        ("department-int", lambda b: {**b, "department": 5}),
        ("username-null", lambda b: {**b, "username": None}),
        ("password-short", lambda b: {**b, "password": "short"}),
        ("password-int", lambda b: {**b, "password": 123456789}),
        ("username-65-chars", lambda b: {**b, "username": "u" * 65}),
        ("password-201-chars", lambda b: {**b, "password": "p" * 201}),
        ("department-33-chars", lambda b: {**b, "department": "d" * 33}),
        ("department-60k", lambda b: {**b, "department": "d" * 60000}),
    )),
    Endpoint("sign-in", "POST", f"/windows/{SIGN_IN}/sign-in", "signin", EMPTY),
    Endpoint("sign-out", "POST", f"/windows/{OPEN}/sign-out", "open", EMPTY),
    Endpoint("call-next", "POST", f"/windows/{SERVED}/call-next", "served", EMPTY),
    Endpoint("recall", "POST", f"/windows/{SERVED}/recall", "served", EMPTY),
    Endpoint("no-show", "POST", f"/windows/{SERVED}/no-show", "served", EMPTY),
    Endpoint("finish", "POST", f"/windows/{SERVED}/finish", "served", EMPTY),
    Endpoint("transfer", "POST", f"/windows/{SERVED}/transfer", "served", {"queue": "shebao"}, (
        ("empty-object", lambda b: {}),
        ("queue-int", lambda b: {"queue": 5}),
        ("queue-null", lambda b: {"queue": None}),
        ("queue-list", lambda b: {"queue": ["shebao"]}),
        ("queue-prefix-letter-list", lambda b: {"queue": ["A"]}),
        ("queue-chinese", lambda b: {"queue": "社保"}),
        ("queue-33-chars", lambda b: {"queue": "q" * 33}),
        ("queue-60k", lambda b: {"queue": "q" * 60000}),
    )),
    Endpoint("pause", "POST", f"/windows/{OPEN}/pause", "open", {"reason": "会议"}),
    Endpoint("resume", "POST", f"/windows/{PAUSED}/resume", "paused", EMPTY),
    Endpoint("queues", "PUT", f"/windows/{ADMIN_W}/queues", "admin", {"queues": ["huji", "shebao"]}, (
        ("empty-object", lambda b: {}),
        ("queues-string", lambda b: {"queues": "A"}),
        ("queues-code-string", lambda b: {"queues": "huji"}),
        ("queues-int", lambda b: {"queues": 5}),
        ("queues-null", lambda b: {"queues": None}),
        ("queues-empty-list", lambda b: {"queues": []}),
        ("queues-int-items", lambda b: {"queues": [5]}),
        ("queues-nested", lambda b: {"queues": [["huji"]]}),
        ("queues-null-item", lambda b: {"queues": ["huji", None]}),
        ("queues-object", lambda b: {"queues": {"huji": 1}}),
        ("queue-33-chars", lambda b: {"queues": ["q" * 33]}),
        ("queue-60k", lambda b: {"queues": ["q" * 60000]}),
        ("queues-51-items", lambda b: {"queues": ["huji"] * 51}),
    ), idempotent=False),
    Endpoint("state", "PUT", f"/windows/{ADMIN_W}/state", "admin", {"state": "open"}, (
        ("empty-object", lambda b: {}),
        ("state-int", lambda b: {"state": 1}),
        ("state-bool", lambda b: {"state": True}),
        ("state-null", lambda b: {"state": None}),
        ("state-list", lambda b: {"state": ["open"]}),
        ("state-upper", lambda b: {"state": "OPEN"}),
        ("state-unknown", lambda b: {"state": "opened"}),
        ("state-chinese", lambda b: {"state": "开放"}),
        ("state-4k", lambda b: {"state": "open" * 1000}),
    ), idempotent=False),
]
BY_NAME = {e.name: e for e in ENDPOINTS}


def _pad_to(body: dict, size: int) -> bytes:
    """`body` plus a "pad" field, encoded to exactly `size` bytes."""
    base = len(json.dumps({**body, "pad": ""}).encode())
    out = json.dumps({**body, "pad": "x" * (size - base)}).encode()
    assert len(out) == size
    return out


# Cases every endpoint gets: (case id, body -> raw bytes, expected status or None for any 4xx).
GENERIC = [
    ("malformed-truncated", lambda b: json.dumps(b).encode()[:-1], 400),
    ("malformed-single-quotes", lambda b: b"{'matter': 'rst-sbk'}", 400),
    ("malformed-trailing-comma", lambda b: json.dumps(b).encode()[:-1] + b', }', 400),
    ("malformed-form-encoded", lambda b: b"matter=rst-sbk&priority=normal", 400),
    ("malformed-two-documents", lambda b: json.dumps(b).encode() + json.dumps(b).encode(), 400),
    ("invalid-utf8", lambda b: b'{"matter": "\xff\xfe\xfd"}', 400),
    ("non-object-array", lambda b: b"[]", 400),
    ("non-object-array-of-valid-body", lambda b: json.dumps([b]).encode(), 400),
    ("non-object-string", lambda b: b'"rst-sbk"', 400),
    ("non-object-number", lambda b: b"42", 400),
    ("non-object-null", lambda b: b"null", 400),
    ("non-object-true", lambda b: b"true", 400),
    ("unknown-field", lambda b: json.dumps({**b, "unexpected": "x"}).encode(), 400),
    ("unknown-field-window", lambda b: json.dumps({**b, "window": "1"}).encode(), 400),
    ("unknown-field-60k", lambda b: json.dumps({**b, "note": "x" * 60000}).encode(), 400),
    ("over-64KiB-by-one-byte", lambda b: _pad_to(b, 64 * 1024 + 1), 413),
    ("over-64KiB-1MB", lambda b: _pad_to(b, 1024 * 1024), 413),
]


def _bad_cases():
    for ep in ENDPOINTS:
        for case, make, status in GENERIC:
            yield pytest.param(ep, lambda b, make=make: make(b), status, id=f"{ep.name}-{case}")
        for case, make in ep.fields:
            yield pytest.param(ep, lambda b, make=make: json.dumps(make(b), ensure_ascii=False).encode(), 400,
                               id=f"{ep.name}-{case}")
        if ep.idempotent:
            yield pytest.param(ep, "idempotency-key-201-chars", 400, id=f"{ep.name}-idempotency-key-201-chars")
            yield pytest.param(ep, "idempotency-key-empty", 400, id=f"{ep.name}-idempotency-key-empty")


def _after_refusal(hall, stage, ep: Endpoint, body: dict) -> None:
    """Effects the stats/windows comparison cannot see."""
    if ep.name == "login":
        # A refused body is not a failed sign-in: it must never count towards the lock-out.
        r = send(stage.anonymous, "POST", "/auth/login", {"username": LOGIN_USER, "password": PASSWORD})
        assert r.status_code == 200, f"the right password no longer signs in: {r.text}"
    elif ep.name == "users":
        # The user was not created: creating it now succeeds.
        r = send(stage.admin, "POST", "/users", body)
        assert r.status_code == 201, f"the refused request created {body['username']!r}: {r.text}"
    elif ep.name == "logout":
        r = stage.logout.get("/me")
        assert r.status_code == 200, f"the refused logout signed the token out: {r.text}"


@pytest.mark.parametrize("ep, bad, status", list(_bad_cases()))
def test_bad_body_is_refused_and_changes_nothing(hall, stage, ep, bad, status):
    client = getattr(stage, ep.who)
    body = ep.body()
    if bad == "idempotency-key-201-chars":
        request = lambda: send(client, ep.method, ep.path, body, headers={"Idempotency-Key": "k" * 201})
    elif bad == "idempotency-key-empty":
        request = lambda: send(client, ep.method, ep.path, body, headers={"Idempotency-Key": ""})
    else:
        raw = bad(body)
        request = lambda: send(client, ep.method, ep.path, raw=raw)
    err = refused(hall, request, status, "invalid")
    assert err["code"] == "invalid"
    _after_refusal(hall, stage, ep, body)


@pytest.mark.parametrize("case, raw", [
    ("nested-60k-deep", b"[" * 60000),
    ("nested-object-deep", b'{"a":' * 5000 + b"1" + b"}" * 5000),
    ("integer-5000-digits", b'{"matter": ' + b"1" * 5000 + b"}"),
])
@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
def test_pathological_json_is_refused(hall, stage, ep, case, raw):
    refused(hall, lambda: send(getattr(stage, ep.who), ep.method, ep.path, raw=raw), 400, "invalid")


def _chunked(raw: bytes):
    def gen():
        for i in range(0, len(raw), 7):
            yield raw[i:i + 7]
    return gen()



def _post_chunked(client: Client, method: str, path: str, raw: bytes) -> requests.Response:
    return requests.request(method, client.server.api + path, data=_chunked(raw),
                            headers=client.headers({"Content-Type": "application/json"}), timeout=30)


@pytest.mark.parametrize("ep", [e for e in ENDPOINTS if e.fields], ids=lambda e: e.name)
def test_chunked_malformed_body_is_refused(hall, stage, ep):
    """Transfer-Encoding: chunked must not smuggle a bad body past validation."""
    refused(hall, lambda: _post_chunked(getattr(stage, ep.who), ep.method, ep.path, b"{not json"), 400, "invalid")


@pytest.mark.parametrize("command", ["pause", "sign-in", "logout"])
def test_chunked_malformed_body_does_not_run_a_bodiless_command(hall, windows, command):
    """Commands without fields must refuse a malformed chunked body too (fresh windows: the bug acts)."""
    window = windows.take("rst")
    if command == "pause":
        clerk, path = hall.clerk_at(window), f"/windows/{window}/pause"
    elif command == "sign-in":
        clerk, path = hall.add_clerk(unique("chunk"), "rst"), f"/windows/{window}/sign-in"
    else:
        clerk, path = hall.add_clerk(unique("chunk"), "rst"), "/auth/logout"
    refused(hall, lambda: _post_chunked(clerk, "POST", path, b"{not json"), 400, "invalid")
    assert clerk.get("/me").status_code == 200


def test_chunked_ticket_request_is_honoured(hall, windows):
    before = waiting(hall, "shebao")
    r = requests.post(hall.server.api + "/tickets", data=_chunked(b'{"matter": "rst-sbk"}'),
                      headers=hall.kiosk.headers({"Content-Type": "application/json"}), timeout=30)
    try:
        assert r.status_code == 201, r.text
        assert r.json()["ticket"]["matter"] == "rst-sbk"
        assert waiting(hall, "shebao") == before + 1
    finally:
        if r.status_code == 201:
            window = windows.take("rst")
            serve_all(hall.clerk_at(window), window)


# Valid JSON that the hall's rules refuse: also changes nothing.
RULES = [
    ("unknown-matter", "kiosk", "POST", "/tickets", {"matter": "no-such-matter"}, 404, "not_found"),
    ("unknown-matter-green", "kiosk", "POST", "/tickets", {"matter": "nope", "priority": "green"}, 404, "not_found"),
    ("transfer-unknown-queue", "served", "POST", f"/windows/{SERVED}/transfer", {"queue": "nosuch"}, 404, "not_found"),
    ("transfer-same-queue", "served", "POST", f"/windows/{SERVED}/transfer", {"queue": "falv"}, 409, "conflict"),
    ("recall-without-ticket", "open", "POST", f"/windows/{OPEN}/recall", None, 409, "conflict"),
    ("finish-without-ticket", "open", "POST", f"/windows/{OPEN}/finish", None, 409, "conflict"),
    ("no-show-without-ticket", "open", "POST", f"/windows/{OPEN}/no-show", None, 409, "conflict"),
    ("transfer-without-ticket", "open", "POST", f"/windows/{OPEN}/transfer", {"queue": "shebao"}, 409, "conflict"),
    ("sign-out-while-serving", "served", "POST", f"/windows/{SERVED}/sign-out", None, 409, "conflict"),
    ("pause-when-paused", "paused", "POST", f"/windows/{PAUSED}/pause", {"reason": "会议"}, 409, "conflict"),
    ("resume-when-open", "open", "POST", f"/windows/{OPEN}/resume", None, 409, "conflict"),
    ("call-next-when-paused", "paused", "POST", f"/windows/{PAUSED}/call-next", None, 409, "conflict"),
    ("queues-unknown", "admin", "PUT", f"/windows/{ADMIN_W}/queues", {"queues": ["huji", "nosuch"]}, 400, "invalid"),
    ("queues-other-floor", "admin", "PUT", f"/windows/{ADMIN_W}/queues", {"queues": ["jiaoyu"]}, 400, "invalid"),
    ("queues-twice", "admin", "PUT", f"/windows/{ADMIN_W}/queues", {"queues": ["huji", "huji"]}, None, None),
    ("sign-in-other-department", "signin", "POST", f"/windows/{OPEN}/sign-in", None, 403, "forbidden"),
    ("close-while-serving", "admin", "PUT", f"/windows/{SERVED}/state", {"state": "closed"}, 409, "conflict"),
    ("state-unknown-window", "admin", "PUT", "/windows/999/state", {"state": "open"}, 404, "not_found"),
    ("queues-unknown-window", "admin", "PUT", "/windows/999/queues", {"queues": ["huji"]}, 404, "not_found"),
    ("user-exists", "admin", "POST", "/users", {"username": "stage-open", "password": PASSWORD, "role": "clerk"},
     409, "conflict"),
    ("user-unknown-department", "admin", "POST", "/users",
     {"username": "u-nodept", "password": PASSWORD, "role": "clerk", "department": "nosuch"}, 400, "invalid"),
    ("backoffice-without-department", "admin", "POST", "/users",
     {"username": "u-bo-nodept", "password": PASSWORD, "role": "backoffice"}, 400, "invalid"),
]


@pytest.mark.parametrize("who, method, path, body, status, code",
                         [pytest.param(*r[1:], id=r[0]) for r in RULES])
def test_rule_refusal_changes_nothing(hall, stage, who, method, path, body, status, code):
    client = getattr(stage, who)
    refused(hall, lambda: send(client, method, path, body), status, code)


# Bad paths and query strings.
PATHS = [
    ("window-letters", "admin", "GET", "/windows/abc", None, None),
    ("window-unknown", "admin", "GET", "/windows/9999", 404, "not_found"),
    ("window-zero", "admin", "GET", "/windows/0", 404, "not_found"),
    ("window-7-digits", "admin", "GET", "/windows/1234567", None, None),
    ("window-negative", "admin", "GET", "/windows/-1", None, None),
    ("call-next-window-letters", "served", "POST", "/windows/abc/call-next", None, None),
    ("call-next-window-huge", "served", "POST", "/windows/" + "9" * 300 + "/call-next", None, None),
    ("ticket-unknown", "anonymous", "GET", "/tickets/no-such-ticket", 404, "not_found"),
    ("ticket-1000-chars", "anonymous", "GET", "/tickets/" + "t" * 1000, 400, "invalid"),  # not an id's form
    ("stats-floor-letters", "anonymous", "GET", "/stats?floor=abc", 400, "invalid"),
    ("stats-floor-decimal", "anonymous", "GET", "/stats?floor=1.5", 400, "invalid"),
    ("windows-floor-letters", "admin", "GET", "/windows?floor=one", 400, "invalid"),
    ("method-not-allowed", "anonymous", "GET", "/tickets", 405, "invalid"),
    ("method-delete-window", "admin", "DELETE", "/windows/1", 405, "invalid"),
    ("unknown-path", "anonymous", "GET", "/nope", 404, "not_found"),
]
PATHS_NUMBERS = [  # digits that str.isdigit() accepts but int() refuses, and absurd lengths
    ("window-superscript-two", "admin", "GET", "/windows/%C2%B2", None, None),
    ("call-next-window-superscript", "served", "POST", "/windows/%C2%B2/call-next", None, None),
    ("stats-floor-double-minus", "anonymous", "GET", "/stats?floor=--1", 400, "invalid"),
    ("stats-floor-superscript", "anonymous", "GET", "/stats?floor=%C2%B2", 400, "invalid"),
    ("stats-floor-5000-digits", "anonymous", "GET", "/stats?floor=" + "9" * 5000, None, None),
    ("windows-floor-double-minus", "admin", "GET", "/windows?floor=--2", 400, "invalid"),
]


@pytest.mark.parametrize("who, method, path, status, code",
                         [pytest.param(*p[1:], id=p[0]) for p in PATHS]
                         + [pytest.param(*p[1:], id=p[0]) for p in PATHS_NUMBERS])
def test_bad_path_or_query_is_refused(hall, stage, who, method, path, status, code):
    client = getattr(stage, who)
    refused(hall, lambda: send(client, method, path), status, code)


def test_sign_in_at_a_window_taken_by_another_clerk_is_refused(hall, stage):
    other = hall.add_clerk(unique("sft"), "sft")
    err = refused(hall, lambda: other.post(f"/windows/{SERVED}/sign-in"))
    assert err["code"] in {"conflict", "forbidden"}


def test_stage_is_still_intact(hall, stage):
    """The refusals above ran against this state; it must still be what they were refused against."""
    w = window_rows(hall)
    assert w[SERVED]["current"]["id"] == stage.ticket["id"] and w[SERVED]["current"]["recalls"] == 0
    assert w[OPEN]["state"] == "open" and w[OPEN]["clerk"] == "stage-open"
    assert w[PAUSED]["state"] == "paused"
    assert w[SIGN_IN]["clerk"] is None and w[ADMIN_W]["queues"] == ["huji"] and w[ADMIN_W]["state"] == "closed"


# ================================================================ 3. idempotency
def _take(client: Client, key: str | None, matter: str = "rst-sbk", session=None) -> requests.Response:
    headers = {"Idempotency-Key": key} if key is not None else None
    return send(client, "POST", "/tickets", {"matter": matter}, headers=headers, session=session)


@pytest.fixture
def shebao_server(hall, windows):
    """A clerk at a fresh shebao window who serves away, after the test, every ticket it left waiting."""
    window = windows.take("rst")
    clerk = hall.clerk_at(window)
    yield SimpleNamespace(clerk=clerk, window=window)
    serve_all(clerk, window)
    assert waiting(hall, "shebao") == 0


def test_same_key_twice_returns_the_first_ticket_once(hall, shebao_server):
    before = waiting(hall, "shebao")
    key = unique("tap")
    first, again = _take(hall.kiosk, key), _take(hall.kiosk, key)
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert waiting(hall, "shebao") == before + 1
    tracked = hall.kiosk.get(f"/tickets/{first.json()['ticket']['id']}")
    assert tracked.status_code == 200 and tracked.json()["ticket"]["number"] == first.json()["ticket"]["number"]


def test_same_key_from_8_threads_at_once_makes_one_ticket(hall, shebao_server):
    before = waiting(hall, "shebao")
    key = unique("burst")
    barrier = threading.Barrier(8)
    answers: list = [None] * 8

    def tap(i: int) -> None:
        with requests.Session() as session:
            barrier.wait(10)
            try:
                answers[i] = _take(hall.kiosk, key, session=session)
            except requests.RequestException as exc:  # recorded, then reported below
                answers[i] = exc

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(a, requests.Response) for a in answers), answers
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    bodies = [a.json() for a in answers]
    assert all(b == bodies[0] for b in bodies), bodies
    assert waiting(hall, "shebao") == before + 1


def test_different_keys_make_different_tickets(hall, shebao_server):
    before = waiting(hall, "shebao")
    a, b = _take(hall.kiosk, unique("k")), _take(hall.kiosk, unique("k"))
    c = _take(hall.kiosk, None)
    assert {a.status_code, b.status_code, c.status_code} == {201}
    ids = {r.json()["ticket"]["id"] for r in (a, b, c)}
    numbers = {r.json()["ticket"]["number"] for r in (a, b, c)}
    assert len(ids) == 3 and len(numbers) == 3
    assert waiting(hall, "shebao") == before + 3


def test_same_key_on_a_different_route_is_a_conflict(hall, windows):
    window = windows.take("rst")
    clerk = hall.clerk_at(window)
    key = unique("k")
    paused = clerk.post(f"/windows/{window}/pause", json={"reason": "会议"}, headers={"Idempotency-Key": key})
    assert paused.status_code == 200 and paused.json()["window"]["state"] == "paused", paused.text
    # The same key on POST /tickets (staff may issue) is refused and issues nothing.
    refused(hall, lambda: _take(clerk, key), 409, "conflict")
    # ... and on another window command: the window stays paused.
    refused(hall, lambda: clerk.post(f"/windows/{window}/resume", headers={"Idempotency-Key": key}), 409, "conflict")
    # The repeat of the same request still answers the first answer.
    again = clerk.post(f"/windows/{window}/pause", json={"reason": "会议"}, headers={"Idempotency-Key": key})
    assert again.status_code == 200 and again.json() == paused.json()


def test_refused_request_does_not_use_up_its_key(hall, shebao_server):
    key = unique("k")
    assert_error(send(hall.kiosk, "POST", "/tickets", {"matter": 5}, headers={"Idempotency-Key": key}), 400)
    assert_error(_take(hall.kiosk, key, matter="no-such-matter"), 404, "not_found")
    before = waiting(hall, "shebao")
    r = _take(hall.kiosk, key)
    assert r.status_code == 201 and r.json()["ticket"]["matter"] == "rst-sbk", r.text
    assert waiting(hall, "shebao") == before + 1


def test_keys_belong_to_their_caller(hall, shebao_server):
    """The same key from two callers is two requests: one caller never gets the other's answer."""
    key = unique("shared")
    clerk = hall.add_clerk(unique("guide"), None)
    a, b = _take(hall.kiosk, key), _take(clerk, key)
    assert a.status_code == b.status_code == 201
    assert a.json()["ticket"]["id"] != b.json()["ticket"]["id"]


def test_same_key_with_a_different_body_is_a_conflict(hall, shebao_server):
    key = unique("k")
    first = _take(hall.kiosk, key, matter="rst-sbk")
    assert first.status_code == 201
    refused(hall, lambda: _take(hall.kiosk, key, matter="rst-tx"), 409, "conflict")


def test_users_post_honours_idempotency_key(hall):
    key = unique("k")
    body = {"username": unique("retry"), "password": PASSWORD, "role": "clerk", "department": "rst"}
    first = send(hall.admin, "POST", "/users", body, headers={"Idempotency-Key": key})
    again = send(hall.admin, "POST", "/users", body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.json() == first.json(), again.text


# ================================================================ 4. OpenAPI
CONTRACT_PATHS = {
    ("get", "/catalog"), ("get", "/stats"), ("post", "/tickets"), ("get", "/tickets/{ticket_id}"),
    ("post", "/auth/login"), ("get", "/windows"),
    *(("post", f"/windows/{{window}}/{c}") for c in
      ("sign-in", "call-next", "recall", "no-show", "finish", "transfer", "pause", "resume")),
    ("put", "/windows/{window}/queues"), ("put", "/windows/{window}/state"),
}


# POSTs that act (CONTRACT.md: "Idempotency-Key on a POST"); sign-in and sign-out are not excused.
IDEMPOTENT_POSTS = {"/tickets", "/users", *(f"/windows/{{window}}/{c}" for c in (
    "sign-in", "sign-out", "call-next", "recall", "no-show", "finish", "transfer", "pause", "resume"))}


@pytest.fixture(scope="module")
def openapi(hall):
    r = requests.get(hall.server.api + "/openapi.json", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json"), r.text[:300]
    return r.json()


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), f"$ref outside the document: {ref}"
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"$ref does not resolve: {ref}"
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def conforms(doc: dict, schema: dict, value, where: str = "$") -> list[str]:
    """A small JSON Schema check (the keywords pydantic emits): the problems, or []."""
    if "$ref" in schema:
        return conforms(doc, _resolve(doc, schema["$ref"]), value, where)
    problems = []
    if "anyOf" in schema and all(conforms(doc, s, value, where) for s in schema["anyOf"]):
        problems.append(f"{where}: {value!r} matches none of anyOf")
    for s in schema.get("allOf", []):
        problems += conforms(doc, s, value, where)
    if "oneOf" in schema and sum(not conforms(doc, s, value, where) for s in schema["oneOf"]) != 1:
        problems.append(f"{where}: {value!r} does not match exactly one of oneOf")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: {value!r} != {schema['const']!r}")
    kinds = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list,
             "object": dict, "null": type(None)}
    types = schema.get("type")
    if types:
        types = types if isinstance(types, list) else [types]
        ok = any(isinstance(value, kinds[t]) and not (t in ("integer", "number") and isinstance(value, bool))
                 for t in types)
        if not ok:
            return problems + [f"{where}: {value!r} is not {types}"]
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: missing {name!r}")
        props = schema.get("properties", {})
        for name, v in value.items():
            if name in props:
                problems += conforms(doc, props[name], v, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: undocumented {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += conforms(doc, schema["additionalProperties"], v, f"{where}.{name}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            problems += conforms(doc, schema["items"], v, f"{where}[{i}]")
    return problems


def test_openapi_is_3_1_and_lists_every_contract_path(openapi):
    assert openapi["openapi"].startswith("3.1."), openapi["openapi"]
    assert openapi["info"]["title"] and openapi["info"]["version"]
    documented = {(m, p) for p, ops in openapi["paths"].items() for m in ops}
    missing = {(m, "/api/v1" + p) for m, p in CONTRACT_PATHS} - documented
    assert not missing, f"contract paths missing from the OpenAPI document: {sorted(missing)}"


def test_openapi_documents_every_route_in_the_code(openapi):
    from server.web.flask_app import api  # every route module registered on it
    code = {(r.method.lower(), api.prefix + r.path) for r in api.routes}
    documented = {(m, p) for p, ops in openapi["paths"].items() for m in ops}
    assert code == documented, {"undocumented": sorted(code - documented), "not in code": sorted(documented - code)}


def test_every_operation_is_well_formed(openapi):
    seen_ids = set()
    for path, ops in openapi["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            assert op["operationId"] not in seen_ids, f"duplicate operationId at {where}"
            seen_ids.add(op["operationId"])
            assert op.get("summary"), where
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", path)), where
            assert any(code.startswith("2") for code in op["responses"]), where
            for code, resp in op["responses"].items():
                if code.startswith("4"):
                    assert resp["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, where
                else:  # JSON, or one other documented type (the ratings' export is JSON lines)
                    (media_type, content), = resp["content"].items()
                    assert "$ref" in content["schema"] and media_type.startswith("application/"), where
            if method in ("post", "put"):
                assert "requestBody" in op, f"{where} documents no request body"
                body = op["requestBody"]
                schema = _resolve(openapi, body["content"]["application/json"]["schema"]["$ref"])
                assert schema.get("type") == "object" and schema.get("additionalProperties") is False, where
                if not schema.get("properties"):
                    assert body["required"] is False, f"{where} takes no body but documents a required one"
                elif body["required"] is False:  # every field may be left out (call-next's `serving`)
                    assert not (schema.get("required") or schema.get("oneOf") or schema.get("anyOf")), where
                else:
                    # (a body of alternatives, such as a matter or a case number, lists them in oneOf or anyOf)
                    assert body["required"] is True and (schema.get("required") or schema.get("oneOf")
                                                         or schema.get("anyOf")), where
                headers = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "header"}
                if method == "post" and path.removeprefix("/api/v1") in IDEMPOTENT_POSTS:
                    assert "Idempotency-Key" in headers, f"{where} does not document Idempotency-Key"
                if "Idempotency-Key" in headers:
                    assert method == "post" and headers["Idempotency-Key"]["schema"]["type"] == "string", where
            if op.get("security"):
                assert "401" in op["responses"], where


def test_openapi_documents_eta_range_on_tickets_and_stats(openapi):
    schemas = openapi["components"]["schemas"]
    for name in ("TicketOut", "QueueStats"):
        prop = schemas[name]["properties"]["eta_range"]
        assert "暂无窗口办理" in prop.get("description", "") or "null" in prop.get("description", ""), prop
        options = prop.get("anyOf", [prop])
        arrays = [o for o in options if o.get("type") == "array"]
        assert arrays and arrays[0]["items"]["type"] == "integer" and arrays[0]["minItems"] == arrays[0]["maxItems"] == 2, prop
        assert {"type": "null"} in options, prop


def test_every_ref_resolves(openapi):
    refs = set(_refs(openapi))
    assert refs, "the document uses no $ref at all"
    for ref in refs:
        _resolve(openapi, ref)
    schemes = openapi["components"]["securitySchemes"]
    for ops in openapi["paths"].values():
        for op in ops.values():
            for requirement in op.get("security", []):
                assert set(requirement) <= set(schemes), requirement


LIMIT_CASES = {  # refused for a length or pattern limit, which the small validator does not check
    "password-short", "queues-51-items", "username-65-chars", "password-201-chars", "username-empty",
    "password-empty", "matter-empty", "matter-33-chars", "matter-60k", "matter-chinese", "queue-33-chars",
    "queue-60k", "queue-chinese", "queues-empty-list", "department-33-chars", "department-60k", "username-60k"}


def _template(path: str) -> str:
    return re.sub(r"^/windows/\d+/", "/windows/{window}/", path)


def test_documented_request_bodies_match_what_is_accepted(openapi):
    """The schemas the document shows are the ones requests are validated against."""
    def body_schema(method, path):
        op = openapi["paths"]["/api/v1" + _template(path)][method.lower()]
        return _resolve(openapi, op["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    tickets = body_schema("post", "/tickets")
    # a matter (tied to an ID card or not), a case to collect, a booking's code, or an ID card alone (check-in)
    assert [kind["required"] for kind in tickets["oneOf"]] == [["matter"], ["case"], ["appointment"], ["id_card"]]
    assert tickets["oneOf"][0]["not"] == {"anyOf": [{"required": ["case"]}, {"required": ["appointment"]},
                                                    {"required": ["pickup_code"]}]}
    # a case may come with its pickup code or the applicant's ID card (a kiosk needs one of them)
    assert tickets["oneOf"][1]["not"] == {"anyOf": [{"required": ["matter"]}, {"required": ["appointment"]}]}
    assert tickets["properties"]["priority"]["enum"] == ["normal", "green"]
    assert sorted(body_schema("post", "/auth/login")["required"]) == ["password", "username"]
    assert body_schema("post", "/windows/1/transfer")["required"] == ["queue"]
    queues = body_schema("put", "/windows/1/queues")
    assert queues["properties"]["queues"]["type"] == "array" and queues["required"] == ["queues"]
    assert body_schema("put", "/windows/1/state")["properties"]["state"]["enum"] == ["open", "paused", "closed"]
    for ep in ENDPOINTS:
        schema = body_schema(ep.method, ep.path)
        assert conforms(openapi, schema, ep.body()) == [], f"{ep.name}: the valid body does not fit its schema"
        assert conforms(openapi, schema, {**ep.body(), "unexpected": 1}), f"{ep.name}: unknown fields documented as allowed"
        for case, make in ep.fields:
            if case not in LIMIT_CASES:
                assert conforms(openapi, schema, make(ep.body())), f"{ep.name}/{case} is refused but documented as allowed"


def test_documented_paths_are_served(hall, openapi):
    """Every documented operation exists: asked without a token it answers, never 'no such path'."""
    for path, ops in openapi["paths"].items():
        concrete = path.replace("{window}", "1").replace("{ticket_id}", "no-such-ticket")
        for method in ops:
            body = {} if method in ("post", "put") else None
            before = hall_state(hall)
            r = requests.request(method, hall.server.url + concrete, json=body, timeout=30)
            assert r.status_code < 500 and r.status_code != 405, f"{method} {concrete}: {r.status_code} {r.text[:200]}"
            if r.status_code == 404:
                assert "openapi.json" not in r.json()["error"]["message"], f"{method} {concrete} is not routed"
            if r.status_code >= 400:
                assert_error(r)
            assert_unchanged(before, hall_state(hall))


def test_answers_match_their_documented_schemas(hall, stage, openapi):
    def documented(method, path, status):
        op = openapi["paths"]["/api/v1" + path][method]
        return op["responses"][str(status)]["content"]["application/json"]["schema"]
    ticket = stage.ticket["id"]
    for client, path, doc_path in [
        (stage.anonymous, "/catalog", "/catalog"), (stage.anonymous, "/stats", "/stats"),
        (stage.anonymous, "/stats?floor=2", "/stats"), (stage.anonymous, f"/tickets/{ticket}", "/tickets/{ticket_id}"),
        (stage.admin, "/windows", "/windows"), (stage.admin, f"/windows/{SERVED}", "/windows/{window}"),
        (stage.served, "/me", "/me"), (stage.kiosk, "/me", "/me"), (stage.anonymous, "/health", "/health"),
        (stage.admin, f"/tickets/{ticket}/history", "/tickets/{ticket_id}/history"),
    ]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text)
        assert conforms(openapi, documented("get", doc_path, 200), r.json()) == [], path
    err = stage.anonymous.get("/windows")
    assert conforms(openapi, documented("get", "/windows", err.status_code), err.json()) == []
    login = send(stage.anonymous, "POST", "/auth/login", {"username": LOGIN_USER, "password": PASSWORD})
    assert conforms(openapi, documented("post", "/auth/login", 200), login.json()) == []


def test_openapi_json_answer_matches_its_own_documentation(hall, openapi):
    schema = openapi["paths"]["/api/v1/openapi.json"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert conforms(openapi, schema, openapi) == []


# ================================================================ 5. catalog and stats
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


def test_number_bounds_are_stated_in_json_schema_words(openapi):
    """pydantic writes a bound it cannot push into a validated type as `ge`/`le`, which no JSON Schema
    reader knows: a generator then sends -7479675 for a window, valid by the document, refused by us."""
    unstated = []

    def walk(node, where):
        if isinstance(node, dict):
            for bound, word in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum")):
                if bound in node and node.get(word) != node[bound]:
                    unstated.append(f"{where}: {bound}={node[bound]} without {word}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")
    walk(openapi, "#")
    assert not unstated, unstated
