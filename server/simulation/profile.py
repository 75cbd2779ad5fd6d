"""A simulation profile: who arrives when (expected tickets per queue and half-hour), how they behave
(green channel, no-shows, transfers, service-time spread) and who staffs which window when. Read from
TOML and checked against the hall it will run on; `--arrivals FILE` replays a CSV instead of the
profile's arrivals. Every problem is a ProfileError with a sentence naming the file and the entry."""
from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

BUNDLED = Path(__file__).resolve().parent / "profiles"
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
HALF_HOUR = 30


class ProfileError(Exception):
    """A profile or arrivals file that cannot be used; the message says where and why."""


def minute_of_day(text: str, where: str) -> float:
    """'08:30' or '08:30:15' (hall-local) as minutes after midnight."""
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise ProfileError(f"{where}: {text!r} is not a time of day HH:MM or HH:MM:SS")
    hours, minutes, seconds = match.groups()
    return int(hours) * 60 + int(minutes) + int(seconds or 0) / 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TransferRule(_Strict):
    from_queue: str = Field(alias="from")
    to: str
    rate: float = Field(ge=0, le=1)


class BehaviourFile(_Strict):
    service: Literal["lognormal", "exponential"] = "lognormal"
    service_cv: float = Field(0.6, gt=0, le=3)  # lognormal only; the exponential's is 1
    green_rate: float = Field(0.0, ge=0, le=1)
    no_show_rate: float = Field(0.0, ge=0, le=1)
    no_show_grace_minutes: float = Field(2.0, ge=0, le=60)
    transfer_after_minutes: float = Field(3.0, gt=0, le=120)
    transfers: list[TransferRule] = Field(default_factory=list)


class PauseRule(_Strict):
    window: int | str
    at: str
    minutes: float = Field(gt=0, le=240)
    reason: str = "会议"


class StaffingFile(_Strict):
    sign_in: str = "08:30"
    sign_out: str = "17:00"
    lunch_from: str | None = None
    lunch_to: str | None = None
    lunch_minutes: int = Field(30, ge=5, le=180)
    unstaffed: list[int | str] = Field(default_factory=list)
    # The admin opens every staffed window at sign_in; these clerks sign in so many minutes later, and
    # their windows stand open with nobody at them meanwhile (电子监察's unstaffed-window alert).
    late: dict[str, float] = Field(default_factory=dict)
    # Short breaks (临时离岗) per clerk, each at a moment drawn from the seed in the morning or the afternoon.
    breaks_per_clerk: int = Field(0, ge=0, le=4)
    break_minutes: float = Field(10, gt=0, le=60)
    break_reason: str = "临时离岗"
    # Planned pauses of one window (a clerk called to a meeting, 会议), taken once the current ticket is done.
    pauses: list[PauseRule] = Field(default_factory=list)


class DayFile(_Strict):
    arrivals_from: str = "08:30"
    hard_end: str = "19:00"


class ProfileFile(_Strict):
    description: str = ""
    day: DayFile = Field(default_factory=DayFile)
    behaviour: BehaviourFile = Field(default_factory=BehaviourFile)
    staffing: StaffingFile = Field(default_factory=StaffingFile)
    arrivals: dict[str, list[float]] = Field(default_factory=dict)
    matter_weights: dict[str, float] = Field(default_factory=dict)


@dataclass(frozen=True)
class Staffing:
    """Times in minutes after local midnight; lunch is staggered within [lunch_from, lunch_to)."""
    windows: tuple[str, ...]  # the staffed windows, in the config's order
    sign_in: float
    sign_out: float
    lunch: tuple[float, float] | None
    lunch_minutes: int
    late: dict[str, float]  # window -> minutes its clerk signs in after sign_in
    breaks_per_clerk: int = 0
    break_minutes: float = 10
    break_reason: str = "临时离岗"
    pauses: tuple[tuple[str, float, float, str], ...] = ()  # (window, minute, minutes, reason)


@dataclass(frozen=True)
class Profile:
    name: str
    arrivals_from: float
    hard_end: float
    arrivals: dict[str, tuple[float, ...]]  # queue -> expected tickets per half-hour from arrivals_from
    matter_weights: dict[str, float]  # matter -> weight within its queue (default 1)
    behaviour: BehaviourFile
    staffing: Staffing

    @property
    def arrivals_until(self) -> float:
        return self.arrivals_from + HALF_HOUR * max((len(v) for v in self.arrivals.values()), default=0)


def profile_path(name_or_path: str) -> Path:
    """A bundled profile's name (`provincial-peak`) or a path to a TOML file."""
    bundled = BUNDLED / f"{name_or_path}.toml"
    if "/" not in name_or_path and not name_or_path.endswith(".toml") and bundled.exists():
        return bundled
    path = Path(name_or_path)
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in BUNDLED.glob("*.toml")))
        raise ProfileError(f"no profile {name_or_path!r}: not a bundled one ({known}) nor a file")
    return path


def load_profile(name_or_path: str, config) -> Profile:
    path = profile_path(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        parsed = ProfileFile.model_validate(data)
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the file: {exc}")
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}")
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ProfileError(f"{path}: {problems}")
    return _checked(path.stem, str(path), parsed, config)


def _checked(name: str, where: str, f: ProfileFile, config) -> Profile:
    problems = []
    for queue, counts in f.arrivals.items():
        spec = config.queues.get(queue)
        if spec is None:
            problems.append(f"arrivals.{queue}: the hall has no queue {queue!r}")
        elif spec.purpose == "pickup":
            problems.append(f"arrivals.{queue}: a pickup queue gets no arrivals (the simulation has no cases)")
        if any(c < 0 for c in counts):
            problems.append(f"arrivals.{queue}: expected tickets cannot be negative")
    for matter, weight in f.matter_weights.items():
        if matter not in config.matters:
            problems.append(f"matter_weights.{matter}: the hall has no matter {matter!r}")
        elif weight < 0:
            problems.append(f"matter_weights.{matter}: a weight cannot be negative")
    for rule in f.behaviour.transfers:
        source, target = config.queues.get(rule.from_queue), config.queues.get(rule.to)
        if source is None or target is None:
            problems.append(f"behaviour.transfers: no queue {rule.from_queue if source is None else rule.to!r}")
        elif source.floor != target.floor or target.purpose == "pickup" or source.code == target.code:
            problems.append(f"behaviour.transfers: {rule.from_queue} → {rule.to} must go to another service "
                            "queue of the same floor")
    unstaffed = {str(n) for n in f.staffing.unstaffed}
    problems += [f"staffing.unstaffed: the hall has no window {n}" for n in sorted(unstaffed - set(config.windows))]
    late = {str(n): float(m) for n, m in f.staffing.late.items()}
    problems += [f"staffing.late.{n}: not a staffed window of the hall" for n in sorted(late)
                 if n not in config.windows or n in unstaffed]
    problems += [f"staffing.late.{n}: minutes late must be positive" for n, m in sorted(late.items()) if m <= 0]
    if f.staffing.break_reason not in config.supervision.pause_reasons:
        problems.append(f"staffing.break_reason: {f.staffing.break_reason!r} is not one of the hall's pause reasons")
    pauses = []
    for i, rule in enumerate(f.staffing.pauses):
        if str(rule.window) not in config.windows or str(rule.window) in unstaffed:
            problems.append(f"staffing.pauses.{i}: window {rule.window} is not a staffed window of the hall")
        if rule.reason not in config.supervision.pause_reasons:
            problems.append(f"staffing.pauses.{i}: {rule.reason!r} is not one of the hall's pause reasons")
        try:
            pauses.append((str(rule.window), minute_of_day(rule.at, f"staffing.pauses.{i}.at"), rule.minutes, rule.reason))
        except ProfileError as exc:
            problems.append(str(exc))
    try:
        arrivals_from = minute_of_day(f.day.arrivals_from, "day.arrivals_from")
        hard_end = minute_of_day(f.day.hard_end, "day.hard_end")
        sign_in = minute_of_day(f.staffing.sign_in, "staffing.sign_in")
        sign_out = minute_of_day(f.staffing.sign_out, "staffing.sign_out")
        lunch = None
        if (f.staffing.lunch_from is None) != (f.staffing.lunch_to is None):
            problems.append("staffing: give both lunch_from and lunch_to, or neither")
        elif f.staffing.lunch_from is not None:
            lunch = (minute_of_day(f.staffing.lunch_from, "staffing.lunch_from"),
                     minute_of_day(f.staffing.lunch_to, "staffing.lunch_to"))
    except ProfileError as exc:
        raise ProfileError(f"{where}: {exc}")
    if sign_out <= sign_in:
        problems.append("staffing: sign_out must come after sign_in")
    if lunch and not (sign_in <= lunch[0] < lunch[1] <= sign_out and lunch[1] - lunch[0] >= f.staffing.lunch_minutes):
        problems.append("staffing: lunch must lie within the working day and be at least lunch_minutes long")
    profile = Profile(name, arrivals_from, hard_end, {q: tuple(c) for q, c in f.arrivals.items()},
                      dict(f.matter_weights), f.behaviour,
                      Staffing(tuple(n for n in config.windows if n not in unstaffed), sign_in, sign_out, lunch,
                               f.staffing.lunch_minutes, late, f.staffing.breaks_per_clerk,
                               f.staffing.break_minutes, f.staffing.break_reason, tuple(pauses)))
    if profile.arrivals_until > hard_end:
        problems.append("day: the arrivals run past hard_end")
    if problems:
        raise ProfileError(f"{where}: " + "; ".join(problems))
    return profile


@dataclass(frozen=True)
class ReplayedArrival:
    minute: float  # after local midnight
    matter: str
    green: bool


def read_arrivals_csv(path: str, config) -> list[ReplayedArrival]:
    """Rows `time,matter[,priority]` (time HH:MM or HH:MM:SS hall-local; priority normal|green); a first
    row `time,matter…` is a header. Returned in time order (stable for equal times)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the file: {exc}")
    found, problems = [], []
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (line == 1 and cells[0].lower() == "time"):
            continue
        if len(cells) not in (2, 3):
            problems.append(f"line {line}: expected time,matter[,priority], got {len(cells)} fields")
            continue
        try:
            minute = minute_of_day(cells[0], f"line {line}")
        except ProfileError as exc:
            problems.append(str(exc))
            continue
        priority = cells[2] if len(cells) == 3 and cells[2] else "normal"
        if cells[1] not in config.matters:
            problems.append(f"line {line}: the hall has no matter {cells[1]!r}")
        elif config.queues[config.matters[cells[1]].queue].purpose == "pickup":
            problems.append(f"line {line}: {cells[1]} is a pickup matter (the simulation has no cases)")
        elif priority not in ("normal", "green"):
            problems.append(f"line {line}: priority must be normal or green, not {priority!r}")
        else:
            found.append(ReplayedArrival(minute, cells[1], priority == "green"))
    if problems:
        raise ProfileError(f"{path}: " + "; ".join(problems[:10]) + (" …" if len(problems) > 10 else ""))
    if not found:
        raise ProfileError(f"{path}: no arrivals in the file")
    return sorted(found, key=lambda a: a.minute)


def local_moment(day: dt.date, minute: float, tz) -> dt.datetime:
    """The UTC moment of `minute` after local midnight on `day`."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return (midnight + dt.timedelta(minutes=minute)).astimezone(dt.timezone.utc)
