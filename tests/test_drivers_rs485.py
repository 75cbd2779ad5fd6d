"""The RS485 bus over a pty pair standing in for its serial line: FT1.2 frames from a window's pager (keys
pressed, echoed, refused with a beep; the current number and the waiting shown) and evaluator (ratings)."""
from __future__ import annotations

import os
import time

from device_doubles import FakeHall, bus_devices, figures, ft12_frame, read_until, ticket, window_update
from harness import wait_for
from server.domain.errors import HallError, Reason
from server.services.bus import Audience
from server.services.pagers import PagerKey, PagerOutcome


def _open_bus(router_for, hall: FakeHall):
    master, slave = os.openpty()
    router, hall = router_for(*bus_devices(os.ttyname(slave)), hall=hall)
    assert wait_for(lambda: ("pager-15", "online", "bus open") in hall.health, 10), hall.health  # raw mode set
    return master, slave, router, hall


def test_pager_key_reaches_press_and_is_echoed(router_for):
    master, slave, router, hall = _open_bus(router_for, FakeHall(outcome=PagerOutcome.DONE))
    call = ft12_frame(1, 0x01, 0x0C)
    os.write(master, call)
    assert read_until(master, lambda b: len(b) >= len(call), 5) == call  # the echo, and nothing more
    assert wait_for(lambda: hall.presses == [("pager-15", "15", PagerKey.CALL, "shebao")], 5), hall.presses
    os.write(master, ft12_frame(1, 0x01, 6) + ft12_frame(1, 0x01, 0x0F))
    assert wait_for(lambda: len(hall.presses) == 3, 5)
    assert [p[2] for p in hall.presses[1:]] == [PagerKey.D6, PagerKey.CONFIRM]
    time.sleep(0.3)
    assert read_until(master, lambda b: False, 0.3) == ft12_frame(1, 0x01, 6) + ft12_frame(1, 0x01, 0x0F)
    os.close(master)


def test_pager_shows_the_current_number_and_the_waiting_of_its_queues(router_for):
    master, slave, router, hall = _open_bus(router_for, FakeHall())
    router.handle(window_update(current=ticket(), queues=("yibao", "gjj")), Audience.DEVICES)
    router.handle(figures(yibao=7, gjj=5, shebao=100), Audience.DEVICES)
    shown = ft12_frame(1, 0x02, 0x0A, 0x01, 0x02, 0x00, 0x02, 0x03)  # " 12" waiting, "023" serving
    assert read_until(master, lambda b: b.endswith(shown), 5).endswith(shown)
    router.handle(window_update(current=None, window="16"), Audience.DEVICES)  # another window: nothing
    router.handle(figures(yibao=7, gjj=5, shebao=99), Audience.DEVICES)  # its count unchanged: nothing
    router.handle(window_update(state="paused", current=None, queues=("yibao", "gjj")), Audience.DEVICES)
    blank = ft12_frame(1, 0x02, 0x0A, 0x01, 0x02, 0x0A, 0x0A, 0x0A)
    assert read_until(master, lambda b: len(b) >= len(blank), 5) == blank
    os.close(master)


def test_a_refused_key_makes_the_pager_beep_and_show_its_window_again(router_for):
    master, slave, router, hall = _open_bus(router_for, FakeHall(outcome=PagerOutcome.REFUSED))
    router.handle(window_update(current=ticket()), Audience.DEVICES)
    router.handle(figures(yibao=3), Audience.DEVICES)
    shown = ft12_frame(1, 0x02, 0x0A, 0x0A, 0x03, 0x00, 0x02, 0x03)
    assert read_until(master, lambda b: b.endswith(shown), 5).endswith(shown)
    recall = ft12_frame(1, 0x01, 0x0D)
    os.write(master, recall)
    expected = recall + bytes([0xFF, 0x68, 0x02, 0x02, 0x68, 0x01, 0x03, 0x04, 0x16]) + shown  # echo, beep, display
    assert read_until(master, lambda b: len(b) >= len(expected), 5) == expected
    assert hall.presses == [("pager-15", "15", PagerKey.RECALL, "shebao")]
    os.close(master)


def test_an_evaluator_press_reaches_rate_and_a_refusal_does_not_stop_the_bus(router_for):
    refusal = HallError("no ticket to rate", Reason.INVALID_RATING_LEVEL)
    master, slave, router, hall = _open_bus(router_for, FakeHall(rate_error=refusal))
    first, second = ft12_frame(2, 0x11, 4), ft12_frame(2, 0x11, 1)
    os.write(master, first)
    assert read_until(master, lambda b: len(b) >= len(first), 5) == first
    os.write(master, second)
    assert read_until(master, lambda b: len(b) >= len(second), 5) == second
    assert wait_for(lambda: hall.ratings == [("15", 4, "eval-15"), ("15", 1, "eval-15")], 5), hall.ratings
    assert hall.presses == []
    os.close(master)
