"""The fixture of the service-layer tests: the real service layer on the in-memory unit of work, with a
clock they set. (Not a conftest.py: tests/conftest.py is imported by name elsewhere.)"""
from __future__ import annotations

import datetime as dt

import pytest

from fake_uow import fake_unit_of_work
from hall_clock import Clock
from hallq.bootstrap import build_services
from server.config import load_config


@pytest.fixture
def hall_at():
    """hall_at(local time) → (the demo hall's services, their clock), windows installed."""
    def build(local: dt.datetime):
        clock = Clock(local)
        hall = build_services(load_config(), fake_unit_of_work(), clock)
        hall.housekeeping.install_windows()
        return hall, clock
    return build
