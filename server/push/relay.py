"""Events across server processes, for the devices: each process publishes the events of the devices'
audience to a Redis channel of the hall; the process that owns the devices (adapters/device_lock.py)
listens and hands them to its drivers, in the order each process published them. Like Socket.IO's
own message queue, it carries what happens while Redis is up; the print queue, which must survive
anything, is in the database instead.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import redis

from ..domain import events as ev
from ..services.bus import Audience

log = logging.getLogger("hallq.relay")
RETRY_S = 0.5


class EventRelay:
    def __init__(self, url: str, channel: str):
        self.url = url
        self.channel = channel
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2)

    def publish(self, event: ev.Event, _audience: Audience) -> None:
        """The bus consumer of Audience.DEVICES on every process."""
        message = json.dumps({"subject": event.subject, "kind": event.kind, "data": ev.encode(event)}, ensure_ascii=False)
        try:
            self._redis.publish(self.channel, message)
        except redis.RedisError as exc:
            log.warning("device relay: %s; the devices miss %s", exc.__class__.__name__, type(event).__name__)

    def listen(self, handle: Callable[[ev.Event, Audience], None], running: Callable[[], bool]) -> None:
        """Run on the owning process: hand every relayed event to `handle` while `running()` says so."""
        while running():
            try:
                pubsub = redis.Redis.from_url(self.url, socket_connect_timeout=2).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                while running():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    try:
                        data = json.loads(message["data"])
                        event = ev.decode(data["subject"], data["kind"], data["data"])
                    except (ValueError, KeyError, TypeError):
                        log.exception("device relay: a message that is no event was dropped")
                        continue
                    handle(event, Audience.DEVICES)
                pubsub.close()
            except redis.RedisError as exc:
                log.warning("device relay unreachable (%s); retrying", exc.__class__.__name__)
                time.sleep(RETRY_S)
