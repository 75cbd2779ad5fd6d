"""Staff for a load run: one clerk signed in at each window, an admin and a kiosk.

A hall has 148 windows; hashing 148 passwords with Argon2 (and verifying them at login) would take
longer than the benchmark itself, so bench accounts are seeded accounts: no password at all, and a
token minted at once, as a successful login would (`Accounts.add_seeded_user`). Signing in at the
windows goes through the service layer like any other entry point.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from server.domain.errors import HallError
from server.services.actors import SYSTEM, Actor
from server.services.hall import Hall

BENCH_PREFIX = "bench-"


@dataclass
class Seeded:
    admin_token: str
    kiosk_token: str
    clerks: dict[str, str] = field(default_factory=dict)  # window number -> the token of its clerk
    floor_of: dict[str, int] = field(default_factory=dict)  # window number -> floor
    matters: list[str] = field(default_factory=list)  # one matter per queue that has one


def seed_staff(hall: Hall, windows: int | None = None) -> Seeded:
    """Create bench accounts and sign a clerk in at the first `windows` windows (all by default).
    Windows held by real clerks are left alone; windows left by an earlier bench run are taken over."""
    cfg = hall.config
    hall.housekeeping.install_windows()
    run = f"{BENCH_PREFIX}{secrets.token_hex(3)}"
    specs = list(cfg.windows.values())[:windows]
    departments = {spec.number: (spec.department,) if spec.department else () for spec in specs}
    names = {spec.number: f"{run}-w{spec.number}" for spec in specs}
    admin_token = hall.accounts.add_seeded_user(f"{run}-admin", "admin")
    tokens = {n: hall.accounts.add_seeded_user(names[n], "clerk", departments[n]) for n in names}
    seeded = Seeded(admin_token, hall.accounts.add_device(f"{run}-kiosk", "kiosk"))
    for spec in specs:
        _free_bench_window(hall, spec.number)
        clerk = Actor("staff", names[spec.number], "clerk", departments[spec.number])
        try:
            hall.windows.sign_in(clerk, spec.number)
        except HallError:
            continue  # a real clerk works there
        seeded.clerks[spec.number] = tokens[spec.number]
        seeded.floor_of[spec.number] = spec.floor
    served = {q for spec in specs for q in spec.queues}
    by_queue = {}
    for matter in cfg.matters.values():
        by_queue.setdefault(matter.queue, matter.id)
    # A queue with a daily quota (限号) would refuse the bench's tickets once it is used up.
    seeded.matters = [m for q, m in by_queue.items() if q in served and cfg.queues[q].daily_quota is None]
    return seeded


def _free_bench_window(hall: Hall, number: str) -> None:
    clerk = hall.queries.window(SYSTEM, number)["clerk"]
    if not (clerk or "").startswith(BENCH_PREFIX):
        return
    if hall.queries.window(SYSTEM, number)["current"]:
        hall.windows.finish(SYSTEM, number)
    hall.windows.sign_out(SYSTEM, number)
