"""好差评: a citizen rates the service just received, on the tracking page (by the ticket's id), on the
window's rating pad or on its hardware evaluator (by the window). One rating per ticket: the first
counts. Every 差评 opens its follow-up (follow_ups.py) in the same transaction. The rules are the
domain's (server/domain/ratings.py, follow_ups.py)."""
from __future__ import annotations

import datetime as dt

from ..config import HallConfig
from ..domain import ratings
from ..domain.calendar import WorkingCalendar
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound, Reason, Unauthorized
from ..domain.follow_ups import FollowUp, deadlines
from ..domain.model import Ticket, TicketStatus, business_day
from ..domain.ratings import Rating
from . import rating_views as views
from .actors import READS_EVERYTHING, Actor
from .messages import IdempotencyKey, Outcome
from .runner import CommandRunner
from .unit_of_work import AlreadyStored, UnitOfWork


def require_pad(actor: Actor) -> None:
    """A window's rating pad: a device token of kind pad."""
    if actor.kind == "anonymous":
        raise Unauthorized("A window's rating pad sends its device token ('Authorization: Bearer TOKEN').",
                           Reason.TOKEN_MISSING)
    if actor.kind != "device" or actor.role != "pad":
        who = f"a {actor.role} device" if actor.kind == "device" else f"the role {actor.role}"
        raise Forbidden(f"Only a window's rating pad (a pad device) rates by window; {who} may not.",
                        Reason.ROLE_NOT_ALLOWED)


class Ratings:
    def __init__(self, config: HallConfig, runner: CommandRunner, calendar: WorkingCalendar):
        self.config = config
        self.runner = runner
        self.calendar = calendar

    # ---------------------------------------------------------------- commands
    def rate(self, actor: Actor, *, level: int, channel: str | None = None, ticket: str | None = None,
             window: str | None = None, comment: str | None = None,
             idempotency: IdempotencyKey | None = None) -> Outcome:
        """POST /ratings: by the ticket's id (channel tracking, anyone holding it), or by the window
        (channels pad and evaluator, a pad's token)."""
        if channel is None:
            channel = "pad" if actor.kind == "device" and actor.role == "pad" else "tracking"
        ratings.require_channel(channel)
        ratings.require_level(level)
        by_window = channel in ratings.WINDOW_CHANNELS
        if (window if by_window else ticket) is None or (ticket if by_window else window) is not None:
            raise Invalid("Name the ticket (channel tracking) or, from a window's rating pad, the window "
                          "(channels pad and evaluator); not both.", Reason.RATING_TARGET_REQUIRED)
        if by_window:
            require_pad(actor)
        comment = (comment or "").strip() or None

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            if by_window:
                found = self._target_at(uow, now, window)[1]
            else:
                found = uow.tickets.get(ticket) if 0 < len(ticket) <= 32 else None
                if found is None:
                    raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)
                ratings.require_rateable_by_id(found.number, found.status.value, found.finished_at, now,
                                               self.config.hall.tz, self.config.rating.days)
            if found is None:
                raise Conflict(f"Window {window} serves no ticket now and has served none today.",
                               Reason.NOTHING_TO_RATE)
            given = self._record(uow, now, actor, found, level, channel, comment)
            return {"rating": views.rating(given, public=actor.kind == "anonymous")}
        return self.runner.run(actor, idempotency, command)

    def rate_at_window(self, actor: Actor, window: str, level: int, channel: str) -> dict:
        """A window's hardware evaluator (DeviceDesk.rate): what the window serves now, or served last today."""
        ratings.require_channel(channel)
        ratings.require_level(level)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            found = self._target_at(uow, now, str(window))[1]
            if found is None:
                raise Conflict(f"Window {window} serves no ticket now and has served none today.",
                               Reason.NOTHING_TO_RATE)
            return views.rating(self._record(uow, now, actor, found, level, channel, None))
        return self.runner.run(actor, None, command).body

    def _record(self, uow: UnitOfWork, now: dt.datetime, actor: Actor, ticket: Ticket, level: int, channel: str,
                comment: str | None) -> Rating:
        if uow.ratings.of_ticket(ticket.id) is not None:
            raise self._already_rated(ticket)
        matter, window = ticket.matter, ticket.window or ""
        if ticket.case:  # a routed ticket's case (or the case a pickup ticket collected) names the matter
            case = uow.cases.by_number(ticket.case)
            matter = case.matter if case else matter
        spec = self.config.matters.get(matter or "")
        department = spec.department if spec else getattr(self.config.windows.get(window), "department", None)
        given = Rating(id="", at=now, window=window, ticket_id=ticket.id, number=ticket.number, clerk=ticket.clerk,
                       matter=matter, department=department, level=level, channel=channel, comment=comment,
                       source=actor.principal)
        try:
            given.id = uow.ratings.add(given)
        except AlreadyStored:  # another request rated it meanwhile (PostgreSQL; SQLite serialises)
            raise self._already_rated(ticket)
        uow.record(*ratings.given(given))
        if given.bad:
            rated_on = now.astimezone(self.config.hall.tz).date()
            rules = self.config.rating
            due = deadlines(self.calendar, rated_on, rules.contact_days, rules.fix_days)
            follow_up = FollowUp.new(given.id, *due, now)
            follow_up.id = uow.follow_ups.add(follow_up)
            uow.record(follow_up.opened())
        return given

    @staticmethod
    def _already_rated(ticket: Ticket) -> Conflict:
        return Conflict(f"Ticket {ticket.number} has been rated already; the first rating counts.",
                        Reason.ALREADY_RATED, number=ticket.number)

    def _target_at(self, uow: UnitOfWork, now: dt.datetime, number: str):
        """(the window, what it rates): the ticket it serves now (the citizen rates as service ends), else
        the one it served last this business day, else None."""
        window = uow.windows.get(str(number))
        if window is None:
            raise NotFound(f"There is no window {number}.", Reason.NO_SUCH_WINDOW)
        if window.current_ticket:
            current = uow.tickets.get(window.current_ticket)
            if current is not None and current.status is TicketStatus.CALLED:
                return window, current
        day = business_day(now, self.config.hall.tz, self.config.hall.day_rollover_hour)
        last = uow.ratings.last_served(window.number, day)
        return window, uow.tickets.get(last) if last else None

    # ---------------------------------------------------------------- reads
    def target(self, actor: Actor, window: str) -> dict:
        """What a window's rating pad offers to rate now (GET /windows/{w}/rating-target)."""
        require_pad(actor)

        def read(uow: UnitOfWork, now: dt.datetime) -> dict:
            found, ticket = self._target_at(uow, now, window)
            given = uow.ratings.of_ticket(ticket.id) if ticket else None
            # The pad faces the citizen: the clerk by display name, never by username (a sign-in's half).
            served_by = (ticket.clerk if ticket else None) or found.clerk
            account = uow.accounts.user(served_by) if served_by else None
            return {"window": found.number, "clerk": account.display_name if account else None,
                    "number": ticket.number if ticket else None, "ticket": ticket.id if ticket else None,
                    "status": ticket.status.value if ticket else None, "rated": given is not None,
                    "level": given.level if given else None}
        return self.runner.read(read)

    def listing(self, actor: Actor, start: dt.date, end: dt.date, level: int | None = None) -> list[dict]:
        """Ratings given on the hall's local dates `start` to `end`, oldest first; removed ones say so."""
        actor.require_staff(*READS_EVERYTHING)
        if level is not None:
            ratings.require_level(level)
        since, until = views.local_range(self.config, start, end)
        return self.runner.read(lambda uow, _now: [views.rating(r) for r in uow.ratings.between(since, until, level)])

    def export(self, actor: Actor, start: dt.date, end: dt.date) -> list[dict]:
        """The national platform's records of the ratings that count (an appeal's removed ones are left
        out), oldest first."""
        actor.require_staff(*READS_EVERYTHING)
        since, until = views.local_range(self.config, start, end)

        def read(uow: UnitOfWork, _now) -> list[dict]:
            counted = uow.ratings.between(since, until, counted_only=True)
            cases = uow.ratings.cases_of([r.ticket_id for r in counted])
            return [views.export_line(r, self.config, cases.get(r.ticket_id)) for r in counted]
        return self.runner.read(read)
