"""Run the demo's server until Ctrl-C or SIGTERM, then stop it and the simulator; exit 0 (scripts/demo
execs this last).

    python scripts/demo_run.py --simulator PID -- hallq serve …

A clean stop: SIGINT or SIGTERM here asks the server to stop as Ctrl-C does (SIGINT: it closes its
sockets and exits 0), SIGTERM after a grace period and SIGKILL after another; then the simulator (a
child of this process: scripts/demo started it before exec'ing this) is stopped and reaped. The exit
status is the server's own failure (it could not bind the port, say), else 0.

On a terminal, the server's process group gets the terminal's foreground for its run: Ctrl-C then
reaches the server alone. Without this, `make demo` (this script's parent's parent) would get the
SIGINT too, and make dies of it however its recipe ends (status 130). Ctrl-Z is ignored by the
server: stopped in a foreground of its own, it would leave the terminal to nobody.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE_SECONDS = 10


@contextlib.contextmanager
def terminal_foreground(process_group: int):
    """Give the terminal's foreground to `process_group` while inside, if it is ours now (never take it
    from a shell whose job we are not: `make demo &` leaves it alone)."""
    fd = sys.stdin.fileno()
    try:
        ours = os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        ours = False
    if not ours:
        yield
        return
    # tcsetpgrp from a background group raises SIGTTOU: ignored for the switches both ways
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, process_group)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(fd, os.getpgrp())
        signal.signal(signal.SIGTTOU, previous)


def _ignore_stop_keys() -> None:
    signal.signal(signal.SIGTSTP, signal.SIG_IGN)


def stop(server: subprocess.Popen) -> None:
    """Ask, then insist: SIGINT, SIGTERM after GRACE_SECONDS, SIGKILL after as many again."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            return
        server.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(GRACE_SECONDS)


def end_simulator(pid: int | None) -> None:
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/demo_run.py")
    parser.add_argument("--simulator", type=int, help="pid of the device simulator, a child of this process")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the server's command line")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    asked_to_stop = []
    # Set before the server starts: a signal between its start and the handlers would kill this
    # process alone and leave the server running.
    signal.signal(signal.SIGINT, lambda *_: asked_to_stop.append(True))
    signal.signal(signal.SIGTERM, lambda *_: asked_to_stop.append(True))
    # The server's own process group: a signal to ours (Ctrl-C without a terminal handover, `timeout`)
    # reaches it only through stop(), in order.
    server = subprocess.Popen(command, process_group=0, preexec_fn=_ignore_stop_keys)
    try:
        with terminal_foreground(server.pid):
            while server.poll() is None and not asked_to_stop:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(0.2)
            stopped_by_us = bool(asked_to_stop) or server.returncode in (0, -signal.SIGINT, -signal.SIGTERM)
            stop(server)
    finally:
        if server.poll() is None:
            server.kill()
        end_simulator(args.simulator)
    return 0 if stopped_by_us else server.returncode if server.returncode > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
