"""电子监察: the rules that watch the hall, in plain Python.

The supervision service hands `conditions()` a `HallWatch` (what the hall holds now) and the
thresholds of `[supervision]`; it answers with every alert that should be open at this moment. The
service then raises what is new and clears what ended, so an alert's life follows its condition
whatever happened in between (a restart, another process, a missed event). docs/supervision.md lists
the rules.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Rule(StrEnum):
    WAIT = "wait"
    SERVICE = "service"
    PAUSE = "pause"
    IDLE_WINDOW = "idle_window"
    UNSTAFFED_WINDOW = "unstaffed_window"
    NO_SHOW = "no_show"
    CASE_DUE = "case_due"
    CASE_OVERDUE = "case_overdue"
    BAD_RATING = "bad_rating"
    FOLLOW_UP_OVERDUE = "follow_up_overdue"
    DEVICE = "device"


class Level(StrEnum):
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Condition:
    """An alert that should be open now: one per rule, subject and level."""
    rule: Rule
    level: Level
    subject_kind: str  # ticket window clerk case rating device
    subject_id: str
    message: str
    detail: dict = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return f"{self.rule}|{self.subject_kind}|{self.subject_id}|{self.level}"


# ---------------------------------------------------------------- what the hall holds now
@dataclass(frozen=True)
class TicketInHall:
    id: str
    number: str
    queue: str
    floor: int
    since: dt.datetime  # waiting: its issue time; at a window: when it was called
    window: str | None = None
    clerk: str | None = None


@dataclass(frozen=True)
class WatchedWindow:
    number: str
    floor: int
    state: str  # open paused closed
    clerk: str | None
    serving: bool
    queues: tuple[str, ...]
    state_since: dt.datetime
    active_at: dt.datetime
    pause_reason: str | None


@dataclass(frozen=True)
class BadRating:
    """A 差评 whose follow-up (回访整改) is not closed yet."""
    rating_id: str
    level: int
    label: str
    window: str
    number: str | None
    clerk: str | None
    follow_up_status: str | None  # open contacted fixed appealed (None: no follow-up yet)
    contact_due: dt.date | None
    fix_due: dt.date | None


@dataclass(frozen=True)
class DeviceState:
    name: str
    kind: str
    place: str  # where it is, in words (自助机 kiosk-1, 1楼, 7号窗口)
    state: str  # unknown online offline paper_low paper_out error
    detail: str
    attach: str = ""  # where it is, as a code (kiosk:kiosk-1, floor:1, window:7): pages word it in their language


@dataclass(frozen=True)
class CaseDeadline:
    """A case in review that is due soon or overdue (限时办结)."""
    case_id: str
    number: str
    matter: str
    overdue: bool
    due: dt.date
    departments: tuple[str, ...]


@dataclass(frozen=True)
class HallWatch:
    today: dt.date  # the hall's business day
    waiting: tuple[TicketInHall, ...] = ()
    serving: tuple[TicketInHall, ...] = ()
    windows: tuple[WatchedWindow, ...] = ()
    no_shows: dict[str, int] = field(default_factory=dict)  # clerk → no-shows today
    bad_ratings: tuple[BadRating, ...] = ()
    devices: tuple[DeviceState, ...] = ()
    cases: tuple[CaseDeadline, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """[supervision], in minutes, and the queue's own wait thresholds."""
    wait: Callable[[str], tuple[float, float]]  # queue → (yellow, red)
    service_yellow: float
    service_red: float
    pause_red: float
    idle_window: float
    unstaffed_window: float
    no_show_per_clerk_day: int


# ---------------------------------------------------------------- minutes that count
@dataclass(frozen=True)
class ServiceClock:
    """Counts minutes as the hall counts them: the lunch breaks ([supervision] lunch_breaks, local
    HH:MM spans) do not count."""
    tz: dt.tzinfo
    breaks: tuple[tuple[dt.time, dt.time], ...] = ()

    @classmethod
    def of(cls, tz: dt.tzinfo, spans: Iterable[tuple[str, str]] = ()) -> "ServiceClock":
        return cls(tz, tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in spans))

    def minutes(self, start: dt.datetime, end: dt.datetime) -> float:
        if end <= start:
            return 0.0
        total = (end - start).total_seconds()
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        day = first
        while day <= last and self.breaks:
            for a, b in self.breaks:
                lo = max(start, dt.datetime.combine(day, a, self.tz))
                hi = min(end, dt.datetime.combine(day, b, self.tz))
                if hi > lo:
                    total -= (hi - lo).total_seconds()
            day += dt.timedelta(days=1)
        return total / 60


# ---------------------------------------------------------------- the rules
def conditions(watch: HallWatch, limits: Thresholds, clock: ServiceClock, now: dt.datetime,
               names: Callable[[str], str]) -> list[Condition]:
    """Every alert that should be open now. `names`: a queue code → its name."""
    out: list[Condition] = []
    for ticket in watch.waiting:
        out += _waited(ticket, limits, clock, now, names)
    for ticket in watch.serving:
        out += _served_long(ticket, limits, clock, now)
    oldest = _oldest_waiting(watch.waiting)
    for window in watch.windows:
        out += _window(window, limits, clock, now, oldest)
    for clerk, count in sorted(watch.no_shows.items()):
        if count >= limits.no_show_per_clerk_day:
            out.append(Condition(Rule.NO_SHOW, Level.YELLOW, "clerk", clerk,
                                 f"工作人员 {clerk} 今日已过号 {count} 次（提醒线 {limits.no_show_per_clerk_day} 次）。",
                                 {"clerk": clerk, "count": count}))
    for rating in watch.bad_ratings:
        out += _bad_rating(rating, watch.today)
    for device in watch.devices:
        out += _device(device)
    for case in watch.cases:
        out.append(_case(case))
    return out


def _minutes_text(minutes: float) -> str:
    return f"{int(minutes)}"


def _waited(ticket: TicketInHall, limits: Thresholds, clock: ServiceClock, now: dt.datetime,
            names: Callable[[str], str]) -> list[Condition]:
    waited = clock.minutes(ticket.since, now)
    yellow, red = limits.wait(ticket.queue)
    detail = {"ticket": ticket.id, "number": ticket.number, "queue": ticket.queue, "floor": ticket.floor,
              "minutes": int(waited)}
    out = []
    for level, limit in ((Level.YELLOW, yellow), (Level.RED, red)):
        if waited >= limit:
            out.append(Condition(Rule.WAIT, level, "ticket", ticket.id,
                                 f"{ticket.number} 号（{names(ticket.queue)}）已等候 {_minutes_text(waited)} 分钟，"
                                 f"超过 {limit:g} 分钟。", detail))
    return out


def _served_long(ticket: TicketInHall, limits: Thresholds, clock: ServiceClock, now: dt.datetime) -> list[Condition]:
    took = clock.minutes(ticket.since, now)
    detail = {"ticket": ticket.id, "number": ticket.number, "window": ticket.window, "floor": ticket.floor,
              "clerk": ticket.clerk, "minutes": int(took)}
    out = []
    for level, limit in ((Level.YELLOW, limits.service_yellow), (Level.RED, limits.service_red)):
        if took >= limit:
            out.append(Condition(Rule.SERVICE, level, "ticket", ticket.id,
                                 f"{ticket.window} 号窗口办理 {ticket.number} 号已 {_minutes_text(took)} 分钟，"
                                 f"超过 {limit:g} 分钟。", detail))
    return out


def _oldest_waiting(waiting: Iterable[TicketInHall]) -> dict[str, dt.datetime]:
    oldest: dict[str, dt.datetime] = {}
    for ticket in waiting:
        if ticket.queue not in oldest or ticket.since < oldest[ticket.queue]:
            oldest[ticket.queue] = ticket.since
    return oldest


def _window(window: WatchedWindow, limits: Thresholds, clock: ServiceClock, now: dt.datetime,
            oldest: dict[str, dt.datetime]) -> list[Condition]:
    detail = {"window": window.number, "floor": window.floor, "clerk": window.clerk}
    if window.state == "paused":
        paused = clock.minutes(window.state_since, now)
        if paused >= limits.pause_red:
            why = f"（{window.pause_reason}）" if window.pause_reason else ""
            return [Condition(Rule.PAUSE, Level.RED, "window", window.number,
                              f"{window.number} 号窗口暂停{why}已 {_minutes_text(paused)} 分钟，超过 {limits.pause_red:g} 分钟。",
                              {**detail, "reason": window.pause_reason, "minutes": int(paused)})]
        return []
    if window.state != "open":
        return []
    if window.clerk is None:
        unstaffed = clock.minutes(window.state_since, now)
        if unstaffed >= limits.unstaffed_window:
            return [Condition(Rule.UNSTAFFED_WINDOW, Level.YELLOW, "window", window.number,
                              f"{window.number} 号窗口已开启 {_minutes_text(unstaffed)} 分钟，无人签到。",
                              {**detail, "minutes": int(unstaffed)})]
        return []
    waiting_since = [oldest[q] for q in window.queues if q in oldest]
    if window.serving or not waiting_since:
        return []
    # Idle since the later of: its last call or end (or state change), and the first ticket now waiting.
    idle_from = max(window.active_at, window.state_since, min(waiting_since))
    idle = clock.minutes(idle_from, now)
    if idle >= limits.idle_window:
        return [Condition(Rule.IDLE_WINDOW, Level.YELLOW, "window", window.number,
                          f"{window.number} 号窗口 {_minutes_text(idle)} 分钟未叫号，仍有群众等候。",
                          {**detail, "minutes": int(idle)})]
    return []


def _bad_rating(rating: BadRating, today: dt.date) -> list[Condition]:
    detail = {"rating": rating.rating_id, "window": rating.window, "number": rating.number, "clerk": rating.clerk,
              "level": rating.level, "follow_up": rating.follow_up_status}
    out = [Condition(Rule.BAD_RATING, Level.RED if rating.level >= 5 else Level.YELLOW, "rating", rating.rating_id,
                     f"{rating.window} 号窗口收到差评（{rating.label}），号票 {rating.number or '—'}，请回访整改。", detail)]
    status = rating.follow_up_status
    if status == "open" and rating.contact_due and today > rating.contact_due:
        out.append(Condition(Rule.FOLLOW_UP_OVERDUE, Level.YELLOW, "rating", rating.rating_id,
                             f"差评回访逾期：{rating.window} 号窗口 {rating.number or '—'} 号，应于 "
                             f"{rating.contact_due.isoformat()} 前联系评价人。", {**detail, "due": rating.contact_due.isoformat()}))
    if status in ("open", "contacted", "appealed") and rating.fix_due and today > rating.fix_due:
        out.append(Condition(Rule.FOLLOW_UP_OVERDUE, Level.RED, "rating", rating.rating_id,
                             f"差评整改逾期：{rating.window} 号窗口 {rating.number or '—'} 号，应于 "
                             f"{rating.fix_due.isoformat()} 前整改完毕。", {**detail, "due": rating.fix_due.isoformat()}))
    return out


_DEVICE_LEVELS = {"paper_low": Level.YELLOW, "offline": Level.RED, "paper_out": Level.RED, "error": Level.RED}
_DEVICE_WORDS = {"paper_low": "纸将用尽", "paper_out": "缺纸", "offline": "离线", "error": "故障"}
_KIND_WORDS = {"printer": "打印机", "speaker": "语音播报", "led": "LED屏", "pager": "呼叫器", "evaluator": "评价器"}


def _device(device: DeviceState) -> list[Condition]:
    level = _DEVICE_LEVELS.get(device.state)
    if level is None:
        return []
    what = _KIND_WORDS.get(device.kind, device.kind)
    return [Condition(Rule.DEVICE, level, "device", device.name,
                      f"{device.place}的{what} {device.name} {_DEVICE_WORDS[device.state]}。",
                      {"device": device.name, "kind": device.kind, "state": device.state, "place": device.place,
                       "attach": device.attach})]


def _case(case: CaseDeadline) -> Condition:
    rule, level = (Rule.CASE_OVERDUE, Level.RED) if case.overdue else (Rule.CASE_DUE, Level.YELLOW)
    state = "已超过办结时限" if case.overdue else "即将到期"
    return Condition(rule, level, "case", case.case_id,
                     f"办件 {case.number}（{case.matter}）{state}，承诺办结日期 {case.due.isoformat()}。",
                     {"case": case.number, "case_id": case.case_id, "departments": list(case.departments),
                      "due": case.due.isoformat()})
