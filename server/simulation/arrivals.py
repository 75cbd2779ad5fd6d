"""The day's arrivals, all drawn before the day runs: when each citizen comes, for which matter, and what
will happen at the window (service minutes, no-show, transfer). Drawing everything up front from one
stream per purpose means two policies (or a run with and without advice) meet the very same citizens."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .profile import HALF_HOUR, Profile, ReplayedArrival


@dataclass(frozen=True)
class Arrival:
    minute: float  # after local midnight
    matter: str
    queue: str
    green: bool
    service_minutes: float  # at the first window (unless a no-show or a transfer)
    no_show: bool
    transfer_to: str | None
    transfer_service_minutes: float  # at the window of the queue it is transferred to

    def first_visit_minutes(self, grace: float, transfer_after: float) -> float:
        """How long the first window is busy with this ticket."""
        if self.no_show:
            return grace
        return transfer_after if self.transfer_to else self.service_minutes


class Draws:
    """One random stream per purpose, each seeded from the run's seed: the arrival times do not shift
    when, say, the no-show rate changes."""

    def __init__(self, seed: int, profile: Profile, config):
        self.times = random.Random(f"{seed}:arrivals")
        self.service = random.Random(f"{seed}:service")
        self.behaviour = random.Random(f"{seed}:behaviour")
        self.profile = profile
        self.config = config
        rules = profile.behaviour
        self.transfers: dict[str, list] = {}
        for rule in rules.transfers:
            self.transfers.setdefault(rule.from_queue, []).append((rule.to, rule.rate))
        if rules.service == "lognormal":
            self.sigma = math.sqrt(math.log(1 + rules.service_cv ** 2))

    def service_minutes(self, mean: float) -> float:
        if self.profile.behaviour.service == "exponential":
            return self.service.expovariate(1 / mean)
        # a lognormal with this mean and coefficient of variation
        return self.service.lognormvariate(math.log(mean) - self.sigma ** 2 / 2, self.sigma)

    def matter_weights(self, queue: str) -> tuple[list[str], list[float]]:
        matters = [m.id for m in self.config.matters.values() if m.queue == queue]
        return matters, [self.profile.matter_weights.get(m, 1.0) for m in matters]

    def poisson_times(self) -> list[tuple[float, str, str]]:
        """(minute, queue, matter) of a Poisson process per queue, its rate constant within each half-hour."""
        found = []
        for queue, counts in self.profile.arrivals.items():  # the profile's order: deterministic
            matters, weights = self.matter_weights(queue)
            for slot, expected in enumerate(counts):
                start = self.profile.arrivals_from + slot * HALF_HOUR
                t = 0.0
                while expected > 0:
                    t += self.times.expovariate(expected / HALF_HOUR)
                    if t >= HALF_HOUR:
                        break
                    found.append((start + t, queue, self.times.choices(matters, weights)[0]))
        found.sort(key=lambda a: a[0])
        return found

    def complete(self, minute: float, matter: str, green: bool | None = None) -> Arrival:
        rules = self.profile.behaviour
        queue = self.config.matters[matter].queue
        service = self.service_minutes(self.config.matters[matter].avg_minutes)
        if green is None:
            green = self.behaviour.random() < rules.green_rate
        no_show = self.behaviour.random() < rules.no_show_rate
        transfer_to, roll = None, self.behaviour.random()
        for target, rate in self.transfers.get(queue, []):
            if roll < rate:
                transfer_to = target
                break
            roll -= rate
        later = self.service_minutes(self.config.queue_avg_minutes(transfer_to)) if transfer_to else 0.0
        if no_show:  # a citizen who is not there when called is never transferred
            transfer_to, later = None, 0.0
        return Arrival(minute, matter, queue, green, service, no_show, transfer_to, later)


def draw_day(seed: int, profile: Profile, config, replay: list[ReplayedArrival] | None = None) -> list[Arrival]:
    """The day's arrivals in time order: the profile's Poisson arrivals, or the replayed ones."""
    draws = Draws(seed, profile, config)
    if replay is not None:
        return [draws.complete(a.minute, a.matter, a.green) for a in replay]
    return [draws.complete(minute, matter) for minute, _queue, matter in draws.poisson_times()]


def draw_breaks(seed: int, profile: Profile) -> dict[str, list[float]]:
    """Each staffed window's short breaks (minutes after midnight): the n-th of a clerk's breaks at a moment
    drawn uniformly from the n-th of equal parts of the working day outside lunch, from its own stream."""
    plan = profile.staffing
    stream = random.Random(f"{seed}:breaks")
    if not plan.breaks_per_clerk:
        return {}
    # the working day outside lunch, less the first and last half-hour (nobody breaks at opening or closing)
    spans = [(plan.sign_in + HALF_HOUR, plan.sign_out - HALF_HOUR)]
    if plan.lunch:
        spans = [(spans[0][0], plan.lunch[0] - plan.break_minutes), (plan.lunch[1], spans[0][1])]
    spans = [(a, b) for a, b in spans if b > a]
    total = sum(b - a for a, b in spans)
    found: dict[str, list[float]] = {}
    for number in plan.windows:
        moments = []
        for part in range(plan.breaks_per_clerk):
            offset = stream.uniform(part, part + 1) * total / plan.breaks_per_clerk
            for a, b in spans:
                if offset < b - a:
                    moments.append(a + offset)
                    break
                offset -= b - a
        found[number] = moments
    return found
