"""The wait-prediction oracle behind docs/waits.md's measured floor (`python -m hallq.eta_floor`): a twin of a
simulated day, and futures of it in which only the visits' durations are unknown.

`Twin` is the simulator's own `Engine` over `QueueStandIn`, an in-memory stand-in for the service layer's
queueing that asks the hall's call-next policy, so a day plays in milliseconds; it must give every ticket the wait the
service layer gave it (hallq/eta_floor.py checks it on each run, tests/test_eta_floor.py on a small hall).
`Future` re-draws the durations of the visits not ended at a moment; `future_wait` plays one ticket's floor
to the ticket's first call.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import math
import random
import statistics

from server.domain.errors import QueueEmpty, Reason
from server.domain.model import Priority, Ticket, Window
from server.domain.policy import CallNextPolicy

from .engine import Engine, SimClock, TicketRecord
from .profile import local_moment

NORMAL = statistics.NormalDist()


class _Answer:
    __slots__ = ("body",)

    def __init__(self, body: dict):
        self.body = body


class TargetCalled(Exception):
    """The ticket whose wait a future is played for has been called: the rest of the day does not matter."""


class QueueStandIn:
    """The commands the engine gives the service layer, in memory. `call_next` hands the hall's call-next
    policy what the service layer hands it (the window, the longest-waiting green and normal ticket of
    each of its queues) and takes its first; a transferred ticket keeps its place. The other commands
    only keep what call_next needs."""

    def __init__(self, config, clock: SimClock, policy: CallNextPolicy):
        self.config, self.clock, self.policy = config, clock, policy
        self.windows = self.tickets = self  # the engine's hall.windows.… and hall.tickets.…
        self.lines = {q: ([], []) for q in config.queues}  # queue → (normal, green) heaps of (placed, seq, id)
        self.by_id: dict[str, Ticket] = {}
        self.at_window: dict[str, Window] = {}
        self.sim_windows = None  # set by the twin: window number → its SimWindow (its queues as they are now)

    def place(self, ticket: Ticket) -> None:
        self.by_id[ticket.id] = ticket
        heapq.heappush(self.lines[ticket.queue][ticket.priority is Priority.GREEN], (ticket.placed_at, ticket.seq, ticket.id))

    def call_next(self, _clerk, number: str) -> _Answer:
        spec = self.config.windows[number]
        window = self.at_window.setdefault(number, Window(number, spec.floor, spec.kind, spec.department, ()))
        window.queues = self.sim_windows[number].queues
        heads = [self.by_id[line[0][2]] for q in window.queues for line in self.lines[q] if line]
        if not heads:
            raise QueueEmpty("nothing waits", Reason.QUEUE_EMPTY)
        ticket = self.policy.rank(window, heads)[0]
        heapq.heappop(self.lines[ticket.queue][ticket.priority is Priority.GREEN])
        window.took(ticket)  # the current ticket and the green streak, as the service layer keeps them
        return _Answer({"ticket": {"id": ticket.id}})

    def transfer(self, _clerk, number: str, to_queue: str) -> None:
        ticket = self.by_id[self.at_window[number].current_ticket]
        ticket.queue = to_queue
        self.place(ticket)

    def _nothing(self, *_args) -> None:
        """sign_in, sign_out, pause, resume, set_state, finish, no_show: the engine keeps the windows' states."""

    sign_in = sign_out = pause = resume = set_state = finish = no_show = _nothing


class Twin(Engine):
    """The simulator's day over QueueStandIn. With `future`, the durations of visits not ended by
    `future.since` are re-drawn; with `target`, the run stops when that ticket is first called."""

    def __init__(self, config, profile, arrivals, breaks, day: dt.date, policy: CallNextPolicy,
                 future=None, target: int | None = None):
        clock = SimClock(local_moment(day, profile.staffing.sign_in - 1, config.hall.tz))
        self.stand_in = QueueStandIn(config, clock, policy)
        self.ids = {id(a): f"a{i}" for i, a in enumerate(arrivals)}
        self.target = None if target is None else f"a{target}"
        self.future = future
        self.issued: dict[str, int] = {}
        super().__init__(self.stand_in, profile, arrivals, day, None, breaks)
        self.stand_in.sim_windows = self.windows

    def _arrive(self, minute: float, a) -> None:
        quota = self.config.queues[a.queue].daily_quota
        if quota is not None and self.issued.get(a.queue, 0) >= quota:
            self.log.refused["quota_reached"] = self.log.refused.get("quota_reached", 0) + 1
            return
        self.issued[a.queue] = self.issued.get(a.queue, 0) + 1
        ticket = self.ids[id(a)]
        queue = self.config.queues[a.queue]
        issued = self.clock()
        self.stand_in.place(Ticket(ticket, self.day, a.queue, len(self.log.records), ticket, a.queue, a.matter,
                                   queue.floor, "", Priority.GREEN if a.green else Priority.NORMAL, issued))
        record = TicketRecord(ticket, a, queue.floor, 0, None, None, None)
        record.waiting.append([minute, None])
        self.log.records[ticket] = record
        self._wake(a.queue, minute)

    def _next(self, w, minute: float) -> None:
        super()._next(w, minute)
        if self.target is not None:
            record = self.log.records.get(self.target)
            if record is not None and record.first_call is not None:
                raise TargetCalled()

    def visit_minutes(self, record: TicketRecord, minute: float) -> float:
        minutes = super().visit_minutes(record, minute)
        a = record.arrival
        if self.future is None:
            return minutes
        if record.calls == 1:
            if a.no_show or a.transfer_to:  # the grace and the minutes before a transfer are rules, not chance
                return minutes
            return self.future(minute, minutes, self.config.matters[a.matter].avg_minutes)
        return self.future(minute, minutes, self.config.queue_avg_minutes(a.transfer_to))


class Future:
    """Visit durations as the hall cannot know them at `since`: ended visits as they were, the one under
    way re-drawn given its age, later ones drawn afresh (lognormal with the profile's spread)."""

    def __init__(self, since: float, cv: float, rng: random.Random):
        self.since, self.rng = since, rng
        self.sigma = math.sqrt(math.log(1 + cv * cv))

    def __call__(self, start: float, minutes: float, mean: float) -> float:
        if start + minutes <= self.since:
            return minutes
        mu = math.log(mean) - self.sigma ** 2 / 2
        if start >= self.since:
            return self.rng.lognormvariate(mu, self.sigma)
        lasted = NORMAL.cdf((math.log(self.since - start) - mu) / self.sigma)
        share = min(lasted + self.rng.random() * (1 - lasted), 1 - 1e-12)
        return math.exp(mu + self.sigma * NORMAL.inv_cdf(share))


def floor_profile(profile, config, floor: int):
    """The profile with only one floor's windows staffed (floors share no windows, so a floor's day is its own)."""
    plan = profile.staffing
    keep = tuple(n for n in plan.windows if config.windows[n].floor == floor)
    return dataclasses.replace(profile, staffing=dataclasses.replace(
        plan, windows=keep, late={n: m for n, m in plan.late.items() if n in keep},
        pauses=tuple(p for p in plan.pauses if p[0] in keep)))


def future_wait(config, profile, arrivals, breaks, day: dt.date, policy: CallNextPolicy, index: int, future) -> float:
    """The wait of `arrivals[index]` in one future (`future(start, minutes, mean)` gives each visit's minutes)."""
    twin = Twin(config, profile, arrivals, breaks, day, policy, future, target=index)
    try:
        twin.run()
    except TargetCalled:
        pass
    record = twin.log.records[f"a{index}"]
    return (record.first_call if record.first_call is not None else profile.hard_end) - arrivals[index].minute
