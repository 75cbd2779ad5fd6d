"""The hall configuration's shape: floors, departments, queues, matters, windows, devices, calendar
(pydantic models), and `HallConfig`, the validated hall indexed for lookups."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .notices import Notices
from .printing import Printing
from .search import Search

BUNDLED_DEMO_HALL = Path(__file__).resolve().parents[2] / "config" / "demo-hall.toml"

Zone = Literal["individual", "enterprise", "institution"]
WindowKind = Literal["professional", "comprehensive", "one_thing"]
DepartmentKind = Literal["professional", "comprehensive"]
DeviceKind = Literal["printer", "speaker", "led", "pager", "evaluator", "id_reader"]

ShortText = Annotated[str, Field(min_length=1, max_length=120)]
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")

DEVICE_PROTOCOLS: dict[str, set[str]] = {
    "printer": {"escpos"},
    "speaker": {"tts"},
    "led": {"bx5", "text"},
    "pager": {"ft12"},
    "evaluator": {"ft12"},
    "id_reader": {"sam"},  # 二代身份证 readers: the 公安部 SAM frame on their serial port
}


class ConfigError(Exception):
    """A hall config that cannot be used; `problems` lists every problem found, one sentence each."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{self.path}: " + "; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HallSettings(_Strict):
    name: ShortText
    # The hall's code: every row of its event log carries it, so several halls' logs can be merged.
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")] = "hall"
    timezone: str = "Asia/Shanghai"
    # Numbers restart each business day; the day turns over at this local hour (3 = 03:00).
    day_rollover_hour: int = Field(3, ge=0, le=23)
    recall_limit: int = Field(3, ge=0, le=20)
    # Green-channel tickets go first, but after this many green calls in a row a window takes one
    # normal ticket (when any is waiting), so the rest of the hall is never starved.
    green_max_in_row: int = Field(2, ge=1, le=50)
    # Optional local hours during which kiosks issue tickets; absent means always.
    issuing_hours: tuple[str, str] | None = None
    notice: str = Field("", max_length=500)
    # Where citizens reach the hall's pages (the QR code on a printed ticket points to /t/ID there).
    public_url: str = Field("http://127.0.0.1:5000", pattern=r"^https?://[^\s]+$", max_length=200)
    # 行政区划代码 of the hall (GB/T 2260), on every rating exported for the national 好差评 platform.
    region_code: str = Field("000000", pattern=r"^\d{6}$")
    # Anti-scalping (黄牛): tickets one ID number may take a day; absent means no cap.
    tickets_per_id_per_day: int | None = Field(None, ge=1, le=100)
    # An ID holder of this age or older gets green-channel priority from the birth date on the card.
    elder_age: int | None = Field(None, ge=50, le=120)
    # 过号顺延: a no-show may be re-queued once within this many minutes, placed after this many tickets.
    requeue_minutes: int = Field(30, ge=0, le=1440)
    requeue_after: int = Field(3, ge=0, le=1000)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)")
        return value

    @field_validator("issuing_hours")
    @classmethod
    def _hours(cls, value):
        if value is None:
            return value
        for part in value:
            if not _HHMM.match(part):
                raise ValueError(f"{part!r} is not a time of day HH:MM")
        if value[0] >= value[1]:
            raise ValueError("issuing_hours must start before they end")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Floor(_Strict):
    number: int = Field(ge=-5, le=200)
    zone: Zone
    name: ShortText


class Department(_Strict):
    code: Code
    name: ShortText
    name_en: ShortText | None = None  # shown by pages switched to English; absent: the Chinese name
    kind: DepartmentKind
    # Floors where the department is present; a department may be on several (人社厅: 1 and 2).
    floors: list[int] = Field(default_factory=list)


class Queue(_Strict):
    code: Code
    name: ShortText
    name_en: ShortText | None = None  # shown by pages switched to English; absent: the Chinese name
    floor: int
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,2}$")]
    # pickup queues hold tickets for collecting a case result; windows serve them with priority.
    purpose: Literal["service", "pickup"] = "service"
    # 电子监察: this queue's own wait thresholds (minutes), instead of [supervision]'s.
    wait_yellow_minutes: float | None = Field(None, gt=0, le=1440)
    wait_red_minutes: float | None = Field(None, gt=0, le=1440)
    # 限号: numbers the queue issues a day; absent means no cap. Appointment check-ins take a number too
    # but are never refused by it (a booking is a promise); walk-ins past it are `quota_reached`.
    daily_quota: int | None = Field(None, ge=1, le=100000)


class Matter(_Strict):
    id: Code
    name: ShortText
    name_en: ShortText | None = None  # shown by pages switched to English; absent: the Chinese name
    department: Code
    queue: Code
    avg_minutes: float = Field(gt=0, le=480)
    # 0 means completed on the spot (即办件).
    promised_days: int = Field(ge=0, le=365)
    materials: list[ShortText] = Field(default_factory=list)
    # A one-thing matter (一件事) involves several departments at once.
    involves: list[Code] = Field(default_factory=list)
    # Bookings per appointment slot (预约号源); 0 means the matter takes no bookings.
    appointment_quota: int = Field(0, ge=0, le=1000)


class WindowGroup(_Strict):
    """One window (`number = 15`) or a run of alike windows (`numbers = "1-8"`)."""

    number: int | None = Field(None, ge=1, le=9999)
    numbers: str | None = None
    floor: int
    kind: WindowKind
    department: Code | None = None
    queues: list[Code] = Field(min_length=1)
    name: ShortText | None = None

    @model_validator(mode="after")
    def _one_numbering(self):
        if (self.number is None) == (self.numbers is None):
            raise ValueError("give exactly one of number = N or numbers = \"FIRST-LAST\"")
        if self.numbers is not None:
            m = _RANGE.match(self.numbers)
            if not m or int(m.group(1)) > int(m.group(2)) or int(m.group(1)) < 1:
                raise ValueError(f"numbers {self.numbers!r} is not a range like \"1-8\"")
        if self.kind == "professional" and not self.department:
            raise ValueError("a professional window needs its department")
        if self.kind != "professional" and self.department:
            raise ValueError(f"a {self.kind} window is staffed by the hall and has no department")
        if len(set(self.queues)) != len(self.queues):
            raise ValueError("a queue is listed twice")
        return self

    def expand(self) -> list[int]:
        if self.number is not None:
            return [self.number]
        first, last = (int(g) for g in _RANGE.match(self.numbers).groups())  # type: ignore[union-attr]
        return list(range(first, last + 1))


class Device(_Strict):
    name: Code
    kind: DeviceKind
    url: Annotated[str, Field(min_length=1, max_length=300)]
    protocol: str
    attach: Annotated[str, Field(pattern=r"^(kiosk:[A-Za-z0-9_-]{1,32}|floor:-?\d+|window:\d+)$")]
    address: int | None = Field(None, ge=0, le=255)
    # Serial links only; tcp:// and file: ignore it.
    baudrate: int = Field(9600, ge=1200, le=921600)
    # led: the dynamic area's size in pixels, WIDTHxHEIGHT (width a multiple of 8), and the idle text.
    size: str = Field("128x16", pattern=r"^[1-9]\d{0,3}x[1-9]\d{0,3}$")
    idle_text: str | None = Field(None, max_length=60)
    # speaker: how many times each call is said (after one chime).
    repeats: int = Field(2, ge=1, le=5)
    # speaker: "espeak" (espeak-ng says each sentence) or "pack" (recorded clips end to end, from the
    # folder `voice_pack`; without it, a synthetic default pack made once; docs/hardware.md "Voice packs").
    voice: Literal["espeak", "pack"] = "espeak"
    voice_pack: str | None = Field(None, min_length=1, max_length=300)
    # pager: the queue its transfer key sends the current ticket to.
    transfer_to: Code | None = None

    @model_validator(mode="after")
    def _protocol_fits_kind(self):
        allowed = DEVICE_PROTOCOLS[self.kind]
        if self.protocol not in allowed:
            raise ValueError(f"a {self.kind} speaks {' or '.join(sorted(allowed))}, not {self.protocol!r}")
        return self


class Calendar(_Strict):
    """Working-day calendar for promised times (限时办结): weekends, holidays and make-up workdays."""

    holidays: list[dt.date] = Field(default_factory=list)
    workdays: list[dt.date] = Field(default_factory=list)
    # A case in review is "due soon" (an alert to the admin board) from this many working days
    # before its last day; on its last day at the latest.
    due_soon_working_days: int = Field(1, ge=0, le=30)


Minutes = Annotated[float, Field(gt=0, le=1440)]


class Supervision(_Strict):
    """电子监察 (CONTRACT v2): the thresholds of the supervision rules, in minutes (fractions allowed).
    docs/supervision.md lists every rule."""

    wait_yellow_minutes: Minutes = 30
    wait_red_minutes: Minutes = 60
    service_yellow_minutes: Minutes = 30
    service_red_minutes: Minutes = 60
    pause_red_minutes: Minutes = 30
    idle_window_minutes: Minutes = 10
    unstaffed_window_minutes: Minutes = 5
    no_show_per_clerk_day: int = Field(10, ge=1, le=1000)
    pause_reasons: list[ShortText] = Field(default_factory=lambda: ["午休", "会议", "业务咨询", "临时离岗"], min_length=1)
    # The reason a pager's pause key gives (a pager cannot choose); one of pause_reasons.
    pager_pause_reason: ShortText = "临时离岗"
    # Local HH:MM spans when the hall stops serving (午休): their minutes do not count in waits.
    lunch_breaks: list[tuple[str, str]] = Field(default_factory=list)
    # Each clerk's 午休 within lunch_breaks, staggered so the windows stay open: the wait predictor
    # expects that share of the windows away during the break (docs/waits.md). Unset: it expects none.
    lunch_minutes: Minutes | None = None

    @field_validator("lunch_breaks")
    @classmethod
    def _spans(cls, value):
        for start, end in value:
            for part in (start, end):
                if not _HHMM.match(part):
                    raise ValueError(f"{part!r} is not a time of day HH:MM")
            if start >= end:
                raise ValueError(f"the break {start}-{end} must start before it ends")
        return value

    @model_validator(mode="after")
    def _consistent(self):
        for what in ("wait", "service"):
            if getattr(self, f"{what}_yellow_minutes") > getattr(self, f"{what}_red_minutes"):
                raise ValueError(f"{what}_yellow_minutes must not exceed {what}_red_minutes")
        if len(set(self.pause_reasons)) != len(self.pause_reasons):
            raise ValueError("a pause reason is listed twice")
        if self.pager_pause_reason not in self.pause_reasons:
            raise ValueError(f"pager_pause_reason {self.pager_pause_reason!r} is not one of pause_reasons")
        return self


class RatingRules(_Strict):
    """好差评 (CONTRACT v2): how long a ticket may be rated, the level an unrated one counts at, and the
    working days a 差评's follow-up (回访整改) has to contact the citizen and to fix the cause."""

    days: int = Field(7, ge=0, le=90)
    default_level: int = Field(2, ge=1, le=5)
    contact_days: int = Field(1, ge=0, le=30)
    fix_days: int = Field(5, ge=0, le=60)


class Security(_Strict):
    """How long a staff sign-in lasts (docs/security.md "Accounts, devices and tokens"): a working day
    plus overtime by default; fractions of an hour are allowed (tests use seconds)."""

    staff_token_hours: float = Field(16, gt=0, le=24 * 7)


class Appointments(_Strict):
    """预约 (CONTRACT v2): when slots run, how far ahead one books, the check-in window around a slot,
    the per-ID limits and the no-show (爽约) ban. docs/appointments.md."""

    hours: tuple[str, str] = ("08:30", "17:30")
    days_ahead: int = Field(5, ge=1, le=60)
    slot_minutes: int = Field(30, ge=5, le=240)
    early_minutes: int = Field(30, ge=0, le=240)
    late_minutes: int = Field(15, ge=0, le=240)
    per_id_per_day: int = Field(1, ge=1, le=20)
    per_id_per_week: int = Field(3, ge=1, le=50)
    misses_to_ban: int = Field(3, ge=1, le=50)
    ban_window_days: int = Field(90, ge=1, le=730)
    ban_days: int = Field(90, ge=1, le=730)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value):
        for part in value:
            if not _HHMM.match(part):
                raise ValueError(f"{part!r} is not a time of day HH:MM")
        if value[0] >= value[1]:
            raise ValueError("appointment hours must start before they end")
        return value


class DatabaseSettings(_Strict):
    """group_commit: on SQLite, requests' transactions share one durable COMMIT (docs/decisions.md §31)."""

    group_commit: bool = True


class HallConfigFile(_Strict):
    hall: HallSettings
    floors: list[Floor] = Field(min_length=1)
    departments: list[Department] = Field(min_length=1)
    queues: list[Queue] = Field(min_length=1)
    matters: list[Matter] = Field(min_length=1)
    windows: list[WindowGroup] = Field(min_length=1)
    devices: list[Device] = Field(default_factory=list)
    calendar: Calendar = Field(default_factory=Calendar)
    supervision: Supervision = Field(default_factory=Supervision)
    rating: RatingRules = Field(default_factory=RatingRules)
    appointments: Appointments = Field(default_factory=Appointments)
    notices: Notices = Field(default_factory=Notices)
    security: Security = Field(default_factory=Security)
    printing: Printing = Field(default_factory=Printing)
    search: Search = Field(default_factory=Search)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)


class WindowSpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    number: str
    floor: int
    kind: WindowKind
    department: str | None
    queues: tuple[str, ...]


class HallConfig:
    """The validated hall, indexed for lookups. Immutable after load."""

    def __init__(self, source: HallConfigFile, path: Path | str):
        self.path = str(path)
        self.source = source
        self.hall = source.hall
        self.floors = {f.number: f for f in source.floors}
        self.departments = {d.code: d for d in source.departments}
        self.queues = {q.code: q for q in source.queues}
        self.matters = {m.id: m for m in source.matters}
        self.windows: dict[str, WindowSpec] = {}
        for group in source.windows:
            for n in group.expand():
                self.windows[str(n)] = WindowSpec(
                    number=str(n), floor=group.floor, kind=group.kind,
                    department=group.department, queues=tuple(group.queues))
        self.devices = list(source.devices)
        by_queue: dict[str, list[float]] = {}
        for m in source.matters:
            by_queue.setdefault(m.queue, []).append(m.avg_minutes)
        self._queue_avg = {q: sum(v) / len(v) for q, v in by_queue.items()}
        self.calendar = source.calendar
        self.supervision = source.supervision
        self.rating = source.rating
        self.appointments = source.appointments
        self.notices = source.notices
        self.security = source.security
        self.printing = source.printing
        self.search = source.search
        self.database = source.database

    def zone_of_floor(self, floor: int) -> str:
        return self.floors[floor].zone

    def windows_on(self, floor: int) -> list[str]:
        return [number for number, spec in self.windows.items() if spec.floor == floor]

    def wait_thresholds(self, queue_code: str) -> tuple[float, float]:
        """(yellow, red) minutes a ticket of this queue may wait: the queue's own, else the hall's."""
        queue, rules = self.queues.get(queue_code), self.supervision
        if queue is None:
            return rules.wait_yellow_minutes, rules.wait_red_minutes
        return (queue.wait_yellow_minutes or rules.wait_yellow_minutes, queue.wait_red_minutes or rules.wait_red_minutes)

    def queue_avg_minutes(self, queue_code: str) -> float:
        """Configured average service time of a queue: the mean over its matters (10 without any)."""
        return self._queue_avg.get(queue_code, 10.0)
