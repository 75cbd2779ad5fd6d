"""The open-loop bench's worker processes (asyncio, one event loop each), playing a Plan (bench.plan).

- actor workers play kiosks and windows, one or more floors each (a floor's windows only take its
  queues, so each worker knows what waits for its windows). Every arrival is sent at its planned
  moment whatever the server does: never waiting for an earlier answer. A window's clerk calls next
  when the ticket it was handed has been served (its scaled service time after the answer); a clerk
  whose queues are empty waits, and the next ticket issued to one of them wakes one such clerk, as in
  the simulator (no polling).
- screen workers hold floor screens (bench.engineio) and idle sockets, recording when each
  `ticket_called` and `stats` frame arrives.
Every send records how late it left against its planned moment, and every worker runs a heartbeat
that records how late its event loop wakes: if the generator falls behind, the figures measure the
generator, and the run fails (bench.profile_run). Times are wall clock (time.time()): samples from
several processes are compared. BENCH_STALL_S (test only) blocks each actor worker's loop once, 1 s
into the run, to show that a generator which cannot keep its schedule fails the run.
"""
from __future__ import annotations

import asyncio
import collections
import gc
import os
import time
from dataclasses import dataclass, field

import aiohttp

from .engineio import ScreenSocket, SocketIOScreen
from .plan import PlannedArrival, PlannedWindow
from .timing import Timing, connected

CONNECT_AT_ONCE = 50
HEARTBEAT_S = 0.01


@dataclass
class Samples:
    kind: str  # "actors" | "screens"
    cpu_s: float = 0.0
    loop_lag_ms: list = field(default_factory=list)
    send_lag_ms: list = field(default_factory=list)
    errors: collections.Counter = field(default_factory=collections.Counter)
    # actors
    tickets_sent: int = 0
    ticket_ms: list = field(default_factory=list)
    calls_sent: int = 0
    call_ms: list = field(default_factory=list)
    calls: list = field(default_factory=list)  # (number, window, floor, sent at, answered at)
    empty: int = 0
    # screens
    connected: int = 0
    idle_connected: int = 0
    screens_per_floor: collections.Counter = field(default_factory=collections.Counter)
    deliveries: list = field(default_factory=list)  # (floor, number, window, received at)
    stats_at: dict = field(default_factory=dict)  # floor -> [received at] on its first screen


def _wait_for_start(ready, go, start_at) -> float:
    ready.put("ready")
    if not go.wait(600):  # the parent is gone: stop by ourselves
        raise SystemExit("bench: no start signal")
    return start_at.value


async def _heartbeat(samples: Samples, until: float) -> None:
    """How late the loop wakes from a short sleep: the generator's own delay on everything it times."""
    while (now := time.time()) < until:
        await asyncio.sleep(HEARTBEAT_S)
        samples.loop_lag_ms.append(max(0.0, (time.time() - now - HEARTBEAT_S) * 1000))


async def _begin(samples: Samples, timing: Timing, ready, go, start_at) -> None:
    # What setup built (a thousand sockets, say) lives for the run: out of the collector's full passes,
    # which would otherwise stall this loop while it times the server.
    gc.collect()
    gc.freeze()
    loop = asyncio.get_running_loop()
    timing.start_at = await loop.run_in_executor(None, _wait_for_start, ready, go, start_at)
    await asyncio.sleep(max(0.0, timing.start_at - time.time()))
    samples.cpu_s = -time.process_time()


def screen_worker(screens: list[tuple[str, int]], idle: list[str], timing: Timing, ready, go, start_at, out,
                  client: str = "raw"):
    """screens: (server url, floor); idle: one server url per idle socket; client: raw | socketio."""
    out.put(asyncio.run(_screens(screens, idle, timing, ready, go, start_at, client)))


async def _screens(screens, idle, timing, ready, go, start_at, client) -> Samples:
    samples = Samples("screens")
    sockets: list[ScreenSocket] = []
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    first_of_floor: set[int] = set()

    def on_called(data: dict, at: float, floor: int) -> None:
        if not data.get("recall"):
            samples.deliveries.append((floor, data["number"], data["window"], at))

    async def open_socket(http, url: str, floor: int | None) -> None:
        on_stats = None
        if floor is not None and floor not in first_of_floor:  # one screen per floor times the stats
            first_of_floor.add(floor)
            samples.stats_at[floor] = []
            on_stats = samples.stats_at[floor].append
        kind = ScreenSocket if client == "raw" else SocketIOScreen
        socket = kind(http, url, floor, (lambda d, at, f=floor: on_called(d, at, f)) if floor else None, on_stats)
        if not await connected(gate, samples.errors, socket.open):
            return
        sockets.append(socket)
        if floor is None:
            samples.idle_connected += 1
        else:
            samples.connected += 1
            samples.screens_per_floor[floor] += 1

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(open_socket(http, url, floor) for url, floor in screens),
                             *(open_socket(http, url, None) for url in idle))
        await _begin(samples, timing, ready, go, start_at)
        await _heartbeat(samples, timing.end_at + timing.grace)
        samples.cpu_s += time.process_time()
        dropped = sum(1 for s in sockets if not s.connected)
        if dropped:
            samples.errors["socket dropped during the run"] += dropped
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return samples


def actor_worker(arrivals: list[PlannedArrival], windows: list[tuple[PlannedWindow, float]], clerks: dict[str, str],
                 kiosk_urls: list[str], window_urls: dict[str, str], kiosk_token: str, timing: Timing,
                 ready, go, start_at, out):
    """windows: (window, seconds after the start of its clerk's first call-next); arrivals go to the
    kiosk_urls in turn (one per server process)."""
    out.put(asyncio.run(_Actors(arrivals, windows, clerks, kiosk_urls, window_urls, kiosk_token, timing)
                        .run(ready, go, start_at)))


class _Actors:
    def __init__(self, arrivals, windows, clerks, kiosk_urls, window_urls, kiosk_token, timing):
        self.arrivals, self.windows, self.clerks = arrivals, windows, clerks
        self.kiosk_urls, self.window_urls, self.kiosk_token = kiosk_urls, window_urls, kiosk_token
        self.timing = timing
        self.samples = Samples("actors")
        self.service_s = {}  # ticket number -> planned service seconds
        self.waiting = collections.Counter()  # queue -> tickets this worker issued and no window has taken
        self.idle: dict[str, PlannedWindow] = {}  # windows whose clerk waits for a ticket, in plan order
        self.woken_for: dict[str, str | None] = {}  # window -> the queue its pending call was woken for
        self.tasks: set[asyncio.Task] = set()
        services = sorted(a.service_s for a in arrivals)
        self.usual_service_s = services[len(services) // 2] if services else 60.0

    async def run(self, ready, go, start_at) -> Samples:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as self.http:
            await _begin(self.samples, self.timing, ready, go, start_at)
            start = self.timing.start_at
            for w, first_call in self.windows:
                self._spawn(self._call(w, start + first_call, None))
            beat = asyncio.create_task(_heartbeat(self.samples, self.timing.end_at))
            stall = float(os.environ.get("BENCH_STALL_S", "0") or 0)
            if stall:
                asyncio.get_running_loop().call_at(asyncio.get_running_loop().time() + 1.0, time.sleep, stall)
            for n, arrival in enumerate(self.arrivals):
                planned = start + arrival.offset
                await asyncio.sleep(max(0.0, planned - time.time()))
                self._spawn(self._ticket(arrival, planned, self.kiosk_urls[n % len(self.kiosk_urls)]))
            await beat
            if self.tasks:  # answers to the last sends
                await asyncio.wait(self.tasks, timeout=self.timing.grace + 30)
            self.samples.cpu_s += time.process_time()
        return self.samples

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, url: str, token: str, body=None):
        async with self.http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as r:
            return r.status, await r.json(content_type=None)

    async def _ticket(self, arrival: PlannedArrival, planned: float, url: str) -> None:
        s = self.samples
        sent = time.time()
        s.send_lag_ms.append((sent - planned) * 1000)
        s.tickets_sent += 1
        try:
            status, body = await self._post(url + "/api/v1/tickets", self.kiosk_token,
                                            {"matter": arrival.matter})
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            s.errors[f"ticket: {type(exc).__name__}"] += 1
            return
        if status != 201:
            s.errors[f"ticket: HTTP {status} {_code(body)}"] += 1
            return
        s.ticket_ms.append((time.time() - sent) * 1000)
        ticket = body["ticket"]
        self.service_s[ticket["number"]] = arrival.service_s
        self.waiting[ticket["queue"]] += 1
        self._dispatch()

    def _dispatch(self) -> None:
        """Wake idle clerks for the tickets waiting in their queues, one clerk per ticket."""
        if not self.idle or time.time() >= self.timing.end_at:
            return
        budget = collections.Counter(self.waiting)
        budget.subtract(q for q in self.woken_for.values() if q)
        for number, w in list(self.idle.items()):
            for queue in w.queues:
                if budget[queue] > 0:
                    budget[queue] -= 1
                    del self.idle[number]
                    self._spawn(self._call(w, time.time(), queue))
                    break

    async def _call(self, w: PlannedWindow, planned: float, woken_for: str | None) -> None:
        s = self.samples
        if planned >= self.timing.end_at:  # after the run: not played
            return
        self.woken_for[w.number] = woken_for
        await asyncio.sleep(max(0.0, planned - time.time()))
        sent = time.time()
        s.send_lag_ms.append((sent - planned) * 1000)
        s.calls_sent += 1
        try:
            status, body = await self._post(f"{self.window_urls[w.number]}/api/v1/windows/{w.number}/call-next",
                                            self.clerks[w.number])
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            s.errors[f"call-next: {type(exc).__name__}"] += 1
            status, body = 0, None
        answered = time.time()
        self.woken_for.pop(w.number, None)
        if status == 200:
            ticket = body["ticket"]
            s.call_ms.append((answered - sent) * 1000)
            s.calls.append((ticket["number"], w.number, ticket["floor"], sent, answered))
            self.waiting[ticket["queue"]] = max(0, self.waiting[ticket["queue"]] - 1)
            service = self.service_s.pop(ticket["number"], None)
            if service is None:  # a ticket from before the run (a reused hall)
                service = self.usual_service_s
            self._spawn(self._call(w, answered + service, None))
        else:
            if status == 409 and _code(body) == "queue_empty":
                s.empty += 1
                for queue in w.queues:  # the server says none of them has anyone waiting for this window
                    self.waiting[queue] = 0
            elif status:
                s.errors[f"call-next: HTTP {status} {_code(body)}"] += 1
            self.idle[w.number] = w
        self._dispatch()


def _code(body) -> str:
    try:
        return body["error"]["code"]
    except (TypeError, KeyError):
        return ""
