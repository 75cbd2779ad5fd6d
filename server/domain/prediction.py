"""How long a ticket will wait, as a range (docs/waits.md, "Wait prediction").

A ticket with n tickets ahead is called at the (n + 1 − idle)-th completion among the windows serving
its queue (idle: staffed windows with nobody at them, which take the first tickets at once). With c
windows each finishing a ticket every s minutes on average, completions come at rate c/s, so the wait
is about Gamma(k, rate c/s): its spread relative to its mean is 1/√k (research/next-features.md §6.2).
The estimate is the median (what halves the absolute error) and the range its 15 %–85 % quantiles,
widened by how uncertain s itself is; both stretched through the lunch break ahead, when the windows
keep only part of their pace (`Slowdown`, `clock_minutes`).

A window counts when a clerk is signed in. One that serves the queue as a back-up (not its first
queue) counts for the share of its time its preferred queues leave; one that is paused counts from
when it is expected back: nothing is served before the first counted window is back (a certain
delay), and each one back later costs the completions it would have made meanwhile, which adds
(its away − the delay) × share ÷ s to the shape. Only windows back before the wait would end are
worth counting, so the set of windows is the one giving the shortest mean wait.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

LOW_QUANTILE, HIGH_QUANTILE = 0.15, 0.85
MEASURED_MIN_SAMPLES = 3  # finished tickets before their mean service time replaces a longer view or the configured one
MIN_BACKUP_SHARE = 0.1  # a back-up window behind overloaded queues still calls now and then
OPEN, PAUSED = "open", "paused"


@dataclass(frozen=True)
class Wait:
    """A predicted wait in whole minutes: about `minutes`, most likely between `low` and `high`."""
    minutes: int
    low: int
    high: int

    @property
    def range(self) -> list[int]:
        return [self.low, self.high]

    @classmethod
    def of(cls, minutes: int | None, range_: tuple[int, int] | list[int] | None) -> "Wait | None":
        """From the figures an event carries (one logged before ranges existed has none: a point)."""
        if minutes is None:
            return None
        low, high = range_ or (minutes, minutes)
        return cls(minutes, low, high)


class WindowStaffing(NamedTuple):
    """A window as the predictor needs it: `state` open | paused | closed, `staffed` (a clerk signed in),
    `busy` (a ticket at it). A named tuple: every window is read for every ticket issued."""
    number: str
    queues: tuple[str, ...]
    state: str
    staffed: bool
    busy: bool
    called_at: dt.datetime | None = None  # the ticket at it: when it was called, its matter and queue
    matter: str | None = None
    ticket_queue: str | None = None
    since: dt.datetime | None = None  # in this state since (a pause: when it began)


@dataclass(frozen=True)
class QueueRate:
    """A queue's mean service minutes per ticket, how uncertain that mean is (relative standard error),
    its recent arrivals per minute and `pace`: how long its visits take against the configured averages
    of their matters (1: as configured)."""
    service_minutes: float
    uncertainty: float
    arrivals_per_minute: float = 0.0
    pace: float = 1.0


@dataclass(frozen=True)
class Capacity:
    """The windows able to serve a queue: (share of its time for the queue, minutes until back) each,
    and how many staffed open windows stand idle (`idle_windows`)."""
    windows: tuple[tuple[float, float], ...]
    idle: int = 0


def capacities(windows: Iterable[WindowStaffing], rates: Mapping[str, QueueRate],
               paused_away_minutes: float | Mapping[str, float]) -> dict[str, Capacity]:
    """Per queue, the staffed windows serving it. `paused_away_minutes`: how long a paused window is
    expected to stay away (an open one is there now), alike for all or per window number."""
    found: dict[str, list] = {}
    for w, q, share in window_shares(windows, rates):
        if w.state == OPEN:
            away = 0.0
        elif isinstance(paused_away_minutes, Mapping):
            away = paused_away_minutes[w.number]
        else:
            away = paused_away_minutes
        found.setdefault(q, []).append((share, away))
    return {q: Capacity(tuple(sorted(ws, key=lambda sw: sw[1]))) for q, ws in found.items()}


def window_shares(windows: Iterable[WindowStaffing], rates: Mapping[str, QueueRate]):
    """(window, queue, share of the window's time for the queue) of every staffed window (open or paused)
    and each of its queues: 1 for its first queue, for a later one what its preferred queues leave."""
    staffed = [w for w in windows if w.staffed and w.state in (OPEN, PAUSED)]
    serving: dict[str, int] = {}
    for w in staffed:
        for q in w.queues:
            serving[q] = serving.get(q, 0) + 1

    def utilisation(queue: str) -> float:
        """The share of each of its windows' time a queue's recent arrivals take."""
        rate = rates.get(queue)
        return rate.arrivals_per_minute * rate.service_minutes / serving[queue] if rate else 0.0

    for w in staffed:
        for i, q in enumerate(w.queues):
            yield w, q, 1.0 if i == 0 else max(MIN_BACKUP_SHARE, 1.0 - sum(utilisation(p) for p in w.queues[:i]))


def idle_windows(windows: Iterable[WindowStaffing]) -> dict[str, int]:
    """Per queue, the staffed open windows serving it with nobody at them (they change with every call,
    the capacities above only when staffing does)."""
    idle: dict[str, int] = {}
    for w in windows:
        if w.staffed and w.state == OPEN and not w.busy:
            for q in w.queues:
                idle[q] = idle.get(q, 0) + 1
    return idle


@dataclass(frozen=True, order=True)
class Slowdown:
    """A span ahead (minutes from now) in which the windows keep only `pace` of their capacity: the
    lunch break, when a share of the clerks is at lunch at any moment of it."""
    start: float
    end: float
    pace: float


def clock_minutes(work: float, slowdowns: Iterable[Slowdown] = ()) -> float:
    """The minutes from now by which `work` minutes at the windows' full pace are done, the spans of
    `slowdowns` going at their pace."""
    now = 0.0
    for span in sorted(slowdowns):
        if span.end <= now:
            continue
        start = max(span.start, now)
        if work <= start - now:
            break
        work -= start - now
        done_in_span = (span.end - start) * span.pace
        if work <= done_in_span:
            return start + work / span.pace
        work -= done_in_span
        now = span.end
    return now + work


def predict(ahead: int, capacity: Capacity | None, rate: QueueRate,
            slowdowns: tuple[Slowdown, ...] = ()) -> Wait | None:
    """The wait of a ticket with `ahead` tickets before it; None when no staffed window serves its queue.
    Its quantiles are worked out at the windows' pace now, then stretched through `slowdowns` (a
    quantile of the work is one of the wait: the stretch only grows with the work)."""
    if capacity is None or not capacity.windows:
        return None
    needed = ahead + 1 - capacity.idle  # completions before a window is free for this ticket
    if needed <= 0:
        return Wait(0, 0, 1)
    s = rate.service_minutes
    delay, shape, windows = _fastest_windows(needed, capacity.windows, s)
    scale = s / windows  # minutes per completion
    median = clock_minutes(delay + gamma_quantile(shape, 0.5) * scale, slowdowns)
    low = clock_minutes(delay + gamma_quantile(shape, LOW_QUANTILE) * scale * (1 - rate.uncertainty), slowdowns)
    high = clock_minutes(delay + gamma_quantile(shape, HIGH_QUANTILE) * scale * (1 + rate.uncertainty), slowdowns)
    minutes = round(median)
    return Wait(minutes, min(minutes, math.floor(low)), max(minutes, math.ceil(high)))


def _fastest_windows(needed: int, windows: tuple[tuple[float, float], ...], s: float) -> tuple[float, float, float]:
    """(delay, shape, effective windows) over the windows back soonest, taking as many as shorten the
    mean wait. Nothing is served before the first of them is back (the delay, certain); each one back
    later costs the completions it would have made meanwhile: (its away − delay) × share ÷ s."""
    best = None
    delay = windows[0][1]  # sorted by when each is back
    total_share = lost = 0.0
    for share, away in windows:
        total_share += share
        lost += share * (away - delay) / s
        mean = delay + (needed + lost) * s / total_share
        if best is None or mean < best[0]:
            best = (mean, needed + lost, total_share)
    return delay, best[1], best[2]


# ---------------------------------------------------------------- the Gamma distribution (unit scale)
def gamma_cdf(shape: float, x: float) -> float:
    """P(Gamma(shape, 1) ≤ x), the regularised lower incomplete gamma function: its power series below
    shape + 1, its continued fraction above (Numerical Recipes §6.2); no scipy in the venv."""
    if x <= 0:
        return 0.0
    log_front = shape * math.log(x) - x - math.lgamma(shape)
    if x < shape + 1:
        term = total = 1.0 / shape
        a = shape
        while abs(term) > abs(total) * 1e-14:
            a += 1
            term *= x / a
            total += term
        return min(1.0, total * math.exp(log_front))
    tiny = 1e-300  # Lentz's method
    b = x + 1 - shape
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 500):
        an = -i * (i - shape)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-14:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def gamma_quantile(shape: float, p: float) -> float:
    """The x with P(Gamma(shape, 1) ≤ x) = p. Shapes are rounded to 1/100 and remembered: a kiosk asks
    for the same few again and again (a minute of wait more or less is below what is shown)."""
    return _quantile(round(shape, 2), p)


@functools.lru_cache(maxsize=8192)
def _quantile(shape: float, p: float) -> float:
    """Newton's method from the Wilson–Hilferty approximation (a few steps: the kiosk meets new shapes as
    lines grow, and 60 bisection steps cost a millisecond each time, the bench saw), by bisection where
    Newton strays."""
    z = statistics.NormalDist().inv_cdf(p)
    x = shape * (1 - 1 / (9 * shape) + z * math.sqrt(1 / (9 * shape))) ** 3
    if x > 0:
        log_norm = math.lgamma(shape)
        for _ in range(12):
            density = math.exp((shape - 1) * math.log(x) - x - log_norm)
            if density <= 0:
                break
            step = (gamma_cdf(shape, x) - p) / density
            if not math.isfinite(step) or x - step <= 0:
                break
            x -= step
            if abs(step) <= 1e-12 * max(1.0, x):
                return x
    return _bisect(shape, p)


def _bisect(shape: float, p: float) -> float:
    low, high = 0.0, max(1.0, shape)
    while gamma_cdf(shape, high) < p:
        high *= 2
    for _ in range(60):
        mid = (low + high) / 2
        if gamma_cdf(shape, mid) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2
