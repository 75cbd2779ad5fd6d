"""Loading a hall config: the file is validated on load, and every problem is reported with the file,
the entry and what is wrong, all at once, so an admin fixes a config in one pass (see `hallq config
check FILE`)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from .model import BUNDLED_DEMO_HALL, ConfigError, HallConfig, HallConfigFile
from .search import search_problems


def _format_loc(data: dict, loc: tuple) -> str:
    """Turn a pydantic location like ('windows', 3, 'queues') into 'windows[3] (number 15).queues'."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            try:
                node = node[part]
                label = next((f"{k} {node[k]!r}" for k in ("code", "id", "number", "numbers", "name") if isinstance(node, dict) and k in node), None)
                if label:
                    out += f" ({label})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _cross_check(cfg: HallConfigFile, broken: set[str] = frozenset()) -> list[str]:
    """Checks that span entries: references resolve, numbers and codes are unique. A reference into a
    section listed in `broken` (it had invalid entries, left out) is not reported as missing."""
    problems: list[str] = []
    raw_problems = problems
    problems = _Problems(raw_problems, broken)
    floors = {f.number for f in cfg.floors}
    if len(floors) != len(cfg.floors):
        problems.append("floors: a floor number is listed twice")

    def dupes(kind: str, keys: list) -> None:
        seen = set()
        for key in keys:
            if key in seen:
                problems.append(f"{kind}: {key!r} is defined twice")
            seen.add(key)

    dupes("departments", [d.code for d in cfg.departments])
    dupes("queues", [q.code for q in cfg.queues])
    dupes("queue prefixes", [q.prefix for q in cfg.queues])
    dupes("matters", [m.id for m in cfg.matters])
    dupes("devices", [d.name for d in cfg.devices])
    departments = {d.code: d for d in cfg.departments}
    queues = {q.code: q for q in cfg.queues}
    for i, d in enumerate(cfg.departments):
        for f in d.floors:
            if f not in floors:
                problems.append(f"departments[{i}] ({d.code}): floor {f} is not defined")
    for i, q in enumerate(cfg.queues):
        if q.floor not in floors:
            problems.append(f"queues[{i}] ({q.code}): floor {q.floor} is not defined")
        rules = getattr(cfg, "supervision", None)
        if rules is not None:
            yellow = q.wait_yellow_minutes or rules.wait_yellow_minutes
            red = q.wait_red_minutes or rules.wait_red_minutes
            if yellow > red:
                problems.append(f"queues[{i}] ({q.code}): its wait_yellow_minutes ({yellow}) exceed its "
                                f"wait_red_minutes ({red})")
    for i, m in enumerate(cfg.matters):
        where = f"matters[{i}] ({m.id})"
        if m.department not in departments:
            problems.append(f"{where}: department {m.department!r} is not defined")
        if m.queue not in queues:
            problems.append(f"{where}: queue {m.queue!r} is not defined")
        elif queues[m.queue].purpose != "service":
            problems.append(f"{where}: queue {m.queue!r} is a pickup queue, not a service queue")
        for code in m.involves:
            if code not in departments:
                problems.append(f"{where}: involved department {code!r} is not defined")
        dept = departments.get(m.department)
        if dept and dept.floors and m.queue in queues and queues[m.queue].floor not in dept.floors:
            problems.append(f"{where}: its queue {m.queue!r} waits on floor {queues[m.queue].floor}, "
                            f"where department {m.department!r} has no presence (floors {dept.floors})")
    window_numbers: list[int] = []
    served: set[str] = set()
    for i, w in enumerate(cfg.windows):
        where = f"windows[{i}] ({'number ' + str(w.number) if w.number is not None else 'numbers ' + str(w.numbers)})"
        if w.floor not in floors:
            problems.append(f"{where}: floor {w.floor} is not defined")
        if w.department and w.department not in departments:
            problems.append(f"{where}: department {w.department!r} is not defined")
        elif w.department and departments[w.department].floors and w.floor not in departments[w.department].floors:
            problems.append(f"{where}: department {w.department!r} is not on floor {w.floor}")
        for code in w.queues:
            if code not in queues:
                problems.append(f"{where}: queue {code!r} is not defined")
            elif queues[code].floor != w.floor:
                problems.append(f"{where}: queue {code!r} waits on floor {queues[code].floor}, not on the window's floor {w.floor}")
            served.add(code)
        window_numbers.extend(w.expand())
    dupes("window numbers", window_numbers)
    for q in cfg.queues:
        if q.code not in served and "windows" not in broken:
            problems.append(f"queues ({q.code}): no window serves this queue")
    for i, d in enumerate(cfg.devices):
        kind, _, target = d.attach.partition(":")
        if kind == "floor" and int(target) not in floors:
            problems.append(f"devices[{i}] ({d.name}): attached to floor {target}, which is not defined")
        if kind == "window" and int(target) not in window_numbers:
            problems.append(f"devices[{i}] ({d.name}): attached to window {target}, which is not defined")
        if d.kind == "speaker" and not d.url.startswith("file:"):
            problems.append(f"devices[{i}] ({d.name}): a speaker writes WAV files for the screens: use url = \"file:DIR\"")
        if d.kind in ("pager", "evaluator") and kind != "window":
            problems.append(f"devices[{i}] ({d.name}): a {d.kind} belongs to a window (attach = \"window:N\")")
        if d.kind == "id_reader" and kind != "kiosk":
            problems.append(f"devices[{i}] ({d.name}): an ID card reader belongs to a kiosk (attach = \"kiosk:NAME\")")
        if d.transfer_to and d.transfer_to not in queues:
            problems.append(f"devices[{i}] ({d.name}): transfer_to queue {d.transfer_to!r} is not defined")
    bus_addresses = [(d.url, d.address) for d in cfg.devices if d.kind in ("pager", "evaluator")]
    dupes("device bus addresses (url, address)", bus_addresses)
    dupes("id readers of a kiosk (attach)", [d.attach for d in cfg.devices if d.kind == "id_reader"])
    if "matters" not in broken:
        for problem in search_problems(getattr(cfg, "search", None), {m.id for m in cfg.matters}):
            problems.append(problem)
    return raw_problems


class _Problems:
    """Collects problems, leaving out 'X is not defined' where X's section had invalid entries."""

    _SECTION_OF = {"floor": "floors", "department": "departments", "involved department": "departments",
                   "queue": "queues", "its queue": "queues"}

    def __init__(self, sink: list[str], broken: set[str]):
        self.sink, self.broken = sink, broken

    def append(self, problem: str) -> None:
        if problem.endswith("is not defined"):
            text = problem.split(": ", 1)[-1].removeprefix("attached to ")
            if any(text.startswith(word + " ") and section in self.broken for word, section in self._SECTION_OF.items()):
                return
        self.sink.append(problem)


def load_config(path: Path | str | None = None) -> HallConfig:
    """Read and validate a hall config; raise ConfigError listing every problem."""
    path = Path(path) if path else BUNDLED_DEMO_HALL
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, [f"cannot read the file: {exc.strerror or exc}"])
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(path, ["the file is not UTF-8 text"])
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"])
    try:
        parsed = HallConfigFile.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_format_loc(data, err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
                    for err in exc.errors()]
        # Report the cross-entry problems of the valid entries too, so one pass shows everything.
        partial, broken = _valid_entries(data)
        if partial is not None:
            problems += _cross_check(partial, broken)
        raise ConfigError(path, problems)
    problems = _cross_check(parsed)
    if problems:
        raise ConfigError(path, problems)
    return HallConfig(parsed, path)


_SINGLE_SECTIONS = ("hall", "calendar", "supervision", "rating", "appointments", "notices", "security")  # tables, not lists of entries
_SINGLE_SECTIONS += ("search",)
_SINGLE_SECTIONS += ("printing",)
_SINGLE_SECTIONS += ("database",)


def _valid_entries(data) -> tuple[HallConfigFile | None, set[str]]:
    """The config with its invalid entries left out, and the names of the sections that had some."""
    if not isinstance(data, dict):
        return None, set()
    broken: set[str] = set()
    sections: dict = {}
    for name, info in HallConfigFile.model_fields.items():
        value = data.get(name)
        single = name in _SINGLE_SECTIONS
        model = info.annotation if single else info.annotation.__args__[0]
        if single:
            try:
                sections[name] = model.model_validate(value if value is not None else {})
            except ValidationError:
                if name == "hall":
                    return None, broken
                sections[name], _ = model(), broken.add(name)
            continue
        good = []
        for entry in value if isinstance(value, list) else []:
            try:
                good.append(model.model_validate(entry))
            except ValidationError:
                broken.add(name)
        if not isinstance(value, list) and value is not None:
            broken.add(name)
        sections[name] = good
    return HallConfigFile.model_construct(**sections), broken
