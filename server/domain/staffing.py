"""调度建议: which window to move to which queue, from an Erlang C model of the hall's pools of windows
(docs/waits.md "Staffing advice"; research/next-features.md §6.1).

A staffed window (open, clerk signed in) serves its *primary*: the first of its queues with demand, pickup
queues skipped unless nothing else has any (they are called first but hardly fill an hour). The windows with
the same primary are that queue's pool, an M/M/c queue; back-up capacity is ignored, so waits are
over-estimated rather than promised. A move makes another queue a window's primary.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .erlang import building_wait
from .prediction import MEASURED_MIN_SAMPLES

MIN_SERVICE_MINUTES = 0.5  # a measured mean below this (tickets finished at once) is taken as this
HORIZON_MIN = 60.0  # the fluid estimate looks this far ahead
UNSERVED_WAIT_MIN = 480.0  # a queue with demand and no window: "waits all day"; also caps every estimate
SIGNIFICANT_MIN = 0.25  # a move must cut the hall's mean wait by more than this (smaller moved windows to and fro: docs/waits.md)
MAX_MOVES = 5


@dataclass(frozen=True)
class StaffedWindow:
    number: str
    floor: int
    department: str | None  # None: staffed by the hall (comprehensive, one-thing windows)
    queues: tuple[str, ...]  # in preference order


@dataclass(frozen=True)
class QueueLoad:
    arrivals: int  # tickets issued in the last hour: the forecast for the next
    waiting: int  # tickets waiting now
    service_minutes: float

    @property
    def has_demand(self) -> bool:
        return self.arrivals > 0 or self.waiting > 0


def service_minutes(measured: tuple[float, int] | None, configured_minutes: float) -> float:
    """The last hour's measured mean service (seconds, samples) when it has enough samples, else the configured."""
    if measured and measured[1] >= MEASURED_MIN_SAMPLES:
        return max(MIN_SERVICE_MINUTES, measured[0] / 60)
    return configured_minutes


@dataclass(frozen=True)
class HallLayout:
    """What the staffing rules need of the hall's configuration."""
    queue_floor: Mapping[str, int]
    pickup_queues: frozenset[str]
    # (floor, department or None) → the queues windows of that department serve on that floor, in the
    # configuration or through a matter of the department: where such a window may legally be moved.
    legal: Mapping[tuple[int, str | None], tuple[str, ...]]

    def legal_targets(self, window: StaffedWindow) -> tuple[str, ...]:
        return tuple(q for q in self.legal.get((window.floor, window.department), ())
                     if self.queue_floor.get(q) == window.floor and q not in self.pickup_queues)


def legal_queues(windows: list[tuple[int, str | None, tuple[str, ...]]],
                 matters: list[tuple[str, str]], queue_floor: Mapping[str, int]) -> dict:
    """The legality table of HallLayout from the configured windows (floor, department, queues) and the
    matters (department, queue)."""
    legal: dict[tuple[int, str | None], list[str]] = {}
    for floor, department, queues in windows:
        served = legal.setdefault((floor, department), [])
        served.extend(q for q in queues if q not in served)
    for department, queue in matters:
        served = legal.setdefault((queue_floor[queue], department), [])
        if queue not in served:
            served.append(queue)
    return {key: tuple(queues) for key, queues in legal.items()}


def primary(window: StaffedWindow, loads: Mapping[str, QueueLoad], pickup_queues: frozenset[str]) -> str | None:
    demanded = [q for q in window.queues if q in loads and loads[q].has_demand]
    service = [q for q in demanded if q not in pickup_queues]
    return (service or demanded or [None])[0]


def pool_wait(load: QueueLoad, servers: int) -> float:
    """Mean wait (minutes) in one pool over the next hour: the queue chance makes, plus the backlog.

    Chance: Erlang C's steady state, but a queue near capacity needs hours to reach it, so it is blended
    (harmonically: the smaller one rules) with what a critically loaded pool builds within the horizon, a
    random walk's mean height averaged over the hour, (2/3)·√(4λH/π) tickets. Backlog: the fluid estimate,
    the tickets still queued half-way through the hour over the pool's rate, (waiting + (λ − c/s)·H/2) ÷ (c/s),
    nought once it clears. Finite where Erlang C is infinite, so overloaded pools can be ranked; falling with
    every window added; capped at a hall day."""
    if not load.has_demand:
        return 0.0
    if servers <= 0:
        return UNSERVED_WAIT_MIN
    per_minute = load.arrivals / 60
    rate = servers / load.service_minutes
    chance = building_wait(per_minute, load.service_minutes, servers, HORIZON_MIN)
    backlog = max(0.0, load.waiting + (per_minute - rate) * HORIZON_MIN / 2)
    return min(UNSERVED_WAIT_MIN, chance + backlog / rate)


@dataclass(frozen=True)
class HallModel:
    layout: HallLayout
    windows: tuple[StaffedWindow, ...]
    loads: Mapping[str, QueueLoad]

    def pools(self) -> dict[str, int]:
        """Windows per primary queue, every queue with demand listed (0 when no window serves it first)."""
        sizes = {q: 0 for q, load in self.loads.items() if load.has_demand}
        for window in self.windows:
            q = primary(window, self.loads, self.layout.pickup_queues)
            if q is not None:
                sizes[q] += 1
        return sizes

    def waits(self) -> dict[str, float]:
        """Each pooled queue's mean wait; pickup queues nobody serves first are called ahead of the
        rest and left out."""
        return {q: pool_wait(self.loads[q], c) for q, c in self.pools().items()
                if c or q not in self.layout.pickup_queues}

    def hall_wait(self) -> float:
        """The hall's mean wait the moves are ranked by: over the queues with demand, each weighted by the
        people it concerns in the next hour (last hour's arrivals and those waiting now), a queue no window
        serves first counting a hall day (so giving it a window ranks first)."""
        return self._mean(self.waits())

    def served_wait(self) -> float | None:
        """The mean wait of the queues some window serves first, as hall_wait weighs them: what the admin
        reads as the hall's mean wait. A queue without a pool is left out: its hall-day wait is no figure of
        the hall's pace (nobody serves it: `unserved`), or not one the model can give (served only as a
        back-up, which the model ignores). None when no pooled queue has demand."""
        pools = self.pools()
        waits = {q: wait for q, wait in self.waits().items() if pools[q]}
        return self._mean(waits) if waits else None

    def unserved(self) -> list[str]:
        """The queues with demand that no staffed window serves at all, in the hall's order: nobody calls
        them (pickup queues, called ahead of the rest by windows that list them, included)."""
        listed = {q for window in self.windows for q in window.queues}
        return [q for q, load in self.loads.items() if load.has_demand and q not in listed]

    def _mean(self, waits: Mapping[str, float]) -> float:
        weights = {q: self.loads[q].arrivals + self.loads[q].waiting for q in waits}
        total = sum(weights.values())
        return sum(waits[q] * weights[q] for q in waits) / total if total else 0.0

    def moved(self, number: str, queues: tuple[str, ...]) -> "HallModel":
        return replace(self, windows=tuple(replace(w, queues=queues) if w.number == number else w
                                           for w in self.windows))


@dataclass(frozen=True)
class Move:
    window: str
    from_queues: tuple[str, ...]
    to_queues: tuple[str, ...]
    queue: str  # the queue that gains the window
    losing_queue: str | None  # the queue it served first, None when it had nothing to do
    hall_before: float
    hall_after: float
    gaining_wait: tuple[float, float]  # (before, after) minutes
    losing_wait: tuple[float, float] | None
    opens_queue: bool = False  # no window served the gaining queue first: the move gives it its first
    unserved_before: bool = False  # no window served the gaining queue at all

    @property
    def change(self) -> float:
        return self.hall_after - self.hall_before


def new_queues(window: StaffedWindow, target: str, pickup_queues: frozenset[str]) -> tuple[str, ...]:
    """The target first after the window's own pickup queues, its other queues behind as back-ups."""
    pickups = tuple(q for q in window.queues if q in pickup_queues)
    rest = tuple(q for q in window.queues if q not in pickup_queues and q != target)
    return pickups + (target,) + rest


def candidate_moves(model: HallModel) -> list[Move]:
    """Every legal single move: a staffed window of the same floor and department rules takes a queue with
    demand as its primary, never leaving the queue it leaves without a window."""
    pools, waits, unserved = model.pools(), model.waits(), set(model.unserved())
    before = model.hall_wait()
    moves = []
    for window in model.windows:
        current = primary(window, model.loads, model.layout.pickup_queues)
        if current is not None and pools[current] <= 1:
            continue  # its queue's last window
        for target in model.layout.legal_targets(window):
            if target == current or target not in pools:
                continue  # already its primary, or no demand there
            queues = new_queues(window, target, model.layout.pickup_queues)
            after = model.moved(window.number, queues)
            after_waits = after.waits()
            moves.append(Move(
                window.number, window.queues, queues, target, current, before, after.hall_wait(),
                (waits[target], after_waits[target]),
                (waits[current], after_waits[current]) if current is not None else None,
                opens_queue=pools[target] == 0, unserved_before=target in unserved))
    return moves


def advise(model: HallModel, limit: int = MAX_MOVES) -> list[Move]:
    """The moves that cut the hall's mean wait, best first, at most one per window: greedily, each chosen
    move applied to the model before the next is chosen (so each change assumes the ones above it)."""
    chosen: list[Move] = []
    while len(chosen) < limit:
        taken = {m.window for m in chosen}
        moves = [m for m in candidate_moves(model) if m.window not in taken and m.change < -SIGNIFICANT_MIN]
        if not moves:
            break
        best = min(moves, key=lambda m: (m.change, m.window))
        chosen.append(best)
        model = model.moved(best.window, best.to_queues)
    return chosen


def whole_minutes(minutes: float) -> int:
    """Minutes as `why` words them: the answer's figure (to 0.1) rounded half up, as the board's
    Math.floor(x + 0.5) does with the same figure, so the board's own sentence (in any language) and this
    one say the same minutes."""
    return math.floor(round(minutes, 1) + 0.5)


def why(move: Move, load: QueueLoad, names: Mapping[str, str]) -> str:
    """The sentence the admin reads, e.g. "医保 近一小时到达 62 人、等候 35 人，预计平均等候 31→12 分钟；社保 3→5 分钟"."""
    gain_before, gain_after = (whole_minutes(m) for m in move.gaining_wait)
    gaining = f"{names.get(move.queue, move.queue)} 近一小时到达 {load.arrivals} 人、等候 {load.waiting} 人，"
    if move.opens_queue:  # its modelled "before" is the hall-day cap, not a wait worth a number
        nobody = "暂无窗口办理" if move.unserved_before else "暂无窗口优先办理"
        sentence = gaining + f"{nobody}，改后预计平均等候 {gain_after} 分钟"
    else:
        sentence = gaining + f"预计平均等候 {gain_before}→{gain_after} 分钟"
    if move.losing_wait is None:
        return sentence + "；该窗口原队列暂无人办理"
    lose_before, lose_after = (whole_minutes(m) for m in move.losing_wait)
    return sentence + f"；{names.get(move.losing_queue, move.losing_queue)} {lose_before}→{lose_after} 分钟"
