"""`hallq serve` on a clock the test moves: the hall's time is read from a file (an ISO 8601 moment)
that every process of the test shares, so timed rules (电子监察) can be driven through a hall day in
seconds. Usage: python tests/launchers/clock_server.py CLOCK_FILE serve [the usual `hallq serve` options]

`HallClock` (below) is the test's side: it writes the file.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


class FileClock:
    """Reads the moment from the file; re-reads only when the file changed (its mtime and size)."""

    def __init__(self, path: str):
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._now: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        stat = os.stat(self.path)
        key = (stat.st_mtime_ns, stat.st_size)
        if key != self._seen:
            self._now = dt.datetime.fromisoformat(Path(self.path).read_text().strip())
            self._seen = key
        return self._now


class HallClock:
    """The test's hand on the clock: `set` a moment, `advance` it."""

    def __init__(self, path: Path, start: dt.datetime):
        self.path = Path(path)
        self.set(start)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(moment.isoformat())
        os.replace(tmp, self.path)  # a reader never sees half a moment

    def advance(self, **delta) -> dt.datetime:
        self.set(self.now + dt.timedelta(**delta))
        return self.now


if __name__ == "__main__":
    clock_file, argv = sys.argv[1], sys.argv[2:]
    from hallq.cli import build_parser, serve
    args = build_parser().parse_args(argv)
    sys.exit(serve(args, clock=FileClock(clock_file)))
