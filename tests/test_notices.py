"""Notices to citizens against real servers over real sockets, with the gateway stand-in of
`hallq devices simulate` (drivers/notice_gateway.py) on a local port: `called`, `ahead` and
`case_ready` arrive once each with the right phone and sentence; with the gateway down nothing is
lost, across a server restart too; two processes on one PostgreSQL send each notice once."""
from __future__ import annotations

import collections
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from conftest import make_hall
from drivers.notice_gateway import GatewayStandIn
from harness import PASSWORD, Server, login, wait_for

# Run after the parallel part of `make test`, alone (docs/decisions.md §30): its retries and restarts keep the gateway's clock; a loaded machine stretches them past its waits.
pytestmark = pytest.mark.serial

DEMO = Path(__file__).resolve().parent.parent / "config" / "demo-hall.toml"
HALL = "湖南省政务服务中心"


def hall_config(tmp: Path, gateway: GatewayStandIn) -> str:
    """The demo hall with its [notices] pointing at the test's gateway, and quick retries."""
    demo = DEMO.read_text(encoding="utf-8")
    assert "\n[notices]\n" in demo
    path = tmp / "hall.toml"
    path.write_text(demo.split("\n[notices]\n")[0] + f"""
[notices]
url = "{gateway.url}"
ahead = 3
backoff_base_seconds = 0.2
backoff_cap_seconds = 1
timeout_seconds = 2
""", encoding="utf-8")
    return str(path)


def take(hall, phone: str | None, matter: str = "rst-sbk") -> dict:
    r = hall.kiosk.post("/tickets", {"matter": matter, **({"phone": phone} if phone else {})})
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def call(clerk, window: str) -> dict:
    r = clerk.post(f"/windows/{window}/call-next")
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def of(gateway: GatewayStandIn, event: str) -> list[dict]:
    return [n for n in gateway.received if n["event"] == event]


@pytest.fixture
def gateway(tmp_path):
    stand_in = GatewayStandIn(tmp_path / "notices.jsonl").start()
    yield stand_in
    stand_in.stop()


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])  # the POST runs on each one's OS threads
def test_called_ahead_and_case_ready_arrive_once_each_with_the_phone_and_sentence(tmp_path, gateway, async_mode):
    hall = make_hall(tmp_path, async_mode, config=hall_config(tmp_path, gateway))
    try:
        assert hall.kiosk.post("/tickets", {"matter": "rst-sbk", "phone": "12345"}).status_code == 400
        clerk = hall.clerk_at("1")
        first = take(hall, "13800000000")
        behind = [take(hall, f"1390000000{i}") for i in range(5)]
        take(hall, None)
        time.sleep(1.2)
        assert gateway.received == []  # issuing tells nobody: the paper says the place

        assert call(clerk, "1")["id"] == first["id"]
        assert wait_for(lambda: len(gateway.received) >= 5, 10), gateway.received
        [called] = of(gateway, "called")
        assert called == {"id": called["id"], "phone": "13800000000", "event": "called", "ticket": first["id"],
                          "text": f"【{HALL}】您的{first['number']}号已叫号，请到1号窗口办理。"}
        ahead = {n["ticket"]: n for n in of(gateway, "ahead")}
        assert set(ahead) == {t["id"] for t in behind[:4]}  # [notices] ahead = 3: 0…3 before them, not 4
        for place, ticket in enumerate(behind[:4]):
            assert ahead[ticket["id"]]["phone"] == f"1390000000{place}"
            assert ahead[ticket["id"]]["text"] == f"【{HALL}】您的{ticket['number']}号前面还有{place}人，请回到等候区。"

        call(clerk, "1")  # behind[0]: its call, and the fifth comes near enough
        assert wait_for(lambda: len(of(gateway, "called")) == 2 and len(of(gateway, "ahead")) == 5, 10)

        # case_ready: a case accepted at a comprehensive window, decided and returned by its department.
        window = hall.clerk_at("49")
        take(hall, None, "tyjr-ydz")
        call(window, "49")
        routed = window.post("/windows/49/route", {"applicant": {"name": "张小三", "phone": "13812341234"}})
        assert routed.status_code == 201, routed.text
        case = routed.json()["case"]
        assert hall.admin.post("/users", {"username": "bo-tyjr", "password": PASSWORD, "role": "backoffice",
                                          "department": "tyjr"}).status_code == 201
        back = login(hall.server, "bo-tyjr")
        assert back.post(f"/cases/{case['id']}/decide", {"result": "approved"}).status_code == 200
        assert back.post(f"/cases/{case['id']}/return").status_code == 200
        assert wait_for(lambda: of(gateway, "case_ready"), 10)
        [ready] = of(gateway, "case_ready")
        assert ready == {"id": ready["id"], "phone": "13812341234", "event": "case_ready", "case": case["id"],
                         "text": f"【{HALL}】您的办件{case['number']}已办结，请凭本短信到综合窗口取件。"}

        time.sleep(1.5)  # nothing more comes, and nothing twice
        assert len(gateway.received) == 8 and len({n["id"] for n in gateway.received}) == 8
        logged = (tmp_path / "notices.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(logged) == 8 and "13812341234" in logged[-1]
    finally:
        hall.server.stop()


def test_a_slow_gateway_never_holds_up_the_server(tmp_path, gateway):
    """The POST waits on an OS thread of its own: while the gateway takes 2 s to answer, the server
    answers at once."""
    hall = make_hall(tmp_path, config=hall_config(tmp_path, gateway))
    try:
        clerk = hall.clerk_at("1")
        gateway.delay_s = 2.0
        take(hall, "13800003333")
        call(clerk, "1")
        time.sleep(0.5)  # the worker is posting now
        slowest = 0.0
        while not gateway.received:
            started = time.monotonic()
            assert requests.get(hall.server.api + "/health", timeout=5).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.05)
        assert slowest < 0.5, slowest
        assert gateway.received[0]["event"] == "called"
    finally:
        hall.server.stop()

def test_with_the_gateway_down_nothing_is_lost_also_across_a_restart(tmp_path, gateway):
    hall = make_hall(tmp_path, config=hall_config(tmp_path, gateway))
    try:
        clerk = hall.clerk_at("1")
        gateway.stop()
        first, second = take(hall, "13800001111"), take(hall, "13800002222")
        call(clerk, "1")  # called → first, ahead → second
        assert wait_for(lambda: "not delivered" in hall.server.log(), 10), hall.server.log()
        gateway.start()  # back on the same port: both arrive, once
        assert wait_for(lambda: len(gateway.received) == 2, 10), hall.server.log()
        assert {(n["event"], n["ticket"], n["phone"]) for n in gateway.received} == {
            ("called", first["id"], "13800001111"), ("ahead", second["id"], "13800002222")}

        gateway.stop()
        call(clerk, "1")  # called → second, while the gateway is down
        assert wait_for(lambda: hall.server.log().count("not delivered") >= 2, 10)
        hall.server.stop()  # the notice is in the outbox only
        gateway.start()
        time.sleep(0.5)
        assert len(gateway.received) == 2
        hall.server.start()
        assert wait_for(lambda: len(gateway.received) == 3, 10), hall.server.log()
        assert (gateway.received[-1]["event"], gateway.received[-1]["ticket"]) == ("called", second["id"])
        time.sleep(1.5)
        assert len(gateway.received) == 3
        log = hall.server.log()
        assert "to 138****2222" in log and "13800001111" not in log and "13800002222" not in log
    finally:
        hall.server.stop()


@pytest.mark.slow
def test_two_processes_on_postgresql_send_each_notice_once(fresh_hall, pg_url, tmp_path, gateway):
    gateway.delay_s = 0.02  # a gateway that takes a moment: both processes' workers are at it together
    config = hall_config(tmp_path, gateway)
    hall = fresh_hall(db=pg_url, config=config)
    other = Server(pg_url, tmp_path, config=config).start()
    servers = [hall.server, other]
    try:
        clerks = {w: hall.clerk_at(w) for w in ("1", "2", "3", "4")}
        tickets = [take(hall, f"139{i:08d}") for i in range(30)]
        phones = {t["id"]: f"139{i:08d}" for i, t in enumerate(tickets)}

        def window_loop(i_and_window) -> None:
            i, window = i_and_window
            side = i % 2
            http = requests.Session()
            while True:
                r = http.post(f"{servers[side].api}/windows/{window}/call-next",
                              headers={"Authorization": f"Bearer {clerks[window].token}"}, timeout=30)
                if r.status_code == 409:
                    return
                assert r.status_code == 200, r.text
                time.sleep(0.05)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(window_loop, enumerate(clerks)))  # windows 1, 3 on one process; 2, 4 on the other

        engine = create_engine(pg_url)
        with engine.connect() as conn:
            queued = conn.execute(text("SELECT id, event, ticket_id, phone FROM notices")).all()
        engine.dispose()
        assert len([n for n in queued if n.event == "called"]) == 30
        assert wait_for(lambda: len(gateway.received) >= len(queued), 30), (len(gateway.received), len(queued))
        time.sleep(2)  # a second sending would come now
        ids = collections.Counter(n["id"] for n in gateway.received)
        assert [i for i, n in ids.items() if n > 1] == [], "a notice was sent twice"
        assert set(ids) == {str(n.id) for n in queued}
        pairs = collections.Counter((n["event"], n["ticket"]) for n in gateway.received)
        assert max(pairs.values()) == 1 and all(n["phone"] == phones[n["ticket"]] for n in gateway.received)
        assert {n["ticket"] for n in of(gateway, "called")} == set(phones)
        assert "Traceback" not in hall.server.log() + other.log()
    finally:
        other.stop()

