"""The open-loop bench's plan: a slice of the simulator's day profile, compressed K times.

Everything is drawn before the run from the profile and a seed (server/simulation/arrivals.py, the
simulator's own draws), so two runs with the same seed offer the very same citizens at the same
moments. K is the time compression: the slice [start, start + duration × K seconds of the day) is
played in `duration` seconds of wall time, so arrivals come at K× the profile's rate and each
service time is divided by K. The plan keeps what the bench plays (arrival moments, matters,
service times, the staffed windows and their queues); no-shows, transfers, breaks, lunch and the
clerks' lateness are the simulator's business, not the load's.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from server.simulation.arrivals import Draws
from server.simulation.profile import Profile, minute_of_day


@dataclass(frozen=True)
class PlannedArrival:
    offset: float  # seconds of wall time after the run's start
    matter: str
    queue: str
    floor: int
    service_s: float  # wall seconds its window is busy with it (the profile's minutes ÷ K)


@dataclass(frozen=True)
class PlannedWindow:
    number: str
    floor: int
    queues: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    profile: str
    scale: float
    start: str
    duration: float
    seed: int
    arrivals: tuple[PlannedArrival, ...]
    windows: tuple[PlannedWindow, ...]
    floors: tuple[int, ...]
    first_call_within: dict  # window -> wall seconds: its clerk is busy with a citizen from before the slice

    @property
    def day_minutes(self) -> float:
        """How much of the hall's day the run plays."""
        return self.duration * self.scale / 60


def make_plan(profile: Profile, config, *, scale: float, start: str, duration: float, seed: int,
              matters: list[str], clerks: dict[str, str]) -> Plan:
    """`matters`: a matter of each queue the bench may issue to (seed.py leaves out queues with a daily
    quota, which would refuse tickets once used up: their arrivals are dropped);
    `clerks`: the windows a bench clerk signed in at. The staffed windows are the profile's that have one."""
    if scale <= 0 or duration <= 0:
        raise ValueError("--scale and --duration must be positive")
    first = minute_of_day(start, "--start")
    last = first + duration * scale / 60
    allowed = {config.matters[m].queue for m in matters}  # seed.py's: no queue with a daily quota
    draws = Draws(seed, profile, config)
    arrivals = []
    for minute, _queue, matter in draws.poisson_times():  # the day's draws, then the slice: same seed, same day
        if not first <= minute < last:
            continue
        service = draws.service_minutes(config.matters[matter].avg_minutes)
        spec = config.matters[matter]
        if spec.queue not in allowed:
            continue
        queue = config.queues[spec.queue]
        arrivals.append(PlannedArrival((minute - first) * 60 / scale, matter, spec.queue, queue.floor,
                                       service * 60 / scale))
    staffed = set(profile.staffing.windows)
    windows = tuple(PlannedWindow(n, spec.floor, tuple(spec.queues)) for n, spec in config.windows.items()
                    if n in staffed and n in clerks)
    floors = tuple(sorted({w.floor for w in windows} | {a.floor for a in arrivals}))
    # The slice starts mid-morning, so every clerk is serving someone: each calls first at a moment drawn
    # uniformly within its first queue's average service time (÷ K), not all 129 at the first instant.
    phase = random.Random(f"{seed}:bench-first-calls")
    first_call = {w.number: phase.uniform(0, config.queue_avg_minutes(w.queues[0]) * 60 / scale) for w in windows}
    return Plan(profile.name, scale, start, duration, seed, tuple(arrivals), windows, floors, first_call)
