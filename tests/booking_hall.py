"""A demo hall for the booking tests on a hall clock the test moves: an admin, a kiosk, the provincial
platform (a `platform` device) and clerk li signed in at window 1 (社保, queue shebao); valid ID numbers."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from harness import PASSWORD, Client, Server, demo_config, login, run_cli
from launchers.clock_server import HallClock
from server.config import load_config

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 2)  # no holiday that week or the next
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: str, serial: int) -> str:
    """A valid ID number of a Changsha (430104) citizen born on `birth` (YYYYMMDD): the test's own
    GB 11643 check digit."""
    first = f"430104{birth}{serial:03d}"
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, WEIGHTS)) % 11]


def local(day: dt.date, hhmm: str) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), SHANGHAI)


def start_hall(tmp, extra: str = "", replace: dict | None = None, at: dt.datetime = local(MONDAY, "08:00")) -> dict:
    config = demo_config(tmp, extra)
    text = open(config, encoding="utf-8").read()
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    open(config, "w", encoding="utf-8").write(text)
    db = f"sqlite:///{tmp}/hall.db"
    assert run_cli("users", "add", "admin", "--role", "admin", "--password-stdin", db=db, config=config,
                   stdin=PASSWORD + "\n").returncode == 0
    tokens = {}
    for name, kind in (("kiosk-1", "kiosk"), ("province", "platform")):
        made = run_cli("devices", "add", name, "--kind", kind, db=db, config=config)
        assert made.returncode == 0, made.stderr
        tokens[name] = made.stdout.strip().splitlines()[-1]
    clock = HallClock(tmp / "clock", at)
    server = Server(db, tmp, config=config, clock_file=str(clock.path)).start()
    admin = login(server, "admin")
    assert admin.post("/users", {"username": "li", "password": PASSWORD, "role": "clerk", "department": "rst"}).status_code == 201
    clerk = login(server, "li")
    assert clerk.post("/windows/1/sign-in").status_code == 200
    return {"server": server, "clock": clock, "admin": admin, "clerk": clerk,
            "kiosk": Client(server, tokens["kiosk-1"]), "platform": Client(server, tokens["province"])}




def next_working_day() -> dt.date:
    """The first working day after today (the real date) in the demo hall's calendar: always bookable."""
    calendar = load_config(None).calendar
    day = dt.date.today()
    while True:
        day += dt.timedelta(days=1)
        if day in calendar.workdays or (day.weekday() < 5 and day not in calendar.holidays):
            return day
