"""Which server process drives the hall's devices.

Printers, LED strips, speakers and the RS485 bus of pagers and evaluators must have one driver: two
processes writing to one serial line garble it. The owner is the process holding a PostgreSQL
advisory lock named after the hall (on a connection of its own, for as long as the process lives);
the others stand by and try again every few seconds, so when the owner dies another takes over.
With SQLite there is one server process, and it owns the devices.
"""
from __future__ import annotations

import hashlib
import logging

from sqlalchemy import text

from .engine import Database

log = logging.getLogger("hallq.devices")


def lock_key(hall: str) -> int:
    """A signed 64-bit key for pg_advisory_lock, the same in every process of the hall."""
    return int.from_bytes(hashlib.sha256(f"hallq-devices:{hall}".encode()).digest()[:8], "big", signed=True)


class DeviceOwnership:
    def __init__(self, database: Database, hall: str):
        self.database = database
        self.key = lock_key(hall)
        self._connection = None

    @property
    def held(self) -> bool:
        return self.database.is_sqlite or self._connection is not None

    def try_take(self) -> bool:
        """Take the devices if no other process has them; True when this process owns them now."""
        if self.held:
            return True
        connection = None
        try:
            connection = self.database.engine.connect()
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
            connection.commit()
        except Exception as exc:  # the database is away: stand by, try again later
            log.warning("device lock: %s", exc.__class__.__name__)
            taken = False
        if not taken:
            if connection is not None:
                connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        """False once the lock's connection is gone (a database restart): another process may have the
        devices now, so this one must let them go."""
        if self.database.is_sqlite or self._connection is None:
            return self.held
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            self.release()
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                pass
            self._connection = None
