"""Today's wait estimate (before issue 12), kept here on its own so the simulator can score it beside the
new predictor: the semantics of `WaitEstimator.eta_minutes` and `WaitEstimates._build` as of commit
2384a1e. eta = ceil(ahead × average ÷ windows), where windows = those not closed that serve the queue
(`uow.windows.serving()`), or, for a queue none of them serves, the windows the config plans for it;
average = today's measured mean service of the queue when at least 3 tickets were finished, else the
configured average of its matters. None when no window, open or planned, serves the queue."""
from __future__ import annotations

import math

from server.domain.model import business_day

MEASURED_MIN_SAMPLES = 3


def windows_for(queue: str, serving_rows, config) -> int:
    staffed = [number for number, queues in serving_rows if queue in queues]
    if staffed:
        return len(staffed)
    return sum(1 for spec in config.windows.values() if queue in spec.queues)


def eta_minutes(queue: str, ahead: int, serving_rows, measured: dict, config) -> int | None:
    windows = windows_for(queue, serving_rows, config)
    if windows == 0:
        return None
    seconds, n = measured.get(queue, (0.0, 0))
    average = seconds / 60 if n >= MEASURED_MIN_SAMPLES else config.queue_avg_minutes(queue)
    # round() first: float noise (25 × 2.2 = 55.000000000000007) must not add a whole minute
    return math.ceil(round(ahead * average / windows, 6))


def baseline_eta(hall, queue: str, ahead: int) -> int | None:
    """Today's estimate for a ticket with `ahead` in front of it in `queue`, read now."""
    config = hall.config

    def query(uow, now):
        day = business_day(now, config.hall.tz, config.hall.day_rollover_hour)
        return eta_minutes(queue, ahead, uow.windows.serving(), uow.tickets.measured_service(day), config)
    return hall.runner.read(query)
