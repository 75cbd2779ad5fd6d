"""回访整改: the follow-ups of 差评, worked by supervisors and the admin. Each is opened with its rating
(ratings.py); its steps and their rules are the domain's (server/domain/follow_ups.py); its history is
its rows of the event log."""
from __future__ import annotations

import datetime as dt
import json

from ..domain import events as ev
from ..domain.errors import Invalid, NotFound, Reason
from ..domain.follow_ups import STATUSES, FollowUp
from . import rating_views as views
from .actors import READS_EVERYTHING, Actor
from .messages import IdempotencyKey, Outcome
from .runner import CommandRunner
from .unit_of_work import UnitOfWork


class FollowUps:
    def __init__(self, runner: CommandRunner):
        self.runner = runner

    def step(self, actor: Actor, follow_up_id: str, action: str, note: str | None,
             idempotency: IdempotencyKey | None = None) -> Outcome:
        """One step (contact, fix, close, appeal, uphold, remove) with its note. Removing takes the rating
        out of the statistics (ratings.removed_at; RatingRemoved)."""
        actor.require_staff(*READS_EVERYTHING)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            found = uow.follow_ups.get(follow_up_id, for_update=True)
            if found is None:
                raise NotFound("There is no such follow-up.", Reason.NO_SUCH_FOLLOW_UP)
            found.take(action, note, now)
            uow.follow_ups.save(found)
            uow.record(*found.events)
            rated = uow.ratings.get(found.rating_id)
            if found.removes_rating and rated is not None:
                uow.ratings.remove(rated.id, now)
                rated.removed_at = now
                uow.record(ev.RatingRemoved(rated.id, rated.ticket_id, now))
            # The step is logged only at the commit: the history adds it here, as the log will hold it.
            return {"follow_up": self._view(uow, found, rated, pending=(actor.principal, now))}
        return self.runner.run(actor, idempotency, command)

    def listing(self, actor: Actor, status: str | None = None) -> list[dict]:
        actor.require_staff(*READS_EVERYTHING)
        if status is not None and status not in STATUSES:
            raise Invalid(f"status is one of {', '.join(STATUSES)}.", Reason.INVALID_STATUS_FILTER)

        def read(uow: UnitOfWork, _now) -> list[dict]:
            found = uow.follow_ups.listing(status)
            rated = uow.ratings.by_ids([f.rating_id for f in found])
            return [self._view(uow, f, rated.get(f.rating_id)) for f in found]
        return self.runner.read(read)

    def get(self, actor: Actor, follow_up_id: str) -> dict:
        actor.require_staff(*READS_EVERYTHING)

        def read(uow: UnitOfWork, _now) -> dict:
            found = uow.follow_ups.get(follow_up_id)
            if found is None:
                raise NotFound("There is no such follow-up.", Reason.NO_SUCH_FOLLOW_UP)
            return self._view(uow, found, uow.ratings.get(found.rating_id))
        return self.runner.read(read)

    @staticmethod
    def _view(uow: UnitOfWork, found: FollowUp, rated, pending: tuple[str, dt.datetime] | None = None) -> dict:
        history = list(uow.log.of("follow_up", found.id))
        if pending is not None:
            history += [_Row(pending[0], pending[1], e) for e in found.events if isinstance(e, ev.FollowUpEvent)]
        return views.follow_up(found, rated, history)


class _Row:
    """A step not yet in the event log, read like a row of it."""

    def __init__(self, actor: str, at: dt.datetime, event: ev.FollowUpEvent):
        self.actor, self.at, self.kind = actor, at, event.kind
        self.payload = json.dumps(ev.encode(event), ensure_ascii=False)
