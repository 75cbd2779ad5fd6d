"""What the service layer's background loops share (the supervision sweep, the notices' rounds): one
round's failure is logged and the loop goes on, so a database that restarts only delays the next round."""
from __future__ import annotations

import logging
from collections.abc import Callable

from ..domain.errors import Unavailable


def one_round(log: logging.Logger, what: str, work: Callable[[], object]) -> object | None:
    """Run one round of a loop: its result, or None when it failed (logged; the loop tries again)."""
    try:
        return work()
    except Unavailable as exc:  # the database is restarting: the next round tries again
        log.warning("%s: %s", what, exc.reason)
    except Exception as exc:
        if type(exc).__module__.startswith("sqlalchemy"):  # lost the database mid-round: the same
            log.warning("%s: %s", what, type(exc).__name__)
        else:
            log.exception("%s: a round failed", what)
    return None
