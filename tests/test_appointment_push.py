"""The admin board hears of every booking's change (`appointment` on /admin, the masked APPOINTMENT, the same
as the answer of the command that caused it); clerks and screens do not, and no push holds a full ID
number, name or phone."""
from __future__ import annotations

import json

import pytest

from booking_hall import MONDAY, id_number, local, start_hall
from harness import connect_socket, display_client, wait_for

WHO = id_number("19750505", 31)
PHONE = "13700001234"


@pytest.fixture
def hall(tmp_path):
    started = start_hall(tmp_path)
    yield started
    started["server"].stop()


def test_booked_checked_in_cancelled_and_missed_reach_the_admin_board_masked(hall):
    server = hall["server"]
    board, board_saw = connect_socket(server.url, "/admin", {"token": hall["admin"].token})
    clerk, clerk_saw = connect_socket(server.url, "/clerk", {"token": hall["clerk"].token})
    screen, screen_saw = display_client(server.url, {"floor": 1})

    def book(start: str, who: str) -> dict:
        r = hall["platform"].post("/appointments", {"matter": "rst-sbk", "date": MONDAY.isoformat(), "start": start,
                                                    "id_number": who, "name": "司马相如", "phone": PHONE})
        assert r.status_code == 201, r.text
        return r.json()["appointment"]

    def pushed(status: str, appointment_id: str) -> dict:
        def find():
            return next((data for name, data in board_saw if name == "appointment" and data["id"] == appointment_id
                         and data["status"] == status), None)
        assert wait_for(lambda: find() is not None, 5), board_saw
        return find()

    first = book("09:00", WHO)
    assert pushed("booked", first["id"]) == first
    hall["clock"].set(local(MONDAY, "08:40"))
    ticket = hall["kiosk"].post("/tickets", {"appointment": first["code"]}).json()["ticket"]
    checked = pushed("checked_in", first["id"])
    assert checked["ticket"] == ticket["id"] and checked["phone"] == "137****1234" and checked["name"] == "司**如"

    second = book("10:00", id_number("19750505", 32))
    cancelled = hall["admin"].post(f"/appointments/{second['id']}/cancel").json()["appointment"]
    assert pushed("cancelled", second["id"]) == cancelled

    third = book("09:30", id_number("19750505", 33))
    hall["clock"].set(local(MONDAY, "10:20"))  # past 09:30 + 30 min + 15 min late: a miss, seen by the day's read
    hall["admin"].get("/appointments")
    assert pushed("missed", third["id"])["code"] == third["code"]

    for client in (board, clerk, screen):
        client.disconnect()
    assert not [name for name, _ in clerk_saw + screen_saw if name == "appointment"]
    for name, data in board_saw:
        text = json.dumps(data, ensure_ascii=False)
        assert WHO not in text and PHONE not in text and "司马相如" not in text, text
