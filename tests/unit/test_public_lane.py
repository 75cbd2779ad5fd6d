"""Anonymous reads stand in the database's queue at most PUBLIC_READERS at a time (services/runner.py):
the others wait outside it, and past PUBLIC_WAIT_S are refused with `too_many_requests`."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from server.domain.errors import Unavailable
from server.services import runner as runner_module
from server.services.bus import MessageBus
from server.services.runner import PUBLIC_READERS, CommandRunner


class CountingUnitOfWork:
    """Counts the transactions open at once; each waits until `release` is set."""
    open_now = most = 0
    lock = threading.Lock()
    release = threading.Event()

    def __enter__(self):
        cls = CountingUnitOfWork
        with cls.lock:
            cls.open_now += 1
            cls.most = max(cls.most, cls.open_now)
        cls.release.wait(10)
        return self

    def __exit__(self, *exc):
        with CountingUnitOfWork.lock:
            CountingUnitOfWork.open_now -= 1


def test_public_reads_queue_outside_the_database_and_staff_reads_do_not(monkeypatch):
    monkeypatch.setattr(runner_module, "PUBLIC_WAIT_S", 0.5)
    monkeypatch.setattr(CountingUnitOfWork, "release", threading.Event())
    CountingUnitOfWork.open_now = CountingUnitOfWork.most = 0
    runner = CommandRunner(CountingUnitOfWork, MessageBus(), lambda: dt.datetime.now(dt.timezone.utc))
    results: list = []

    def public_read():
        try:
            results.append(runner.read(lambda uow, now: "ok", public=True))
        except Unavailable as exc:
            results.append(exc.reason.value)
    readers = [threading.Thread(target=public_read) for _ in range(PUBLIC_READERS + 3)]
    for t in readers:
        t.start()
    staff = threading.Thread(target=lambda: results.append(runner.read(lambda uow, now: "staff")))
    staff.start()
    threading.Event().wait(1.0)  # the public readers past the lane time out meanwhile
    assert CountingUnitOfWork.most == PUBLIC_READERS + 1  # the lane's readers, and the staff read beside them
    CountingUnitOfWork.release.set()
    for t in [*readers, staff]:
        t.join(10)
    assert sorted(results) == sorted(["ok"] * PUBLIC_READERS + ["staff"] + ["too_many_requests"] * 3)


def test_the_lane_is_given_back_when_a_read_fails():
    runner = CommandRunner(lambda: CountingUnitOfWork(), MessageBus(), lambda: dt.datetime.now(dt.timezone.utc))
    CountingUnitOfWork.release.set()
    for _ in range(PUBLIC_READERS + 1):
        with pytest.raises(ZeroDivisionError):
            runner.read(lambda uow, now: 1 / 0, public=True)
    assert runner.read(lambda uow, now: "ok", public=True) == "ok"
