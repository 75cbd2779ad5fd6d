"""Staff accounts, staff and device tokens, sign-in attempts, and the answers kept for Idempotency-Keys."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from .. import tables as t
from .common import hold_lock, insert_unique

# Built once: the token lookup runs on every request (docs/performance.md).
_STAFF_BY_TOKEN = (
    select(t.users).join(t.staff_tokens, t.staff_tokens.c.username == t.users.c.username)
    .where(t.staff_tokens.c.token_hash == bindparam("token_hash"), t.staff_tokens.c.expires_at > bindparam("now"),
           t.users.c.active.is_(True)))
_DEVICE_BY_TOKEN = select(t.devices).where(t.devices.c.token_hash == bindparam("token_hash"),
                                           t.devices.c.revoked_at.is_(None))
_STORED_ANSWER = select(t.idempotency).where(t.idempotency.c.principal == bindparam("principal"),
                                             t.idempotency.c.key == bindparam("key"))
_STORE_ANSWER = insert(t.idempotency)


@dataclass(frozen=True)
class StaffAccount:
    username: str
    password_hash: str
    role: str
    departments: tuple[str, ...]
    active: bool
    display_name: str | None = None  # what public screens show instead of the username


def _account(row) -> StaffAccount | None:
    if row is None:
        return None
    return StaffAccount(row.username, row.password_hash, row.role, tuple(json.loads(row.departments)), row.active,
                        row.display_name)


@dataclass(frozen=True)
class PairedDevice:
    name: str
    kind: str
    created_at: object
    token_issued_at: object
    revoked_at: object


class AccountRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # ---------------------------------------------------------------- managing accounts
    def users(self) -> list[tuple[StaffAccount, int]]:
        """Every account with its count of live tokens, by name."""
        tokens = (select(t.staff_tokens.c.username, func.count().label("n")).group_by(t.staff_tokens.c.username)
                  .subquery())
        rows = self.conn.execute(select(t.users, tokens.c.n).outerjoin(tokens, tokens.c.username == t.users.c.username)
                                 .order_by(t.users.c.username)).all()
        return [(_account(row), row.n or 0) for row in rows]

    def set_active(self, username: str, active: bool) -> None:
        self.conn.execute(update(t.users).where(t.users.c.username == username).values(active=active))

    def remove_user(self, username: str) -> None:
        self.conn.execute(delete(t.users).where(t.users.c.username == username))

    def drop_tokens_of(self, username: str) -> None:
        self.conn.execute(delete(t.staff_tokens).where(t.staff_tokens.c.username == username))

    def live_token_hashes(self, token_hashes: list[str], now) -> set[str]:
        """Which of these token hashes still stand for someone (an active account's unexpired token, or a
        device's unrevoked one): the sockets' sweep asks."""
        if not token_hashes:
            return set()
        staff = select(t.staff_tokens.c.token_hash).join(t.users, t.users.c.username == t.staff_tokens.c.username).where(
            t.staff_tokens.c.token_hash.in_(token_hashes), t.staff_tokens.c.expires_at > now, t.users.c.active.is_(True))
        devices = select(t.devices.c.token_hash).where(t.devices.c.token_hash.in_(token_hashes),
                                                       t.devices.c.revoked_at.is_(None))
        return set(self.conn.execute(staff).scalars()) | set(self.conn.execute(devices).scalars())

    # ---------------------------------------------------------------- paired devices
    def devices(self) -> list[PairedDevice]:
        c = t.devices.c
        return [PairedDevice(r.name, r.kind, r.created_at, r.token_issued_at or r.created_at, r.revoked_at)
                for r in self.conn.execute(select(t.devices).order_by(c.name))]

    def device(self, name: str) -> PairedDevice | None:
        r = self.conn.execute(select(t.devices).where(t.devices.c.name == name)).first()
        return PairedDevice(r.name, r.kind, r.created_at, r.token_issued_at or r.created_at, r.revoked_at) if r else None

    def revoke_device(self, name: str, now) -> None:
        self.conn.execute(update(t.devices).where(t.devices.c.name == name).values(revoked_at=now))

    def rotate_device(self, name: str, token_hash: str, now) -> None:
        self.conn.execute(update(t.devices).where(t.devices.c.name == name)
                          .values(token_hash=token_hash, token_issued_at=now, revoked_at=None))

    def user(self, username: str) -> StaffAccount | None:
        return _account(self.conn.execute(select(t.users).where(t.users.c.username == username)).first())

    def add_user(self, username: str, password_hash: str, role: str, departments: tuple[str, ...], now,
                 display_name: str | None = None) -> None:
        insert_unique(self.conn, insert(t.users).values(
            username=username, password_hash=password_hash, role=role, departments=json.dumps(list(departments)),
            active=True, created_at=now, display_name=display_name))

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.conn.execute(update(t.users).where(t.users.c.username == username).values(password_hash=password_hash))

    def add_token(self, token_hash: str, username: str, now, expires_at) -> None:
        self.conn.execute(insert(t.staff_tokens).values(token_hash=token_hash, username=username,
                                                        created_at=now, expires_at=expires_at))

    def staff_by_token(self, token_hash: str, now) -> StaffAccount | None:
        return _account(self.conn.execute(_STAFF_BY_TOKEN, {"token_hash": token_hash, "now": now}).first())

    def drop_token(self, token_hash: str) -> None:
        self.conn.execute(delete(t.staff_tokens).where(t.staff_tokens.c.token_hash == token_hash))

    def device_by_token(self, token_hash: str):
        return self.conn.execute(_DEVICE_BY_TOKEN, {"token_hash": token_hash}).first()

    def add_device(self, name: str, kind: str, token_hash: str, now) -> None:
        insert_unique(self.conn, insert(t.devices).values(name=name, kind=kind, token_hash=token_hash, created_at=now,
                                                          token_issued_at=now))

    def purge(self, now, attempts_before) -> None:
        self.conn.execute(delete(t.staff_tokens).where(t.staff_tokens.c.expires_at < now))
        self.conn.execute(delete(t.login_attempts).where(t.login_attempts.c.at < attempts_before))

    # ---------------------------------------------------------------- sign-in attempts (services/signin.py)
    def hold_sign_in(self, username: str, address: str) -> None:
        """Serialise the sign-ins of one user and of one address until the transaction ends, so an
        attempt's count includes every attempt counted before it (PostgreSQL; SQLite has one writer)."""
        hold_lock(self.conn, f"sign-in user:{username}")
        hold_lock(self.conn, f"sign-in address:{address}")

    def count_attempt(self, username: str, address: str, now) -> int:
        """Count an attempt before its password is checked (as a failure until it succeeds); its id."""
        return self.conn.execute(insert(t.login_attempts).values(username=username, address=address, ok=False, at=now)
                                 .returning(t.login_attempts.c.id)).scalar_one()

    def attempt_succeeded(self, attempt: int) -> None:
        self.conn.execute(update(t.login_attempts).where(t.login_attempts.c.id == attempt).values(ok=True))

    def failures(self, since, username: str | None = None, address: str | None = None) -> tuple[int, object]:
        """Failed (or still checking) attempts since `since` of a user, an address, or both: how many,
        and when the latest was."""
        c = t.login_attempts.c
        stmt = select(func.count(), func.max(c.at)).where(c.at > since, c.ok.is_(False))
        if username is not None:
            stmt = stmt.where(c.username == username)
        if address is not None:
            stmt = stmt.where(c.address == address)
        count, latest = self.conn.execute(stmt).one()  # max() keeps the column's type: an aware datetime
        return count, latest

    def clear_failures(self, username: str | None = None, address: str | None = None) -> int:
        c = t.login_attempts.c
        stmt = delete(t.login_attempts).where(c.ok.is_(False))
        if username is not None:
            stmt = stmt.where(c.username == username)
        if address is not None:
            stmt = stmt.where(c.address == address)
        return self.conn.execute(stmt).rowcount


class IdempotencyRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, principal: str, key: str):
        return self.conn.execute(_STORED_ANSWER, {"principal": principal, "key": key}).first()

    def put(self, principal: str, key: str, request: str, body: str, now) -> None:
        insert_unique(self.conn, _STORE_ANSWER, dict(principal=principal, key=key, request=request, body=body,
                                                     created_at=now))

    def purge_before(self, when) -> None:
        self.conn.execute(delete(t.idempotency).where(t.idempotency.c.created_at < when))
