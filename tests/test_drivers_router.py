"""The device router: stopping ends every worker and closes its link, every subscription reaches the
devices' audience, a router without devices is empty, and the config check names misattached and
clashing bus devices."""
from __future__ import annotations

import errno
import os
import select
import time

import pytest

from device_doubles import (TICKET, FakeHall, bus_devices, config_with, ft12_frame, printer_device, read_until, ticket,
                            window_update)
from drivers.led import Led
from drivers.router import KINDS, DeviceRouter
from drivers.rs485 import Bus
from harness import free_port, wait_for
from server.config import load_config
from server.domain.events import (QueueFiguresChanged, TicketCalled, TicketFinished, TicketIssued, TicketRecalled,
                                  WindowUpdated)
from server.services.bus import AUDIENCES, Audience
from server.services.printing import PrintJob


def test_stop_ends_every_worker_and_closes_its_link(router_for):
    led_master, led_slave = os.openpty()
    bus_master, bus_slave = os.openpty()
    router, hall = router_for(dict(name="led-15", kind="led", url=os.ttyname(led_slave), protocol="text",
                                   attach="window:15"),
                              *bus_devices(os.ttyname(bus_slave)), printer_device(free_port()),
                              hall=FakeHall([PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)]))
    router.handle(window_update(state="paused"), Audience.DEVICES)
    assert read_until(led_master, lambda b: b.endswith(b"\r\n"), 5) == "暂停服务".encode("gb18030") + b"\r\n"
    blank = ft12_frame(1, 0x02, *[0x0A] * 6)  # the pager heard its window, but no figures yet
    assert read_until(bus_master, lambda b: len(b) >= len(blank), 5) == blank
    assert wait_for(lambda: "offline" in hall.states("p1"), 10)
    os.close(led_slave)
    os.close(bus_slave)  # now only the drivers hold the serial lines open
    threads = [w.thread for w in router.devices]
    assert len(threads) == 3 and all(t.is_alive() for t in threads)
    started = time.monotonic()
    router.stop()
    assert not any(t.is_alive() for t in threads) and time.monotonic() - started < 5
    for master in (led_master, bus_master):  # the far end sees the line closed
        assert select.select([master], [], [], 2)[0] == [master], "the line is still open"
        with pytest.raises(OSError) as closed:
            os.read(master, 1)
        assert closed.value.errno == errno.EIO
        os.close(master)


def test_every_subscription_reaches_the_devices_audience(monkeypatch):
    kinds = [*KINDS.values(), Bus]
    assert {t for kind in kinds for t in kind.subscribes} == {
        TicketIssued, TicketCalled, TicketRecalled, WindowUpdated, QueueFiguresChanged}
    for kind in kinds:
        for event_type in kind.subscribes:
            assert Audience.DEVICES in AUDIENCES[event_type], (kind.__name__, event_type.__name__)
    monkeypatch.setattr(Led, "subscribes", (*Led.subscribes, TicketFinished))
    with pytest.raises(TypeError, match="Led subscribes to TicketFinished"):
        DeviceRouter(config_with(), FakeHall(), lambda events: None)


def test_a_router_without_devices_is_empty():
    router = DeviceRouter(config_with(), FakeHall(), lambda events: None)
    assert router.empty and router.audio_folder("spk-1") is None
    router.handle(TicketCalled(ticket=ticket()), Audience.DEVICES)  # nothing to do, nothing fails
    router.start()
    router.stop()


def test_config_check_names_misattached_and_clashing_bus_devices(tmp_path):
    from server.config import BUNDLED_DEMO_HALL, ConfigError
    path = tmp_path / "hall.toml"
    path.write_text(BUNDLED_DEMO_HALL.read_text(encoding="utf-8") + """
[[devices]]
name = "pager-a"
kind = "pager"
url = "/dev/ttyUSB0"
protocol = "ft12"
attach = "floor:1"
address = 3
transfer_to = "nosuchqueue"

[[devices]]
name = "evaluator-a"
kind = "evaluator"
url = "/dev/ttyUSB0"
protocol = "ft12"
attach = "window:3"
address = 3
""", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = "\n".join(err.value.problems)
    assert 'pager-a): a pager belongs to a window (attach = "window:N")' in text
    assert "transfer_to queue 'nosuchqueue' is not defined" in text
    assert "device bus addresses (url, address): ('/dev/ttyUSB0', 3) is defined twice" in text
