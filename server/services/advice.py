"""调度建议: the staffing advice (CONTRACT v2 `GET /advice`), the domain's model (server/domain/staffing.py)
fed with the last hour of the hall. Applying a move is `WindowCommands.set_queues`; docs/waits.md."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from ..config import HallConfig
from ..domain import staffing as st
from ..domain.model import WindowState, business_day
from .actors import READS_EVERYTHING, Actor
from .runner import CommandRunner
from .unit_of_work import UnitOfWork

LOOK_BACK = dt.timedelta(hours=1)


class Advice:
    def __init__(self, config: HallConfig, runner: CommandRunner):
        self.config = config
        self.runner = runner
        queue_floor = {code: q.floor for code, q in config.queues.items()}
        self.layout = st.HallLayout(
            queue_floor=queue_floor,
            pickup_queues=frozenset(code for code, q in config.queues.items() if q.purpose == "pickup"),
            legal=st.legal_queues([(w.floor, w.department, w.queues) for w in config.windows.values()],
                                  [(m.department, m.queue) for m in config.matters.values()], queue_floor))
        self.names = {code: q.name for code, q in config.queues.items()}

    def advise(self, actor: Actor) -> dict:
        """`{"advice": [...], "hall_mean_wait_min", "unserved_queues"}`: the moves best first, each assuming
        those above it; the mean wait of the queues a window serves; the queues with demand no window serves."""
        actor.require_staff(*READS_EVERYTHING)
        model = self.runner.read(self._model)
        moves = st.advise(model)
        served = model.served_wait()
        return {"advice": [self._view(move, model.loads[move.queue]) for move in moves],
                "hall_mean_wait_min": None if served is None else round(served, 1),
                "unserved_queues": [{"queue": q, "arrivals": model.loads[q].arrivals, "waiting": model.loads[q].waiting}
                                    for q in model.unserved()]}

    def _model(self, uow: UnitOfWork, now: dt.datetime) -> st.HallModel:
        day = business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)
        since = now - LOOK_BACK
        arrivals = uow.tickets.arrivals(day, since)
        measured = uow.tickets.measured_service(day, since)
        waiting = Counter()
        for group in uow.tickets.waiting_summary(day):
            waiting[group.queue] += group.n
        loads = {code: st.QueueLoad(arrivals.get(code, 0), waiting[code],
                                    st.service_minutes(measured.get(code), self.config.queue_avg_minutes(code)))
                 for code in self.config.queues}
        staffed = tuple(st.StaffedWindow(w.number, w.floor, w.department, w.queues) for w in uow.windows.all()
                        if w.state is WindowState.OPEN and w.clerk)
        return st.HallModel(self.layout, staffed, loads)

    def _view(self, move: st.Move, load: st.QueueLoad) -> dict:
        return {
            "window": move.window, "from_queues": list(move.from_queues), "to_queues": list(move.to_queues),
            "expected_wait_change_min": round(move.change, 1), "why": st.why(move, load, self.names),
            "queue": move.queue, "arrivals": load.arrivals, "waiting": load.waiting,
            "losing_queue": move.losing_queue, "opens_queue": move.opens_queue,
            "from_wait_min": round(move.gaining_wait[0], 1), "to_wait_min": round(move.gaining_wait[1], 1),
            "losing_from_wait_min": round(move.losing_wait[0], 1) if move.losing_wait else None,
            "losing_to_wait_min": round(move.losing_wait[1], 1) if move.losing_wait else None}
