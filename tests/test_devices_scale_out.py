"""Devices with several server processes (PostgreSQL + Redis): one process drives the printer, whichever
process issued the ticket; and the print queue is in the database, so a slip lost to a printer that was
down before a restart stays unprinted after it (never printed by itself) and a reprint queued on either
process prints on the owner."""
from __future__ import annotations

import time

import pytest

from conftest import make_hall
from device_doubles import PrinterListener
from harness import Client, Server, demo_config, free_port, wait_for

pytestmark = pytest.mark.slow
PRINTER = "kiosk-1-printer"


def printer_config(folder, port: int) -> str:
    return demo_config(folder, f"""
[[devices]]
name = "{PRINTER}"
kind = "printer"
url = "tcp://127.0.0.1:{port}"
protocol = "escpos"
attach = "kiosk:kiosk-1"
""")


def printed_numbers(printer: PrinterListener, numbers: list[str]) -> dict[str, int]:
    """How many times each number went out on paper (each job ends with a cut)."""
    return {n: printer.data.count(n.encode()) for n in numbers}


def test_a_ticket_prints_exactly_once_whichever_of_two_processes_issued_it(pg_url, message_queue, tmp_path):
    mq, channel = message_queue
    printer = PrinterListener()
    config = printer_config(tmp_path, printer.port)
    hall = make_hall(tmp_path, db=pg_url, config=config, message_queue=mq, channel=channel)
    other = Server(pg_url, tmp_path, config=config, message_queue=mq, channel=channel).start()
    try:
        kiosks = [hall.kiosk, Client(other, hall.kiosk.token)]
        issued = [kiosks[i % 2].post("/tickets", {"matter": "gat-sfz"}).json()["ticket"]["number"] for i in range(10)]
        assert wait_for(lambda: printer.data.count(b"\x1dV\x00") >= 10, 30), printer.data[-200:]
        time.sleep(4)  # longer than a printer's look for owed jobs: a second printing would show by now
        assert printer.data.count(b"\x1dV\x00") == 10
        assert printed_numbers(printer, issued) == {n: 1 for n in issued}
        assert hall.admin.get("/devices").json()["unprinted"] == []
    finally:
        other.stop()
        hall.server.stop()
        printer.close()


def test_a_slip_lost_to_a_dead_printer_stays_unprinted_across_a_restart_and_a_reprint_from_either_process_prints_it(
        pg_url, message_queue, tmp_path):
    mq, channel = message_queue
    port = free_port()  # nothing listens: the printer is down
    config = printer_config(tmp_path, port)
    hall = make_hall(tmp_path, db=pg_url, config=config, message_queue=mq, channel=channel)
    other = Server(pg_url, tmp_path, config=config, message_queue=mq, channel=channel).start()
    printer = None
    try:
        ticket = Client(other, hall.kiosk.token).post("/tickets", {"matter": "gat-sfz"}).json()["ticket"]
        assert wait_for(lambda: ticket["number"] in hall.admin.get("/devices").json()["unprinted"], 15)
        hall.server.stop()
        other.stop()
        printer = PrinterListener(port)  # the printer is mended while the hall is down
        hall.server.start()
        other.start()
        state = lambda: {d["name"]: d["state"] for d in hall.admin.get("/devices").json()["devices"]}[PRINTER]
        assert wait_for(lambda: state() == "online", 30), "the owner did not find the mended printer"
        # The slip its citizen was told did not print never comes out by itself (docs/hardware.md).
        assert b"\x1dV\x00" not in printer.data and ticket["number"] in hall.admin.get("/devices").json()["unprinted"]
        r = Client(other, hall.admin.token).post(f"/tickets/{ticket['id']}/reprint")  # 补打, on the other process
        assert r.status_code == 202, r.text
        assert wait_for(lambda: b"\x1dV\x00" in printer.data, 30), "the reprint did not print on the owner"
        time.sleep(4)  # longer than a printer's look for owed jobs: a second printing would show by now
        assert printed_numbers(printer, [ticket["number"]]) == {ticket["number"]: 1}
        assert wait_for(lambda: hall.admin.get("/devices").json()["unprinted"] == [], 10)
        history = [e["kind"] for e in hall.admin.get(f"/tickets/{ticket['id']}/history").json()["events"]]
        assert history == ["issued", "print_dropped", "printed"]
    finally:
        other.stop()
        hall.server.stop()
        if printer:
            printer.close()
