"""When a bench run's workers start and stop, shared by the stress mode's workers (bench.load) and the
open loop's (bench.open_loop)."""
from __future__ import annotations

import collections
from dataclasses import dataclass


@dataclass
class Timing:
    duration: float
    grace: float  # screens keep listening, and answers are awaited, this long after the last send
    start_at: float = 0.0

    @property
    def end_at(self) -> float:
        return self.start_at + self.duration


async def connected(gate, errors: collections.Counter, connect) -> bool:
    """Open one screen socket (`connect()`, awaited) while holding the connect gate; a refused or timed-out
    socket is a measured error, not a crash."""
    try:
        async with gate:
            await connect()
    except Exception as exc:
        errors[f"socket connect: {type(exc).__name__}"] += 1
        return False
    return True


def call_to_screen(calls: dict, deliveries) -> tuple[list[float], collections.Counter]:
    """Each delivery (_, number, window, at) of a known call (`calls`: (number, window) → (floor, sent, …)):
    the milliseconds from the call's sending, and how many screens got each call."""
    latency, received = [], collections.Counter()
    for _screen, number, window, at in deliveries:
        call = calls.get((number, window))
        if call:
            latency.append((at - call[1]) * 1000)
            received[(number, window)] += 1
    return latency, received
