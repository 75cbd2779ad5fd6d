"""The options and load profiles of `hallq bench`; kept free of heavy imports because the CLI builds
its parser before `serve` monkey-patches."""
from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    kiosks: int
    windows: int | None  # None: every window of the hall (148 in the demo hall)
    screens: int
    sockets_per_process: int  # screens plus idle sockets held open on each server process
    duration: float
    call_interval: float
    load_procs: int
    screen_procs: int


FULL = Profile(kiosks=16, windows=None, screens=300, sockets_per_process=1000, duration=20, call_interval=2.0,
               load_procs=2, screen_procs=2)
QUICK = Profile(kiosks=4, windows=None, screens=30, sockets_per_process=0, duration=5, call_interval=2.0,
                load_procs=1, screen_procs=1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="a short, small run (under 30 s)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object on the last line")
    parser.add_argument("--url", action="append", default=None,
                        help="target running server(s) instead of starting them (repeat for several processes "
                             "of one hall); --db must name their database, where the bench signs in its clerks")
    parser.add_argument("--processes", type=int, default=1, help="server processes to start (needs PostgreSQL "
                        "and --message-queue when more than one)")
    parser.add_argument("--message-queue", default=None, help="redis://… shared by the started processes")
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--server-python", default=None,
                        help="the Python of another checkout whose `hallq serve` the bench starts (its venv's "
                             "python): two versions of the server timed under the same generator")
    for name, kind, text in (("kiosks", int, "kiosks issuing tickets back to back"),
                             ("windows", int, "windows calling (default: all of the hall)"),
                             ("screens", int, "floor screens subscribed over websockets"),
                             ("sockets-per-process", int, "sockets held open on each server process, "
                                                          "screens included (the rest idle)"),
                             ("duration", float, "seconds of load"),
                             ("call-interval", float, "seconds between two call-next of one window")):
        parser.add_argument(f"--{name}", type=kind, default=None, help=text)
    add_open_loop_arguments(parser)


# The open-loop mode's defaults where it shares an option with the stress mode (docs/performance.md).
OPEN_LOOP_SCREENS = 300
OPEN_LOOP_SOCKETS_PER_PROCESS = 1000


def add_open_loop_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "open loop", "replay a slice of a simulator day profile K× faster, arrivals on a schedule "
        "(--duration: wall seconds, default 60, 20 per --find-capacity step; --screens default "
        f"{OPEN_LOOP_SCREENS}, --sockets-per-process default {OPEN_LOOP_SOCKETS_PER_PROCESS})")
    group.add_argument("--profile", default=None, help="a bundled profile (provincial-peak) or a profile TOML file")
    group.add_argument("--scale", type=float, default=None, help="K: the day runs K× faster (arrivals at K× "
                       "their rate, service times ÷ K; default 1); with --find-capacity the first K tried (default 10)")
    group.add_argument("--start", default="09:00", help="the hall-local time the slice starts at (default 09:00, "
                       "the morning peak)")
    group.add_argument("--seed", type=int, default=1, help="the draws' seed (same seed, same citizens)")
    group.add_argument("--find-capacity", action="store_true", help="the largest K with call→screen p99 within "
                       "--target-p99, no errors and the schedule kept")
    group.add_argument("--target-p99", type=float, default=50.0, help="call→screen p99 ms for --find-capacity")
    group.add_argument("--max-scale", type=float, default=2000.0, help="the largest K --find-capacity tries")
    group.add_argument("--screen-procs", type=int, default=2, help="generator processes holding the sockets")
    group.add_argument("--screen-client", choices=("raw", "socketio"), default="raw",
                       help="the screens' client: a minimal Engine.IO one (default) or python-socketio's")
    group.add_argument("--actor-procs", type=int, default=1, help="generator processes playing kiosks and "
                       "windows (whole floors each, at most one per floor)")
    group.add_argument("--max-lag-p99", type=float, default=20.0, help="ms: a run whose sends leave later than "
                       "this at p99 (or whose generator loops wake later) failed to keep its schedule")
    group.add_argument("--max-lag", type=float, default=200.0, help="ms: … or any send later than this")
