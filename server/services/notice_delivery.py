"""The notices' worker: posts what the outbox holds to the hall's gateway (docs/notices.md).

One round: claim the due notices (a short transaction that leases them and commits), post each on a
real OS thread (`run_blocking`: the event loop never waits for the gateway, and no transaction is
open meanwhile), then cross each off in a transaction of its own. A failed post is due again after
an exponential back-off, and given up after `[notices] max_attempts`; the round stops at the first
failure (the gateway is likely down: the others keep their place and are not charged an attempt).

Delivery is at least once: a process that dies after the gateway took a notice and before it was
crossed off leaves it leased; when the lease ends it is posted again, with the same `id`, which a
gateway uses to drop the duplicate. Logs never carry a full phone number.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from ..config import HallConfig
from ..domain.notices import Notice, after_failure
from .actors import SYSTEM
from .background import one_round
from .runner import CommandRunner
from .unit_of_work import UnitOfWork

log = logging.getLogger("hallq.notices")
POLL_S = 1.0  # look for due notices (retries, another process's) at least this often
SOONEST_S = 0.2  # after a commit that may have queued some, look this soon, but no sooner
BATCH = 20  # notices claimed per round
LEASE_MARGIN_S = 30  # a lease outlasts a whole round's posts by this much

# Posts one notice to the gateway (the adapter: server/adapters/gateway.py); raises if it was not taken.
Gateway = Callable[[dict], None]


class NoticeNotDelivered(Exception):
    """The gateway did not take a notice; the message is short and never holds the phone."""


class NoticeDelivery:
    def __init__(self, config: HallConfig, runner: CommandRunner, gateway: Gateway | None, run_blocking=None):
        self.settings = config.notices
        self.runner = runner
        self.gateway = gateway
        self.run_blocking = run_blocking or (lambda fn, *args: fn(*args))
        self.lease = dt.timedelta(seconds=BATCH * self.settings.timeout_seconds + LEASE_MARGIN_S)
        self._woken = False

    def wake(self, _event, _audience) -> None:
        """Bus consumer: a commit may have queued notices; look soon."""
        self._woken = True

    def deliver_due(self) -> dict:
        """One round; {"sent", "failed", "claimed"}."""
        claimed: list[Notice] = self.runner.run(SYSTEM, None, self._claim).body["notices"]
        sent = failed = 0
        for i, notice in enumerate(claimed):
            try:
                self.run_blocking(self.gateway, notice.payload())
            except Exception as exc:  # refused, unreachable, timed out: try it again later
                failed += 1
                self._failed(notice, _short(exc))
                self.runner.run(SYSTEM, None, lambda uow, _now, rest=claimed[i + 1:]: self._release(uow, rest))
                break
            sent += 1
            self.runner.run(SYSTEM, None, lambda uow, now, notice=notice: self._sent(uow, now, notice))
        return {"sent": sent, "failed": failed, "claimed": len(claimed)}

    def run(self, sleep) -> None:
        """The background task: a round every POLL_S seconds, sooner after a commit, at once again after
        a full batch went out."""
        if self.gateway is None:
            return
        last = 0.0
        while True:
            since = time.monotonic() - last
            if since >= POLL_S or (self._woken and since >= SOONEST_S):
                self._woken = False
                last = time.monotonic()
                if one_round(log, "notices", self.deliver_due) == {"sent": BATCH, "failed": 0, "claimed": BATCH}:
                    last = 0.0  # more may be due
            sleep(0.05)

    # ---------------------------------------------------------------- the round's transactions
    def _claim(self, uow: UnitOfWork, now: dt.datetime) -> dict:
        return {"notices": uow.notices.claim(now, now + self.lease, BATCH)}

    def _sent(self, uow: UnitOfWork, now: dt.datetime, notice: Notice) -> dict:
        uow.notices.mark_sent(notice.id, now)
        log.info("%s sent", notice)
        return {}

    def _failed(self, notice: Notice, error: str) -> None:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            s = self.settings
            outcome = after_failure(notice, now, s.max_attempts, s.backoff_base_seconds, s.backoff_cap_seconds)
            uow.notices.mark_failed(notice.id, outcome.attempts, outcome.retry_at, error, now)
            if outcome.retry_at is None:
                log.error("%s given up after %d attempts: %s", notice, outcome.attempts, error)
            else:
                log.warning("%s not delivered (attempt %d: %s); next at %s", notice, outcome.attempts, error,
                            outcome.retry_at.isoformat(timespec="seconds"))
            return {}
        self.runner.run(SYSTEM, None, command)

    @staticmethod
    def _release(uow: UnitOfWork, rest: list[Notice]) -> dict:
        uow.notices.release([n.id for n in rest])
        return {}


def _short(exc: Exception) -> str:
    """A failure in a few words, never the request (it holds the phone)."""
    if isinstance(exc, NoticeNotDelivered):
        return str(exc)[:200]
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"[:200]
    return type(exc).__name__
