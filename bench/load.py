"""The load generator: worker processes (asyncio, one event loop each) that play the hall's devices.

- screen workers hold floor screens (subscribed, recording when each `ticket_called` arrives) and
  idle sockets (connected, subscribed to nothing: what memory per socket costs);
- actor workers run kiosks (issuing tickets back to back) and windows (call-next every
  `call_interval` seconds, each at its own phase).
Every worker waits for the same start time, stops by itself at the end, and sends back raw samples;
the parent (bench.run) joins calls and deliveries into latencies. Times are wall-clock
(time.time()) because samples from several processes on one machine are compared.
"""
from __future__ import annotations

import asyncio
import collections
import random
import time
from dataclasses import dataclass, field

import aiohttp
import socketio

from .timing import Timing, connected

CONNECT_AT_ONCE = 50


@dataclass
class ScreenResult:
    connected: int = 0
    idle_connected: int = 0
    errors: collections.Counter = field(default_factory=collections.Counter)
    deliveries: list = field(default_factory=list)  # (screen id, number, window, received at)


@dataclass
class ActorResult:
    ticket_ms: list = field(default_factory=list)
    call_ms: list = field(default_factory=list)
    calls: list = field(default_factory=list)  # (number, window, floor, sent at)
    empty: int = 0
    errors: collections.Counter = field(default_factory=collections.Counter)


def _wait_for_start(ready, go, start_at) -> float:
    ready.put("ready")
    if not go.wait(600):  # the parent is gone: stop by ourselves
        raise SystemExit("bench: no start signal")
    return start_at.value


def screen_worker(screens: list[tuple[int, str, int]], idle: list[str], timing: Timing, ready, go, start_at, out):
    """screens: (screen id, server url, floor); idle: one server url per idle socket."""
    out.put(asyncio.run(_screens(screens, idle, timing, ready, go, start_at)))


async def _screens(screens, idle, timing, ready, go, start_at) -> ScreenResult:
    result = ScreenResult()
    clients: list[socketio.AsyncClient] = []
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def open_socket(url: str, screen: int | None, floor: int | None) -> None:
        client = socketio.AsyncClient(reconnection=False)
        if screen is not None:
            def on_called(data, screen=screen):
                if not data.get("recall"):
                    result.deliveries.append((screen, data["number"], data["window"], time.time()))
            client.on("ticket_called", on_called, namespace="/display")
        auth = {"floor": floor} if floor is not None else None
        if not await connected(gate, result.errors, lambda: client.connect(
                url, transports=["websocket"], namespaces=["/display"], auth=auth, wait_timeout=30)):
            return
        clients.append(client)
        if screen is None:
            result.idle_connected += 1
        else:
            result.connected += 1

    await asyncio.gather(*(open_socket(url, sid, floor) for sid, url, floor in screens),
                         *(open_socket(url, None, None) for url in idle))
    loop = asyncio.get_running_loop()
    timing.start_at = await loop.run_in_executor(None, _wait_for_start, ready, go, start_at)
    await asyncio.sleep(max(0.0, timing.end_at + timing.grace - time.time()))
    dropped = sum(1 for c in clients if not c.connected)
    if dropped:
        result.errors["socket dropped during the run"] += dropped
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    return result


def actor_worker(kiosks: list[str], kiosk_token: str, matters: list[str],
                 windows: list[tuple[str, str, str]], call_interval: float, timing: Timing,
                 ready, go, start_at, out):
    """kiosks: one server url per kiosk; windows: (server url, window number, clerk token)."""
    out.put(asyncio.run(_actors(kiosks, kiosk_token, matters, windows, call_interval, timing, ready, go, start_at)))


async def _actors(kiosks, kiosk_token, matters, windows, call_interval, timing, ready, go, start_at) -> ActorResult:
    result = ActorResult()
    loop = asyncio.get_running_loop()
    timing.start_at = await loop.run_in_executor(None, _wait_for_start, ready, go, start_at)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:

        async def post(url: str, token: str, body=None):
            async with http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as r:
                return r.status, await r.json(content_type=None)

        async def kiosk(url: str, seed: int) -> None:
            rnd = random.Random(seed)
            while time.time() < timing.end_at:
                began = time.perf_counter()
                try:
                    status, body = await post(url + "/api/v1/tickets", kiosk_token, {"matter": rnd.choice(matters)})
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                    result.errors[f"ticket: {type(exc).__name__}"] += 1
                    await asyncio.sleep(0.05)
                    continue
                if status == 201:
                    result.ticket_ms.append((time.perf_counter() - began) * 1000)
                else:
                    result.errors[f"ticket: HTTP {status} {_code(body)}"] += 1

        async def window(url: str, number: str, token: str, seed: int) -> None:
            await asyncio.sleep(random.Random(seed).uniform(0, call_interval))
            while time.time() < timing.end_at:
                sent, began = time.time(), time.perf_counter()
                try:
                    status, body = await post(f"{url}/api/v1/windows/{number}/call-next", token)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                    result.errors[f"call-next: {type(exc).__name__}"] += 1
                    status, body = 0, None
                if status == 200:
                    ticket = body["ticket"]
                    result.call_ms.append((time.perf_counter() - began) * 1000)
                    result.calls.append((ticket["number"], number, ticket["floor"], sent))
                elif status == 409 and _code(body) == "queue_empty":
                    result.empty += 1
                elif status:
                    result.errors[f"call-next: HTTP {status} {_code(body)}"] += 1
                await asyncio.sleep(max(0.0, call_interval - (time.perf_counter() - began)))

        await asyncio.gather(*(kiosk(url, i) for i, url in enumerate(kiosks)),
                             *(window(url, number, token, i) for i, (url, number, token) in enumerate(windows)))
    return result


def _code(body) -> str:
    try:
        return body["error"]["code"]
    except (TypeError, KeyError):
        return ""
