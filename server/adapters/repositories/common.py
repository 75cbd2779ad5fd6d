"""Helpers the repositories share."""
from __future__ import annotations

import functools
import hashlib
import json

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ...services.unit_of_work import AlreadyStored


@functools.lru_cache(maxsize=1024)
def queue_tuple(queues_json: str) -> tuple[str, ...]:
    return tuple(json.loads(queues_json))


def dialect_of(conn: Connection):
    return postgresql if conn.dialect.name == "postgresql" else sqlite


def upsert_nothing(conn: Connection, table, values: dict):
    return dialect_of(conn).insert(table).values(**values).on_conflict_do_nothing()


def insert_unique(conn: Connection, statement, values=None):
    """Run an insert; a row with the same key already there is AlreadyStored (the service layer's word)."""
    try:
        return conn.execute(statement, values) if values is not None else conn.execute(statement)
    except IntegrityError as exc:
        raise AlreadyStored(str(exc.orig)) from exc


def hold_lock(conn: Connection, key: str) -> None:
    """Serialise, until the transaction ends, the commands that check-then-write one thing (a booking slot,
    an ID's tickets): a PostgreSQL advisory lock on the key's hash. SQLite lets one writer in at a time
    already (BEGIN IMMEDIATE behind the gate), so there is nothing to do there."""
    if conn.dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})
