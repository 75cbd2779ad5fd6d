"""Staff for a load run: one clerk signed in at each window, an admin and a kiosk.

A hall has 148 windows; hashing 148 passwords with Argon2 (and verifying them at login) would take
longer than the benchmark itself, so bench accounts have no password at all (a marker no password
verifies against) and their tokens are minted straight into the token table, as a successful login
would. Signing in at the windows goes through the service layer like any other entry point.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from server.app import build_hall
from server.domain.errors import HallError
from server.services.accounts import TOKEN_LIFETIME, hash_token, new_token
from server.services.actors import SYSTEM, Actor
from server.services.unit_of_work import UnitOfWork

BENCH_PREFIX = "bench-"
NO_PASSWORD = "bench:no-password"  # not an Argon2 hash: every password is refused


@dataclass
class Seeded:
    admin_token: str
    kiosk_token: str
    clerks: dict[str, str] = field(default_factory=dict)  # window number -> the token of its clerk
    floor_of: dict[str, int] = field(default_factory=dict)  # window number -> floor
    matters: list[str] = field(default_factory=list)  # one matter per queue that has one


def seed_staff(db_url: str, config_path: str | None = None, windows: int | None = None) -> Seeded:
    """Create bench accounts and sign a clerk in at the first `windows` windows (all by default).
    Windows held by real clerks are left alone; windows left by an earlier bench run are taken over."""
    hall = build_hall(config_path, db_url)
    service, cfg = hall.service, hall.config
    service.install_windows()
    run = f"{BENCH_PREFIX}{secrets.token_hex(3)}"
    now = service.clock()
    specs = list(cfg.windows.values())[:windows]
    names = {spec.number: f"{run}-w{spec.number}" for spec in specs}
    tokens = {number: new_token() for number in names}
    admin_token = new_token()
    with UnitOfWork(service.engine) as uow:
        uow.accounts.add_user(f"{run}-admin", NO_PASSWORD, "admin", None, now)
        uow.accounts.add_token(hash_token(admin_token), f"{run}-admin", now, now + TOKEN_LIFETIME)
        for spec in specs:
            uow.accounts.add_user(names[spec.number], NO_PASSWORD, "clerk", spec.department, now)
            uow.accounts.add_token(hash_token(tokens[spec.number]), names[spec.number], now, now + TOKEN_LIFETIME)
        uow.commit()
    seeded = Seeded(admin_token, hall.accounts.add_device(f"{run}-kiosk", "kiosk"))
    for spec in specs:
        _free_bench_window(service, spec.number)
        clerk = Actor("staff", names[spec.number], "clerk", spec.department)
        try:
            service.sign_in(clerk, spec.number)
        except HallError:
            continue  # a real clerk works there
        seeded.clerks[spec.number] = tokens[spec.number]
        seeded.floor_of[spec.number] = spec.floor
    served = {q for spec in specs for q in spec.queues}
    by_queue = {}
    for matter in cfg.matters.values():
        by_queue.setdefault(matter.queue, matter.id)
    seeded.matters = [m for q, m in by_queue.items() if q in served]
    hall.service.engine.dispose()
    return seeded


def _free_bench_window(service, number: str) -> None:
    with UnitOfWork(service.engine) as uow:
        window = uow.windows.get(number)
    if window is None or not (window.clerk or "").startswith(BENCH_PREFIX):
        return
    if window.current_ticket:
        service.finish(SYSTEM, number)
    service.sign_out(SYSTEM, number)
