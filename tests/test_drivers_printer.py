"""The ticket printer's driver over a real link, in-process: a TCP listener stands in for a network printer
(ESC/POS, DLE EOT status). Owed jobs print oldest first, once; an unreachable, paper-out or slow printer
keeps its jobs and says so; a glyph outside GBK prints as an image."""
from __future__ import annotations

import time

from device_doubles import TICKET, FakeHall, PrinterListener, printer_device, ticket
from drivers.escpos_ticket import decode
from drivers.printer import LOOK_S
from harness import free_port, wait_for
from server.domain.events import TicketIssued
from server.services.bus import Audience
from server.services.printing import PrintJob


def _issued(by="kiosk-1") -> TicketIssued:
    return TicketIssued(ticket=ticket(queue="shebao", window=None), issued_by=by, ahead=4, eta_minutes=18)


def test_printer_job_over_tcp_has_chinese_in_chinese_mode_a_native_qr_and_a_cut(router_for):
    printer = PrinterListener()
    job = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)
    router, hall = router_for(printer_device(printer.port), hall=FakeHall([job]))
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: b"\x1dV\x00" in printer.data, 10), printer.data
    data = printer.data
    url = b"http://127.0.0.1:5000/t/tkt-abc"
    assert b"\x1c\x26" + "湖南省政务服务中心".encode("gb18030") + b"\n\x1c\x2e" in data
    assert b"\x1c\x26" + "前面还有 4 人，预计等候约 12–26 分钟".encode("gb18030") in data
    assert b"\x1d\x28\x6b" + (len(url) + 3).to_bytes(2, "little") + b"\x31\x50\x30" + url in data
    assert b"\x1d\x28\x6b\x03\x00\x31\x51\x30" in data  # print the stored symbol
    assert data.endswith(b"\x1b\x64\x06\x1d\x56\x00")  # feed, full cut: the last bytes of the job
    job_bytes = decode(data)
    assert "A023" in job_bytes.lines and job_bytes.qr == [url.decode()] and job_bytes.cuts == 1
    assert "请到1楼 1-12、19-20号窗口附近等候叫号" in job_bytes.lines, job_bytes.lines  # the windows serving queue A
    assert "湖南省政务服务中心（补打）" not in job_bytes.lines
    assert wait_for(lambda: hall.printed_jobs == [job] and hall.owed == [], 5)
    assert ("p1", "online", "ready") in hall.health
    printer.close()


def test_printer_looks_for_owed_jobs_without_a_wake_and_prints_them_oldest_first(router_for):
    printer = PrinterListener()
    router, hall = router_for(printer_device(printer.port))
    router.handle(_issued(by="kiosk-9"), Audience.DEVICES)  # another kiosk's ticket: nothing owed here
    first = PrintJob(id=7, printer="p1", reprint=False, ticket=TICKET)
    again = PrintJob(id=8, printer="p1", reprint=True, ticket=TICKET | {"id": "tkt-def", "number": "A024"})
    elsewhere = PrintJob(id=9, printer="p2", reprint=False, ticket=TICKET)
    with hall.lock:
        hall.owed += [first, again, elsewhere]  # e.g. queued by another server process: no event here
    assert wait_for(lambda: printer.data.count(b"\x1dV\x00") == 2, 15), printer.data
    jobs = [decode(part) for part in printer.data.split(b"\x1dV\x00")[:2]]
    assert "A023" in jobs[0].lines and "湖南省政务服务中心" in jobs[0].lines
    assert "A024" in jobs[1].lines and "湖南省政务服务中心（补打）" in jobs[1].lines  # the reprint mark
    assert jobs[1].qr == ["http://127.0.0.1:5000/t/tkt-def"]
    assert wait_for(lambda: hall.printed_jobs == [first, again], 5) and hall.owed == [elsewhere]
    printer.close()


def test_a_job_that_cannot_be_composed_stays_owed_and_one_not_recorded_is_not_printed_twice(router_for):
    printer = PrinterListener()
    broken = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET | {"queue": "gone"})
    good = PrintJob(id=2, printer="p1", reprint=False, ticket=TICKET)
    hall = FakeHall([broken, good])
    record, refusals = hall.printed, [RuntimeError("database away")]

    def printed_once_the_database_is_back(job):
        if refusals:
            raise refusals.pop()
        record(job)
    hall.printed = printed_once_the_database_is_back
    router, hall = router_for(printer_device(printer.port), hall=hall)
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: hall.printed_jobs == [good], 15), hall.health
    time.sleep(LOOK_S + 0.5)  # another look: the broken job is still owed, the good one not printed again
    assert printer.data.count(b"\x1dV\x00") == 1 and hall.owed == [broken]
    assert any(state == "error" and "A023" in detail for _, state, detail in hall.health)
    printer.close()


def test_unreachable_printer_reports_offline_once_and_prints_once_it_comes_back(router_for):
    port = free_port()
    job = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)
    router, hall = router_for(printer_device(port), hall=FakeHall([job]))
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: "offline" in hall.states("p1"), 10), hall.health
    time.sleep(2)  # several retries
    assert hall.states("p1") == ["offline"], "a failure is reported when it changes, not at each retry"
    assert hall.owed == [job] and hall.printed_jobs == []
    printer = PrinterListener(port)  # the printer comes back: the owed ticket prints, nothing was lost
    assert wait_for(lambda: b"\x1dV" in printer.data, 15)
    assert wait_for(lambda: hall.printed_jobs == [job], 5) and hall.owed == []
    assert hall.states("p1")[:2] == ["offline", "online"]
    printer.close()


def test_printer_that_answers_paper_out_keeps_the_job_and_reports_it(router_for):
    printer = PrinterListener(paper_out=True)
    job = PrintJob(id=1, printer="p1", reprint=False, ticket=TICKET)
    router, hall = router_for(printer_device(printer.port), hall=FakeHall([job]))
    router.handle(_issued(), Audience.DEVICES)
    assert wait_for(lambda: "paper_out" in hall.states("p1"), 10), hall.health
    assert b"\x10\x04\x01" in printer.data and b"\x1dV" not in printer.data
    assert hall.owed == [job] and hall.printed_jobs == []
    printer.close()


def test_an_idle_printer_whose_first_status_came_late_is_asked_again_at_the_next_look(router_for):
    printer = PrinterListener(paper_out=True, late_answers=1)
    router, hall = router_for(printer_device(printer.port))  # nothing to print: only the probe finds it
    assert wait_for(lambda: "paper_out" in hall.states("p1"), 12), hall.health  # not after PROBE_S
    assert printer.data.count(b"\x10\x04") >= 2
    printer.close()


def test_a_character_outside_gbk_is_printed_as_an_image_not_as_a_question_mark():
    from drivers.escpos_ticket import TicketPrint, compose
    rare = "𠀀"  # CJK Extension B: a four-byte GB18030 code most printer fonts lack
    assert len(rare.encode("gb18030")) == 4
    data = compose(TicketPrint("大厅", "A001", f"{rare}名字变更", "一楼", "个人", "请到1号窗口", 0, "即将叫号", "09:00", "http://h/t/x"))
    assert rare.encode("gb18030") not in data and b"?" not in data
    assert b"\x1d\x76\x30" in data  # GS v 0: the line went out as a raster image
    assert "名字变更".encode("gb18030") not in data  # the whole line, so the glyphs match in size
