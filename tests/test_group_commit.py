"""Group commit on SQLite (docs/decisions.md §31), on the real service layer over a real database file:
the requests queued at the gate share one COMMIT; a refused one takes back only its own writes; a
COMMIT that fails fails every request of its batch and leaves nothing of them."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event

from hallq.bootstrap import build_hall
from server.domain.errors import Conflict, Reason, Unavailable
from server.domain.model import Priority
from server.services.actors import Actor

KIOSK = Actor("device", "kiosk-gc", "kiosk")
MATTER = "gat-sfz"  # the demo hall's 身份证 matter
BATCH = 6


@pytest.fixture
def sqlite_hall(tmp_path):
    path = tmp_path / "hall.db"
    hall, database = build_hall(None, f"sqlite:///{path}")
    database.group.max_age_s = 30  # the test decides when the batch ends: when the gate has no one waiting
    commits = []
    event.listen(database.engine, "commit", lambda conn: commits.append(1))
    yield hall, database, commits, path
    database.dispose()


def in_one_batch(database, jobs):
    """Run `jobs` on threads that all queue at the gate while the test holds it, then let them go: they
    run one after another in the order they queued, in one batch. Returns each job's result or exception."""
    assert database.gate.acquire(5)
    results: list = [None] * len(jobs)

    def run(i):
        try:
            results[i] = jobs[i]()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            results[i] = exc
    threads = []
    for i in range(len(jobs)):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
        deadline = time.monotonic() + 10
        while database.gate.waiting < i + 1:  # queued in this order
            assert time.monotonic() < deadline, "a job never reached the gate"
            time.sleep(0.001)
    database.gate.release()
    for t in threads:
        t.join(30)
    return results


def issue(hall):
    return lambda: hall.tickets.take_ticket(KIOSK, MATTER).body["ticket"]


def stored_numbers(path) -> list[str]:
    """The numbers a fresh connection reads from the file (what is durable), sorted."""
    with sqlite3.connect(path) as conn:
        return sorted(row[0] for row in conn.execute("SELECT number FROM tickets"))


def test_tickets_queued_together_commit_once(sqlite_hall):
    hall, database, commits, path = sqlite_hall
    before = len(commits)
    tickets = in_one_batch(database, [issue(hall) for _ in range(BATCH)])
    assert all(isinstance(t, dict) for t in tickets), tickets
    assert len(commits) - before == 1, "the queued tickets were not committed together"
    numbers = [t["number"] for t in tickets]
    assert [int(n[1:]) for n in numbers] == list(range(1, BATCH + 1)), "numbers not in queue order"
    assert stored_numbers(path) == numbers
    figures = database.commit_figures()
    assert figures.largest_batch == BATCH


def test_a_refused_command_in_a_batch_takes_back_only_its_own_writes(sqlite_hall):
    hall, database, commits, path = sqlite_hall
    queue = hall.config.queues[hall.config.matters[MATTER].queue]

    def issue_then_refuse():
        def command(uow, now):
            hall.tickets.issue_in(uow, now, KIOSK, queue, MATTER, Priority.NORMAL)
            raise Conflict("refused after writing", Reason.QUEUE_EMPTY)
        return hall.runner.run(KIOSK, None, command)
    before = len(commits)
    results = in_one_batch(database, [issue(hall), issue_then_refuse, issue(hall)])
    assert isinstance(results[1], Conflict)
    first, third = results[0], results[2]
    assert len(commits) - before == 1
    # The refused ticket's number went back with its savepoint: the numbering stays gap-free.
    assert [first["number"][1:], third["number"][1:]] == ["001", "002"]
    assert stored_numbers(path) == [first["number"], third["number"]]


def test_a_failing_commit_fails_every_request_of_its_batch(sqlite_hall):
    hall, database, commits, path = sqlite_hall
    dialect = database.engine.dialect
    real_commit = dialect.do_commit

    def failing_commit(dbapi_connection):
        dialect.do_commit = real_commit  # only this once
        raise sqlite3.OperationalError("disk I/O error")
    dialect.do_commit = failing_commit
    results = in_one_batch(database, [issue(hall) for _ in range(BATCH)])
    assert all(isinstance(r, Unavailable) for r in results), results
    assert {r.reason for r in results} == {Reason.DATABASE_UNREACHABLE}
    assert stored_numbers(path) == [], "a request of the failed batch left its ticket behind"
    # The hall goes on: the next ticket takes the first number.
    assert issue(hall)()["number"][1:] == "001"
    assert len(stored_numbers(path)) == 1


def test_a_read_after_pending_writes_answers_only_after_their_commit(sqlite_hall):
    hall, database, commits, path = sqlite_hall
    seen_at_commit = []
    event.listen(database.engine, "commit", lambda conn: seen_at_commit.append(len(answered)))
    answered: list[str] = []

    def read_waiting():
        hall.runner.read(lambda uow, now: None)  # a read in the middle of a batch that holds a write
        answered.append("read")
    results = in_one_batch(database, [issue(hall), read_waiting, issue(hall)])
    assert not any(isinstance(r, Exception) for r in results), results
    assert seen_at_commit == [0], "the read answered before the write it saw was durable"


def test_group_commit_off_commits_each_transaction_alone(tmp_path):
    from harness import demo_config
    config = demo_config(tmp_path, "\n[database]\ngroup_commit = false\n")
    hall, database = build_hall(config, f"sqlite:///{tmp_path}/hall.db")
    try:
        assert database.group is None and database.commit_figures() is None
        commits = []
        event.listen(database.engine, "commit", lambda conn: commits.append(1))
        tickets = in_one_batch(database, [issue(hall) for _ in range(3)])
        assert all(isinstance(t, dict) for t in tickets), tickets
        assert len(commits) == 3
    finally:
        database.dispose()
