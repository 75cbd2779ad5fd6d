"""A minimal Engine.IO v4 / Socket.IO v5 screen over aiohttp's websocket: what the open-loop bench's
screens use instead of python-socketio's AsyncClient, whose per-frame work (packet objects, JSON of
every frame, an event dispatcher, a reconnection manager) costs the generator more CPU than the server
spends sending the frame (docs/performance.md). It does only what a floor screen needs:

    GET /socket.io/?EIO=4&transport=websocket      → "0{…}" (the Engine.IO open packet)
    "40/display,"                                   → "40/display,{"sid": …}"
    42/display,["subscribe",{"floor":N}]            → a `snapshot`, then the floor's pushes
    "2" (ping)                                      → "3" (pong)

Only `ticket_called` and `stats` frames are parsed (a prefix test first); everything else is
skipped unread.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import aiohttp

NAMESPACE = "/display"
_EVENT = f"42{NAMESPACE},"
_CALLED = _EVENT + '["ticket_called",'
_STATS = _EVENT + '["stats",'
_SNAPSHOT = _EVENT + '["snapshot",'


class ScreenSocket:
    """One `/display` socket; `floor` None: connected, subscribed to nothing (an idle socket)."""

    def __init__(self, session: aiohttp.ClientSession, url: str, floor: int | None,
                 on_called: Callable[[dict, float], None] | None = None,
                 on_stats: Callable[[float], None] | None = None):
        self.session, self.url, self.floor = session, url, floor
        self.on_called, self.on_stats = on_called, on_stats
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task | None = None

    async def open(self, timeout: float = 30) -> None:
        """Connected to the namespace and, for a floor screen, its `snapshot` received."""
        ws_url = self.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.session.ws_connect(ws_url, timeout=aiohttp.ClientWSTimeout(ws_close=5),
                                                autoping=False, max_msg_size=0)
        async with asyncio.timeout(timeout):
            opened = await self.ws.receive_str()
            if not opened.startswith("0"):
                raise ConnectionError(f"not an Engine.IO open packet: {opened[:40]!r}")
            await self.ws.send_str(f"40{NAMESPACE},")
            while not (answer := await self._next()).startswith(f"40{NAMESPACE},"):
                if answer.startswith(f"44{NAMESPACE},"):
                    raise ConnectionError(f"connect refused: {answer[:200]}")
            if self.floor is not None:
                await self.ws.send_str(_EVENT + json.dumps(["subscribe", {"floor": self.floor}]))
                while not (await self._next()).startswith(_SNAPSHOT):
                    pass
        self.reader = asyncio.create_task(self._read())

    async def _next(self) -> str:
        """The next text frame, answering pings on the way."""
        while True:
            data = await self.ws.receive_str()
            if data == "2":
                await self.ws.send_str("3")
                continue
            return data

    async def _read(self) -> None:
        ws = self.ws
        try:
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    break
                data = msg.data
                at = time.time()
                if data == "2":
                    await ws.send_str("3")
                elif data.startswith(_CALLED):
                    if self.on_called:
                        self.on_called(json.loads(data[len(_EVENT):])[1], at)
                elif data.startswith(_STATS):
                    if self.on_stats:
                        self.on_stats(at)
        except (aiohttp.ClientError, ConnectionError):
            pass  # the socket is gone: `connected` says so, and the run counts it as dropped

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed and self.reader is not None and not self.reader.done()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


class SocketIOScreen:
    """The same screen on python-socketio's AsyncClient (`--screen-client socketio`): kept to measure
    what the lighter client saves (docs/performance.md)."""

    def __init__(self, session, url: str, floor: int | None, on_called=None, on_stats=None):
        import socketio  # only for this comparison

        self.url, self.floor = url, floor
        self.client = socketio.AsyncClient(reconnection=False)
        if on_called:
            self.client.on("ticket_called", lambda data: on_called(data, time.time()), namespace=NAMESPACE)
        if on_stats:
            self.client.on("stats", lambda _data: on_stats(time.time()), namespace=NAMESPACE)
        self.subscribed = asyncio.Event()
        self.client.on("snapshot", lambda _data: self.subscribed.set(), namespace=NAMESPACE)

    async def open(self, timeout: float = 30) -> None:
        await self.client.connect(self.url, transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=timeout)
        if self.floor is not None:
            await self.client.emit("subscribe", {"floor": self.floor}, namespace=NAMESPACE)
            await asyncio.wait_for(self.subscribed.wait(), timeout)

    @property
    def connected(self) -> bool:
        return self.client.connected

    async def close(self) -> None:
        await self.client.disconnect()
