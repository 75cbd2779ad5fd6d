"""Devices with several server processes (PostgreSQL + Redis): one process drives the printer, whichever
process issued the ticket; and the print queue is in the database, so a ticket owed by a printer that
was down before a restart prints after it."""
from __future__ import annotations

import time

import pytest

from conftest import make_hall
from harness import Client, Server, demo_config, free_port, wait_for
from test_drivers import PrinterListener

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


def test_a_ticket_owed_by_a_dead_printer_before_a_restart_prints_after_it(pg_url, message_queue, tmp_path):
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
        time.sleep(1)
        assert printer.data == b"", "nothing prints while no server runs"
        hall.server.start()
        other.start()
        assert wait_for(lambda: b"\x1dV\x00" in printer.data, 30), "the owed ticket did not print after the restart"
        time.sleep(4)
        assert printed_numbers(printer, [ticket["number"]]) == {ticket["number"]: 1}
        assert wait_for(lambda: hall.admin.get("/devices").json()["unprinted"] == [], 10)
        history = [e["kind"] for e in hall.admin.get(f"/tickets/{ticket['id']}/history").json()["events"]]
        assert history == ["issued", "printed"]
    finally:
        other.stop()
        hall.server.stop()
        if printer:
            printer.close()
