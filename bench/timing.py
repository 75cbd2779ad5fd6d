"""When a bench run's workers start and stop, shared by the stress mode's workers (bench.load) and the
open loop's (bench.open_loop)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Timing:
    duration: float
    grace: float  # screens keep listening, and answers are awaited, this long after the last send
    start_at: float = 0.0

    @property
    def end_at(self) -> float:
        return self.start_at + self.duration
