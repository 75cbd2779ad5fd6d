"""`hallq bench`: set up a hall, start (or target) its servers, replay a peak, report."""
from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .options import FULL, QUICK, Profile
from .load import ActorResult, ScreenResult, actor_worker, screen_worker
from .seed import seed_staff
from .timing import Timing, call_to_screen
from .servers import ServeProcess, peak_rss_fields, start_or_find


def main(args: argparse.Namespace, default_db: str, build_hall) -> int:
    """`build_hall(config, db)` → (Hall, Database): the composition root's, handed in by the command line."""
    if args.profile or args.find_capacity:
        from .profile_run import main as open_loop_main
        return open_loop_main(args, default_db, build_hall)
    base = QUICK if args.quick else FULL
    profile = Profile(**{k: (getattr(args, k) if getattr(args, k, None) is not None else v)
                         for k, v in base.__dict__.items()})
    workdir = Path(tempfile.mkdtemp(prefix="hallq-bench-"))
    explicit_db = args.db != default_db or "HALLQ_DATABASE_URL" in os.environ
    db = args.db if (explicit_db or args.url) else f"sqlite:///{workdir}/bench.db"
    if not args.url and args.processes > 1 and (db.startswith("sqlite") or not args.message_queue):
        print("hallq bench: several processes need a PostgreSQL --db and --message-queue redis://…", file=sys.stderr)
        return 2
    servers: list[ServeProcess] = []
    try:
        hall, database = build_hall(args.config, db)
        try:
            seeded = seed_staff(hall, profile.windows)
        finally:
            database.dispose()
        urls, pids = start_or_find(args, db, workdir, servers)
        report = replay(profile, urls, seeded)
        report.update(peak_rss_fields(pids))
        report["setup"] = {"db": db.split("://")[0], "processes": len(urls),
                           "message_queue": bool(args.message_queue),
                           "async_mode": None if args.url else args.async_mode, **profile.__dict__,
                           "windows": len(seeded.clerks), "load": os.getloadavg()[0]}
    finally:
        for s in servers:
            s.stop()
    failed = any(s.proc.returncode not in (0, -15, None) for s in servers)
    if not failed:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"hallq bench: a server failed; logs kept in {workdir}", file=sys.stderr)
    _print(report, args.json)
    return 0


def replay(profile: Profile, urls: list[str], seeded) -> dict:
    ctx = multiprocessing.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    start_at = ctx.Value("d", 0.0)
    timing = Timing(profile.duration, grace=3.0)

    floors = sorted(set(seeded.floor_of.values()))
    screens = [(i, urls[i % len(urls)], floors[i % len(floors)]) for i in range(profile.screens)]
    idle_each = max(0, profile.sockets_per_process - -(-profile.screens // len(urls)))
    idle = [url for url in urls for _ in range(idle_each)]
    windows = [(urls[i % len(urls)], number, token) for i, (number, token) in enumerate(seeded.clerks.items())]
    kiosks = [urls[i % len(urls)] for i in range(profile.kiosks)]

    workers = []
    for n in range(profile.screen_procs):
        workers.append(ctx.Process(target=screen_worker, daemon=True, args=(
            screens[n::profile.screen_procs], idle[n::profile.screen_procs], timing, ready, go, start_at, out)))
    for n in range(profile.load_procs):
        workers.append(ctx.Process(target=actor_worker, daemon=True, args=(
            kiosks[n::profile.load_procs], seeded.kiosk_token, seeded.matters, windows[n::profile.load_procs],
            profile.call_interval, timing, ready, go, start_at, out)))
    for w in workers:
        w.start()
    try:
        for _ in workers:
            ready.get(timeout=300)  # every socket is open (or has failed)
        start_at.value = time.time() + 0.5
        go.set()
        results = [out.get(timeout=profile.duration + timing.grace + 120) for _ in workers]
    finally:
        for w in workers:
            w.join(10)
            if w.is_alive():
                w.terminate()
    return summarise(profile, results, screens)


def summarise(profile: Profile, results: list, screens: list) -> dict:
    acted = [r for r in results if isinstance(r, ActorResult)]
    watched = [r for r in results if isinstance(r, ScreenResult)]
    errors: collections.Counter = collections.Counter()
    for r in results:
        errors.update(r.errors)
    ticket_ms = [x for r in acted for x in r.ticket_ms]
    call_ms = [x for r in acted for x in r.call_ms]
    calls = {(number, window): (floor, sent) for r in acted for number, window, floor, sent in r.calls}
    screens_on = collections.Counter(floor for _, _, floor in screens)
    latency, received = call_to_screen(calls, (d for r in watched for d in r.deliveries))
    connected = sum(r.connected for r in watched)
    if connected == len(screens):  # lost deliveries are only counted when every screen was there
        lost = sum(screens_on[floor] for floor, _ in calls.values()) - sum(received.values())
        if lost:
            errors["call not on a screen by 3 s after the run"] += lost
    return {
        "tickets_per_s": round(len(ticket_ms) / profile.duration, 1),
        "calls_per_s": round(len(calls) / profile.duration, 1),
        "ticket_ms": _percentiles(ticket_ms),
        "call_next_ms": _percentiles(call_ms),
        "call_to_screen_ms": _percentiles(latency),
        "tickets": len(ticket_ms), "calls": len(calls), "queue_empty": sum(r.empty for r in acted),
        "deliveries": len(latency),
        "screens": connected, "idle_sockets": sum(r.idle_connected for r in watched),
        "errors": sum(errors.values()), "error_kinds": dict(errors),
    }


def _percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"p50": None, "p99": None}
    if len(samples) == 1:
        return {"p50": round(samples[0], 1), "p99": round(samples[0], 1)}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(statistics.median(samples), 1), "p99": round(cuts[98], 1)}


def _print(report: dict, as_json: bool) -> None:
    s = report["setup"]
    print(f"hallq bench: {s['processes']} process(es), {s['db']}, {s['kiosks']} kiosks, {s['windows']} windows, "
          f"{report['screens']} screens, {report['idle_sockets']} idle sockets, {s['duration']} s "
          f"(load average {s['load']:.1f})")
    print(f"  tickets      {report['tickets_per_s']:>8}/s   p50 {report['ticket_ms']['p50']} ms   p99 {report['ticket_ms']['p99']} ms")
    print(f"  call-next    {report['calls_per_s']:>8}/s   p50 {report['call_next_ms']['p50']} ms   p99 {report['call_next_ms']['p99']} ms")
    print(f"  call→screen  {report['deliveries']:>8} deliveries   p50 {report['call_to_screen_ms']['p50']} ms   "
          f"p99 {report['call_to_screen_ms']['p99']} ms")
    print(f"  errors       {report['errors']} {report['error_kinds'] or ''}")
    print(f"  peak RSS     {report['peak_rss_mb']} MB  (per process: {report['peak_rss_mb_per_process']})")
    if as_json:
        print(json.dumps(report, ensure_ascii=False), flush=True)
