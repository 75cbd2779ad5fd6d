"""CONTRACT v2: ID numbers and phones are shown in full only to the window serving the ticket (and to the
back office of a case's department); everywhere else masked. A citizen books, checks in with the ID
card, takes a second ticket with the card and a phone, and is served; then every screen snapshot, public
answer, staff answer, push (screens, the clerk, the admin board) and the server's log is searched for the
full ID number and phone. Only `GET /windows/{w}/holder`, for the clerk serving the ticket, holds them."""
from __future__ import annotations

import json

import pytest
import requests

from booking_hall import MONDAY, id_number, local, start_hall
from contract_helpers import assert_error
from harness import connect_socket, display_client, wait_for

ID_NUMBER = id_number("19880808", 21)
PHONE = "13912345678"
NAME = "欧阳小明"


@pytest.fixture
def hall(tmp_path):
    started = start_hall(tmp_path)
    yield started
    started["server"].stop()


def test_no_full_id_number_or_phone_leaves_the_serving_window(hall):
    server, kiosk, clerk, admin = hall["server"], hall["kiosk"], hall["clerk"], hall["admin"]
    screen, screen_saw = display_client(server.url, {"floor": 1})
    window_screen, window_saw = display_client(server.url, {"window": 1})
    clerk_socket, clerk_saw = connect_socket(server.url, "/clerk", {"token": clerk.token})
    admin_socket, admin_saw = connect_socket(server.url, "/admin", {"token": admin.token})
    answers: list[str] = []

    def keep(r: requests.Response, status: int = 200) -> dict:
        assert r.status_code == status, r.text
        answers.append(r.text)
        return r.json()

    booked = keep(hall["platform"].post("/appointments", {
        "matter": "rst-sbk", "date": MONDAY.isoformat(), "start": "09:00", "id_number": ID_NUMBER, "name": NAME,
        "phone": PHONE}), 201)["appointment"]
    hall["clock"].set(local(MONDAY, "08:45"))
    checked = keep(kiosk.post("/tickets", {"id_card": {"number": ID_NUMBER, "name": NAME}}), 201)["ticket"]
    walk_in = keep(kiosk.post("/tickets", {"matter": "rst-ylzy", "phone": PHONE,
                                           "id_card": {"number": ID_NUMBER, "name": NAME}}), 201)["ticket"]
    tracker, tracker_saw = display_client(server.url, {"ticket": walk_in["id"]})
    called = keep(clerk.post("/windows/1/call-next"))["ticket"]
    assert called["id"] == checked["id"]

    full = clerk.get("/windows/1/holder")
    assert full.status_code == 200, full.text
    assert full.json()["holder"] == {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}
    assert full.json()["kind"] == "appointment"
    assert_error(admin.get("/windows/1/holder"), 403, "forbidden")
    assert_error(kiosk.get("/windows/1/holder"), 403, "forbidden")

    keep(clerk.post("/windows/1/finish"))
    keep(clerk.post("/windows/1/call-next"))
    keep(clerk.post("/windows/1/no-show"))
    keep(kiosk.post("/tickets/requeue", {"number": walk_in["number"]}))
    for path in (f"/tickets/{checked['id']}", f"/tickets/{walk_in['id']}", "/stats", "/catalog",
                 f"/appointments/slots?matter=rst-sbk&date={MONDAY}"):
        keep(requests.get(server.api + path, timeout=30))
    for path in ("/windows", "/windows/1", f"/tickets/{walk_in['id']}/history", f"/tickets/{checked['id']}/history",
                 "/appointments", "/alerts"):
        keep(admin.get(path))
    keep(hall["platform"].get(f"/appointments/{booked['id']}"))
    assert booked["id_number"] == ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:] and booked["name"] == "欧**明"
    assert walk_in["holder"] == {"name": "欧**明", "id_number": booked["id_number"], "phone": "139****5678"}

    assert wait_for(lambda: any(e == "ticket_called" for e, _ in screen_saw)), screen_saw
    assert wait_for(lambda: len(admin_saw) > 0 and len(clerk_saw) > 0)
    pushed = [json.dumps(data, ensure_ascii=False) for saw in (screen_saw, window_saw, tracker_saw, clerk_saw, admin_saw)
              for _, data in saw]
    for client in (screen, window_screen, tracker, clerk_socket, admin_socket):
        client.disconnect()
    server.stop()
    everything = {"answers": answers, "pushes": pushed, "log": [server.log()]}
    for where, texts in everything.items():
        for text in texts:
            assert ID_NUMBER not in text, f"a full ID number in {where}: {text[:300]}"
            assert PHONE not in text, f"a full phone in {where}: {text[:300]}"
            assert NAME not in text, f"a full name in {where}: {text[:300]}"
    assert any("欧**明" in text for text in pushed), "the scan saw no ticket of the citizen's at all"
