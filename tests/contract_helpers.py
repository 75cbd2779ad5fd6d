"""Shared checks for the contract tests (test_api_contract_*.py, test_auth.py).

- `assert_error` checks the one error shape of CONTRACT.md: 4xx, {"error": {"code", "message"}}.
- `refused` runs one request that must be refused and proves it changed nothing: the full
  GET /stats answer and the admin's full GET /windows answer are compared before and after.
  Both are deterministic only while no ticket is *waiting* (`longest_wait_s` ticks every second),
  so tests that issue tickets serve them away again (`serve_all`) before they end.
- `Windows` hands out fresh windows per department so tests never share a window.
"""
from __future__ import annotations

import json
from collections.abc import Callable

import requests

from harness import Client
from server.domain.errors import Reason

CODES = {"invalid", "unauthorized", "forbidden", "not_found", "conflict", "queue_empty", "unavailable"}
REASONS = {r.value for r in Reason}

# Windows of the demo hall (config/demo-hall.toml) by the department that staffs them; None = the
# hall's own staff (comprehensive and one-thing windows).
WINDOWS_BY_DEPARTMENT = {
    "rst": [*range(1, 13), *range(63, 67)],  # shebao (A); 11-12 also yibao; 63-66 jyrc on floor 2
    "ybj": [*range(13, 19)],         # yibao (B)
    "jgsw": [*range(21, 29)],        # gjj (C)
    "gat": [*range(29, 41)],         # huji (D)
    "mzt": [*range(41, 46)],         # minzheng (E)
    "sft": [46, 47, 48],             # falv (H)
    None: [*range(49, 55)],          # pickup1, zh1
    "scjg": [*range(67, 79)],        # ssdj (J)
    "jyt": [*range(127, 135)],       # jiaoyu (V)
    "wjw": [*range(135, 143)],       # wsjk (W)
}


class Windows:
    """Fresh windows per department, never the same one twice in a module."""

    def __init__(self, reserved=()):
        self.used = {str(n) for n in reserved}

    def take(self, department: str | None) -> str:
        for n in WINDOWS_BY_DEPARTMENT[department]:
            if str(n) not in self.used:
                self.used.add(str(n))
                return str(n)
        raise RuntimeError(f"no fresh window left for department {department!r}; add more to WINDOWS_BY_DEPARTMENT")


def send(client: Client, method: str, path: str, body=None, *, raw: bytes | None = None, headers=None,
         token: str | None = None, session=None) -> requests.Response:
    """One request with the client's token. `body` is JSON-encoded; `raw` is sent byte for byte."""
    h = client.headers(headers) if token is None else {"Authorization": token, **(headers or {})}
    if raw is not None or body is not None:
        h.setdefault("Content-Type", "application/json")
    data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
    return (session or requests).request(method, client.server.api + path, data=data, headers=h, timeout=30)


def assert_error(r: requests.Response, status: int | None = None, code: str | None = None,
                 reason: str | None = None) -> dict:
    """The contract's error (v2): a 4xx (never 5xx) carrying exactly {"error": {"code", "reason", "message"}},
    and a `detail` object when the refusal has values to show; the reason is one the OpenAPI lists."""
    assert 400 <= r.status_code < 500, f"expected a 4xx refusal, got {r.status_code}: {r.text[:500]}"
    if status is not None:
        assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers.get("Content-Type")
    body = r.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    err = body["error"]
    assert isinstance(err, dict) and set(err) - {"detail"} == {"code", "reason", "message"}, body
    assert err["code"] in CODES, body
    assert err["reason"] in REASONS, body
    assert isinstance(err.get("detail", {}), dict), body
    if code is not None:
        assert err["code"] == code, f"expected code {code!r}, got {body}"
    if reason is not None:
        assert err["reason"] == reason, f"expected reason {reason!r}, got {body}"
    message = err["message"]
    assert isinstance(message, str) and len(message.strip()) >= 10, f"not a sentence a person can act on: {message!r}"
    assert message.strip()[-1] in ".。!！?？", f"not a sentence (no closing punctuation): {message!r}"
    assert "Traceback" not in message and "Exception" not in message, message
    return err


def rows(answer, key: str) -> list:
    """GET /stats and GET /windows answer a JSON array (older code wrapped it in {"queues"|"windows": [...]})."""
    if isinstance(answer, dict) and set(answer) == {key}:
        answer = answer[key]
    assert isinstance(answer, list), f"expected a list of {key}, got {str(answer)[:200]}"
    return answer


def stats_rows(hall_or_client, floor: int | None = None) -> list[dict]:
    client = getattr(hall_or_client, "admin", hall_or_client)
    r = client.get("/stats" + (f"?floor={floor}" if floor is not None else ""))
    assert r.status_code == 200, r.text
    return rows(r.json(), "queues")


def window_rows(hall) -> dict[str, dict]:
    r = hall.admin.get("/windows")
    assert r.status_code == 200, r.text
    return {w["number"]: w for w in rows(r.json(), "windows")}


# A newcomer's predicted wait follows the last hour's service times and arrivals, re-read every 10 s
# (docs/waits.md): it may move between two reads without any request, so it is not hall state here.
CLOCK_DRIVEN = ("eta_minutes", "eta_range")


def hall_state(hall) -> tuple[dict, dict]:
    stats = hall.admin.get("/stats")
    windows = hall.admin.get("/windows")
    assert stats.status_code == 200, stats.text
    assert windows.status_code == 200, windows.text
    queues = [{k: v for k, v in q.items() if k not in CLOCK_DRIVEN} for q in rows(stats.json(), "queues")]
    return queues, windows.json()


def differences(before, after, where="$") -> list[str]:
    if type(before) is not type(after):
        return [f"{where}: {before!r} -> {after!r}"]
    if isinstance(before, dict):
        out = []
        for k in sorted(set(before) | set(after), key=str):
            if k not in before or k not in after:
                out.append(f"{where}.{k}: {before.get(k, '<absent>')!r} -> {after.get(k, '<absent>')!r}")
            else:
                out += differences(before[k], after[k], f"{where}.{k}")
        return out
    if isinstance(before, list):
        if len(before) != len(after):
            return [f"{where}: {len(before)} items -> {len(after)} items"]
        return [d for i, (a, b) in enumerate(zip(before, after)) for d in differences(a, b, f"{where}[{i}]")]
    return [] if before == after else [f"{where}: {before!r} -> {after!r}"]


def assert_unchanged(before: tuple[dict, dict], after: tuple[dict, dict]) -> None:
    diff = differences(before[0], after[0], "stats") + differences(before[1], after[1], "windows")
    assert not diff, "a refused request changed the hall:\n  " + "\n  ".join(diff[:20])


def refused(hall, request: Callable[[], requests.Response], status: int | None = None,
            code: str | None = None) -> dict:
    """Run `request`; it must be refused with the contract's error shape and change nothing."""
    before = hall_state(hall)
    r = request()
    err = assert_error(r, status, code)
    assert_unchanged(before, hall_state(hall))
    return err


def waiting(hall, queue: str) -> int:
    return {q["code"]: q for q in stats_rows(hall)}[queue]["waiting"]


def serve_all(clerk: Client, window: str, limit: int = 100) -> int:
    """Call and finish every ticket the window can reach, so no ticket is left waiting."""
    served = 0
    for _ in range(limit):
        r = clerk.post(f"/windows/{window}/call-next")
        if r.status_code == 409 and r.json()["error"]["code"] == "queue_empty":
            return served
        assert r.status_code == 200, r.text
        served += 1
    raise AssertionError(f"window {window} still had tickets after {limit} calls")
