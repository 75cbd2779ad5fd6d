"""The open-loop bench's figures: the workers' raw samples joined into latencies, rates, errors, the
schedule's lag and the CPU shares; printed as a few lines, or one JSON object with --json."""
from __future__ import annotations

import bisect
import collections
import json
import statistics

from .timing import call_to_screen

# The generator keeps its schedule when 99 % of its sends leave within LAG_P99_MS of their planned
# moment and none later than LAG_MAX_MS (and its event loops wake as promptly): beyond that the
# latencies it reports are partly its own.
LAG_P99_MS = 20.0
LAG_MAX_MS = 200.0
KINDS = ("ticket", "call", "call_to_screen", "stats")


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0, "p50": None, "p90": None, "p99": None, "max": None}
    ordered = sorted(samples)
    if len(ordered) == 1:
        cut = {90: ordered[0], 99: ordered[0]}
    else:
        cuts = statistics.quantiles(ordered, n=100, method="inclusive")
        cut = {90: cuts[89], 99: cuts[98]}
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 1), "p90": round(cut[90], 1),
            "p99": round(cut[99], 1), "max": round(ordered[-1], 1)}


def summarise(plan, results: list, wall_s: float, lag_p99_ms: float = LAG_P99_MS,
              lag_max_ms: float = LAG_MAX_MS) -> dict:
    actors = [r for r in results if r.kind == "actors"]
    screens = [r for r in results if r.kind == "screens"]
    errors: collections.Counter = collections.Counter()
    for r in results:
        errors.update(r.errors)
    calls = {(number, window): (floor, sent, answered)
             for r in actors for number, window, floor, sent, answered in r.calls}
    screens_on: collections.Counter = collections.Counter()
    for r in screens:
        screens_on.update(r.screens_per_floor)
    to_screen, received = call_to_screen(calls, (d for r in screens for d in r.deliveries))
    lost = sum(screens_on[floor] for floor, _s, _a in calls.values()) - sum(received.values())
    if lost:
        errors["call not on every screen of its floor by the end of the grace"] += lost
    stats_ms = []
    stats_at = {floor: sorted(at) for r in screens for floor, at in r.stats_at.items()}
    for floor, sent, answered in calls.values():
        frames = stats_at.get(floor, [])
        first = bisect.bisect_left(frames, answered)
        if first < len(frames):
            stats_ms.append((frames[first] - sent) * 1000)
    send_lag = [x for r in actors for x in r.send_lag_ms]
    loop_lag = [x for r in results for x in r.loop_lag_ms]
    lag, beat = percentiles(send_lag), percentiles(loop_lag)
    behind = [f"{name} lag p99 {p['p99']} ms (limit {lag_p99_ms:g}), max {p['max']} ms (limit {lag_max_ms:g})"
              for name, p in (("send", lag), ("event-loop", beat))
              if p["n"] and (p["p99"] > lag_p99_ms or p["max"] > lag_max_ms)]
    tickets = [x for r in actors for x in r.ticket_ms]
    return {
        "mode": "profile", "profile": plan.profile, "scale": plan.scale, "start": plan.start,
        "duration_s": plan.duration, "day_minutes": round(plan.day_minutes, 1), "seed": plan.seed,
        "offered": {"tickets_per_s": round(len(plan.arrivals) / plan.duration, 2),
                    "calls_per_s": round(sum(r.calls_sent for r in actors) / plan.duration, 2)},
        "achieved": {"tickets_per_s": round(len(tickets) / plan.duration, 2),
                     "calls_per_s": round(len(calls) / plan.duration, 2),
                     "frames_per_s": round(len(to_screen) / plan.duration, 1)},
        # the stress mode's keys too (CONTRACT: `hallq bench --json`): the achieved rates
        "tickets_per_s": round(len(tickets) / plan.duration, 2), "calls_per_s": round(len(calls) / plan.duration, 2),
        "tickets": len(tickets), "calls": len(calls), "queue_empty": sum(r.empty for r in actors),
        "ticket_ms": percentiles(tickets),
        "call_ms": percentiles([x for r in actors for x in r.call_ms]),
        "call_to_screen_ms": percentiles(to_screen),
        "stats_ms": percentiles(stats_ms),
        "schedule": {"send_lag_ms": lag, "loop_lag_ms": beat, "kept": not behind, "behind": behind},
        "screens": sum(r.connected for r in screens), "idle_sockets": sum(r.idle_connected for r in screens),
        "errors": sum(errors.values()), "error_kinds": dict(errors),
        "generator_cpu_cores": round(sum(r.cpu_s for r in results) / wall_s, 3) if wall_s else None,
        "generator_processes": len(results),
    }


def meets_capacity_target(report: dict, p99_ms: float) -> tuple[bool, str]:
    """The --find-capacity test of one step, and why it failed."""
    p99 = report["call_to_screen_ms"]["p99"]
    if not report["schedule"]["kept"]:
        return False, "the generator fell behind: " + "; ".join(report["schedule"]["behind"])
    if report["errors"]:
        return False, f"{report['errors']} errors {report['error_kinds']}"
    if p99 is None and not report["calls"]:  # a short step at a small K: nothing to hold against the target
        return True, "no call in the step, nothing measured"
    if p99 is None:
        return False, "no call reached a screen"
    if p99 > p99_ms:
        return False, f"call→screen p99 {p99} ms > {p99_ms:g} ms"
    return True, f"call→screen p99 {p99} ms ≤ {p99_ms:g} ms"


def print_report(report: dict) -> None:
    s = report["setup"]
    print(f"hallq bench --profile {report['profile']} --scale {report['scale']:g}: {report['start']} + "
          f"{report['duration_s']:g} s wall = {report['day_minutes']} min of the day, seed {report['seed']}; "
          f"{s['processes']} process(es), {s['db']}, {s['windows']} windows, {report['screens']} screens, "
          f"{report['idle_sockets']} idle sockets (load average {s['load']:.1f})")
    o, a = report["offered"], report["achieved"]
    print(f"  offered      tickets {o['tickets_per_s']}/s, call-next {o['calls_per_s']}/s;  achieved tickets "
          f"{a['tickets_per_s']}/s, calls {a['calls_per_s']}/s ({report['queue_empty']} found the queue empty), "
          f"{a['frames_per_s']} ticket_called frames/s")
    print(f"  {'latency ms':<16}{'n':>7}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}")
    for label, key in (("ticket answer", "ticket_ms"), ("call answer", "call_ms"),
                       ("call→screen", "call_to_screen_ms"), ("call→stats", "stats_ms")):
        p = report[key]
        print(f"  {label:<16}{p['n']:>7}" + "".join(f"{_ms(p[k]):>9}" for k in ("p50", "p90", "p99", "max")))
    lag, beat = report["schedule"]["send_lag_ms"], report["schedule"]["loop_lag_ms"]
    print(f"  schedule     sends late p50 {lag['p50']} p99 {lag['p99']} max {lag['max']} ms; generator loops late "
          f"p99 {beat['p99']} max {beat['max']} ms: {'kept' if report['schedule']['kept'] else 'NOT KEPT'}")
    print(f"  errors       {report['errors']} {report['error_kinds'] or ''}")
    print(f"  CPU          server {report['server_cpu_cores']} cores {report['server_cpu_cores_per_process']}; "
          f"generator {report['generator_cpu_cores']} cores ({report['generator_processes']} processes)")
    print(f"  peak RSS     {report['peak_rss_mb']} MB  (per process: {report['peak_rss_mb_per_process']})")


def _ms(value) -> str:
    return "—" if value is None else f"{value:g}"


def print_json(report: dict) -> None:
    print(json.dumps(report, ensure_ascii=False), flush=True)
