"""Notices on the in-memory unit of work: queued in the command's own transaction (a refused command
queues nothing), once per dedupe key, and the worker's back-off between failed posts (base, doubling,
capped; given up after max_attempts), on a clock the test moves."""
from __future__ import annotations

import datetime as dt

import pytest

from server.domain.errors import Conflict, Reason
from server.domain.notices import retry_delay
from server.services.actors import SYSTEM, Actor
from server.services.notice_delivery import NoticeNotDelivered

pytest_plugins = ["service_hall"]  # the hall_at fixture

KIOSK = Actor("device", "kiosk-1", "kiosk")
LI = Actor("staff", "li", "clerk", ("rst",))
PHONE = "13812345678"


@pytest.fixture
def hall_and_clock(hall_at):
    return hall_at(dt.datetime(2026, 3, 2, 9, 0), notices_url="http://127.0.0.1:9/notices")


def outbox(hall) -> list:
    with hall.runner.unit_of_work() as uow:
        return sorted(uow.store.notices.values(), key=lambda n: n.id)


class Gateway:
    """Takes or refuses posts as the test says; remembers what it took."""

    def __init__(self):
        self.down = False
        self.taken: list[dict] = []
        self.tries = 0

    def __call__(self, payload: dict) -> None:
        self.tries += 1
        if self.down:
            raise NoticeNotDelivered("the gateway answered HTTP 503")
        self.taken.append(payload)


def test_a_call_queues_called_and_the_next_ones_ahead_once_each(hall_and_clock):
    hall, _clock = hall_and_clock
    hall.windows.sign_in(LI, "1")
    first = hall.tickets.take_ticket(KIOSK, "rst-sbk", phone=PHONE).body["ticket"]
    behind = [hall.tickets.take_ticket(KIOSK, "rst-sbk", phone=f"1390000000{i}").body["ticket"] for i in range(5)]
    hall.tickets.take_ticket(KIOSK, "rst-sbk")  # no phone: no notice
    assert outbox(hall) == []  # issuing tells nobody: the paper says the place

    hall.windows.call_next(LI, "1")
    notices = outbox(hall)
    called = [n for n in notices if n.event == "called"]
    assert [(n.ticket_id, n.phone, n.text) for n in called] == [
        (first["id"], PHONE, f"【湖南省政务服务中心】您的{first['number']}号已叫号，请到1号窗口办理。")]
    ahead = {n.ticket_id: n for n in notices if n.event == "ahead"}
    # [notices] ahead = 3: those with 0…3 before them now, not the fifth (4 before it).
    assert set(ahead) == {t["id"] for t in behind[:4]}
    assert ahead[behind[2]["id"]].text == f"【湖南省政务服务中心】您的{behind[2]['number']}号前面还有2人，请回到等候区。"

    hall.windows.call_next(LI, "1")
    again = outbox(hall)
    assert [n.ticket_id for n in again if n.event == "ahead"].count(behind[1]["id"]) == 1  # once per ticket
    assert {n.ticket_id for n in again if n.event == "ahead"} == {t["id"] for t in behind}


def test_queue_writes_in_the_callers_transaction_once_per_key(hall_and_clock):
    hall, _clock = hall_and_clock
    booked = {"matter": "社保卡申领", "date": "2026-03-03", "start": "09:30", "code": "K7Q2"}

    def book(refuse: bool):
        def command(uow, now):
            queued = hall.notices.queue(uow, now, "appointment_booked", PHONE, booked, key="appointment_booked:a1")
            if refuse:
                raise Conflict("The slot is full.", Reason.TICKET_NOT_WAITING)
            return {"queued": queued}
        return hall.runner.run(LI, None, command)

    with pytest.raises(Conflict):
        book(refuse=True)
    assert outbox(hall) == []  # rolled back with the command
    assert book(refuse=False).body == {"queued": True}
    assert book(refuse=False).body == {"queued": False}  # the same key is never queued twice
    [notice] = outbox(hall)
    assert notice.text == "【湖南省政务服务中心】您已预约2026-03-03 09:30办理社保卡申领，预约码K7Q2，请按时到大厅取号。"
    assert (notice.event, notice.phone, notice.ticket_id, notice.case_id) == ("appointment_booked", PHONE, None, None)


def test_back_off_doubles_from_base_up_to_the_cap_then_gives_up(hall_and_clock):
    hall, clock = hall_and_clock
    settings = hall.config.notices
    assert [retry_delay(n, 5, 600).total_seconds() for n in range(1, 10)] == [5, 10, 20, 40, 80, 160, 320, 600, 600]
    gateway = Gateway()
    delivery = type(hall.notice_delivery)(hall.config, hall.runner, gateway)
    hall.windows.sign_in(LI, "1")
    hall.tickets.take_ticket(KIOSK, "rst-sbk", phone=PHONE)
    hall.windows.call_next(LI, "1")
    gateway.down = True

    start = clock.now
    waited = []
    for attempt in range(1, settings.max_attempts + 1):
        assert delivery.deliver_due()["failed"] == 1, attempt
        notice = outbox(hall)[0]
        assert notice.attempts == attempt and "503" in notice.last_error and PHONE not in notice.last_error
        if attempt == settings.max_attempts:
            assert notice.failed_at is not None
            break
        delay = notice.due_at - clock()
        waited.append(delay.total_seconds())
        clock.set((clock.now + delay - dt.timedelta(seconds=1)).replace(tzinfo=None))
        assert delivery.deliver_due()["claimed"] == 0  # not due yet, a second early
        clock.set((clock.now + dt.timedelta(seconds=1)).replace(tzinfo=None))
    assert waited == [min(600, 5 * 2 ** (n - 1)) for n in range(1, settings.max_attempts)]
    gateway.down = False
    clock.set((clock.now + dt.timedelta(days=1)).replace(tzinfo=None))
    assert delivery.deliver_due()["claimed"] == 0 and gateway.taken == []  # given up stays given up
    assert clock.now > start


def test_a_round_stops_at_the_first_failure_and_a_sent_notice_is_not_sent_again(hall_and_clock):
    hall, clock = hall_and_clock
    gateway = Gateway()
    delivery = type(hall.notice_delivery)(hall.config, hall.runner, gateway)
    hall.windows.sign_in(LI, "1")
    for i in range(4):
        hall.tickets.take_ticket(KIOSK, "rst-sbk", phone=f"1380000000{i}")
    hall.windows.call_next(LI, "1")  # called for the first, ahead for the other three
    gateway.down = True
    assert delivery.deliver_due() == {"sent": 0, "failed": 1, "claimed": 4}
    assert [n.attempts for n in outbox(hall)] == [1, 0, 0, 0]  # the others were not charged
    gateway.down = False
    assert delivery.deliver_due() == {"sent": 3, "failed": 0, "claimed": 3}
    clock.set((clock.now + dt.timedelta(seconds=5)).replace(tzinfo=None))
    assert delivery.deliver_due() == {"sent": 1, "failed": 0, "claimed": 1}
    assert delivery.deliver_due()["claimed"] == 0
    assert sorted(p["id"] for p in gateway.taken) == ["1", "2", "3", "4"]
    assert set(gateway.taken[0]) == {"id", "phone", "event", "text", "ticket"}


def test_a_booking_is_confirmed_and_reminded_once_before_its_slot(hall_and_clock):
    hall, clock = hall_and_clock  # Monday 2026-03-02 09:00; [notices] reminder_minutes = 120
    platform = Actor("device", "province", "platform")
    booked = hall.appointments.book(platform, "rst-sbk", "2026-03-03", "10:00", "11010519491231002X", "张三",
                                    PHONE).body["appointment"]
    without_phone = hall.appointments.book(platform, "rst-sbk", "2026-03-03", "10:30", "440524188001010014",
                                           "李四", None).body["appointment"]
    [confirmed] = outbox(hall)
    assert (confirmed.event, confirmed.phone) == ("appointment_booked", PHONE)
    assert confirmed.text == f"【湖南省政务服务中心】您已预约3月3日 10:00办理社会保障卡申领，预约码{booked['code']}，请按时到大厅取号。"
    assert hall.appointments.sweep(SYSTEM) == {"missed": 0, "reminded": 0}  # a day ahead: not yet
    clock.set(dt.datetime(2026, 3, 3, 8, 1))  # 119 minutes before the slot
    assert hall.appointments.sweep(SYSTEM) == {"missed": 0, "reminded": 1}
    assert hall.appointments.sweep(SYSTEM) == {"missed": 0, "reminded": 0}  # once
    reminders = [n for n in outbox(hall) if n.event == "appointment_reminder"]
    assert [(n.phone, n.text) for n in reminders] == [
        (PHONE, f"【湖南省政务服务中心】提醒：您预约的社会保障卡申领在3月3日 10:00，预约码{booked['code']}。")]
    assert without_phone["status"] == "booked"
