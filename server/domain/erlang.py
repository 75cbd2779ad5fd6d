"""Erlang C: the M/M/c queue (Poisson arrivals, exponential service, c alike servers, nobody leaves).
The staffing advice and the simulator's bound use it (research/next-features.md §6.1)."""
from __future__ import annotations

import math


def wait_probability(servers: int, offered_load: float) -> float:
    """P(an arrival waits) for `servers` windows and `offered_load` = arrivals × mean service (Erlangs);
    1.0 when the load is at or above the servers (the queue grows without end). Computed through the
    Erlang B recursion, which stays exact where the textbook's factorials overflow."""
    if servers <= 0 or offered_load >= servers:
        return 1.0
    if offered_load <= 0:
        return 0.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1 - blocking))


def mean_wait(arrivals_per_minute: float, mean_service_minutes: float, servers: int) -> float:
    """Mean wait in the queue (minutes) in the steady state; infinity when the windows cannot keep up."""
    if arrivals_per_minute <= 0:
        return 0.0
    load = arrivals_per_minute * mean_service_minutes
    if servers <= 0 or load >= servers:
        return math.inf
    return wait_probability(servers, load) * mean_service_minutes / (servers - load)
