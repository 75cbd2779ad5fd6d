"""The demo hall's accounts and device tokens (run by scripts/demo before the server starts).

The file (var/demo-accounts.txt) is what the demo prints. It is made on the first start; a demo made
before a later addition gains that addition on its next start (each group is added when its marker
is not in the file yet). One process creates them all: a `hallq users add` per account would cost a
start-up (and the migrations' check) each. An account or device already in the database but not in
the file (the file was deleted) gets the printed password, or a new token, so the file stays true.

    python scripts/demo_accounts.py --db sqlite:///var/demo.db --file var/demo-accounts.txt
"""
from __future__ import annotations

import argparse
from pathlib import Path

from hallq.bootstrap import build_hall
from server.config import HallConfig
from server.domain.errors import Conflict
from server.services.actors import SYSTEM

HEADER = "# hallq demo hall: accounts and device tokens (demo only; never use these passwords in a hall)"
BACK_OFFICE_PASSWORD = "demo-back-1"
BACK_OFFICE_HEADER = ("# back offices (/backoffice), one per department the comprehensive and one-thing windows "
                      "route cases to (password demo-back-1):")


def routed_departments(config: HallConfig) -> list[str]:
    """The departments whose cases the hall-staffed windows (comprehensive, one-thing: no department of
    their own) accept and route: every department a matter of their queues involves, in config order."""
    queues = {q for w in config.windows.values() if w.department is None for q in w.queues}
    found = {d for m in config.matters.values() if m.queue in queues for d in (m.involves or [m.department])}
    return [code for code in config.departments if code in found]


def number_ranges(numbers: list[int]) -> str:
    """[49, 50, 51, 55] → "49-51, 55"."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


class Maker:
    def __init__(self, hall):
        self.hall = hall

    def user(self, name: str, password: str, role: str, *departments: str) -> str:
        try:
            self.hall.accounts.add_user(name, password, role, departments)
        except Conflict:  # made by an earlier demo whose file was lost: the printed password is the true one
            self.hall.account_admin.set_password(SYSTEM, name, password)
        return f"{name} / {password}"

    def device(self, name: str, kind: str) -> str:
        try:
            return self.hall.accounts.add_device(name, kind)
        except Conflict:
            return self.hall.account_admin.rotate_device(SYSTEM, name)


def first_start(make: Maker, config: HallConfig) -> list[str]:
    hall_staffed = number_ranges([int(n) for n, w in config.windows.items() if w.department is None])
    return [
        HEADER,
        f"{make.user('admin', 'demo-admin-1', 'admin')} (admin: /admin)",
        f"{make.user('clerk1', 'demo-clerk-1', 'clerk', 'rst')} (windows 1-12, 社保)",
        f"{make.user('clerk2', 'demo-clerk-1', 'clerk')} (comprehensive and one-thing windows {hall_staffed})",
        f"kiosk token:   {make.device('kiosk-1', 'kiosk')}",
        f"display token: {make.device('screen-1', 'display')}",
    ]


def supervision(make: Maker, _config) -> list[str]:
    """Added with 电子监察 and 好差评."""
    return [f"{make.user('jiancha', 'demo-super-1', 'supervisor')} (电子监察: /admin, /reports)",
            f"pad token (window 1 rating pad, /rate?window=1): {make.device('pad-1', 'pad')}"]


def platform(make: Maker, _config) -> list[str]:
    """Added with 预约: the provincial platform books appointments through the API."""
    return [f"platform token (books appointments, POST /api/v1/appointments): {make.device('province', 'platform')}"]


# (the marker that shows the group is in the file, the group)
GROUPS = [("kiosk token:", first_start), ("jiancha", supervision), ("platform token", platform)]


def back_offices(make: Maker, config: HallConfig, text: str) -> list[str]:
    """Added with issue 13: a routed case can be decided and its result brought back."""
    lines = [f"{make.user(f'back-{code}', BACK_OFFICE_PASSWORD, 'backoffice', code)} ({config.departments[code].name})"
             for code in routed_departments(config) if f"back-{code} /" not in text]
    return ([BACK_OFFICE_HEADER] if lines and BACK_OFFICE_HEADER not in text else []) + lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/demo_accounts.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--file", required=True, type=Path)
    args = parser.parse_args()
    text = args.file.read_text(encoding="utf-8") if args.file.exists() else ""
    hall, database = build_hall(None, args.db)
    try:
        make = Maker(hall)
        added = [line for marker, group in GROUPS if marker not in text for line in group(make, hall.config)]
        added += back_offices(make, hall.config, text + "\n".join(added))
    finally:
        database.dispose()
    if added:
        with args.file.open("a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in added))
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:  # Ctrl-C while the demo sets up: what was made is found again next time
        raise SystemExit(130)
