"""ESC/POS tickets: compose the bytes of one ticket, read a printer's status, and decode a job back.

Composition uses python-escpos (`Dummy` collects the bytes) for alignment, native QR (`GS ( k`),
raster images and the cut. Chinese lines are sent by us as GB18030 inside `FS &` … `FS .`, because
python-escpos does not switch a printer into Chinese mode (research/platform.md §3). A line with a
character outside the two-byte GBK area (a rare name character, 生僻字) is printed as a raster image,
since many printers only have GB2312/GBK fonts (research/field-features-hardware.md §2b).
python-escpos and Pillow (~10 MB with the qrcode, barcode and YAML modules they import) load where they
are used: a server with printers loads them when its printers are built (`load_imaging`), one without
never does (docs/performance.md "Memory at start-up").
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

FS_CHINESE_ON, FS_CHINESE_OFF = b"\x1c\x26", b"\x1c\x2e"
STATUS_QUERY = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"  # DLE EOT 1 (printer), 2 (offline cause), 4 (paper)
FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
GREEN_MARK = "★ 绿色通道 ★"
PAPER_DOTS = 512  # 80 mm paper at 203 dpi prints 576 dots; 512 keeps a margin and is a multiple of 8


@dataclass(frozen=True)
class TicketPrint:
    hall: str
    number: str
    matter: str
    floor: str
    zone: str
    direction: str
    ahead: int
    wait: str        # the predicted wait, worded (server/domain/wording.py: wait_text)
    issued_at: str   # local time, already formatted
    url: str         # tracking page, the QR payload
    reprint: bool = False
    queue: str = ""  # the queue's name (a matter's queue may serve several matters)
    green: bool = False  # a green-channel ticket (绿色通道): marked under the number
    tips: tuple[str, ...] = ()  # 温馨提示 ([printing] tips)

    def lines(self) -> list[str]:
        queue = [f"业务队列：{self.queue}"] if self.queue and self.queue != self.matter else []
        return [self.matter, *queue, f"{self.floor}（{self.zone}）", self.direction,
                f"前面还有 {self.ahead} 人，{self.wait}", f"取号时间 {self.issued_at}"]

    def tip_lines(self) -> list[str]:
        return ["温馨提示：" + self.tips[0], *self.tips[1:]] if self.tips else []


def load_imaging() -> None:
    """Import what composing and decoding use now, at start, rather than at the first ticket."""
    import escpos.printer  # noqa: F401
    import PIL.ImageDraw  # noqa: F401
    import PIL.ImageFont  # noqa: F401


def _font(size: int):
    from PIL import ImageFont
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def printable_as_text(text: str) -> bool:
    """True when every character has a one- or two-byte GB18030 (= GBK) code the printer's font has."""
    try:
        return all(len(ch.encode("gb18030")) <= 2 for ch in text)
    except UnicodeEncodeError:
        return False


def text_image(text: str, size: int = 28) -> Image.Image:
    from PIL import Image, ImageDraw
    font = _font(size)
    width = min(PAPER_DOTS, int(font.getlength(text)) + 8)
    img = Image.new("1", (max(width, 8), size + 8), 1)
    ImageDraw.Draw(img).text((4, 2), text, font=font, fill=0)
    return img


def compose(ticket: TicketPrint) -> bytes:
    # The profile only sets the paper width (512 dots) for images; the bytes are otherwise the same.
    from escpos.printer import Dummy
    p = Dummy(profile="TM-T88V")
    p.hw("INIT")
    p.set(align="center")

    def line(text: str) -> None:
        if printable_as_text(text):
            if text.isascii():
                p._raw(text.encode("ascii") + b"\n")
            else:
                p._raw(FS_CHINESE_ON + text.encode("gb18030") + b"\n" + FS_CHINESE_OFF)
        else:
            p.image(text_image(text), center=False)

    line(ticket.hall + ("（补打）" if ticket.reprint else ""))
    p._raw(b"\x1d\x21\x33")  # GS ! : 4× width and height (also scales Chinese glyphs)
    p._raw(ticket.number.encode("ascii") + b"\n")
    p._raw(b"\x1d\x21\x00")
    if ticket.green:  # bold and double height, so the window and the guide see it at a glance
        p._raw(b"\x1b\x45\x01\x1d\x21\x01")
        line(GREEN_MARK)
        p._raw(b"\x1b\x45\x00\x1d\x21\x00")
    for text in ticket.lines():
        line(text)
    if ticket.tips:
        p.set(align="left")
        for text in ticket.tip_lines():
            line(text)
        p.set(align="center")
    p.qr(ticket.url, native=True, size=6)
    line("扫码查看排队进度")
    p.cut()
    return p.output


@dataclass
class PrinterStatus:
    answered: bool
    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_low: bool = False
    error: bool = False

    @property
    def state(self) -> str:
        if not self.answered:
            return "online"  # a link that does not answer DLE EOT (a spool file, some USB bridges)
        if self.paper_out:
            return "paper_out"
        if self.cover_open or self.error or self.offline:
            return "error"
        return "paper_low" if self.paper_low else "online"

    @property
    def detail(self) -> str:
        parts = [name for name, on in (("offline", self.offline), ("cover open", self.cover_open),
                                       ("paper out", self.paper_out), ("paper low", self.paper_low),
                                       ("printer error", self.error)) if on]
        return ", ".join(parts) or ("ready" if self.answered else "no status reported by this link")


def parse_status(answer: bytes) -> PrinterStatus:
    """The three DLE EOT answers (n = 1, 2, 4) in order; fewer bytes → what they say."""
    if not answer:
        return PrinterStatus(answered=False)
    s = PrinterStatus(answered=True)
    s.offline = bool(answer[0] & 0x08)
    if len(answer) > 1:
        s.cover_open, s.error = bool(answer[1] & 0x04), bool(answer[1] & 0x40)
        s.paper_out = bool(answer[1] & 0x20)
    if len(answer) > 2:
        s.paper_low = bool(answer[2] & 0x0C)
        s.paper_out = s.paper_out or bool(answer[2] & 0x60)
    return s


def status_answer(paper_out: bool = False, paper_low: bool = False, cover_open: bool = False) -> bytes:
    """What a printer answers to STATUS_QUERY (used by the simulator)."""
    printer = 0x12 | (0x08 if (paper_out or cover_open) else 0)
    offline = 0x12 | (0x04 if cover_open else 0) | (0x20 if paper_out else 0)
    paper = 0x12 | (0x0C if paper_low else 0) | (0x60 if paper_out else 0)
    return bytes((printer, offline, paper))


# ---------------------------------------------------------------- decoding (simulator, tests)
@dataclass
class DecodedJob:
    lines: list[str] = field(default_factory=list)
    scales: list[int] = field(default_factory=list)  # GS ! height factor of each line
    qr: list[str] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    cuts: int = 0
    status_queries: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def png(self) -> bytes:
        """A preview of the ticket as it would come out of the printer."""
        import qrcode
        from PIL import Image
        parts: list[Image.Image] = []
        for ln, scale in zip(self.lines, self.scales):
            parts.append(text_image(ln, 24 * scale) if ln else Image.new("1", (8, 12), 1))
        parts += [img.convert("1") for img in self.images]
        parts += [qrcode.make(payload, box_size=4, border=2).get_image().convert("1") for payload in self.qr]
        width = max([PAPER_DOTS] + [p.width for p in parts])
        height = sum(p.height + 4 for p in parts) + 16
        page = Image.new("1", (width, height), 1)
        y = 8
        for part in parts:
            page.paste(part, ((width - part.width) // 2, y))
            y += part.height + 4
        out = io.BytesIO()
        page.save(out, "PNG")
        return out.getvalue()


def decode(data: bytes) -> DecodedJob:
    """Read an ESC/POS byte stream back into text lines, QR payloads, raster images and cuts. Handles the
    commands `compose` and python-escpos emit; an unknown ESC/GS/FS command is skipped with its code."""
    from PIL import Image
    job, chinese, i, current, scale = DecodedJob(), False, 0, bytearray(), 1

    def end_line():
        job.lines.append(current.decode("gb18030" if chinese else "cp437", errors="replace"))
        job.scales.append(scale)
        current.clear()

    def flush():
        if current:
            end_line()

    one_arg = {0x21, 0x45, 0x61, 0x74, 0x64, 0x2D, 0x4D, 0x7B, 0x20, 0x33, 0x4A}
    while i < len(data):
        b = data[i]
        if b == 0x0A:
            end_line()
            i += 1
        elif b == 0x10 and data[i + 1:i + 2] == b"\x04":
            job.status_queries += 1
            i += 3
        elif b == 0x1B:
            cmd = data[i + 1]
            i += 2 if cmd in (0x40, 0x32) else 3 if cmd in one_arg else 2
        elif b == 0x1C:
            cmd = data[i + 1]
            if cmd == 0x26:
                flush()
                chinese = True
            elif cmd == 0x2E:
                flush()
                chinese = False
            i += 2 if cmd in (0x26, 0x2E) else 3
        elif b == 0x1D:
            cmd = data[i + 1]
            if cmd == 0x28 and data[i + 2] == 0x6B:  # GS ( k
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + size]
                if body[:2] == b"\x31\x50":
                    job.qr.append(body[3:].decode("utf-8", errors="replace"))
                i += 5 + size
            elif cmd == 0x76 and data[i + 2] == 0x30:  # GS v 0 raster
                xl, xh, yl, yh = data[i + 4:i + 8]
                wbytes, h = xl + 256 * xh, yl + 256 * yh
                raster = data[i + 8:i + 8 + wbytes * h]
                img = Image.frombytes("1", (wbytes * 8, h), bytes(255 - x for x in raster))
                job.images.append(img)
                i += 8 + wbytes * h
            elif cmd == 0x21:  # GS ! n: character size
                scale = (data[i + 2] & 0x0F) + 1
                i += 3
            elif cmd == 0x56:  # GS V m [n]
                job.cuts += 1
                i += 4 if data[i + 2] in (0x41, 0x42, 65, 66) else 3
            else:
                i += 3
        else:
            current.append(b)
            i += 1
    flush()
    return job
