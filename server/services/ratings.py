"""好差评: citizens rate each service on the five national levels, from a window's evaluator."""
from __future__ import annotations

from ..adapters.repository import RatingRepository
from ..domain.errors import Invalid, NotFound
from .hall import HallService, iso
from .unit_of_work import UnitOfWork

LEVELS = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}  # 4 and 5 are 差评


class Ratings:
    def __init__(self, service: HallService):
        self.service = service

    def rate(self, window: str, level: int, source: str) -> dict:
        """Record a rating for what `window` is serving now, or served last today."""
        if level not in LEVELS:
            raise Invalid(f"A rating is a level from 1 (非常满意) to 5 (非常不满意), not {level}.")
        now = self.service.clock()
        with UnitOfWork(self.service.engine) as uow:
            w = uow.windows.get(str(window))
            if w is None:
                raise NotFound(f"There is no window {window}.")
            repo = RatingRepository(uow.connection)
            ticket = repo.ticket_to_rate(w.number, w.current_ticket, self.service.today(now))
            clerk = (ticket.clerk if ticket else None) or w.clerk
            rating_id = repo.add(now, w.number, ticket.id if ticket else None, clerk, level, source)
            uow.commit()
        return {"id": str(rating_id), "window": w.number, "ticket": ticket.id if ticket else None,
                "number": ticket.number if ticket else None, "clerk": clerk, "level": level,
                "label": LEVELS[level], "source": source, "at": iso(now)}

    def of_ticket(self, ticket_id: str) -> list[dict]:
        with UnitOfWork(self.service.engine) as uow:
            rows = RatingRepository(uow.connection).of_ticket(ticket_id)
        return [{"window": r.window, "clerk": r.clerk, "level": r.level, "label": LEVELS[r.level],
                 "at": iso(r.at)} for r in rows]
