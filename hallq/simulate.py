"""`hallq simulate`: a hall day on the real service layer (docs/waits.md, "Simulator").

The composition: the hall's services (`build_services`) over a fresh SQLite file in a temporary
directory under /dev/shm (memory: nothing touches the disk; tempfile's default directory where there
is no /dev/shm), migrated like any hall database, with a `SimClock` the engine moves."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from functools import partial

# The parser is built for every hallq command, `serve` included, which must patch for its async mode
# before SQLAlchemy loads: the service layer and the database are imported when the day is played.

DEFAULT_PROFILE = "provincial-peak"
DEFAULT_DATE = dt.date(2026, 12, 7)  # a Monday: a fixed day, so a run repeats whatever day it is run on


def add_arguments(parser) -> None:
    from server.domain.policy import POLICIES
    parser.add_argument("--profile", help=f"a bundled profile's name or a TOML file (default {DEFAULT_PROFILE})")
    parser.add_argument("--arrivals", metavar="FILE", help="CSV time,matter[,priority] replayed instead of the "
                        "profile's arrivals (staffing and behaviour still from --profile)")
    parser.add_argument("--policy", choices=sorted(POLICIES), default="preference", help="the call-next policy")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="the figures as one JSON object on the last line")
    parser.add_argument("--plot", metavar="FILE.png", help="draw waiting tickets and mean wait by half-hour per floor")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=DEFAULT_DATE, help="the simulated day, YYYY-MM-DD")
    parser.add_argument("--apply-advice", type=float, metavar="MINUTES",
                        help="apply the staffing advice (hall.advice) every MINUTES")


def scratch_dir() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def run_day(config, profile, policy: str, seed: int, day: dt.date = DEFAULT_DATE,
            replay=None, progress=None, advice_every: float | None = None):
    """Play the day; returns the engine's DayLog (server/simulation/metrics.py makes the figures)."""
    from server.adapters.engine import migrate, open_database
    from server.adapters.sql_uow import SqlUnitOfWork
    from server.domain.policy import policy_named
    from server.simulation.arrivals import draw_breaks, draw_day
    from server.simulation.engine import Engine, SimClock
    from server.simulation.profile import local_moment

    from .bootstrap import build_services
    arrivals = draw_day(seed, profile, config, replay)
    with tempfile.TemporaryDirectory(prefix="hallq-sim-", dir=scratch_dir()) as scratch:
        url = f"sqlite:///{scratch}/hall.db"
        migrate(url)
        database = open_database(url)
        try:
            clock = SimClock(local_moment(day, profile.staffing.sign_in - 1, config.hall.tz))
            hall = build_services(config, partial(SqlUnitOfWork, database, config.hall.code), clock,
                                  policy=policy_named(policy, config))
            hall.housekeeping.install_windows()
            engine = Engine(hall, profile, arrivals, day, progress, draw_breaks(seed, profile))
            if advice_every:
                engine.apply_advice_every(advice_every)
            return engine.run()
        finally:
            database.dispose()


def main(args) -> int:
    from server.config import ConfigError, load_config
    from server.simulation.engine import stderr_progress
    from server.simulation.metrics import figures
    from server.simulation.profile import ProfileError, load_profile, read_arrivals_csv

    def refuse(message: str) -> int:
        print(f"hallq simulate: {message}", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
        profile = load_profile(args.profile or DEFAULT_PROFILE, config)
        replay = read_arrivals_csv(args.arrivals, config) if args.arrivals else None
    except (ConfigError, ProfileError) as exc:
        return refuse(str(exc))
    if replay is None and not profile.arrivals:
        return refuse(f"profile {profile.name!r} has no [arrivals]: give them, or replay a day with --arrivals FILE")
    if args.apply_advice is not None and args.apply_advice <= 0:
        return refuse("--apply-advice takes a positive number of minutes")
    if args.plot:
        try:
            import matplotlib  # noqa: F401  (checked before the day is played, not after)
        except ImportError:
            return refuse("--plot needs matplotlib: pip install 'hallq[sim]'")
    started = time.perf_counter()
    progress = None if args.json else stderr_progress
    log = run_day(config, profile, args.policy, args.seed, args.date, replay, progress, args.apply_advice)
    result = figures(log, config, profile.behaviour)
    result.update(policy=args.policy, seed=args.seed, profile=profile.name, date=args.date.isoformat(),
                  arrivals=len(log.records) + sum(log.refused.values()),
                  arrivals_file=args.arrivals, refused=log.refused, apply_advice_minutes=args.apply_advice,
                  advice_moves=len(log.advice_moves),
                  ended_at=f"{int(log.end_minute) // 60:02d}:{int(log.end_minute) % 60:02d}")
    if args.plot:
        from server.simulation.metrics import timeline
        from server.simulation.plot import draw
        draw(timeline(log, profile.staffing.sign_in), args.plot, config,
             f"{config.hall.code} · {profile.name} · {args.policy} · seed {args.seed}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    else:
        print(table(result))
        print(f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


def table(result: dict) -> str:
    def cell(value, width=7):
        return f"{'-' if value is None else value:>{width}}"
    head = (f"{'queue':<10}{'issued':>7}{'served':>7}{'mean':>7}{'p90':>7}{'max':>7}{'eta MAE':>8}{'today':>7}"
            f"{'in rng':>7}{'ErlangC':>8}")
    lines = ["waits in minutes; eta MAE: the kiosk's estimate vs the real wait (today: the old estimator)", head]
    rows = [*result["per_queue"].items(), ("hall", result)]
    for name, f in rows:
        lines.append(f"{name:<10}{cell(f['issued'])}{cell(f['served'])}{cell(f['mean_wait_min'])}"
                     f"{cell(f['p90_wait_min'])}{cell(f['max_wait_min'])}{cell(f['eta_mae_min'], 8)}"
                     f"{cell(f['baseline_eta_mae_min'])}{cell(f['eta_in_range'])}{cell(f['erlang_c_mean_wait_min'], 8)}")
    refused = ", ".join(f"{n} {reason}" for reason, n in result["refused"].items()) or "none"
    lines.append(f"policy {result['policy']}, seed {result['seed']}, profile {result['profile']}: "
                 f"{result['arrivals']} arrivals, refused {refused}; {result['no_shows']} no-shows, "
                 f"{result['transfers']} transfers, {result['unserved']} not served by {result['ended_at']}")
    return "\n".join(lines)
