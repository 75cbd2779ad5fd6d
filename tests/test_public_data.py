"""Issue 14, point 6 (CONTRACT v2 "Public data is only what screens show"): what anonymous screens on
/display hear carries no ticket id and no staff username, whatever happens at the windows; a window
shows its clerk's display name when the account has one. GET /stats is public too."""
from __future__ import annotations

import time

from harness import PASSWORD, login, run_cli, unique, wait_for

DISPLAY_NAME = "工号 0123 张三"


def _strings(value):
    """Every string anywhere in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _screen(url: str, subscription: dict):
    import socketio
    received: list[tuple[str, object]] = []
    client = socketio.Client(reconnection=False)
    client.on("*", lambda event, data: received.append((event, data)), namespace="/display")
    client.connect(url, namespaces=["/display"], transports=["websocket"], auth=subscription, wait_timeout=10)
    return client, received


def test_screens_hear_no_ticket_ids_and_no_usernames_and_show_the_display_name(hall):
    clerk_name = unique("clerk-pub")
    r = run_cli("users", "add", clerk_name, "--role", "clerk", "--display-name", DISPLAY_NAME, "--password-stdin",
                db=hall.db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    clerk = login(hall.server, clerk_name)
    other = hall.clerk_at("50", named=False)  # an account without a display name
    floor_screen, floor_events = _screen(hall.server.url, {"floor": 1})
    window_screen, window_events = _screen(hall.server.url, {"window": "49"})
    other_screen, other_events = _screen(hall.server.url, {"window": "50"})
    try:
        assert clerk.post("/windows/49/sign-in").status_code == 200
        ids = []
        for _ in range(5):
            t = hall.kiosk.post("/tickets", {"matter": "tyjr-ydz"})
            assert t.status_code == 201, t.text
            ids.append(t.json()["ticket"]["id"])

        def act(path, body=None, who=clerk, window="49"):
            r = who.post(f"/windows/{window}/{path}", body)
            assert r.status_code in (200, 201), (path, r.text)
            return r.json()
        act("call-next")
        act("recall")
        act("transfer", {"queue": "shebao"})
        act("call-next")
        act("finish")
        act("call-next")
        act("no-show")
        act("call-next")
        act("route", {"applicant": {"name": "张小三", "phone": "13812341234"}, "note": "材料齐全"})
        act("call-next", who=other, window="50")
        act("pause", {"reason": "会议"})
        act("resume")
        # Everything the screens hear: the last window update, the stats after the last change.
        assert wait_for(lambda: any(e == "window_updated" and d["number"] == "49" and d["state"] == "open"
                                    and d["version"] >= 10 for e, d in window_events), 10)
        time.sleep(1.5)  # the figures are pushed at most twice a second
        late_floor, late_floor_events = _screen(hall.server.url, {"floor": 1})  # snapshots with windows busy
        late_window, late_window_events = _screen(hall.server.url, {"window": "50"})
        assert wait_for(lambda: late_floor_events and late_window_events, 10)
        late_floor.disconnect()
        late_window.disconnect()
        stats = hall.kiosk.get("/stats").json()

        heard = floor_events + window_events + other_events + late_floor_events + late_window_events
        names = {e for e, _ in heard}
        assert {"snapshot", "ticket_called", "window_updated", "stats"} <= names, names
        assert any("window_state" in d for e, d in heard if e == "ticket_called")  # a call's window, public too
        secrets = set(ids) | {clerk_name} | set(hall.clerks)
        for event, data in heard + [("GET /stats", stats)]:
            for text in _strings(data):
                for secret in secrets:
                    assert secret not in text, f"{event} carries {secret!r}: {data}"
        for event, data in heard:
            windows = (data.get("windows", []) if event == "snapshot" else [data] if event == "window_updated"
                       else [data["window_state"]] if event == "ticket_called" and "window_state" in data else [])
            for w in windows:
                assert w["clerk"] is None, (event, w)
                assert w["current"] is None or w["current"]["id"] is None, (event, w)

        # The window's screen shows the clerk's display name; a clerk without one shows none.
        shown = [d for e, d in window_events if e == "window_updated" and d["number"] == "49"]
        assert shown[-1]["clerk_name"] == DISPLAY_NAME
        late_50 = next(d for e, d in late_window_events if e == "snapshot")["windows"][0]
        assert late_50["number"] == "50" and late_50["clerk_name"] is None and late_50["current"]
        # Staff still see who is signed in where.
        staff_view = hall.admin.get("/windows/49").json()["window"]
        assert staff_view["clerk"] == clerk_name and staff_view["clerk_name"] == DISPLAY_NAME
    finally:
        for s in (floor_screen, window_screen, other_screen):
            s.disconnect()


def test_a_display_name_is_checked(hall):
    for bad in ("", " 张三", "a" * 41, "张\u202e三", "a\nb"):
        r = run_cli("users", "add", unique("clerk-bad"), "--role", "clerk", "--display-name", bad, "--password-stdin",
                    db=hall.db, stdin=PASSWORD + "\n")
        assert r.returncode != 0, bad
        assert "display name" in r.stderr, r.stderr
