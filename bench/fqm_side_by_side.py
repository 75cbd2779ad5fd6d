"""Drive a running FQM (mrf345/FQM, "Free Queue Manager") the way `hallq bench` drives hallq, for the
side-by-side figures in docs/fqm-side-by-side.md. FQM is not ours to ship: this script only talks to
it over HTTP (it does not import FQM) and needs nothing but aiohttp (hallq's .venv has it).

    python bench/fqm_side_by_side.py --url http://127.0.0.1:5771 [--pid PID] [--json]

What it does, in order, against a fresh FQM (default admin account Admin/admin):
1. setup through FQM's own pages: sign in, add an office and a task, add an API token (read back
   from the tokens page);
2. tickets: 8 keep-alive clients `POST /api/v1/tickets/` back to back for --duration seconds;
3. fill: the same clients top the waiting list up to --fill tickets (not measured);
4. call-next: 8 operators `GET /api/v1/tickets/pull?office_id=…` back to back for --duration
   seconds, while one display client watches the hall the way FQM's display page does;
5. quiet calls: --quiet-calls single calls, one at a time, each timed to the display.

How FQM's display page learns of a call (templates/display.html, static/jsonstream.min.js): it
polls `GET /feed` every `rrate` ms (setInterval; 2000 ms by default, read here from /display), keeps
the last answer, and an independent setInterval of the same period copies that answer into the
page. The display client does both: it polls /feed on that period and models the render loop as a
second timer with its own random phase. "feed" is when a poll first answered with the called
ticket as the current one; "page" is the next render tick after that. Times are taken from the
moment the operator's pull was sent, as `hallq bench` times call→screen from its call-next.
A call that is replaced by the next one before any poll sees it never reaches the display: those
are counted ("calls never shown"), not timed.

Peak RSS: with --pid, VmHWM of that process before the load (idle, after setup) and after it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import time

import aiohttp

CLIENTS = 8


def vm_hwm_mb(pid: int | None) -> float | None:
    if not pid:
        return None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"p50": None, "p99": None, "n": 0}
    if len(samples) == 1:
        return {"p50": round(samples[0], 1), "p99": round(samples[0], 1), "n": 1}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(statistics.median(samples), 1), "p99": round(cuts[98], 1), "n": len(samples)}


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'id="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no csrf_token on the page")
    return match.group(1)


async def setup(url: str) -> dict:
    """Office, task and API token, made through FQM's pages as an administrator would."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as web:
        async with web.get(f"{url}/") as r:
            token = csrf(await r.text())
        async with web.post(f"{url}/", data={"name": "Admin", "password": "admin", "csrf_token": token}) as r:
            if "logged-in" not in await r.text():
                raise RuntimeError("FQM sign-in failed")
        async with web.get(f"{url}/office_a") as r:
            page = await r.text()
        prefix = re.search(r'<option[^>]*value="([A-Z])"', page).group(1)
        async with web.post(f"{url}/office_a", data={"name": "bench office", "prefix": prefix,
                                                     "csrf_token": csrf(page)}) as r:
            page = await r.text()
        office_id = int(re.findall(r'/offices/(\d+)', page)[-1])
        async with web.get(f"{url}/task_a/{office_id}") as r:
            page = await r.text()
        async with web.post(f"{url}/task_a/{office_id}", data={"name": "bench task", "csrf_token": csrf(page)}) as r:
            await r.read()
        async with web.get(f"{url}/auth_tokens") as r:
            page = await r.text()
        async with web.post(f"{url}/auth_tokens_a", data={"name": "bench", "description": "load driver",
                                                          "csrf_token": csrf(page)}) as r:
            page = await r.text()
        api_token = re.findall(r'\b([0-9a-f]{32})\b', page)[-1]
        async with web.get(f"{url}/display") as r:
            rrate = int(re.search(r'var refreshRate = parseInt\("(\d+)"\)', await r.text()).group(1))
    headers = {"Authorization": f"Token {api_token}"}
    async with aiohttp.ClientSession(headers=headers) as api:
        async with api.get(f"{url}/api/v1/tasks/") as r:
            task_id = [t["id"] for t in await r.json() if t["name"] == "bench task"][0]
    return {"office_id": office_id, "task_id": task_id, "token": api_token, "rrate_ms": rrate}


class Driver:
    def __init__(self, url: str, hall: dict):
        self.url, self.hall = url, hall
        self.headers = {"Authorization": f"Token {hall['token']}"}
        self.issued = 0
        self.errors: dict[str, int] = {}

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def tickets(self, seconds: float | None, until: int | None = None) -> list[float]:
        """CLIENTS clients issue tickets back to back, for `seconds` or until `until` were issued."""
        latencies: list[float] = []
        end = time.monotonic() + (seconds or 1e9)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(headers=self.headers, connector=connector) as http:
            async def client(n: int) -> None:
                while time.monotonic() < end and (until is None or self.issued < until):
                    self.issued += 1
                    body = {"task_id": self.hall["task_id"], "office_id": self.hall["office_id"],
                            "name": f"c{n}-{self.issued}"}
                    began = time.perf_counter()
                    try:
                        async with http.post(f"{self.url}/api/v1/tickets/", json=body) as r:
                            await r.read()
                            status = r.status
                    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                        self.error(f"ticket: {type(exc).__name__}")
                        continue
                    if status == 200:
                        latencies.append((time.perf_counter() - began) * 1000)
                    else:
                        self.error(f"ticket: HTTP {status}")
            await asyncio.gather(*(client(n) for n in range(CLIENTS)))
        return latencies

    async def calls(self, seconds: float, operators: int, pause: float = 0.0, count: int | None = None) -> dict:
        """Operators pull back to back (or `count` single calls `pause` apart) while a display watches."""
        rrate = self.hall["rrate_ms"] / 1000
        pulled: list[tuple[str, float]] = []  # (ticket name, sent at)
        latencies: list[float] = []
        end = time.monotonic() + seconds
        stop = asyncio.Event()
        seen_feed: dict[str, float] = {}
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(headers=self.headers, connector=connector) as http:
            async def display() -> None:
                # A browser's session: /feed answers 500 to a session without a language, which a
                # display gets from the language menu (or from being FQM's first visitor).
                async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as page:
                    async with page.get(f"{self.url}/language_switch/en") as r:
                        await r.read()
                    # setInterval(fetch, rrate) from page load: a random phase, then a fixed period.
                    next_poll = time.monotonic() + random.uniform(0, rrate)
                    while not stop.is_set():
                        await asyncio.sleep(max(0.0, next_poll - time.monotonic()))
                        next_poll += rrate
                        try:
                            async with page.get(f"{self.url}/feed", allow_redirects=False) as r:
                                data = await r.json(content_type=None) if r.status == 200 else None
                        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                            self.error(f"feed: {type(exc).__name__}")
                            continue
                        if data is None:
                            self.error(f"feed: HTTP {r.status}")
                            continue
                        seen_feed.setdefault(str(data.get("cot", "")).split(" ")[-1], time.monotonic())

            async def operator(n: int) -> None:
                done = 0
                while time.monotonic() < end and (count is None or done < count):
                    sent, began = time.monotonic(), time.perf_counter()
                    try:
                        async with http.get(f"{self.url}/api/v1/tickets/pull",
                                            params={"office_id": self.hall["office_id"]}) as r:
                            body = await r.json(content_type=None)
                            status = r.status
                    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                        self.error(f"pull: {type(exc).__name__}")
                        continue
                    if status == 200:
                        latencies.append((time.perf_counter() - began) * 1000)
                        pulled.append((body["name"], sent))
                    else:
                        self.error(f"pull: HTTP {status}")
                    done += 1
                    if pause:  # a random phase against the display's polling
                        await asyncio.sleep(pause + random.uniform(0, rrate))

            watcher = asyncio.create_task(display())
            await asyncio.sleep(2 * rrate if count else 0)
            began = time.monotonic()
            await asyncio.gather(*(operator(n) for n in range(operators)))
            elapsed = time.monotonic() - began
            await asyncio.sleep(2 * rrate + 0.5)  # the last call's next poll
            stop.set()
            await watcher
        render_phase = random.uniform(0, rrate)

        def rendered(at: float) -> float:  # the page's copy loop: the first tick after the data arrived
            ticks = -(-(at - render_phase) // rrate)
            return render_phase + ticks * rrate

        feed_ms = [(seen_feed[name] - sent) * 1000 for name, sent in pulled if name in seen_feed]
        page_ms = [(rendered(seen_feed[name]) - sent) * 1000 for name, sent in pulled if name in seen_feed]
        names = [name for name, _ in pulled]
        return {"calls": len(pulled), "calls_per_s": round(len(pulled) / elapsed, 1),
                "pull_ms": percentiles(latencies),
                "duplicate_pulls": len(names) - len(set(names)),
                "call_to_feed_ms": percentiles(feed_ms), "call_to_page_ms": percentiles(page_ms),
                "calls_never_shown": len(pulled) - len(feed_ms)}


async def run(args) -> dict:
    hall = await setup(args.url)
    report = {"fqm_url": args.url, "rrate_ms": hall["rrate_ms"], "clients": CLIENTS,
              "duration_s": args.duration, "rss_idle_mb": vm_hwm_mb(args.pid)}
    driver = Driver(args.url, hall)
    began = time.monotonic()
    ticket_ms = await driver.tickets(args.duration)
    elapsed = time.monotonic() - began
    report["tickets"] = len(ticket_ms)
    report["tickets_per_s"] = round(len(ticket_ms) / elapsed, 1)
    report["ticket_ms"] = percentiles(ticket_ms)
    await driver.tickets(None, until=args.fill)
    report["filled_to"] = driver.issued
    report["call_next"] = await driver.calls(args.duration, CLIENTS)
    report["quiet_calls"] = await driver.calls(600, 1, pause=args.quiet_pause, count=args.quiet_calls)
    report["rss_after_mb"] = vm_hwm_mb(args.pid)
    report["errors"] = driver.errors
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a fresh FQM, e.g. http://127.0.0.1:5771")
    parser.add_argument("--pid", type=int, default=None, help="FQM's process, for its VmHWM")
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--fill", type=int, default=2500, help="waiting tickets before the call-next phase")
    parser.add_argument("--quiet-calls", type=int, default=8)
    parser.add_argument("--quiet-pause", type=float, default=2.5,
                        help="seconds between two quiet calls, plus a random share of the polling period")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report), flush=True)
    else:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
