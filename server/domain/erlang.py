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


def building_wait(arrivals_per_minute: float, mean_service_minutes: float, servers: int, horizon_minutes: float) -> float:
    """The wait chance makes in a queue that has only `horizon_minutes` to build up: near capacity Erlang C's
    steady state needs hours to arrive, so it is blended (harmonically: the smaller rules) with what a
    critically loaded queue builds within the horizon, a random walk's mean height averaged over it,
    (2/3)·√(4λH/π) tickets, over the windows' pace. Finite where Erlang C is infinite; a backlog beyond
    the windows' pace is the caller's (fluid) part."""
    if arrivals_per_minute <= 0:
        return 0.0
    pace = servers / mean_service_minutes
    within_horizon = (2 / 3) * math.sqrt(4 * arrivals_per_minute * horizon_minutes / math.pi) / pace
    steady = mean_wait(arrivals_per_minute, mean_service_minutes, servers)
    if math.isinf(steady):
        return within_horizon
    return steady * within_horizon / (steady + within_horizon) if steady > 0 else 0.0
