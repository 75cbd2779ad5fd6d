"""What the visits under way still take (docs/waits.md, "The visits under way").

The Gamma model of prediction.py takes the windows' next completions as a Poisson stream: it knows
nothing of how long the tickets at the windows have been there. With many windows and many tickets ahead
that is close; for a ticket that needs no more completions than there are busy windows serving its queue
first, it is not: a window whose clerk started a 30-minute matter a minute ago is far from free, one
whose visit has run past its matter's average is likely free soon. The hall knows each called ticket's
matter and `called_at`, so each busy window's visit is taken as lognormal around its matter's configured
average × its queue's pace, with the spread measured today (`visit_cv`), conditioned on having lasted
e minutes so far. The ticket's wait is then the time by which k of those windows have ended a visit
(the one under way, or the one after it) and taken its queue (`kth_end`).
"""
from __future__ import annotations

import math

from .prediction import HIGH_QUANTILE, LOW_QUANTILE, Wait, clock_minutes

PRIOR_CV = 1.0  # before visits are measured: exponential's spread, what the Poisson model assumes
CV_PRIOR_TICKETS = 30  # the prior weighs as this many visits (like the pace's, services/waits.py)
MIN_CV, MAX_CV = 0.2, 2.0


def _upper_normal(x: float) -> float:
    """P(Z > x) for a standard normal Z, accurate far in the tail (erfc)."""
    return 0.5 * math.erfc(x / math.sqrt(2))


def expected_left(mean: float, cv: float, elapsed: float) -> float:
    """E[S − e | S > e] for S lognormal with this mean and coefficient of variation, e = `elapsed`
    minutes: what a visit that has lasted so long is expected still to take."""
    if mean <= 0:
        return 0.0
    if elapsed <= 0:
        return mean
    sigma2 = math.log(1 + cv * cv)
    sigma = math.sqrt(sigma2)
    mu = math.log(mean) - sigma2 / 2
    z = (math.log(elapsed) - mu) / sigma
    survive = _upper_normal(z)
    if survive < 1e-12:  # far in the tail: the lognormal's mean residual life grows like σ²·e / (ln e − μ)
        return elapsed * sigma2 / max(z * sigma, 1e-9)
    return max(0.0, mean * _upper_normal(z - sigma) / survive - elapsed)


def visit_cv(count: int, sum_ratio: float, sum_ratio2: float) -> float:
    """The visits' coefficient of variation measured today: `count` finished visits, the sums of their
    minutes ÷ their matters' configured averages and of its square, shrunk to PRIOR_CV as
    CV_PRIOR_TICKETS visits."""
    if count < 2 or sum_ratio <= 0:
        return PRIOR_CV
    mean = sum_ratio / count
    variance = max(0.0, sum_ratio2 / count - mean * mean)
    cv2 = (variance / (mean * mean) * count + PRIOR_CV ** 2 * CV_PRIOR_TICKETS) / (count + CV_PRIOR_TICKETS)
    return min(MAX_CV, max(MIN_CV, math.sqrt(cv2)))


def _done_within(mean: float, cv: float, elapsed: float, t: float) -> float:
    """P(S ≤ e + t | S > e): the visit under way ends within t minutes."""
    if t <= 0:
        return 0.0
    sigma = math.sqrt(math.log(1 + cv * cv))
    mu = math.log(mean) - sigma * sigma / 2
    survive_now = _upper_normal((math.log(elapsed) - mu) / sigma) if elapsed > 0 else 1.0
    survive_then = _upper_normal((math.log(elapsed + t) - mu) / sigma)
    if survive_now < 1e-12:
        return 1 - math.exp(-t / max(expected_left(mean, cv, elapsed), 1e-6))
    return max(0.0, 1 - survive_then / survive_now)


def _lognormal_cdf(mean: float, cv: float, x: float) -> float:
    if x <= 0:
        return 0.0
    sigma = math.sqrt(math.log(1 + cv * cv))
    return 1 - _upper_normal((math.log(x) - math.log(mean) + sigma * sigma / 2) / sigma)


def _at_least(k: int, windows: list[tuple[float, float]]) -> float:
    """P(at least k completions in all) for independent windows each completing at least one with the first
    chance and at least two with the second."""
    counts = [1.0] + [0.0] * k  # the last entry: k or more
    for one, two in windows:
        new = [0.0] * (k + 1)
        for j, p in enumerate(counts):
            if p:
                new[j] += p * (1 - one)
                new[min(k, j + 1)] += p * (one - two)
                new[min(k, j + 2)] += p * two
        counts = new
    return counts[k]


def kth_end(k: int, busy: list[tuple[float, float, float]], cv: float, p: float, next_mean: float,
            low: float = 0.0, high: float | None = None) -> float:
    """The minutes t by which, with chance p, k visits have ended at the `busy` windows (share, mean of the
    visit under way, minutes elapsed) and their windows taken this queue (a back-up window does so with the
    chance of its share): the visit under way, then at most one more (mean `next_mean`, the same spread,
    started when the one under way is expected to end). The wait of a ticket that needs k completions
    when k of the windows or more serve its queue first and are busy. `low`, `high`: where to look, when
    known (a quantile below or above one already found)."""
    lefts = [expected_left(mean, cv, elapsed) for _share, mean, elapsed in busy]

    def chance(t: float) -> float:
        windows = []
        for (share, mean, elapsed), left in zip(busy, lefts):
            one = share * _done_within(mean, cv, elapsed, t)
            windows.append((one, one * share * _lognormal_cdf(next_mean, cv, t - left)))
        return _at_least(k, windows)
    if high is None:
        high = max(1.0, low, max(mean for _s, mean, _e in busy))
        while chance(high) < p and high < 1e4:
            high *= 2
    while high - low > 0.01:  # minutes: what is shown is whole minutes
        mid = (low + high) / 2
        if chance(mid) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def order_wait(k: int, busy: list[tuple[float, float, float]], cv: float, uncertainty: float,
               next_mean: float, slowdowns=()) -> Wait:
    """The wait of a ticket needing k completions (`kth_end`): its median, and its 15–85 % quantiles widened
    by `uncertainty`, stretched through the lunch break ahead like prediction.predict's."""
    middle = kth_end(k, busy, cv, 0.5, next_mean)
    median = clock_minutes(middle, slowdowns)
    low = clock_minutes(kth_end(k, busy, cv, LOW_QUANTILE, next_mean, high=middle) * (1 - uncertainty), slowdowns)
    high = clock_minutes(kth_end(k, busy, cv, HIGH_QUANTILE, next_mean, low=middle) * (1 + uncertainty), slowdowns)
    minutes = round(median)
    return Wait(minutes, min(minutes, math.floor(low)), max(minutes, math.ceil(high)))
