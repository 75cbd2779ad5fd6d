"""Database engines with the settings each backend needs (research/platform.md §2 and §8)."""
from __future__ import annotations

import collections
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from .group_commit import CommitFigures, GroupCommit


class FifoGate:
    """One holder at a time, served in arrival order. SQLite has one connection per process; behind a
    plain lock or the pool's queue, requests arriving later barge past the waiting ones, and under a
    flood of kiosks a clerk's call-next waited half a minute (the bench). Here each waiter is handed
    the turn directly."""

    def __init__(self):
        self._mutex = threading.Lock()
        self._waiters: collections.deque = collections.deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ended
                return True
            self._waiters.remove(turn)
            return False

    @property
    def waiting(self) -> int:
        """How many wait for the turn now (tests line requests up with it)."""
        with self._mutex:
            return len(self._waiters)

    def pass_on(self) -> bool:
        """Hand the turn to the first waiter, if there is one (True); else keep holding (False). Group
        commit asks this atomically: a waiter that timed out can never leave a batch without its holder."""
        with self._mutex:
            if not self._waiters:
                return False
            self._waiters.popleft().set()
            return True

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()  # the turn passes on; the gate stays held
            else:
                self._held = False


@dataclass(frozen=True)
class Database:
    """An engine, and for SQLite the gate every transaction on it takes in turn and, under group commit,
    the open batch of transactions (both None for PostgreSQL; group_commit.py)."""
    engine: Engine
    gate: FifoGate | None = None
    group: GroupCommit | None = None

    def commit_figures(self) -> CommitFigures | None:
        return self.group.figures() if self.group else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, run_blocking=None, group_commit: bool = True) -> Database:
    """`run_blocking(fn, *args)` runs a call on a real OS thread (the server passes one for its async
    mode); SQLite's commit goes through it, see below. `group_commit` ([database] in the hall's config):
    on SQLite, many transactions share one COMMIT (group_commit.py); PostgreSQL groups its own."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # One connection for the whole process: every transaction queues for it (FifoGate).
        engine, gate = _sqlite_engine(url, run_blocking), FifoGate()
        return Database(engine, gate, GroupCommit(engine, gate) if group_commit else None)
    # Connections are cheap for PostgreSQL; pre-ping survives a database restart.
    return Database(create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, pool_timeout=30))


def _sqlite_engine(url: str, run_blocking=None) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # One connection for the whole process: under green threads a second writer would sleep inside
    # SQLite's busy handler and freeze the hub (platform.md §2).
    # check_same_thread: the commit may run on a helper thread, never while another uses the connection.
    engine = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=60,
                           connect_args={"check_same_thread": False})
    if run_blocking is not None:
        # COMMIT under synchronous=FULL waits for fsync (and WAL checkpoints); on the event loop's
        # thread that froze every socket for milliseconds per ticket (the bench's py-spy profile,
        # docs/performance.md). On a real thread only the committing request waits.
        engine.dialect.do_commit = lambda dbapi_connection: run_blocking(dbapi_connection.commit)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=5000")
        # FULL: a ticket answered with 201 survives a power cut, not only a crash of the process.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock before the first read

    return engine


def migrate(url: str) -> None:
    """Bring the database schema to the newest migration. Safe to run from several processes at once."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    engine = open_database(url).engine if make_url(url).get_backend_name() != "sqlite" else _plain_sqlite(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Several server processes may start together: one migrates, the others wait.
                conn.execute(text("SELECT pg_advisory_xact_lock(724201)"))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()


def _plain_sqlite(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, poolclass=NullPool)
