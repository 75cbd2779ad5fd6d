"""A real `hallq serve` with an ID card reader on a pty attached to kiosk-1: the card reaches kiosk-1's
page over /kiosk and nobody else (another kiosk, a screen); it is not kept in the event log."""
from __future__ import annotations

import os
import sqlite3
import time

import pytest
import socketio

from conftest import make_hall
from harness import connect_socket, demo_config, run_cli, wait_for
from test_id_reader import NAME, NUMBER, FakeSamReader


@pytest.fixture(scope="module")
def reader_hall(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reader")
    master, slave = os.openpty()
    fake = FakeSamReader(master)
    config = demo_config(tmp, f"""
[[devices]]
name = "kiosk-1-reader"
kind = "id_reader"
url = "{os.ttyname(slave)}"
protocol = "sam"
attach = "kiosk:kiosk-1"
baudrate = 115200
""")
    hall = make_hall(tmp, config=config)
    yield hall, fake
    hall.server.stop()
    os.close(master)
    os.close(slave)


def test_the_card_goes_to_its_kiosk_only_and_not_into_the_event_log(reader_hall):
    hall, fake = reader_hall
    made = run_cli("devices", "add", "kiosk-2", "--kind", "kiosk", db=hall.db)
    assert made.returncode == 0, made.stderr
    other_token = made.stdout.strip().splitlines()[-1]
    mine, heard = connect_socket(hall.server.url, "/kiosk", {"token": hall.kiosk.token})
    other, other_heard = connect_socket(hall.server.url, "/kiosk", {"token": other_token})
    screen, screen_heard = connect_socket(hall.server.url, "/display", {"floor": 1})
    try:
        assert wait_for(lambda: ("kiosk", {"reader": True, "printer": None}) in heard)
        assert wait_for(lambda: ("kiosk", {"reader": False, "printer": None}) in other_heard)
        assert wait_for(lambda: len(fake.requests) >= 2, 10)  # the server's reader is polling
        fake.card_placed = True
        assert wait_for(lambda: any(name == "id_card" for name, _ in heard), 10)
        cards = [data for name, data in heard if name == "id_card"]
        assert cards == [{"number": NUMBER, "name": NAME, "birth": "1950-01-01", "sex": "男"}]
        time.sleep(1.0)  # the card still lies there: not sent again; others never hear of it
        assert [data for name, data in heard if name == "id_card"] == cards
        assert not [e for e in other_heard + screen_heard if NUMBER in repr(e)]
    finally:
        fake.card_placed = False
        for client in (mine, other, screen):
            client.disconnect()
    with sqlite3.connect(hall.db.removeprefix("sqlite:///")) as db:
        tables = [row[0] for row in db.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            for row in db.execute(f'select * from "{table}"'):
                assert NUMBER not in repr(row), f"the ID number is stored in {table}"
    assert NUMBER not in hall.server.log()


@pytest.mark.parametrize("who", ["none", "garbage", "display"])
def test_the_kiosk_namespace_takes_only_kiosks_and_staff(reader_hall, who):
    hall, _ = reader_hall
    token = {"none": None, "garbage": "not-a-token", "display": hall.display.token}[who]
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect_socket(hall.server.url, "/kiosk", {"token": token} if token else None)
    staff, heard = connect_socket(hall.server.url, "/kiosk", {"token": hall.admin.token})  # the guide desk
    try:
        assert wait_for(lambda: ("kiosk", {"reader": False, "printer": None}) in heard)
    finally:
        staff.disconnect()
