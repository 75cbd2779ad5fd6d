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
    for name, kind, text in (("kiosks", int, "kiosks issuing tickets back to back"),
                             ("windows", int, "windows calling (default: all of the hall)"),
                             ("screens", int, "floor screens subscribed over websockets"),
                             ("sockets-per-process", int, "sockets held open on each server process, "
                                                          "screens included (the rest idle)"),
                             ("duration", float, "seconds of load"),
                             ("call-interval", float, "seconds between two call-next of one window")):
        parser.add_argument(f"--{name}", type=kind, default=None, help=text)
