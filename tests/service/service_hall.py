"""The fixture of the service-layer tests: the real service layer on the in-memory unit of work, with a
clock they set. A test module asks for it with `pytest_plugins = ["service_hall"]` (importing the fixture
instead makes every test that takes it a redefinition, ruff F811). Not a conftest.py: tests/conftest.py
is imported by name elsewhere (`from conftest import make_hall`), and a second conftest module of that
name would take its place."""
from __future__ import annotations

import datetime as dt

import pytest

from fake_uow import fake_unit_of_work
from hall_clock import Clock
from hallq.bootstrap import build_services
from server.config import load_config
from server.config.model import BUNDLED_DEMO_HALL


@pytest.fixture
def hall_at(tmp_path):
    """hall_at(local time) → (the demo hall's services, their clock), windows installed. `notices_url`: the
    demo hall with its [notices] url set (the bundled file has none)."""
    def build(local: dt.datetime, notices_url: str | None = None):
        clock = Clock(local)
        config = load_config()
        if notices_url:
            path = tmp_path / "hall.toml"
            path.write_text(BUNDLED_DEMO_HALL.read_text(encoding="utf-8").replace(
                "\n[notices]\n", f'\n[notices]\nurl = "{notices_url}"\n'), encoding="utf-8")
            config = load_config(str(path))
            assert config.notices.url == notices_url
        hall = build_services(config, fake_unit_of_work(), clock)
        hall.housekeeping.install_windows()
        return hall, clock
    return build
