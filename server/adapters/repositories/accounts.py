"""Staff accounts, staff and device tokens, sign-in attempts, and the answers kept for Idempotency-Keys."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from .. import tables as t
from .common import insert_unique

# Built once: the token lookup runs on every request (docs/performance.md).
_STAFF_BY_TOKEN = (
    select(t.users).join(t.staff_tokens, t.staff_tokens.c.username == t.users.c.username)
    .where(t.staff_tokens.c.token_hash == bindparam("token_hash"), t.staff_tokens.c.expires_at > bindparam("now"),
           t.users.c.active.is_(True)))
_DEVICE_BY_TOKEN = select(t.devices).where(t.devices.c.token_hash == bindparam("token_hash"))
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


class AccountRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

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
        insert_unique(self.conn, insert(t.devices).values(name=name, kind=kind, token_hash=token_hash, created_at=now))

    def purge(self, now, attempts_before) -> None:
        self.conn.execute(delete(t.staff_tokens).where(t.staff_tokens.c.expires_at < now))
        self.conn.execute(delete(t.login_attempts).where(t.login_attempts.c.at < attempts_before))

    def record_attempt(self, username: str, address: str, ok: bool, now) -> None:
        self.conn.execute(insert(t.login_attempts).values(username=username, address=address, ok=ok, at=now))

    def failures_since(self, since, username: str | None = None, address: str | None = None) -> int:
        c = t.login_attempts.c
        stmt = select(func.count()).where(c.at > since, c.ok.is_(False))
        stmt = stmt.where(c.username == username) if username is not None else stmt.where(c.address == address)
        return self.conn.execute(stmt).scalar_one()


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
