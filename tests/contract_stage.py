"""The stage of the contract tests (test_api_contract_*.py): the windows the refusals are refused against,
and every command endpoint with a valid body and its bad fields.

The `stage` fixture (tests/conftest.py) puts the windows below in their states on the module's `hall`;
`windows` hands out the other windows, fresh.
"""
from __future__ import annotations

from dataclasses import dataclass

from harness import PASSWORD, unique

# The stage: windows of 省司法厅 (sft, queue falv) and 省公安厅 (gat, queue huji) in known states.
SERVED = "46"   # clerk signed in, serving a called ticket (call-next, recall, no-show, finish, transfer)
OPEN = "47"     # clerk signed in, open, no ticket (pause, sign-out)
PAUSED = "48"   # clerk signed in, paused (resume)
SIGN_IN = "29"  # closed, nobody signed in; the gat clerk of the stage may sign in here (sign-in)
ADMIN_W = "30"  # closed; the admin's PUT /queues and PUT /state target
LOGIN_USER = "login-badbody"


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
