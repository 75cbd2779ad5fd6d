"""`hallq bench --profile NAME --scale K`, the open-loop bench (docs/performance.md): against a real
server it reports every kind of latency with no errors; a slow server is found slow (its delay shows
in the percentiles, and --find-capacity finds no K that meets 50 ms); a generator that cannot keep
its schedule fails the run loudly. Small halls, short runs; nothing here is timed against a target."""
from __future__ import annotations

import asyncio
import collections
import itertools
import json
import subprocess
import threading

import pytest
from aiohttp import WSMsgType, web

from bench.plan import make_plan
from harness import HALLQ, free_port
from server.config import load_config
from server.simulation.profile import load_profile

SLOW_S = 0.12  # the fake server's delay on every answer, and again before each push
TINY = ["--profile", "provincial-peak", "--scale", "60", "--duration", "4", "--screens", "6",
        "--sockets-per-process", "8", "--screen-procs", "1", "--json"]


def bench(*args: str, cwd, env=None) -> tuple[subprocess.CompletedProcess, dict | None]:
    r = subprocess.run([*HALLQ, "bench", *args], capture_output=True, text=True, cwd=cwd, timeout=170, env=env)
    lines = r.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None
    return r, report


def test_the_plan_is_drawn_in_advance_repeatably_and_k_compresses_the_same_slice_of_the_day():
    config = load_config(None)
    profile = load_profile("provincial-peak", config)
    matters = [m.id for m in config.matters.values() if config.queues[m.queue].daily_quota is None]
    clerks = {number: "token" for number in config.windows}

    def plan(scale, duration, seed=1):
        return make_plan(profile, config, scale=scale, start="09:00", duration=duration, seed=seed,
                         matters=matters, clerks=clerks)

    real_time, tenfold = plan(1, 600), plan(10, 60)  # 09:00-09:10 both
    assert len(tenfold.arrivals) > 30 and tenfold == plan(10, 60) and tenfold.arrivals != plan(10, 60, seed=2).arrivals
    assert [a.matter for a in real_time.arrivals] == [a.matter for a in tenfold.arrivals]
    for slow, fast in zip(real_time.arrivals, tenfold.arrivals):
        assert abs(slow.offset - 10 * fast.offset) < 1e-6 and abs(slow.service_s - 10 * fast.service_s) < 1e-6
    assert all(0 <= a.offset < 60 for a in tenfold.arrivals)
    assert {w.number for w in tenfold.windows} == set(profile.staffing.windows)  # the staffed ones, 129


def test_a_tiny_profile_run_against_a_real_server_reports_every_latency_and_keeps_its_schedule(tmp_path):
    # The lag limits are loosened for a shared test machine; the stall test below shows they bite.
    r, report = bench(*TINY, "--max-lag-p99", "150", "--max-lag", "1000", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert report["errors"] == 0, report["error_kinds"]
    for kind in ("ticket_ms", "call_ms", "call_to_screen_ms", "stats_ms"):
        p = report[kind]
        assert p["n"] > 0 and 0 < p["p50"] <= p["p90"] <= p["p99"] <= p["max"], (kind, p)
    assert report["schedule"]["kept"] and report["schedule"]["send_lag_ms"]["n"] >= report["tickets"]
    assert report["tickets"] == round(report["offered"]["tickets_per_s"] * report["duration_s"])  # every arrival
    assert report["screens"] == 6 and report["idle_sockets"] == 2
    assert report["server_cpu_cores"] > 0 and report["generator_cpu_cores"] > 0 and report["peak_rss_mb"] > 10
    assert "call→screen" in r.stdout and not any(tmp_path.iterdir()), "the bench left files behind"


def test_a_generator_that_cannot_keep_its_schedule_fails_the_run_naming_the_lag(tmp_path):
    r, report = bench(*TINY, cwd=tmp_path, env={**__import__("os").environ, "BENCH_STALL_S": "1.5"})
    assert r.returncode == 3, (r.returncode, r.stderr[-3000:])
    assert "could not keep its schedule" in r.stderr and "lag" in r.stderr and "ms" in r.stderr, r.stderr
    assert report["schedule"]["kept"] is False and report["schedule"]["loop_lag_ms"]["max"] >= 1000


class SlowHall:
    """A fake hall server: HTTP answers after SLOW_S, pushes each call to its floor's screens SLOW_S
    after answering it, and speaks just enough Engine.IO v4 / Socket.IO v5 for the bench's screens."""

    def __init__(self):
        self.config = load_config(None)
        self.numbers = itertools.count(1)
        self.waiting: dict[int, collections.deque] = collections.defaultdict(collections.deque)
        self.screens: dict[int, list] = collections.defaultdict(list)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/api/v1/health", self.health)
        app.router.add_post("/api/v1/tickets", self.ticket)
        app.router.add_post("/api/v1/windows/{window}/call-next", self.call_next)
        app.router.add_get("/socket.io/", self.socket)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self.started.set()
        self.loop.run_forever()

    @staticmethod
    async def health(_request):
        return web.json_response({"status": "ok"})

    async def ticket(self, request):
        matter = self.config.matters[(await request.json())["matter"]]
        await asyncio.sleep(SLOW_S)
        floor = self.config.queues[matter.queue].floor
        ticket = {"number": f"S{next(self.numbers):04d}", "queue": matter.queue, "floor": floor}
        self.waiting[floor].append(ticket)
        return web.json_response({"ticket": ticket}, status=201)

    async def call_next(self, request):
        window = self.config.windows[request.match_info["window"]]
        await asyncio.sleep(SLOW_S)
        if not self.waiting[window.floor]:
            return web.json_response({"error": {"code": "queue_empty"}}, status=409)
        ticket = {**self.waiting[window.floor].popleft(), "window": window.number}
        asyncio.get_running_loop().call_later(SLOW_S, self.push, ticket)
        return web.json_response({"ticket": ticket})

    def push(self, ticket: dict) -> None:
        called = json.dumps(["ticket_called", {**ticket, "text": "", "recall": False}])
        for ws in self.screens[ticket["floor"]]:
            asyncio.ensure_future(ws.send_str("42/display," + called))
            asyncio.ensure_future(ws.send_str('42/display,["stats",[]]'))

    async def socket(self, request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str('0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}')
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            if msg.data == "40/display,":
                await ws.send_str('40/display,{"sid":"n"}')
            elif msg.data.startswith('42/display,["subscribe"'):
                floor = json.loads(msg.data[len("42/display,"):])[1]["floor"]
                self.screens[floor].append(ws)
                await ws.send_str('42/display,["snapshot",{}]')
        return ws

    def __enter__(self):
        self.thread.start()
        assert self.started.wait(10)
        return self

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def slow_hall():
    with SlowHall() as hall:
        yield hall


def test_a_slow_server_is_found_slow_and_no_scale_meets_the_capacity_target(tmp_path, slow_hall):
    target = ["--url", slow_hall.url, "--db", f"sqlite:///{tmp_path}/hall.db"]  # where the bench seeds its clerks
    r, report = bench(*TINY, *target, "--max-lag-p99", "150", "--max-lag", "1000", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert report["errors"] == 0, report["error_kinds"]
    assert report["ticket_ms"]["p99"] >= SLOW_S * 1000 and report["call_ms"]["p99"] >= SLOW_S * 1000, report
    assert report["call_to_screen_ms"]["p50"] >= 2 * SLOW_S * 1000, report["call_to_screen_ms"]

    r, capacity = bench(*TINY, *target, "--find-capacity", "--scale", "30", "--duration", "3", "--max-lag-p99", "150",
                        "--max-lag", "1000", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert capacity["capacity_scale"] is None and capacity["first_failing_scale"] == 30, capacity
    assert [s["scale"] for s in capacity["steps"]] == [30] and "call→screen p99" in capacity["steps"][0]["why"]
    assert "capacity: none" in r.stdout, r.stdout
