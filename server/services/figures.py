"""The queue figures (`GET /stats`) as a stream: after events that move them, recomputed at most twice
a second and published as one QueueFiguresChanged, which screens, consoles, the admin board and the
pagers hear. One query per interval, however many tickets moved in it."""
from __future__ import annotations

import logging

from ..domain import events as ev
from ..domain.errors import HallError
from .bus import Audience, MessageBus
from .queries import Queries

log = logging.getLogger("hallq.figures")
INTERVAL_S = 0.5


class QueueFiguresTicker:
    def __init__(self, queries: Queries, bus: MessageBus):
        self.queries = queries
        self.bus = bus
        self.dirty = True  # the first tick publishes

    def moved(self, _event: ev.Event, _audience: Audience) -> None:
        """The bus consumer of Audience.QUEUE_FIGURES."""
        self.dirty = True

    def tick(self) -> None:
        """Called every INTERVAL_S by a background task of the server."""
        if not self.dirty:
            return
        self.dirty = False
        try:
            figures = self.queries.queue_figures()
        except HallError as exc:  # the database is away (a restart): expected, said in one line
            log.warning("queue figures could not be computed: %s", exc.message)
            self.dirty = True
            return
        except Exception:
            log.exception("queue figures could not be computed")
            self.dirty = True
            return
        self.bus.publish([ev.QueueFiguresChanged(figures)])

    def run(self, sleep) -> None:
        while True:
            sleep(INTERVAL_S)
            self.tick()
