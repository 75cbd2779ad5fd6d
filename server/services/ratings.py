"""好差评: a citizen rates the service just received, on the window's evaluator (more channels come
with CONTRACT v2). The 差评 rule is the domain's (server/domain/ratings.py); its alert follows from
the BadRatingGiven event."""
from __future__ import annotations

import datetime as dt

from ..config import HallConfig
from ..domain import ratings
from ..domain.errors import NotFound, Reason
from ..domain.model import business_day
from .actors import Actor
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .views import iso


class Ratings:
    def __init__(self, config: HallConfig, runner: CommandRunner):
        self.config = config
        self.runner = runner

    def rate_at_window(self, actor: Actor, window: str, level: int, channel: str) -> dict:
        """Rate what `window` is serving now, or served last today."""
        ratings.require_level(level)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            found = uow.windows.get(str(window))
            if found is None:
                raise NotFound(f"There is no window {window}.", Reason.NO_SUCH_WINDOW)
            day = business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)
            ticket = uow.ratings.ticket_to_rate(found.number, found.current_ticket, day)
            clerk = (ticket.clerk if ticket else None) or found.clerk
            rating_id = uow.ratings.add(now, found.number, ticket.id if ticket else None, clerk, level, actor.principal)
            given = ratings.given(rating_id=str(rating_id), window=found.number, ticket_id=ticket.id if ticket else None,
                                  number=ticket.number if ticket else None, clerk=clerk, level=level, channel=channel,
                                  at=now)
            uow.record(*given)
            return {"id": str(rating_id), "window": found.number, "ticket": ticket.id if ticket else None,
                    "number": ticket.number if ticket else None, "clerk": clerk, "level": level,
                    "label": ratings.LEVELS[level], "channel": channel, "at": iso(now)}
        return self.runner.run(actor, None, command).body
