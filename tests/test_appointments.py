"""预约, ID cards, quotas and 过号顺延 through the HTTP API of a real server, on a hall clock the tests move
(tests/launchers/clock_server.py). The demo hall's rules: bookings 5 working days ahead, 30-minute slots,
check-in from 30 minutes before a slot to 15 after its start, 3 misses in 90 days ban an ID for 90 days;
`rst-sbk` (社保卡申领, queue shebao, windows 1-10) takes bookings. Each test that moves the clock has a
hall of its own."""
from __future__ import annotations

import datetime as dt

import pytest

from booking_hall import MONDAY, id_number, local, start_hall
from contract_helpers import assert_error


@pytest.fixture
def hall(tmp_path):
    started = start_hall(tmp_path, replace={'queue = "shebao"\navg_minutes = 8\npromised_days = 0\nappointment_quota = 4':
                                            'queue = "shebao"\navg_minutes = 8\npromised_days = 0\nappointment_quota = 2'})
    yield started
    started["server"].stop()


def book(h, day: dt.date, start: str, who: str, name: str = "张三", by: str = "platform", **extra):
    return h[by].post("/appointments", {"matter": "rst-sbk", "date": day.isoformat(), "start": start,
                                        "id_number": who, "name": name, "phone": "13800001111", **extra})


def call_order(clerk, window: str = "1") -> list[str]:
    numbers = []
    while True:
        r = clerk.post(f"/windows/{window}/call-next")
        if r.status_code != 200:
            assert_error(r, 409, "queue_empty", reason="queue_empty")
            return numbers
        numbers.append(r.json()["ticket"]["number"])


# ------------------------------------------------------------------ booking
def test_a_full_slot_answers_slot_full_and_shows_no_free_place(hall):
    tuesday = MONDAY + dt.timedelta(days=1)
    for serial in (1, 2):
        made = book(hall, tuesday, "10:00", id_number("19900101", serial))
        assert made.status_code == 201, made.text
        booked = made.json()["appointment"]
        assert booked["status"] == "booked" and len(booked["code"]) == 6 and booked["code"].isdigit()
        assert booked["id_number"] == "430***********" + id_number("19900101", serial)[-4:]
    assert_error(book(hall, tuesday, "10:00", id_number("19900101", 3)), 409, "conflict", reason="slot_full")
    slots = {s["start"]: s["free"] for s in
             hall["kiosk"].get(f"/appointments/slots?matter=rst-sbk&date={tuesday}").json()["slots"]}
    assert slots["10:00"] == 0 and slots["10:30"] == 2 and slots["08:30"] == 2 and "17:30" not in slots


def test_booking_past_days_ahead_is_too_far_ahead(hall):
    # Monday: today and the next 4 working days (to Friday) are bookable; the next Monday is not.
    assert book(hall, MONDAY + dt.timedelta(days=4), "09:00", id_number("19900101", 4)).status_code == 201
    r = book(hall, MONDAY + dt.timedelta(days=7), "09:00", id_number("19900101", 5))
    assert_error(r, 409, "conflict", reason="too_far_ahead")
    assert r.json()["error"]["detail"]["last"] == (MONDAY + dt.timedelta(days=4)).isoformat()
    assert_error(book(hall, MONDAY + dt.timedelta(days=5), "09:00", id_number("19900101", 5)), 409, "conflict",
                 reason="not_a_working_day")


def test_bookings_refuse_a_bad_id_a_second_booking_that_day_and_an_unknown_booker(hall):
    bad = id_number("19900101", 6)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    assert_error(book(hall, MONDAY + dt.timedelta(days=1), "09:00", bad), 400, "invalid", reason="invalid_id_number")
    who = id_number("19900101", 7)
    assert book(hall, MONDAY + dt.timedelta(days=1), "09:00", who).status_code == 201
    assert_error(book(hall, MONDAY + dt.timedelta(days=1), "14:00", who), 409, "conflict", reason="id_limit")
    assert_error(book(hall, MONDAY + dt.timedelta(days=2), "09:00", who, by="kiosk"), 403, "forbidden",
                 reason="role_not_allowed")
    assert_error(book(hall, MONDAY + dt.timedelta(days=2), "09:15", who), 400, "invalid", reason="no_such_slot")


def test_the_platform_cancels_its_booking_and_the_place_is_free_again(hall):
    day = MONDAY + dt.timedelta(days=2)
    made = [book(hall, day, "11:00", id_number("19900101", n)).json()["appointment"] for n in (8, 9)]
    cancelled = hall["platform"].post(f"/appointments/{made[0]['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["appointment"]["status"] == "cancelled"
    assert book(hall, day, "11:00", id_number("19900101", 10)).status_code == 201
    assert_error(hall["platform"].post(f"/appointments/{made[0]['id']}/cancel"), 409, "conflict",
                 reason="appointment_cancelled")


# ------------------------------------------------------------------ check-in and the calling order
def test_check_in_too_early_says_from_when_and_on_time_is_called_after_green_before_older_walk_ins(hall):
    booked = book(hall, MONDAY, "10:00", id_number("19900101", 11)).json()["appointment"]
    early = hall["kiosk"].post("/tickets", {"appointment": booked["code"]})
    assert_error(early, 409, "conflict", reason="appointment_too_early")
    assert early.json()["error"]["detail"]["from"] == "09:30" and "09:30" in early.json()["error"]["message"]

    hall["clock"].set(local(MONDAY, "09:31"))
    walk_in = hall["kiosk"].post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]
    hall["clock"].set(local(MONDAY, "09:33"))
    green = hall["kiosk"].post("/tickets", {"matter": "rst-sbk", "priority": "green"}).json()["ticket"]
    hall["clock"].set(local(MONDAY, "09:35"))
    checked = hall["kiosk"].post("/tickets", {"appointment": booked["code"]})
    assert checked.status_code == 201, checked.text
    ticket = checked.json()["ticket"]
    assert ticket["kind"] == "appointment" and ticket["ahead"] == 1  # only the green ticket stands before it
    assert ticket["holder"]["id_number"].startswith("430***") and ticket["holder"]["name"] == "张*"
    assert walk_in["kind"] == "walk_in"
    assert call_order(hall["clerk"]) == [green["number"], ticket["number"], walk_in["number"]]
    day = hall["admin"].get("/appointments").json()
    (slot,) = [s for s in day["slots"] if s["start"] == "10:00"]
    assert slot["checked_in"] == 1 and slot["booked"] == 0
    assert_error(hall["kiosk"].post("/tickets", {"appointment": booked["code"]}), 409, "conflict",
                 reason="appointment_checked_in")


def test_check_in_by_id_card_and_too_late_is_missed(hall):
    who = id_number("19900101", 12)
    book(hall, MONDAY, "09:00", who)
    hall["clock"].set(local(MONDAY, "08:40"))
    by_card = hall["kiosk"].post("/tickets", {"id_card": {"number": who, "name": "张三"}})
    assert by_card.status_code == 201, by_card.text
    assert by_card.json()["ticket"]["kind"] == "appointment"
    assert_error(hall["kiosk"].post("/tickets", {"id_card": {"number": id_number("19900101", 13), "name": "李四"}}),
                 404, "not_found", reason="no_appointment_for_id")
    late = book(hall, MONDAY, "10:00", id_number("19900101", 14)).json()["appointment"]
    hall["clock"].set(local(MONDAY, "10:16"))
    assert_error(hall["kiosk"].post("/tickets", {"appointment": late["code"]}), 409, "conflict",
                 reason="appointment_missed")


def test_unchecked_bookings_become_missed_and_the_third_miss_bans_the_id(hall):
    who = id_number("19900101", 15)
    made = [book(hall, MONDAY + dt.timedelta(days=d), "09:00", who).json()["appointment"] for d in (1, 2, 3)]
    # Before its slot ends plus late_minutes a booking is still booked; after, it is missed (爽约).
    hall["clock"].set(local(MONDAY + dt.timedelta(days=1), "09:44"))
    assert hall["platform"].get(f"/appointments/{made[0]['id']}").json()["appointment"]["status"] == "booked"
    hall["clock"].set(local(MONDAY + dt.timedelta(days=1), "09:46"))
    assert hall["platform"].get(f"/appointments/{made[0]['id']}").json()["appointment"]["status"] == "missed"
    hall["clock"].set(local(MONDAY + dt.timedelta(days=2), "12:00"))
    assert book(hall, MONDAY + dt.timedelta(days=4), "09:00", who).status_code == 201  # two misses: not banned
    hall["clock"].set(local(MONDAY + dt.timedelta(days=3), "12:00"))
    statuses = [hall["platform"].get(f"/appointments/{a['id']}").json()["appointment"]["status"] for a in made]
    assert statuses == ["missed", "missed", "missed"]
    banned = book(hall, MONDAY + dt.timedelta(days=7), "09:00", who)
    assert_error(banned, 409, "conflict", reason="id_banned")
    assert banned.json()["error"]["detail"]["until"] == (MONDAY + dt.timedelta(days=3 + 90)).isoformat()
    assert book(hall, MONDAY + dt.timedelta(days=7), "09:00", id_number("19900101", 16)).status_code == 201


# ------------------------------------------------------------------ ID cards, caps, quotas
def test_id_cards_check_digit_daily_cap_and_elder_priority(hall):
    kiosk = hall["kiosk"]
    young, elder = id_number("19900101", 17), id_number("19500101", 18)
    bad = young[:-1] + ("0" if young[-1] != "0" else "1")
    assert_error(kiosk.post("/tickets", {"matter": "rst-sbk", "id_card": {"number": bad, "name": "王五"}}), 400,
                 "invalid", reason="invalid_id_number")
    for _ in range(3):  # the demo hall's tickets_per_id_per_day
        r = kiosk.post("/tickets", {"matter": "rst-ylzy", "id_card": {"number": young, "name": "王五"}})
        assert r.status_code == 201 and r.json()["ticket"]["priority"] == "normal"
    capped = kiosk.post("/tickets", {"matter": "rst-sbk", "id_card": {"number": young, "name": "王五"}})
    assert_error(capped, 409, "conflict", reason="id_daily_limit")
    old = kiosk.post("/tickets", {"matter": "rst-sbk", "id_card": {"number": elder, "name": "赵六"}})
    assert old.status_code == 201 and old.json()["ticket"]["priority"] == "green"


def test_daily_quota_answers_quota_reached_and_stats_say_so(tmp_path):
    h = start_hall(tmp_path, replace={"daily_quota = 30": "daily_quota = 2"})
    try:
        for _ in range(2):
            assert h["kiosk"].post("/tickets", {"matter": "sft-lszy"}).status_code == 201
        (row,) = [q for q in h["kiosk"].get("/stats").json() if q["code"] == "falv"]
        assert row["daily_quota"] == 2 and row["quota_reached"] is True
        assert_error(h["kiosk"].post("/tickets", {"matter": "sft-lszy"}), 409, "conflict", reason="quota_reached")
        (other,) = [q for q in h["kiosk"].get("/stats").json() if q["code"] == "shebao"]
        assert other["daily_quota"] is None and other["quota_reached"] is False
    finally:
        h["server"].stop()


# ------------------------------------------------------------------ 过号顺延
def test_a_requeued_no_show_lands_after_the_configured_number_of_tickets(hall):
    kiosk, clerk = hall["kiosk"], hall["clerk"]
    issued = []
    for _ in range(6):
        hall["clock"].advance(minutes=1)
        issued.append(kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]["number"])
    assert clerk.post("/windows/1/call-next").json()["ticket"]["number"] == issued[0]
    assert clerk.post("/windows/1/no-show").status_code == 200
    assert_error(kiosk.post("/tickets/requeue", {"number": issued[1]}), 409, "conflict", reason="not_a_no_show")
    back = kiosk.post("/tickets/requeue", {"number": issued[0].lower()})
    assert back.status_code == 200, back.text
    assert back.json()["ticket"]["requeued"] is True and back.json()["ticket"]["ahead"] == 3
    # requeue_after = 3: three of the waiting tickets go first, then the re-queued one.
    assert call_order(clerk) == issued[1:4] + [issued[0]] + issued[4:]
    assert clerk.post("/windows/1/no-show").status_code == 200  # the last one called
    assert_error(clerk.post("/tickets/requeue", {"number": issued[0]}), 409, "conflict", reason="not_a_no_show")


def test_a_no_show_is_requeued_once_and_only_within_requeue_minutes(hall):
    kiosk, clerk = hall["kiosk"], hall["clerk"]
    first, second = (kiosk.post("/tickets", {"matter": "rst-sbk"}).json()["ticket"]["number"] for _ in range(2))
    for number in (first, second):
        assert clerk.post("/windows/1/call-next").json()["ticket"]["number"] == number
        assert clerk.post("/windows/1/no-show").status_code == 200
    assert clerk.post("/tickets/requeue", {"number": first}).status_code == 200  # the guide desk, for the citizen
    assert clerk.post("/windows/1/call-next").json()["ticket"]["number"] == first
    assert clerk.post("/windows/1/no-show").status_code == 200
    assert_error(kiosk.post("/tickets/requeue", {"number": first}), 409, "conflict", reason="already_requeued")
    hall["clock"].advance(minutes=31)
    assert_error(kiosk.post("/tickets/requeue", {"number": second}), 409, "conflict", reason="requeue_expired")
    assert_error(kiosk.post("/tickets/requeue", {"number": "Z999"}), 404, "not_found", reason="no_such_ticket")
