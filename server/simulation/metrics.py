"""The day's figures from the engine's log (docs/waits.md, "Simulator", defines each one).

A ticket's wait is its first call − its issue, in simulated minutes; waits are over the tickets that were
called (a no-show was called, so its wait counts; a transferred ticket counts its first wait only).
`served` = tickets finished. The ETA figures compare what the kiosk said at issue with that real wait,
over the called tickets whose answer had an `eta_minutes` (or an `eta_range`)."""
from __future__ import annotations

import math
from collections import defaultdict

from server.domain.erlang import mean_wait

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
    """The arrival-weighted M/M/c mean wait over half-hours: λ = the tickets issued in the half-hour ÷ 30,
    service = the mean window time drawn for them, c = `servers_in_slot(slot)` (staffed open windows,
    time-averaged, rounded down). A half-hour whose load reaches c has no steady state: it is left out
    and its tickets are counted (second value)."""
    by_slot: dict[float, list[TicketRecord]] = defaultdict(list)
    for r in records:
        by_slot[r.arrival.minute // HALF_HOUR * HALF_HOUR].append(r)
    total = weight = overloaded = 0
    for slot, tickets in sorted(by_slot.items()):
        service = sum(_occupancy(r, behaviour.no_show_grace_minutes, behaviour.transfer_after_minutes, pooled)
                      for r in tickets) / len(tickets)
        wait = mean_wait(len(tickets) / HALF_HOUR, service, servers_in_slot(slot))
        if math.isinf(wait):
            overloaded += len(tickets)
            continue
        total += wait * len(tickets)
        weight += len(tickets)
    return (total / weight if weight else None), overloaded


def _servers(spans, slot: float, share) -> int:
    return int(sum(_overlap(start, end, slot) * share(floor, queues) for start, end, floor, queues in spans) / HALF_HOUR
               + 1e-9)


def figures(log: DayLog, config, behaviour) -> dict:
    records = list(log.records.values())
    service_queues = {q for q, spec in config.queues.items() if spec.purpose != "pickup"}
    result = block(records)
    total = weight = overloaded = 0
    for floor in sorted({r.floor for r in records}):
        mine = [r for r in records if r.floor == floor]
        wait, over = erlang_bound(mine, lambda slot: _servers(log.open_spans, slot, lambda f, _q: f == floor),
                                  behaviour, pooled=True)
        overloaded += over
        if wait is not None:
            total += wait * (len(mine) - over)
            weight += len(mine) - over
    result["erlang_c_mean_wait_min"] = _round(total / weight) if weight else None
    result["erlang_c_overloaded"] = overloaded
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
        wait, over = erlang_bound(mine, lambda slot, share=share: _servers(log.open_spans, slot, share),
                                  behaviour, pooled=False)
        figures_q["erlang_c_mean_wait_min"] = _round(wait)
        figures_q["erlang_c_overloaded"] = over
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
