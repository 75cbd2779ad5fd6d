"""`hallq devices simulate` + a server using the config it writes: the demo's hardware-free hall."""
from __future__ import annotations

import json
import subprocess
import threading

import pytest
from conftest import make_hall
from harness import HALLQ, ROOT, connect_socket, wait_for

# Run after the parallel part of `make test`, alone (docs/decisions.md §30): the simulated devices answer within timed waits that a loaded machine overruns.
pytestmark = pytest.mark.serial


def test_simulated_devices_print_the_ticket_light_the_strip_take_pager_keys_and_read_a_card(tmp_path):
    config = tmp_path / "hall.toml"
    sim = subprocess.Popen([*HALLQ, "devices", "simulate", "--dir", str(tmp_path / "sim"), "--write-config", str(config)],
                           cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out: list[str] = []
    threading.Thread(target=lambda: out.extend(iter(sim.stdout.readline, "")), daemon=True).start()
    try:
        assert wait_for(lambda: any(line.startswith("# wrote") for line in out), 20), out
        hall = make_hall(tmp_path, config=str(config))
        try:
            ticket = hall.kiosk.post("/tickets", {"matter": "rst-sbk", "phone": "13812345678"}).json()["ticket"]
            assert wait_for(lambda: list((tmp_path / "sim" / "tickets").glob("*.png")), 15), out
            text = next((tmp_path / "sim" / "tickets").glob("*.txt")).read_text(encoding="utf-8")
            assert ticket["number"] in text and "[QR] http://127.0.0.1:5000/t/" + ticket["id"] in text
            hall.clerk_at("1")
            sim.stdin.write("call\n")
            sim.stdin.flush()
            digits = ticket["number"][-3:]
            assert wait_for(lambda: any(f"serving {digits}" in line for line in out), 15), out
            assert wait_for(lambda: any(f"请{ticket['number']}号" in line and "LED window 1" in line for line in out), 15)
            assert wait_for(lambda: any(f"LED floor 1: 请{ticket['number']}号到1号窗口办理" in line for line in out), 15)
            assert wait_for(lambda: list((tmp_path / "sim" / "audio").glob("*.wav")), 30), out

            # The simulated ID reader is attached to kiosk-1: a card placed reaches its page's socket.
            kiosk, heard = connect_socket(hall.server.url, "/kiosk", {"token": hall.kiosk.token})
            assert wait_for(lambda: any(n == "kiosk" and d["reader"] is True for n, d in heard), 10)
            sim.stdin.write("card 430104195001011234 张三\n")
            sim.stdin.flush()
            assert wait_for(lambda: any(name == "id_card" for name, _ in heard), 10), out
            assert [d for n, d in heard if n == "id_card"] == [
                {"number": "430104195001011234", "name": "张三", "birth": "1950-01-01", "sex": "男"}]
            assert any("id reader: card 430***********1234 张三 placed" in line for line in out)
            kiosk.disconnect()
            # The gateway stand-in got the `called` notice: printed masked, logged as received.
            assert wait_for(lambda: any(line.startswith("gateway: called → 138****5678: ") for line in out), 15), out
            logged = [json.loads(line) for line in (tmp_path / "sim" / "notices.jsonl").read_text().splitlines()]
            assert [(n["event"], n["ticket"], n["phone"]) for n in logged] == [("called", ticket["id"], "13812345678")]
        finally:
            hall.server.stop()
    finally:
        sim.terminate()
        sim.wait(10)
