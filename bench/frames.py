"""`python -m bench.frames`: push frames per second one server process delivers (issue 15).

It starts a `hallq serve` on a fresh SQLite hall, attaches S floor screens with a light client (a
bare Engine.IO v4 websocket over aiohttp: it answers pings and counts `42/display,[...]` frames;
python-socketio's client costs too much CPU to load a server with), issues the tickets, then has a
few clerks press call-next back to back and reports the frames the screens received per second, by
event, the server's CPU share and CPU per frame, and the generator's own CPU share.

    python -m bench.frames --screens 300 --calls 600 [--clerks 4] [--client-procs 2] [--deflate] [--json]

The bench is an outside client of the server: its clerks and kiosk are made with `hallq users add`
and `hallq devices add` and sign in over the API. The screens are spread over the floors of the
clerks' windows (the first windows of the hall), so every call reaches the screens of one floor. `--deflate` asks for permessage-deflate, as browsers do.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

from .servers import ServeProcess

SETTLE_S = 3.0  # after the last call, how long the last frames may take to arrive


def _options(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.frames", description=__doc__.split("\n\n")[0])
    p.add_argument("--screens", type=int, default=300, help="floor screens attached (default 300)")
    p.add_argument("--calls", type=int, default=600, help="call-next presses in all (default 600)")
    p.add_argument("--clerks", type=int, default=4, help="windows calling at once (default 4)")
    p.add_argument("--client-procs", type=int, default=2, help="processes the screens run in (default 2)")
    p.add_argument("--deflate", action="store_true", help="screens ask for permessage-deflate, as browsers do")
    p.add_argument("--db-dir", help="where the SQLite hall is made (default a temporary folder; /dev/shm takes "
                                    "the disk's fsync out of call-next, leaving the push path to measure)")
    p.add_argument("--async-mode", default="eventlet", choices=("eventlet", "gevent"))
    p.add_argument("--profile", metavar="FILE", help="py-spy record the server while the clerks call (raw "
                                                   "folded stacks, 100 Hz; py-spy must be on the PATH)")
    p.add_argument("--json", action="store_true", help="the last line is one JSON object")
    p.add_argument("--server-python", default=None, help="the Python of another checkout whose `hallq serve` to "
                   "measure (its venv's python; compare two versions under one generator)")
    return p.parse_args(argv)


# ---------------------------------------------------------------- the screens (worker processes)
def screen_worker(url: str, floors: list[int], deflate: bool, ready, stop, out) -> None:
    out.put(asyncio.run(_screens(url, floors, deflate, ready, stop)))


async def _screens(url: str, floors: list[int], deflate: bool, ready, stop) -> dict:
    import aiohttp
    counts: Counter = Counter()
    last_frame = [0.0]
    subscribed = asyncio.Event()
    pending = [len(floors)]
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"

    async def screen(session, floor: int) -> None:
        async with session.ws_connect(ws_url, compress=15 if deflate else 0, max_msg_size=0) as ws:
            async for msg in ws:
                text = msg.data
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                if text.startswith("42/display,["):
                    counts[text[13:text.index('"', 13)]] += 1
                    last_frame[0] = time.monotonic()
                    if text.startswith('42/display,["snapshot"'):
                        pending[0] -= 1
                        if not pending[0]:
                            subscribed.set()
                elif text == "2":  # the server's ping
                    await ws.send_str("3")
                elif text.startswith("0{"):  # open: connect to /display, subscribed in the auth
                    await ws.send_str("40/display," + json.dumps({"floor": floor}))
                elif text.startswith("44/display"):
                    counts["connect_error"] += 1
                    break

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []
        for i, floor in enumerate(floors):
            tasks.append(asyncio.create_task(screen(session, floor)))
            if i % 20 == 19:
                await asyncio.sleep(0.05)  # connect in small waves, as screens power up
        await asyncio.wait_for(subscribed.wait(), 120)
        cpu_before = sum(os.times()[:2])
        counts.clear()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        cpu = sum(os.times()[:2]) - cpu_before
        for task in tasks:
            task.cancel()
        dropped = sum(1 for t in tasks if t.done() and not t.cancelled())
    return {"counts": dict(counts), "last_frame": last_frame[0], "cpu_s": cpu, "dropped": dropped}


# ---------------------------------------------------------------- the clerks
async def _calls(url: str, clerks: dict[str, str], calls: int) -> dict:
    import aiohttp
    left = [calls]
    answers: Counter = Counter()

    async def clerk(session, window: str, token: str) -> None:
        while left[0] > 0:
            left[0] -= 1
            async with session.post(f"{url}/api/v1/windows/{window}/call-next",
                                    headers={"Authorization": f"Bearer {token}"}) as r:
                answers[r.status] += 1
                if r.status != 200:
                    return  # 409: this window's queues are empty

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(clerk(session, w, t) for w, t in clerks.items()))
    return dict(answers)


async def _issue(url: str, token: str, matters: list[str], count: int) -> None:
    import aiohttp
    async with aiohttp.ClientSession() as session:
        async def kiosk(k: int) -> None:
            for i in range(k, count, 8):
                async with session.post(f"{url}/api/v1/tickets", json={"matter": matters[i % len(matters)]},
                                        headers={"Authorization": f"Bearer {token}"}) as r:
                    if r.status != 201:  # a refusal (a quota, issuing hours) would leave the clerks idle
                        raise RuntimeError(f"POST /tickets: {r.status} {await r.text()}")
        await asyncio.gather(*(kiosk(k) for k in range(8)))


# ---------------------------------------------------------------- the staff, as an outside client makes them
def _cli(db: str, *args: str, stdin: str | None = None) -> str:
    """`hallq …` in a process of its own (the bench knows the server only by its command line and API)."""
    done = subprocess.run([sys.executable, "-m", "hallq", *args, "--db", db], input=stdin, capture_output=True,
                          text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"hallq {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


async def _staff(url: str, db: str, clerks: int) -> tuple[dict[str, str], str, list[str], list[int]]:
    """Clerks signed in at the hall's first `clerks` windows (accounts made with `hallq users add`), a
    kiosk's token, the matters those windows serve, and their floors."""
    import aiohttp
    run = f"frames-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    api = f"{url}/api/v1"
    async with aiohttp.ClientSession() as session:
        async def call(method: str, path: str, token: str | None = None, body=None):
            async with session.request(method, api + path, json=body,
                                       headers={"Authorization": f"Bearer {token}"} if token else {}) as r:
                answer = await r.json()
                if r.status != 200:
                    raise RuntimeError(f"{method} {path}: {r.status} {answer}")
                return answer

        _cli(db, "users", "add", f"{run}-admin", "--role", "admin", "--password-stdin", stdin=password + "\n")
        admin = (await call("POST", "/auth/login", body={"username": f"{run}-admin", "password": password}))["token"]
        windows = (await call("GET", "/windows", admin))[:clerks]
        tokens = {}
        for w in windows:
            name = f"{run}-w{w['number']}"
            _cli(db, "users", "add", name, "--role", "clerk", "--password-stdin",
                 *(("--department", w["department"]) if w["department"] else ()), stdin=password + "\n")
            tokens[w["number"]] = (await call("POST", "/auth/login", body={"username": name, "password": password}))["token"]
            await call("POST", f"/windows/{w['number']}/sign-in", tokens[w["number"]])
        served = {q for w in windows for q in w["queues"]}
        catalog = await call("GET", "/catalog")
    kiosk = _cli(db, "devices", "add", f"{run}-kiosk", "--kind", "kiosk").strip().splitlines()[-1]
    matters = [m["id"] for m in catalog["matters"] if m["queue"] in served]
    return tokens, kiosk, matters, sorted({w["floor"] for w in windows})


# ---------------------------------------------------------------- the run
def run(args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="hallq-frames-", dir=args.db_dir))
    db = f"sqlite:///{workdir}/frames.db"
    server = ServeProcess(db, workdir, None, args.async_mode, None, None, args.server_python)
    workers = []
    try:
        server.wait_ready()
        clerks, kiosk, matters, floors = asyncio.run(_staff(server.url, db, args.clerks))
        asyncio.run(_issue(server.url, kiosk, matters, args.calls + 4 * args.clerks))
        ctx = multiprocessing.get_context("spawn")
        stop, out = ctx.Event(), ctx.Queue()
        readies = []
        procs = max(1, min(args.client_procs, args.screens))
        for n in range(procs):
            mine = [floors[i % len(floors)] for i in range(n, args.screens, procs)]
            ready = ctx.Event()
            workers.append(ctx.Process(target=screen_worker, args=(server.url, mine, args.deflate, ready, stop, out)))
            readies.append(ready)
            workers[-1].start()
        for ready in readies:
            if not ready.wait(180):
                raise RuntimeError("the screens did not all subscribe within 180 s")
        serve = psutil.Process(server.pid)
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(server.pid), "-r", "100", "-f", "raw", "-o",
                                args.profile], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if args.profile else None
        cpu0, mine0, t0 = sum(serve.cpu_times()[:2]), sum(os.times()[:2]), time.monotonic()
        answers = asyncio.run(_calls(server.url, clerks, args.calls))
        calls_done = time.monotonic()
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
            spy.wait(30)
        time.sleep(SETTLE_S)
        stop.set()
        results = [out.get(timeout=60) for _ in workers]
        t_end = max([r["last_frame"] for r in results] + [calls_done])
        span = time.monotonic() - t0  # the CPU shares are over the whole run, settling included
        cpu = sum(serve.cpu_times()[:2]) - cpu0
        generator_cpu = sum(os.times()[:2]) - mine0 + sum(r["cpu_s"] for r in results)
    finally:
        for w in workers:
            w.join(10)
            if w.is_alive():
                w.terminate()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    counts: Counter = Counter()
    for r in results:
        counts.update(r["counts"])
    frames = sum(counts.values())
    wall = t_end - t0
    called = answers.get(200, 0)
    per_screen = counts.get("ticket_called", 0) / args.screens if args.screens else 0
    return {
        "db_dir": args.db_dir or tempfile.gettempdir(), "screens": args.screens, "clerks": len(clerks), "floors": floors, "deflate": args.deflate,
        "calls": called, "call_answers": answers, "calls_per_s": round(called / (calls_done - t0), 1),
        "wall_s": round(wall, 2), "frames": frames, "frames_by_event": dict(counts),
        "frames_per_s": round(frames / wall, 1),
        "frames_per_call_per_screen": round(frames / called / (args.screens / len(floors)), 3) if called else None,
        "ticket_called_per_screen": round(per_screen, 1),
        # CPU per frame: all the server's CPU (call-next's HTTP and commits too) over the frames delivered.
        "server_cpu_s": round(cpu, 2), "server_cpu_share": round(cpu / span, 3),
        "server_cpu_us_per_frame": round(cpu / frames * 1e6, 1) if frames else None,
        "frames_per_server_cpu_s": round(frames / cpu) if cpu else None,  # what one whole core would deliver
        "server_cpu_ms_per_call": round(cpu / called * 1e3, 2) if called else None,
        "generator_cpu_share": round(generator_cpu / span, 3),
        "dropped_sockets": sum(r["dropped"] for r in results), "load": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    args = _options(argv)
    report = run(args)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:28} {value}")
    expected = report["calls"] * args.screens // len(report["floors"])
    if report["frames_by_event"].get("ticket_called", 0) < expected or report["dropped_sockets"]:
        print(f"frames: {report['frames_by_event'].get('ticket_called', 0)} ticket_called of {expected} expected "
              f"arrived; {report['dropped_sockets']} sockets dropped", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
