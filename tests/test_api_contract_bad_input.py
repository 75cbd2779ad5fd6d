"""The public HTTP surface of CONTRACT.md, part 1: bad input on every endpoint is refused with the
contract's error shape and changes nothing (bodies, pathological and chunked JSON, the hall's rules,
paths and query strings). (Auth lives in test_auth.py.)

Every refusal is checked with `refused`: the full GET /stats and admin GET /windows answers are
compared before and after. The module shares one server (`hall`); the `stage` fixture
(contract_stage.py) prepares a few windows in known states, and every other test takes fresh windows
from `windows`.
"""
from __future__ import annotations

import json

import pytest
import requests

from contract_helpers import refused, send, serve_all, waiting, window_rows
from contract_stage import ADMIN_W, ENDPOINTS, LOGIN_USER, OPEN, PAUSED, SERVED, SIGN_IN, Endpoint
from harness import PASSWORD, Client, unique


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
