"""The day's figures from the engine's log (docs/waits.md, "Simulator", defines each one).

A ticket's wait is its first call − its issue, in simulated minutes; waits are over the tickets that were
called (a no-show was called, so its wait counts; a transferred ticket counts its first wait only).
`served` = tickets finished. The ETA figures compare what the kiosk said at issue with that real wait,
over the called tickets whose answer had an `eta_minutes` (or an `eta_range`)."""
from __future__ import annotations

import math
from collections import defaultdict

from server.domain.erlang import building_wait

from .engine import DayLog, TicketRecord
from .profile import HALF_HOUR


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _eta_scores(records: list[TicketRecord], field: str) -> tuple[float | None, int]:
    errors = [abs(getattr(r, field) - r.wait) for r in records if getattr(r, field) is not None and r.wait is not None]
    return (sum(errors) / len(errors) if errors else None), len(errors)


def _in_range(records: list[TicketRecord]) -> float | None:
    ranged = [r for r in records if r.eta_range is not None and r.wait is not None]
    if not ranged:
        return None
    return sum(1 for r in ranged if r.eta_range[0] <= r.wait <= r.eta_range[1]) / len(ranged)


def block(records: list[TicketRecord]) -> dict:
    """The contract's figures (and this simulator's extensions) over some tickets."""
    waits = [r.wait for r in records if r.wait is not None]
    mae, scored = _eta_scores(records, "eta_minutes")
    # today's estimator scored on the same tickets as the new one, so the two figures compare
    baseline_mae, _ = _eta_scores([r for r in records if r.eta_minutes is not None], "baseline_eta_minutes")
    return {
        "issued": len(records),
        "served": sum(1 for r in records if r.outcome == "done"),
        "mean_wait_min": _round(sum(waits) / len(waits)) if waits else None,
        "p90_wait_min": _round(percentile(waits, 0.9)),
        "max_wait_min": _round(max(waits, default=None)),
        "eta_mae_min": _round(mae),
        "eta_in_range": _round(_in_range(records), 3),
        "eta_scored": scored,
        "eta_null": sum(1 for r in records if r.eta_minutes is None),
        "baseline_eta_mae_min": _round(baseline_mae),
        "baseline_eta_in_range": None,  # today's estimator gives a single number, no range
        "no_shows": sum(1 for r in records if r.outcome == "no_show"),
        "transfers": sum(1 for r in records if len(r.waiting) > 1),
        "unserved": sum(1 for r in records if r.outcome == "waiting"),
    }


def _overlap(start: float, end: float, slot: float) -> float:
    return max(0.0, min(end, slot + HALF_HOUR) - max(start, slot))


def _occupancy(r: TicketRecord, grace: float, transfer_after: float, pooled: bool) -> float:
    """Minutes of window time the ticket takes: on its floor (pooled), or at its first window."""
    a = r.arrival
    first = a.first_visit_minutes(grace, transfer_after)
    return first + a.transfer_service_minutes if pooled and a.transfer_to else first


def erlang_bound(records: list[TicketRecord], servers_in_slot, behaviour, pooled: bool) -> tuple[float | None, int]:
    """The arrival-weighted M/M/c mean wait over the day's half-hours (λ = the tickets issued in it ÷ 30,
    service = the mean window time drawn for them, c = `servers_in_slot(slot)`: staffed open windows,
    time-averaged, rounded down): Erlang C's wait as far as it can build within the half-hour
    (`erlang.building_wait`), plus a fluid backlog carried from one half-hour to the next, where the
    tickets outrun the windows (λ·s ≥ c) and drained when the load falls. Tickets of a half-hour with no
    window at all are not estimated: their number is the second value."""
    by_slot: dict[float, list[TicketRecord]] = defaultdict(list)
    for r in records:
        by_slot[r.arrival.minute // HALF_HOUR * HALF_HOUR].append(r)
    if not by_slot:
        return None, 0
    occupancy = {slot: sum(_occupancy(r, behaviour.no_show_grace_minutes, behaviour.transfer_after_minutes, pooled)
                           for r in tickets) / len(tickets) for slot, tickets in by_slot.items()}
    day_service = sum(occupancy[slot] * len(t) for slot, t in by_slot.items()) / len(records)
    total = weight = unstaffed = 0
    backlog = 0.0  # tickets beyond what the windows keep up with, carried over
    slot, last = min(by_slot), max(by_slot)
    while slot <= last:
        tickets = by_slot.get(slot, [])
        servers = servers_in_slot(slot)
        if servers <= 0:
            unstaffed += len(tickets)
            backlog += len(tickets)
            slot += HALF_HOUR
            continue
        service = occupancy.get(slot, day_service)
        arrivals, pace = len(tickets) / HALF_HOUR, servers / service  # per minute
        chance = building_wait(arrivals, service, servers, HALF_HOUR)
        end = max(0.0, backlog + (arrivals - pace) * HALF_HOUR)
        if end > 0 or backlog == 0:
            mean_backlog = (backlog + end) / 2
        else:  # drained within the half-hour
            drained_at = backlog / (pace - arrivals)
            mean_backlog = backlog / 2 * drained_at / HALF_HOUR
        if tickets:
            total += (chance + mean_backlog / pace) * len(tickets)
            weight += len(tickets)
        backlog = end
        slot += HALF_HOUR
    return (total / weight if weight else None), unstaffed


def _servers(spans, slot: float, share) -> int:
    return int(sum(_overlap(start, end, slot) * share(floor, queues) for start, end, floor, queues in spans) / HALF_HOUR
               + 1e-9)


def figures(log: DayLog, config, behaviour) -> dict:
    records = list(log.records.values())
    service_queues = {q for q, spec in config.queues.items() if spec.purpose != "pickup"}
    result = block(records)
    total = weight = unstaffed = 0
    for floor in sorted({r.floor for r in records}):
        mine = [r for r in records if r.floor == floor]
        wait, without = erlang_bound(mine, lambda slot: _servers(log.open_spans, slot, lambda f, _q: f == floor),
                                     behaviour, pooled=True)
        unstaffed += without
        if wait is not None:
            total += wait * (len(mine) - without)
            weight += len(mine) - without
    result["erlang_c_mean_wait_min"] = _round(total / weight) if weight else None
    result["erlang_c_unstaffed"] = unstaffed
    per_queue = {}
    for queue in config.queues:  # the config's order
        mine = [r for r in records if r.arrival.queue == queue]
        if not mine:
            continue
        figures_q = block(mine)

        def share(_floor, queues, queue=queue):
            # a window shared by k service queues counts as 1/k of a window for each of them
            served = [q for q in queues if q in service_queues]
            return 1 / len(served) if queue in served else 0.0
        wait, without = erlang_bound(mine, lambda slot, share=share: _servers(log.open_spans, slot, share),
                                     behaviour, pooled=False)
        figures_q["erlang_c_mean_wait_min"] = _round(wait)
        figures_q["erlang_c_unstaffed"] = without
        per_queue[queue] = figures_q
    result["per_queue"] = per_queue
    return result


def timeline(log: DayLog, start: float) -> dict[int, list[tuple[float, int, float | None]]]:
    """Per floor, per half-hour from `start`: (slot, tickets waiting at its start, mean wait of the tickets
    issued in it that were called) — what `--plot` draws."""
    slots = [start + i * HALF_HOUR for i in range(int((log.end_minute - start) // HALF_HOUR) + 1)]
    result = {}
    for floor in sorted({r.floor for r in log.records.values()}):
        mine = [r for r in log.records.values() if r.floor == floor]
        rows = []
        for slot in slots:
            waiting = sum(1 for r in mine for s, e in r.waiting if s <= slot < e)
            waits = [r.wait for r in mine if slot <= r.arrival.minute < slot + HALF_HOUR and r.wait is not None]
            rows.append((slot, waiting, sum(waits) / len(waits) if waits else None))
        result[floor] = rows
    return result
