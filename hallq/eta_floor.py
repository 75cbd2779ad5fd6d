"""The floor under issue 12's "`eta_mae_min` at most half of today's estimator's" line: how well could a
wait prediction do on a simulated day if it knew everything but the visits' own durations?

    .venv/bin/python -m hallq.eta_floor [--seed N] [--futures M] [--every K] [--arrivals known|drawn]
                                        [--policy preference|waited] [--profile NAME|FILE] [--config FILE]

1. The day through the real service layer (`hallq simulate`'s `run_day`): each ticket's real wait, the
   predictor's `eta_minutes` and today's estimate.
2. A twin of that day (server/simulation/oracle.py): the simulator's own `Engine` over `QueueStandIn`, an
   in-memory stand-in for the service layer's queueing, ranked by the hall's call-next policy. It must give every
   ticket the wait the service layer gave it (checked on every run; tests/test_eta_floor.py checks it on
   a small hall).
3. For every K-th scored ticket, M futures of its floor from the moment it was issued: the visits ended
   by then as they were, each visit under way re-drawn given how long it has lasted, every later visit
   re-drawn around its matter's average (the profile's lognormal), everything else as the day had it:
   who arrives when (`--arrivals drawn`: a fresh draw of the profile after that moment instead), green
   tickets, no-shows, transfers, late clerks, breaks, meetings, lunches. The oracle's estimate is the
   median of the M waits, in whole minutes as `eta_minutes` is.

The oracle knows far more than a hall does when a ticket is taken, so its error is a floor for any
predictor; docs/waits.md "Measured" has the figures. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time

from server.config import load_config
from server.domain.policy import POLICIES, policy_named
from server.simulation.arrivals import draw_breaks, draw_day
from server.simulation.oracle import Future, Twin, floor_profile, future_wait
from server.simulation.profile import load_profile

from .simulate import DEFAULT_DATE, DEFAULT_PROFILE, run_day


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="hallq.eta_floor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config")
    parser.add_argument("--profile", default=DEFAULT_PROFILE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--policy", choices=tuple(POLICIES), default="preference")
    parser.add_argument("--futures", type=int, default=25, help="futures per ticket (the median of their waits)")
    parser.add_argument("--every", type=int, default=4, help="score every K-th ticket the predictor scored")
    parser.add_argument("--arrivals", choices=("known", "drawn"), default="known",
                        help="known: the day's own later arrivals; drawn: a fresh draw of the profile per future")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    config = load_config(args.config)
    profile = load_profile(args.profile, config)
    arrivals = draw_day(args.seed, profile, config)
    breaks = draw_breaks(args.seed, profile)
    real = run_day(config, profile, args.policy, args.seed)
    policy = policy_named(args.policy, config)
    twin = Twin(config, profile, arrivals, breaks, DEFAULT_DATE, policy).run()
    real_waits = sorted((r.arrival.minute, r.arrival.matter, r.wait) for r in real.records.values())
    twin_waits = sorted((r.arrival.minute, r.arrival.matter, r.wait) for r in twin.records.values())
    if real_waits != twin_waits:
        print("hallq.eta_floor: the twin's day differs from the service layer's; its figures would mean nothing",
              file=sys.stderr)
        return 1
    floor_of = {code: q.floor for code, q in config.queues.items()}
    profiles = {floor: floor_profile(profile, config, floor) for floor in set(floor_of.values())}
    on_floor = {floor: [a for a in arrivals if floor_of[a.queue] == floor] for floor in profiles}
    # --arrivals drawn: future j of every ticket takes its later arrivals from the j-th fresh day
    fresh = [draw_day(10_000 * args.seed + j + 1, profile, config) for j in range(args.futures)] \
        if args.arrivals == "drawn" else []
    scored = sorted((r for r in real.records.values() if r.eta_minutes is not None and r.wait is not None),
                    key=lambda r: r.arrival.minute)
    oracle = ours = today = 0.0
    sample = scored[::args.every]
    for record in sample:
        a = record.arrival
        floor = floor_of[a.queue]
        index = next(i for i, b in enumerate(on_floor[floor]) if (b.minute, b.matter) == (a.minute, a.matter))
        waits = []
        for j in range(args.futures):
            day = on_floor[floor]
            if fresh:
                day = day[:index + 1] + [b for b in fresh[j] if floor_of[b.queue] == floor and b.minute > a.minute]
            rng = random.Random(f"{args.seed}:{floor}:{index}:{j}")
            future = Future(a.minute, profile.behaviour.service_cv, rng)
            waits.append(future_wait(config, profiles[floor], day, breaks, DEFAULT_DATE, policy, index, future))
        oracle += abs(round(statistics.median(waits)) - record.wait)
        ours += abs(record.eta_minutes - record.wait)
        today += abs(record.baseline_eta_minutes - record.wait)
    count = len(sample)
    print(json.dumps({
        "seed": args.seed, "profile": profile.name, "policy": args.policy, "futures": args.futures, "every": args.every,
        "arrivals": args.arrivals, "scored": count,
        "oracle_eta_mae_min": round(oracle / count, 3), "eta_mae_min": round(ours / count, 3),
        "baseline_eta_mae_min": round(today / count, 3),
        "oracle_ratio": round(oracle / today, 3), "ratio": round(ours / today, 3),
        "seconds": round(time.perf_counter() - started, 1)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
