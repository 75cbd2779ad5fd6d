"""`hallq bench --profile NAME --scale K`: the open-loop bench. A slice of the simulator's day profile
(bench.plan) is replayed K× faster against real `hallq serve` processes (started here on a fresh
hall, or running ones given with --url) by worker processes (bench.open_loop); the figures are
bench.report's. The run fails (exit 3, a sentence on stderr) when the generator could not keep its
schedule, because its figures would then measure the generator.

`--find-capacity`: the largest K whose run has call→screen p99 ≤ --target-p99 (50 ms), no errors and
the schedule kept; doubling from --scale until a step fails, then bisection to within 10 %. Each
step starts its own server on a fresh hall (a reused hall would carry the last step's queues into
the next); against --url the one hall is reused, and says so.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

from server.simulation.profile import ProfileError, load_profile

from .options import OPEN_LOOP_SCREENS, OPEN_LOOP_SOCKETS_PER_PROCESS
from .open_loop import actor_worker, screen_worker
from .plan import Plan, make_plan
from .report import meets_capacity_target, print_json, print_report, summarise
from .seed import seed_staff
from .timing import Timing
from .servers import ServeProcess, peak_rss_fields, start_or_find

GRACE_S = 3.0
SCHEDULE_FAILED = 3


def main(args: argparse.Namespace, default_db: str, build_hall) -> int:
    args.profile = args.profile or "provincial-peak"
    args.screens = OPEN_LOOP_SCREENS if args.screens is None else args.screens
    if args.sockets_per_process is None:
        args.sockets_per_process = OPEN_LOOP_SOCKETS_PER_PROCESS
    if args.find_capacity:
        args.scale = 10.0 if args.scale is None else args.scale
        return find_capacity(args, default_db, build_hall)
    args.scale = 1.0 if args.scale is None else args.scale
    try:
        report = run_once(args, default_db, build_hall, args.scale, args.duration or 60.0)
    except (ProfileError, ValueError, RuntimeError) as exc:
        print(f"hallq bench: {exc}", file=sys.stderr)
        return 2
    print_report(report)
    if args.json:
        print_json(report)
    if not report["schedule"]["kept"]:
        print(f"hallq bench: the load generator could not keep its schedule ({'; '.join(report['schedule']['behind'])}"
              "), so these figures measure the generator, not the server; use fewer screens or a smaller "
              "--scale, more --screen-procs, or a quieter machine", file=sys.stderr)
        return SCHEDULE_FAILED
    return 0


def run_once(args, default_db: str, build_hall, scale: float, duration: float) -> dict:
    """Set up a hall, start (or target) its servers, play the plan, report."""
    workdir = Path(tempfile.mkdtemp(prefix="hallq-bench-"))
    explicit_db = args.db != default_db or "HALLQ_DATABASE_URL" in os.environ
    db = args.db if (explicit_db or args.url) else f"sqlite:///{workdir}/bench.db"
    if not args.url and args.processes > 1 and (db.startswith("sqlite") or not args.message_queue):
        raise ValueError("several processes need a PostgreSQL --db and --message-queue redis://…")
    servers: list[ServeProcess] = []
    try:
        hall, database = build_hall(args.config, db)
        try:
            seeded = seed_staff(hall)
            profile = load_profile(args.profile, hall.config)
            plan = make_plan(profile, hall.config, scale=scale, start=args.start, duration=duration, seed=args.seed,
                             matters=seeded.matters, clerks=seeded.clerks)
        finally:
            database.dispose()
        urls, pids = start_or_find(args, db, workdir, servers)
        report = replay(plan, urls, pids, seeded, args)
        report.update(peak_rss_fields(pids))
        report["setup"] = {"db": db.split("://")[0], "processes": len(urls), "message_queue": bool(args.message_queue),
                           "async_mode": None if args.url else args.async_mode, "windows": len(plan.windows),
                           "arrivals": len(plan.arrivals), "screen_procs": args.screen_procs,
                           "actor_procs": args.actor_procs,
                           "screen_client": args.screen_client, "load": os.getloadavg()[0]}
    finally:
        for s in servers:
            s.stop()
    if any(s.proc.returncode not in (0, -15, None) for s in servers):
        print(f"hallq bench: a server failed; logs kept in {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def replay(plan: Plan, urls: list[str], pids: list, seeded, args) -> dict:
    ctx = multiprocessing.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    start_at = ctx.Value("d", 0.0)
    timing = Timing(plan.duration, GRACE_S)
    screen_procs = max(1, args.screen_procs) if (args.screens or args.sockets_per_process) else 0

    floors = plan.floors or (1,)
    screens = [(urls[i % len(urls)], floors[i % len(floors)]) for i in range(args.screens)]
    idle_each = max(0, args.sockets_per_process - -(-args.screens // len(urls)))
    idle = [url for url in urls for _ in range(idle_each)]
    window_urls = {w.number: urls[i % len(urls)] for i, w in enumerate(plan.windows)}
    # A floor's kiosks and windows stay in one worker: it then knows what waits for its windows.
    actor_procs = max(1, min(args.actor_procs, len(floors)))
    floor_group = {floor: i % actor_procs for i, floor in enumerate(floors)}

    workers = []
    for n in range(screen_procs):
        workers.append(ctx.Process(target=screen_worker, daemon=True, args=(
            screens[n::screen_procs], idle[n::screen_procs], timing, ready, go, start_at, out, args.screen_client)))
    for n in range(actor_procs):
        arrivals = [a for a in plan.arrivals if floor_group[a.floor] == n]
        windows = [(w, plan.first_call_within[w.number]) for w in plan.windows if floor_group.get(w.floor) == n]
        workers.append(ctx.Process(target=actor_worker, daemon=True, args=(
            arrivals, windows, {w.number: seeded.clerks[w.number] for w, _ in windows}, urls,
            window_urls, seeded.kiosk_token, timing, ready, go, start_at, out)))
    for w in workers:
        w.start()
    servers = [psutil.Process(p) if p else None for p in pids]
    try:
        for _ in workers:
            ready.get(timeout=300)  # every socket is open (or has failed)
        start = time.time() + 0.5
        start_at.value = start
        go.set()
        time.sleep(max(0.0, start - time.time()))
        before = [_cpu_s(p) for p in servers]
        time.sleep(max(0.0, start + plan.duration + GRACE_S - time.time()))
        after = [_cpu_s(p) for p in servers]
        results = [out.get(timeout=plan.duration + GRACE_S + 120) for _ in workers]
    finally:
        for w in workers:
            w.join(10)
            if w.is_alive():
                w.terminate()
    wall = plan.duration + GRACE_S
    report = summarise(plan, results, wall, args.max_lag_p99, args.max_lag)
    per_process = [round((b2 - b1) / wall, 3) if b1 is not None and b2 is not None else None
                   for b1, b2 in zip(before, after)]
    report["server_cpu_cores_per_process"] = per_process
    known = [c for c in per_process if c is not None]
    report["server_cpu_cores"] = round(sum(known), 3) if known else None
    return report


def _cpu_s(process) -> float | None:
    if process is None:
        return None
    try:
        times = process.cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


def find_capacity(args, default_db: str, build_hall) -> int:
    """Doubling from --scale until a step fails, then bisection; each step printed as it ends."""
    duration = args.duration or 20.0
    steps: list[dict] = []

    def step(scale: float) -> bool:
        report = run_once(args, default_db, build_hall, scale, duration)
        ok, why = meets_capacity_target(report, args.target_p99)
        p = report["call_to_screen_ms"]
        steps.append({"scale": scale, "ok": ok, "why": why, "call_to_screen_ms": p, "ticket_ms": report["ticket_ms"],
                      "call_ms": report["call_ms"], "errors": report["errors"],
                      "schedule_kept": report["schedule"]["kept"], "server_cpu_cores": report["server_cpu_cores"],
                      "generator_cpu_cores": report["generator_cpu_cores"]})
        print(f"  K={scale:g}: {'pass' if ok else 'FAIL'}: {why}; ticket p99 {report['ticket_ms']['p99']} ms, "
              f"call p99 {report['call_ms']['p99']} ms; server CPU {report['server_cpu_cores']} cores, generator "
              f"{report['generator_cpu_cores']}", flush=True)
        return ok

    print(f"hallq bench --find-capacity: profile {args.profile} from {args.start}, {duration:g} s per step, "
          f"{args.screens} screens; target call→screen p99 ≤ {args.target_p99:g} ms, 0 errors, schedule kept"
          + ("; one hall reused across steps (--url)" if args.url else "; a fresh hall and server each step"),
          flush=True)
    try:
        good, bad, scale = None, None, args.scale
        while scale <= args.max_scale:
            if step(scale):
                good, scale = scale, scale * 2
            else:
                bad = scale
                break
        if good is None and bad is not None:
            pass  # the smallest K tried already fails: no K from --scale up meets the target
        elif bad is not None:
            while bad / good > 1.1:
                middle = round((good * bad) ** 0.5, 2)
                if step(middle):
                    good = middle
                else:
                    bad = middle
    except (ProfileError, ValueError, RuntimeError) as exc:
        print(f"hallq bench: {exc}", file=sys.stderr)
        return 2
    generator_limited = any(s["scale"] == bad and not s["schedule_kept"] for s in steps)
    if good is None:
        print(f"capacity: none: the smallest K tried ({args.scale:g}) does not meet the target"
              + (" — because the load generator fell behind, not necessarily the server" if generator_limited else ""))
    else:
        print(f"capacity: K = {good:g}" + (f" (K = {bad:g} fails)" if bad else f" (every K up to --max-scale "
                                           f"{args.max_scale:g} passes)")
              + (" — bounded by the load generator, not the server" if generator_limited else ""))
    if args.json:
        print_json({"mode": "find-capacity", "profile": args.profile, "target_p99_ms": args.target_p99,
                    "capacity_scale": good, "first_failing_scale": bad, "generator_limited": generator_limited,
                    "steps": steps})
    return 0
