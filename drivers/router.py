"""The device router: one device per `[[devices]]` entry, built by kind (pagers and evaluators on the
same line share one bus worker), and each event handed to the devices whose kind subscribes to its
type. It owns no wording and no state: each kind decides what an event means for it.

The server subscribes `router.handle` to `Audience.DEVICES` of the message bus; it is called after
each commit on the server's thread and only queues work. What the devices need from the server is
`HallForDevices`; what they produce (`CallAudioReady`, `IdCardRead`) goes back through `publish`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from server.config import HallConfig
from server.domain.events import Event
from server.services.bus import AUDIENCES, Audience

from .hall import HallForDevices
from .id_reader import IdReader
from .led import Led
from .printer import Printer
from .rs485 import Bus
from .speaker import Speaker
from .worker import Worker

log = logging.getLogger("hallq.devices")
KINDS: dict[str, type[Worker]] = {"printer": Printer, "led": Led, "speaker": Speaker, "id_reader": IdReader}
BUS_KINDS = {"pager", "evaluator"}  # on a shared RS485 line: one `Bus` per url


def check_subscriptions(kinds: list[type[Worker]]) -> None:
    """Every event type a device kind subscribes to must reach the devices' audience, or the kind
    would silently never hear of it."""
    missing = [f"{kind.__name__} subscribes to {t.__name__}" for kind in kinds for t in kind.subscribes
               if Audience.DEVICES not in AUDIENCES.get(t, ())]
    if missing:
        raise TypeError("events that never reach Audience.DEVICES (server/services/bus.py AUDIENCES): "
                        + "; ".join(missing))


class DeviceRouter:
    def __init__(self, config: HallConfig, hall: HallForDevices, publish: Callable[[list[Event]], None]):
        check_subscriptions([*KINDS.values(), Bus])
        self.devices: list[Worker] = []
        buses: dict[str, list] = {}
        for device in config.devices:
            if device.kind in BUS_KINDS:
                buses.setdefault(device.url, []).append(device)
            else:
                self.devices.append(KINDS[device.kind](device, config, hall, publish))
        self.devices += [Bus(members, config, hall, publish) for members in buses.values()]
        self.routes: dict[type[Event], list[Worker]] = {}
        for worker in self.devices:
            for event_type in worker.subscribes:
                self.routes.setdefault(event_type, []).append(worker)

    @property
    def empty(self) -> bool:
        return not self.devices

    def handle(self, event: Event, audience: Audience = Audience.DEVICES) -> None:
        """After a commit, on the server's thread: queue the event's work on each subscribed device."""
        for worker in self.routes.get(type(event), ()):
            try:
                worker.take(event)
            except Exception:  # one device's bug must not keep the others from hearing
                log.exception("device %s could not take %s", worker.name, type(event).__name__)

    def start(self) -> None:
        for worker in self.devices:
            worker.start()

    def stop(self) -> None:
        """Stop every worker and close its link, so another process can take the devices over."""
        for worker in self.devices:
            worker.request_stop()
        for worker in self.devices:
            worker.join()

    def audio_folder(self, device_name: str) -> Path | None:
        """Where a speaker writes its WAVs (the server's `/audio/<device>/<name>` route)."""
        for worker in self.devices:
            if isinstance(worker, Speaker) and worker.name == device_name:
                return worker.folder
        return None
