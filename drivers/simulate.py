"""`hallq devices simulate`: stand-ins for a hall's hardware, so the demo runs without any.

- a network printer (TCP, like port 9100 of a real one): answers DLE EOT status, decodes every job to
  text and a PNG preview in DIR/tickets/;
- LED screens on pty pairs: a window strip speaking BX-5 and a floor board speaking plain text; what
  they would show is printed;
- an RS485 bus on a pty pair with a pager and an evaluator at window W: type `call`, `recall`,
  `finish`, `noshow`, `pause`, `transfer` or `rate 1`…`rate 5` on standard input to press their keys;
  what the host sends back (echoes, the pager's display) is printed;
- a 二代身份证 reader on a pty pair, attached to the kiosk, answering SAM frames (drivers/sam.py, the
  same module the driver reads them with): `card 430104195001011234 张三` places a card (birth and
  sex from the number), `remove` takes it away.
- the hall's SMS/WeChat gateway (drivers/notice_gateway.py): every notice the hall posts is a JSON
  line in DIR/notices.jsonl, and printed with its phone masked.

It prints the [[devices]] entries to append to a hall config and the `[notices] url` to use, and with
--write-config writes a copy of the hall config with them (the url replacing the copy's own).
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import threading
import time
from pathlib import Path

from . import bx5, ft12, sam
from .escpos_ticket import decode, status_answer
from .id_card import CardError, IdCard, card_of_number, compose_text, masked
from .notice_gateway import GatewayStandIn

GATEWAY_PORT = 5099  # the bundled demo hall's [notices] url

PAGER_KEYS = {"call": [ft12.CALL], "recall": [ft12.RECALL], "finish": [ft12.CONFIRM], "noshow": [6, ft12.CONFIRM],
              "pause": [ft12.PAUSE], "transfer": [ft12.TRANSFER]}


def say(text: str) -> None:
    print(text, flush=True)


class PrinterSimulator:
    def __init__(self, folder: Path, port: int = 0, paper_out: bool = False):
        self.folder = folder / "tickets"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.paper_out = paper_out
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.jobs = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self._job, args=(conn,), daemon=True).start()

    def _job(self, conn: socket.socket) -> None:
        data = b""
        with conn:
            while chunk := conn.recv(65536):
                data += chunk
                if b"\x10\x04" in chunk:
                    conn.sendall(status_answer(paper_out=self.paper_out))
        job = decode(data)
        if not job.lines and not job.images:
            return  # a status probe
        self.jobs += 1
        stem = self.folder / f"{time.strftime('%H%M%S')}-{self.jobs:04d}"
        stem.with_suffix(".txt").write_text(job.text + "".join(f"\n[QR] {q}" for q in job.qr)
                                            + f"\n[cut ×{job.cuts}]\n", encoding="utf-8")
        stem.with_suffix(".png").write_bytes(job.png())
        say(f"printer: printed {' / '.join(job.lines[:2])} → {stem}.png")


class PtyDevice:
    """The far end of a serial line: the server opens `path`, this side reads and writes the master."""

    def __init__(self, name: str):
        self.name = name
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        self._slave = slave  # kept open so the pty stays usable between server restarts

    def reader(self, handle) -> None:
        def loop():
            buffer = b""
            while True:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    return
                buffer = handle(buffer + chunk)
        threading.Thread(target=loop, daemon=True).start()


def _led_bx5(device: PtyDevice):
    def handle(buffer: bytes) -> bytes:
        frames, rest = bx5.split_frames(buffer)
        for raw in frames:
            try:
                screen, data = bx5.parse(raw)
                say(f"{device.name} (BX-5 screen {screen}): {bx5.text_of(data) or '(blank)'}")
            except (bx5.FrameError, UnicodeDecodeError) as exc:
                say(f"{device.name}: bad frame ({exc})")
        return rest
    return handle


def _led_text(device: PtyDevice):
    def handle(buffer: bytes) -> bytes:
        *lines, rest = buffer.split(b"\r\n")
        for line in lines:
            say(f"{device.name}: {line.decode('gb18030', errors='replace') or '(blank)'}")
        return rest
    return handle


def _bus(device: PtyDevice, pager: int, evaluator: int):
    def handle(buffer: bytes) -> bytes:
        frames, rest = ft12.split_frames(buffer)
        for raw in frames:
            address, function, data = ft12.parse(raw)
            if function == ft12.SHOW:
                show = "".join(" " if d == ft12.BLANK else str(d) for d in data)
                say(f"pager {address}: waiting {show[:3].strip() or '0'}, serving {show[3:].strip() or '—'}")
            elif function == ft12.BEEP:
                say(f"pager {address}: beep (the key was refused)")
        return rest
    return handle


class IdReaderSimulator:
    """A SAM reader: find card answers 9F while a card is placed (80 otherwise), select 90, read base
    message 90 with the card's text block and a blank photo."""

    PHOTO_BYTES = 1024

    def __init__(self, device: PtyDevice):
        self.device = device
        self.card: IdCard | None = None
        device.reader(self.handle)

    def place(self, number: str, name: str) -> None:
        self.card = card_of_number(number, name, address="湖南省长沙市芙蓉区五一大道1号", issuer="长沙市公安局芙蓉分局",
                                   valid_from="20200101", valid_to="20400101")
        say(f"id reader: card {masked(number)} {name} placed")

    def remove(self) -> None:
        self.card = None
        say("id reader: card removed")

    def handle(self, buffer: bytes) -> bytes:
        frames, rest = sam.split_frames(buffer)
        for raw in frames:
            try:
                command, _ = sam.parse_request(raw)
            except sam.FrameError as exc:
                say(f"id reader: bad frame ({exc})")
                continue
            os.write(self.device.master, self.answer(command, self.card))
        return rest

    def answer(self, command: tuple[int, int], card: IdCard | None) -> bytes:
        if command == sam.FIND_CARD:
            return sam.answer(sam.CARD_FOUND if card else sam.NO_CARD, bytes(4) if card else b"")
        if card is None:
            return sam.answer(sam.NO_CARD)
        if command == sam.SELECT_CARD:
            return sam.answer(sam.OK, bytes(8))
        if command == sam.READ_BASE_MESSAGE:
            text = compose_text(card)
            return sam.answer(sam.OK, len(text).to_bytes(2, "big") + self.PHOTO_BYTES.to_bytes(2, "big") + text
                              + bytes(self.PHOTO_BYTES))
        return sam.answer(0x91)  # a command this reader does not know
def _gateway(log_file: Path, port: int) -> GatewayStandIn:
    try:
        return GatewayStandIn(log_file, port, say).start()
    except OSError:  # the port is taken (another demo?): any free one; the url printed says which
        return GatewayStandIn(log_file, 0, say).start()


def with_gateway(config_text: str, url: str) -> str:
    """The hall config with its [notices] url set to `url` (the section added if it has none)."""
    section = re.search(r"(?m)^\[notices\][^\n]*\n(?:(?!^\[)[^\n]*\n?)*", config_text)
    line = f'url = "{url}"'
    if section is None:
        return config_text.rstrip("\n") + f"\n\n[notices]\n{line}\n"
    body = section.group(0)
    has_url = re.search(r"(?m)^url\s*=.*$", body)
    body = body[:has_url.start()] + line + body[has_url.end():] if has_url else body.replace("\n", f"\n{line}\n", 1)
    return config_text[:section.start()] + body + config_text[section.end():]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hallq devices simulate")
    parser.add_argument("--dir", default="var/simulated", help="where printed tickets and call audio go")
    parser.add_argument("--printer-port", type=int, default=0, help="TCP port of the printer (default: any free)")
    parser.add_argument("--kiosk", default="kiosk-1", help="the kiosk the printer is attached to")
    parser.add_argument("--window", type=int, default=1, help="the window of the LED strip, pager and evaluator")
    parser.add_argument("--floor", type=int, default=1, help="the floor of the LED board and the speaker")
    parser.add_argument("--gateway-port", type=int, default=GATEWAY_PORT,
                        help=f"port of the notices' gateway (default {GATEWAY_PORT}, the demo hall's; any free one if taken)")
    parser.add_argument("--config", default=None, help="hall config to copy with --write-config (default: the demo hall)")
    parser.add_argument("--write-config", default=None, help="write a copy of the hall config with the devices appended")
    args = parser.parse_args(argv)
    folder = Path(args.dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)

    printer = PrinterSimulator(folder, args.printer_port)
    gateway = _gateway(folder / "notices.jsonl", args.gateway_port)
    strip, board, bus = PtyDevice(f"LED window {args.window}"), PtyDevice(f"LED floor {args.floor}"), PtyDevice("RS485 bus")
    strip.reader(_led_bx5(strip))
    board.reader(_led_text(board))
    bus.reader(_bus(bus, 1, 2))
    id_reader = IdReaderSimulator(PtyDevice("ID reader"))
    devices = [
        ("sim-printer", "printer", f"tcp://127.0.0.1:{printer.port}", "escpos", f"kiosk:{args.kiosk}", None),
        ("sim-speaker", "speaker", f"file:{folder / 'audio'}", "tts", f"floor:{args.floor}", None),
        ("sim-led-window", "led", strip.path, "bx5", f"window:{args.window}", 1),
        ("sim-led-floor", "led", board.path, "text", f"floor:{args.floor}", None),
        ("sim-pager", "pager", bus.path, "ft12", f"window:{args.window}", 1),
        ("sim-evaluator", "evaluator", bus.path, "ft12", f"window:{args.window}", 2),
        ("sim-id-reader", "id_reader", id_reader.device.path, "sam", f"kiosk:{args.kiosk}", None),
    ]
    # The speaker says calls with a voice pack (docs/hardware.md "Voice packs"): the synthetic default
    # one until the hall records its own and adds voice_pack = "DIR".
    extra_keys = {"sim-speaker": 'voice = "pack"\n'}
    toml = "".join(
        f'\n[[devices]]\nname = "{n}"\nkind = "{k}"\nurl = "{u}"\nprotocol = "{p}"\nattach = "{a}"\n'
        + (f"address = {addr}\n" if addr is not None else "") + extra_keys.get(n, "") for n, k, u, p, a, addr in devices)
    say("# hallq simulated devices: append these to a copy of the hall config")
    say(toml)
    say(f'# and the gateway stand-in of the notices:\n[notices]\nurl = "{gateway.url}"\n')
    if args.write_config:
        from server.config import BUNDLED_DEMO_HALL
        base = Path(args.config) if args.config else BUNDLED_DEMO_HALL
        text = with_gateway(base.read_text(encoding="utf-8"), gateway.url)
        Path(args.write_config).write_text(text + "\n# simulated devices\n" + toml, encoding="utf-8")
        say(f"# wrote {args.write_config}")
    say(f"# printed tickets: {folder / 'tickets'}   call audio: {folder / 'audio'}")
    say("# pager keys on stdin: call, recall, finish, noshow, pause, transfer; evaluator: rate 1 … rate 5;")
    say("# ID reader: card 430104195001011234 张三 (places a card), remove")
    say(f"# printed tickets: {folder / 'tickets'}   call audio: {folder / 'audio'}   notices: {gateway.log_file}")
    say("# pager keys on stdin: call, recall, finish, noshow, pause, transfer; evaluator: rate 1 … rate 5")
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "rate" and len(words) == 2 and words[1] in "12345":
                os.write(bus.master, ft12.frame(2, ft12.RATING, bytes((int(words[1]),))))
            elif words[0] == "card" and len(words) == 3:
                try:
                    id_reader.place(words[1], words[2])
                except CardError as exc:
                    say(f"not a card: {exc}")
            elif words[0] == "remove":
                id_reader.remove()
            elif words[0] in PAGER_KEYS:
                for key in PAGER_KEYS[words[0]]:
                    os.write(bus.master, ft12.frame(1, ft12.KEY, bytes((key,))))
            else:
                say(f"unknown key {words[0]!r}")
        while True:  # stdin closed (run in the background): keep serving
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
