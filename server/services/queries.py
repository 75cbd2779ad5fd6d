"""Queries: what screens, consoles and the public read. Each runs in its own short transaction and
changes nothing."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict

from ..config import HallConfig
from ..domain import events as ev
from ..domain.errors import Conflict, Forbidden, NotFound, Reason
from ..domain.model import Priority, WindowState, business_day
from ..domain.wording import call_text
from . import views
from .actors import Actor
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .waits import WaitEstimates


# GET /stats (public) answers figures read at most this long ago, and none from before a change this
# process made (figures_moved): one database read per interval however many ask. A change made through
# another process shows within the interval.
PUBLIC_STATS_MAX_AGE_S = 1.0


def _by_number(w) -> tuple:
    return (int(w.number) if w.number.isdigit() else 0, w.number)


class Queries:
    def __init__(self, config: HallConfig, runner: CommandRunner, waits: WaitEstimates):
        self.config = config
        self.runner = runner
        self.waits = waits
        self._public_stats: tuple[float, tuple[ev.QueueFigures, ...]] | None = None  # (read at, figures)
        self._figures_generation = 0  # bumped by every change that moves the figures
        views.matter_search_keys(config)  # the search's pinyin now, at start, not in the first GET /catalog

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return business_day(now or self.runner.clock(), self.config.hall.tz, self.config.hall.day_rollover_hour)

    def issuing_open(self) -> bool:
        hours = self.config.hall.issuing_hours
        if not hours:
            return True
        local = self.runner.clock().astimezone(self.config.hall.tz).strftime("%H:%M")
        return hours[0] <= local < hours[1]

    # ---------------------------------------------------------------- tickets
    def get_ticket(self, ticket_id: str) -> dict:
        if not ticket_id or len(ticket_id) > 32:
            raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)

        def read(uow: UnitOfWork, now: dt.datetime) -> dict:
            found = uow.tickets.get(ticket_id)
            if found is None:
                raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)
            rated = uow.ratings.of_ticket(found.id)  # the tracking page shows the level given (好差评)
            return {"ticket": {**self.ticket_view(uow, now, found), "rating": rated.level if rated else None}}
        return self.runner.read(read, public=True)

    def ticket_view(self, uow: UnitOfWork, now: dt.datetime, ticket) -> dict:
        if ticket.status.value != "waiting":
            return views.ticket(ticket.facts())
        ahead, eta = self.waits.of_ticket(uow, now, ticket)
        return views.ticket(ticket.facts(), ahead, eta)

    def places(self, ticket_ids: list[str]) -> list[dict]:
        """`{"id", "ahead", "eta_minutes", "eta_range"}` for those of the tickets that still wait (tracking pages)."""
        return self.runner.read(lambda uow, now: self.waits.places(uow, now, ticket_ids))

    def ticket_history(self, actor: Actor, ticket_id: str) -> list[dict]:
        actor.require_staff()

        def read(uow: UnitOfWork, _now) -> list[dict]:
            if uow.tickets.get(ticket_id) is None:
                raise NotFound("There is no such ticket.", Reason.NO_SUCH_TICKET)
            return [views.history_entry(row) for row in uow.log.of("ticket", ticket_id)]
        return self.runner.read(read)

    # ---------------------------------------------------------------- windows
    def window_view(self, uow: UnitOfWork, window, public: bool = False) -> dict:
        """WINDOW; `public`: as anonymous screens see it (views.public_window)."""
        current = uow.tickets.get(window.current_ticket) if window.current_ticket else None
        return (views.public_window if public else views.window)(window.facts(), current.facts() if current else None)

    def windows(self, actor: Actor, floor: int | None = None) -> list[dict]:
        actor.require_staff()

        def read(uow: UnitOfWork, now: dt.datetime) -> list[dict]:
            served = uow.tickets.served_today(self.today(now))
            return [{**self.window_view(uow, w), "served_today": served.get(w.number, 0)}
                    for w in sorted(uow.windows.all(), key=lambda w: (w.floor, *_by_number(w)))
                    if floor is None or w.floor == floor]
        return self.runner.read(read)

    def window(self, actor: Actor, number: str) -> dict:
        actor.require_staff()

        def read(uow: UnitOfWork, _now) -> dict:
            found = uow.windows.get(str(number))
            if found is None:
                raise NotFound(f"There is no window {number}.", Reason.NO_SUCH_WINDOW)
            return self.window_view(uow, found)
        return self.runner.read(read)

    def holder_at(self, actor: Actor, number: str) -> dict:
        """CONTRACT v2: the citizen behind the ticket a window serves, in full, for the clerk serving it
        (to compare with the card in front of them); for a pickup ticket, also its case's applicant."""
        actor.require_staff("clerk")

        def read(uow: UnitOfWork, _now) -> dict:
            window = uow.windows.get(str(number))
            if window is None:
                raise NotFound(f"There is no window {number}.", Reason.NO_SUCH_WINDOW)
            if window.clerk != actor.name:
                raise Forbidden(f"Only the clerk signed in at window {number} sees who it serves.",
                                Reason.NOT_SIGNED_IN_HERE)
            ticket = uow.tickets.get(window.current_ticket) if window.current_ticket else None
            if ticket is None:
                raise Conflict(f"Window {number} serves no ticket now.", Reason.NO_CURRENT_TICKET)
            case = uow.cases.by_number(ticket.case) if ticket.case else None
            return {"ticket": ticket.number, "kind": ticket.kind.value,
                    "holder": ticket.holder.full() if ticket.holder else None,
                    "applicant": {"name": case.applicant.name, "phone": case.applicant.phone} if case else None}
        return self.runner.read(read)

    def window_of_clerk(self, clerk: str) -> str | None:
        mine = self.runner.read(lambda uow, _now: uow.windows.of_clerk(clerk))
        return mine[0].number if mine else None

    def clerk_at(self, number: str) -> Actor | None:
        """The clerk signed in at a window, as the actor a pager or evaluator there acts for."""
        found = self.runner.read(lambda uow, _now: uow.windows.get(str(number)))
        if found is None or not found.clerk:
            return None
        return Actor("staff", found.clerk, "clerk", (found.department,) if found.department else ())

    # ---------------------------------------------------------------- the hall's figures and screens
    def queue_figures(self, floor: int | None = None, public: bool = False) -> tuple[ev.QueueFigures, ...]:
        def read(uow: UnitOfWork, now: dt.datetime):
            estimator = self.waits.estimator(uow, now)
            counts, oldest_of = {}, {}
            for r in uow.tickets.waiting_summary(self.today(now)):
                counts[(r.queue, r.priority == Priority.GREEN.value)] = r.n
                oldest_of[r.queue] = min(r.oldest, oldest_of.get(r.queue, r.oldest))
            limited = any(q.daily_quota for q in self.config.queues.values())
            issued = uow.tickets.issued_today(self.today(now)) if limited else {}
            return estimator, counts, oldest_of, uow.windows.all(), now, issued
        estimator, counts, oldest_of, windows, now, issued = self.runner.read(read, public)
        out = []
        for code, queue in self.config.queues.items():
            if floor is not None and queue.floor != floor:
                continue
            oldest = oldest_of.get(code)
            wait = estimator.estimate(code, estimator.in_queue_of_newest(code, False, counts))
            out.append(ev.QueueFigures(
                code=code, name=queue.name, floor=queue.floor,
                waiting=counts.get((code, False), 0) + counts.get((code, True), 0),
                open_windows=sum(1 for w in windows if w.state is WindowState.OPEN and code in w.queues),
                longest_wait_s=int((now - oldest).total_seconds()) if oldest else 0,
                eta_minutes=wait.minutes if wait else None, eta_range=(wait.low, wait.high) if wait else None,
                daily_quota=queue.daily_quota,
                quota_reached=queue.daily_quota is not None and issued.get(code, 0) >= queue.daily_quota))
        return tuple(out)

    def stats(self, floor: int | None = None) -> list[dict]:
        return [asdict(q) for q in self.queue_figures(floor)]

    def public_stats(self, floor: int | None = None) -> list[dict]:
        """GET /stats: the hall's figures as read at most PUBLIC_STATS_MAX_AGE_S ago (shared by every
        caller), through the public lane."""
        cached = self._public_stats
        if cached is None or time.monotonic() - cached[0] > PUBLIC_STATS_MAX_AGE_S:
            generation, started = self._figures_generation, time.monotonic()
            cached = (started, self.queue_figures(public=True))
            if generation == self._figures_generation:  # else a change came in while it was read
                self._public_stats = cached
        return [asdict(q) for q in cached[1] if floor is None or q.floor == floor]

    def figures_moved(self, _event=None, _audience=None) -> None:
        """The bus consumer of Audience.QUEUE_FIGURES: the next GET /stats reads them again."""
        self._figures_generation += 1
        self._public_stats = None

    def snapshot(self, floor: int | None = None, window: str | None = None) -> dict:
        """Everything a screen needs at once: on subscribe and after every reconnect."""
        def read(uow: UnitOfWork, now: dt.datetime) -> dict:
            if window is not None:
                found = uow.windows.get(str(window))
                if found is None:
                    raise NotFound(f"There is no window {window}.", Reason.NO_SUCH_WINDOW)
                floor_of, wins = found.floor, [self.window_view(uow, found, public=True)]
            else:
                if floor not in self.config.floors:
                    raise NotFound(f"There is no floor {floor}.", Reason.NO_SUCH_FLOOR)
                floor_of = floor
                wins = [self.window_view(uow, w, public=True)
                        for w in sorted(uow.windows.all(), key=_by_number) if w.floor == floor]
            recent = uow.log.recent_calls(floor if window is None else None, window)
            # Cases whose result waits on this floor: screens show their numbers only.
            ready = uow.cases.ready_numbers(self.config.windows_on(floor_of))
            return {"floor": floor_of, "windows": wins, "ready_cases": ready, "at": views.iso(now),
                    "recent_calls": [{"number": r.number, "window": r.window, "floor": r.floor, "queue": r.queue,
                                      "text": call_text(r.number, r.window), "at": views.iso(r.at)} for r in recent]}
        shot = self.runner.read(read, public=True)  # screens are anonymous
        floor_of = shot["floor"]
        return {
            **shot, "window": str(window) if window is not None else None,
            "zone": self.config.zone_of_floor(floor_of), "floor_name": self.config.floors[floor_of].name,
            "hall": self.config.hall.name, "notice": self.config.hall.notice, "stats": self.public_stats(floor_of),
            # A speaker on this floor renders each call with its chime (drivers/): the screen plays that.
            "call_audio": any(d.kind == "speaker" and d.attach == f"floor:{floor_of}" for d in self.config.devices),
        }

    def current_state(self) -> list[ev.Event]:
        """The hall as it stands, as the state messages that tell it: every window, then the queue
        figures. For devices that start (a pager shows nothing until it hears them)."""
        def read(uow: UnitOfWork, _now) -> list[ev.Event]:
            out = []
            for window in sorted(uow.windows.all(), key=_by_number):
                current = uow.tickets.get(window.current_ticket) if window.current_ticket else None
                out.append(ev.WindowUpdated(window.facts(), current.facts() if current else None))
            return out
        return [*self.runner.read(read), ev.QueueFiguresChanged(self.queue_figures())]

    def catalog(self) -> dict:
        return views.catalog(self.config, self.issuing_open())

    def ping(self) -> None:
        self.runner.read(lambda uow, _now: uow.windows.get("__ping__"))
