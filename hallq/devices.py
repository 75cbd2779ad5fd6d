"""The devices' duty: this process drives the hall's devices while it holds their lock.

Until it owns them, the events of the devices' audience are dropped here (with several processes
they travel over the relay to whichever process owns the devices); once it owns them, the drivers
start, and with several processes this process also listens to the relay. If the lock is lost (the
database restarted) the drivers stop, and the process stands by again.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from drivers.router import DeviceRouter
from server.adapters.device_lock import DeviceOwnership
from server.domain import events as ev
from server.push.relay import EventRelay
from server.services.bus import Audience

log = logging.getLogger("hallq.devices")
CHECK_EVERY_S = 5


class DeviceDuty:
    def __init__(self, router: DeviceRouter, ownership: DeviceOwnership, relay: EventRelay | None,
                 current_state: Callable[[], list[ev.Event]], start_task, sleep):
        self.router = router
        self.current_state = current_state  # what the devices are told when they start
        self.ownership = ownership
        self.relay = relay
        self.start_task = start_task
        self.sleep = sleep
        self.owning = False

    def take(self, event: ev.Event, audience: Audience) -> None:
        """The bus consumer of Audience.DEVICES when this process serves alone (no relay)."""
        if self.owning:
            self.router.handle(event, audience)

    def run(self) -> None:
        while True:
            if not self.owning and self.ownership.try_take():
                self.owning = True
                log.info("this process drives the hall's devices")
                self.router.start()
                self._tell_the_current_state()
                if self.relay is not None:
                    self.start_task(self.relay.listen, self.router.handle, lambda: self.owning)
            elif self.owning and not self.ownership.still_held():
                self.owning = False
                log.warning("the device lock was lost: the devices stop here until this process holds it again")
                self.router.stop()
            self.sleep(CHECK_EVERY_S)

    def _tell_the_current_state(self) -> None:
        try:
            for event in self.current_state():
                self.router.handle(event, Audience.DEVICES)
        except Exception:  # the database is away: the devices learn the state from the next events
            log.exception("the devices could not be told the hall's current state")
