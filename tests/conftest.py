"""Fixtures: a real hall server over real sockets, with an admin, clerks and a kiosk ready to use.

`hall` is one server per test module (fast); tests that need their own database (restarts, kill -9,
counts) build a `Server` themselves with `fresh_hall`. `stage` and `windows` set a module's `hall` up for
the contract tests (test_api_contract_*.py, contract_stage.py); `router_for` starts device routers over
a FakeHall for the drivers' tests (test_drivers_*.py, device_doubles.py).
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from contract_helpers import Windows, stats_rows, window_rows
from contract_stage import ADMIN_W, LOGIN_USER, OPEN, PAUSED, SERVED, SIGN_IN
from harness import PASSWORD, Client, Server, login, run_cli


@dataclass
class Hall:
    server: Server
    admin: Client
    kiosk: Client
    display: Client
    db: str
    clerks: dict = field(default_factory=dict)  # username -> department

    def add_clerk(self, username: str, department: str | None, named: bool = True) -> Client:
        """A clerk account (with a display name for screens and pads, as halls give them, unless not
        `named`), signed in."""
        account = {"username": username, "password": PASSWORD, "role": "clerk", "department": department}
        if named:
            account["display_name"] = f"工号 {len(self.clerks) + 1:04d}"
        r = self.admin.post("/users", account)
        assert r.status_code == 201, r.text
        self.clerks[username] = department
        return login(self.server, username)

    def add_backoffice(self, department: str) -> Client:
        """A back-office account of the department, signed in."""
        username = f"bo-{department}-{uuid.uuid4().hex[:8]}"
        r = self.admin.post("/users", {"username": username, "password": PASSWORD, "role": "backoffice",
                                       "department": department})
        assert r.status_code == 201, r.text
        return login(self.server, username)

    def clerk_at(self, window: str, username: str | None = None, named: bool = True) -> Client:
        """A clerk of the window's department, signed in there."""
        win = self.admin.get(f"/windows/{window}").json()["window"]
        clerk = self.add_clerk(username or f"clerk-w{window}-{len(self.clerks)}", win["department"], named)
        r = clerk.post(f"/windows/{window}/sign-in")
        assert r.status_code == 200, r.text
        return clerk


def make_hall(tmp: Path, async_mode: str = "eventlet", db: str | None = None, config: str | None = None,
              message_queue: str | None = None, channel: str | None = None, clock_file: str | None = None,
              extra_args: tuple[str, ...] = ()) -> Hall:
    db = db or f"sqlite:///{tmp}/hall.db"
    r = run_cli("users", "add", "admin", "--role", "admin", "--password-stdin", db=db, config=config, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    tokens = {}
    for name, kind in (("kiosk-1", "kiosk"), ("screen-1", "display")):
        r = run_cli("devices", "add", name, "--kind", kind, db=db, config=config)
        assert r.returncode == 0, r.stderr
        tokens[kind] = r.stdout.strip().splitlines()[-1]
    server = Server(db, tmp, async_mode=async_mode, config=config, message_queue=message_queue, channel=channel,
                    clock_file=clock_file, extra_args=extra_args).start()
    return Hall(server, login(server, "admin"), Client(server, tokens["kiosk"]), Client(server, tokens["display"]), db)


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    h = make_hall(tmp_path_factory.mktemp("hall"))
    yield h
    h.server.stop()


@pytest.fixture
def fresh_hall(tmp_path):
    made = []

    def factory(async_mode: str = "eventlet", **kw) -> Hall:
        h = make_hall(tmp_path, async_mode, **kw)
        made.append(h)
        return h
    yield factory
    for h in made:
        h.server.stop()


# ---------------------------------------------------------------- the contract tests' stage
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
    # The stage is what the contract tests' bad requests would change if they were carried out.
    w = window_rows(hall)
    assert w[SERVED]["current"] and w[OPEN]["state"] == "open" and w[PAUSED]["state"] == "paused"
    assert w[SIGN_IN]["clerk"] is None and w[ADMIN_W]["state"] == "closed"
    assert all(q["waiting"] == 0 for q in stats_rows(hall))
    return st


# ---------------------------------------------------------------- the drivers' tests
@pytest.fixture
def router_for():
    """Build and start a router over a FakeHall; every router is stopped after the test."""
    from device_doubles import FakeHall, config_with  # imported here: the drivers load for their tests only
    from drivers.hall import HallForDevices
    from drivers.router import DeviceRouter

    made: list[DeviceRouter] = []

    def build(*devices: dict, hall: FakeHall | None = None, publish=None) -> tuple[DeviceRouter, FakeHall]:
        hall = hall or FakeHall()
        checked: HallForDevices = hall
        router = DeviceRouter(config_with(*devices), checked, publish or (lambda events: None))
        router.start()
        made.append(router)
        return router, hall
    yield build
    for router in made:
        router.stop()


PG_ADMIN_URL = os.environ.get("HALLQ_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url():
    """A new, empty PostgreSQL database on the machine's server (HALLQ_TEST_PG to point elsewhere)."""
    import psycopg
    name = f"hallq_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    # FORCE ends the sessions in the same step: a server a test left running may reconnect between a
    # separate terminate and the drop.
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


REDIS_URL = os.environ.get("HALLQ_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def message_queue() -> tuple[str, str]:
    """The machine's Redis (HALLQ_TEST_REDIS to point elsewhere) and a channel of this test's own, so
    halls of tests running at the same time never hear each other."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL, f"hallq-test-{uuid.uuid4().hex[:10]}"
