"""Window commands: a clerk signs in, calls, recalls, finishes, marks no-shows, transfers, pauses; the
admin sets a window's queues and state. Who may act at a window is decided here (`for_clerk`)."""
from __future__ import annotations

import datetime as dt

from ..config import HallConfig
from ..domain.errors import Conflict, Forbidden, Invalid, NotFound, QueueEmpty, Reason
from ..domain.model import Ticket, TicketStatus, Window, WindowState
from . import views
from .actors import READS_EVERYTHING, Actor
from .messages import IdempotencyKey, Outcome
from .presses import AnsweredCalls, Seen, overlapped
from .queries import Queries
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .waits import WaitEstimates


class WindowCommands:
    def __init__(self, config: HallConfig, runner: CommandRunner, queries: Queries, waits: WaitEstimates, policy):
        self.config = config
        self.runner = runner
        self.queries = queries
        self.waits = waits
        self.policy = policy  # CallNextPolicy
        self.answered = AnsweredCalls()  # this process's calls, for telling a double press (presses.py)

    # ---------------------------------------------------------------- who may act
    def for_clerk(self, uow: UnitOfWork, actor: Actor, number: str, reading: bool = False) -> Window:
        """Load and lock the window; only the clerk signed in there may operate it. `reading`: load it
        without the lock, for a query that the admin may also make about any window."""
        actor.require_staff("clerk", *(READS_EVERYTHING if reading else ("admin",)))
        window = uow.windows.get(str(number), for_update=not reading)
        if window is None:
            raise NotFound(f"There is no window {number}.", Reason.NO_SUCH_WINDOW)
        if reading and actor.role in READS_EVERYTHING:
            return window
        if actor.kind != "system" and window.clerk != actor.name:
            if window.clerk is None:
                raise Forbidden(f"Sign in at window {number} before operating it.", Reason.NOT_SIGNED_IN_HERE)
            raise Forbidden(f"Window {number} is signed in by another clerk; you can act only at your own window.",
                            Reason.WINDOW_OF_OTHER_CLERK)
        return window

    def for_admin(self, uow: UnitOfWork, actor: Actor, number: str) -> Window:
        actor.require_staff("admin")
        window = uow.windows.get(str(number), for_update=True)
        if window is None:
            raise NotFound(f"There is no window {number}.", Reason.NO_SUCH_WINDOW)
        return window

    @staticmethod
    def current(uow: UnitOfWork, window: Window) -> Ticket:
        ticket = uow.tickets.get(window.require_current(), for_update=True)
        if ticket is None:
            raise Conflict(f"Window {window.number} has no current ticket; call one first.", Reason.NO_CURRENT_TICKET)
        return ticket

    def _change(self, actor: Actor, number: str, idempotency, change) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.for_clerk(uow, actor, number)
            change(window)
            uow.windows.save(window, now)
            return {"window": self.queries.window_view(uow, window)}
        return self.runner.run(actor, idempotency, command)

    # ---------------------------------------------------------------- the clerk
    def sign_in(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_staff("clerk")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = uow.windows.get(str(number), for_update=True)
            if window is None:
                raise NotFound(f"There is no window {number}.", Reason.NO_SUCH_WINDOW)
            if not actor.may_staff(window.department):
                where = f"department {window.department}" if window.department else "the hall's own staff"
                raise Forbidden(f"Window {number} is staffed by {where}; you cannot sign in there.",
                                Reason.WINDOW_OF_OTHER_DEPARTMENT)
            for other in uow.windows.of_clerk(actor.name):
                if other.number == window.number:
                    continue
                if other.current_ticket:  # a clerk is at one window at a time, and leaves none half-served
                    raise Conflict(f"You still serve a ticket at window {other.number}; finish, transfer or mark it "
                                   f"before signing in at window {number}.", Reason.SERVING_AT_OTHER_WINDOW,
                                   window=other.number)
                other.sign_out()
                uow.windows.save(other, now)
            account = uow.accounts.user(actor.name)
            window.sign_in(actor.name, account.display_name if account else None)
            uow.windows.save(window, now)
            return {"window": self.queries.window_view(uow, window)}
        return self.runner.run(actor, idempotency, command)

    def sign_out(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._change(actor, number, idempotency, lambda w: w.sign_out())

    def call_next(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None,
                  arrived_at: dt.datetime | None = None, seen: Seen | None = None) -> Outcome:
        """Finish the current ticket (if any) and call the next one. A press that overlapped the call of
        the current ticket (a double press; presses.py) answers with that ticket, `repeated`, and
        changes nothing. `seen`: the ticket the pressing device showed at the window, when it says so
        (the clerk console does): then that alone tells an overlap. Else `arrived_at`, when the request
        arrived (an entry point reads it before anything waits for the database; now, by default)."""
        arrived_at = arrived_at or self.runner.clock()
        number = str(number)
        answer: list[str] = []  # the ticket this press answers with, once chosen

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            before_lock = uow.windows.current_ticket_of(number)  # what a call committed while we wait changes
            window = self.for_clerk(uow, actor, number)
            window.require_can_call()
            # The call's moment is read holding the window's lock, so a press that arrived before it
            # is known to overlap this call, from any process (presses.py).
            moment = self.runner.clock()
            if window.current_ticket:
                current = uow.tickets.get(window.current_ticket, for_update=True)
                if current and current.status is TicketStatus.CALLED:
                    if overlapped(seen, current, before_lock, lambda: self.answered.overlaps(number, current, arrived_at)):
                        self._answering(number, current.id, answer)
                        return {"ticket": views.ticket(current.facts()), "repeated": True}
                    # Pressing call-next while serving ends the current visit (as Qmatic's "next").
                    current.finish(moment, ended_by="call_next")
                    uow.tickets.save(current)
                window.released()
            # Today's tickets only, the day of this moment: once the day has turned, an earlier day's
            # waiting ticket is never called, whether or not housekeeping has cancelled it yet.
            today = self.queries.today(moment)
            for candidate in self.policy.rank(window, uow.tickets.call_candidates(window.queues, today)):
                candidate.call(window, actor.name, moment)
                if uow.tickets.claim(candidate):
                    window.took(candidate)
                    uow.windows.save(window, now)
                    self._answering(number, candidate.id, answer)
                    return {"ticket": views.ticket(candidate.facts()), "repeated": False}
                candidate.events.clear()  # taken by another window meanwhile; try the next one
            raise QueueEmpty(f"No ticket is waiting in the queues of window {number} ({', '.join(window.queues)}).",
                             Reason.QUEUE_EMPTY)
        try:
            # A refusal (queue_empty included) rolls back, so the current ticket then stays current.
            return self.runner.run(actor, idempotency, command)
        finally:
            if answer:
                self.answered.answered(number, answer[0], self.runner.clock())

    def _answering(self, number: str, ticket: str, answer: list[str]) -> None:
        self.answered.answering(number, ticket)
        answer[:] = [ticket]

    def recall(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            ticket = self.current(uow, self.for_clerk(uow, actor, number))
            ticket.recall(self.config.hall.recall_limit, now)
            uow.tickets.save(ticket)
            return {"ticket": views.ticket(ticket.facts())}
        return self.runner.run(actor, idempotency, command)

    def _end_current(self, actor: Actor, number: str, idempotency, end) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.for_clerk(uow, actor, number)
            ticket = self.current(uow, window)
            end(ticket, now)
            uow.tickets.save(ticket)
            window.released()
            uow.windows.save(window, now)
            return {"ticket": views.ticket(ticket.facts())}
        return self.runner.run(actor, idempotency, command)

    def finish(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._end_current(actor, number, idempotency, lambda t, now: t.finish(now))

    def no_show(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._end_current(actor, number, idempotency, lambda t, now: t.mark_no_show(now))

    def transfer(self, actor: Actor, number: str, queue: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.for_clerk(uow, actor, number)
            target = self.config.queues.get(queue)
            if target is None:
                raise NotFound(f"There is no queue {queue!r}.", Reason.NO_SUCH_QUEUE)
            ticket = self.current(uow, window)
            ahead, eta = self.waits.of_ticket(uow, now, ticket, queue=queue)
            ticket.transfer(queue, now, target.floor, self.config.zone_of_floor(target.floor), ahead, eta)
            uow.tickets.save(ticket)
            window.released()
            uow.windows.save(window, now)
            return {"ticket": views.ticket(ticket.facts(), ahead, eta)}
        return self.runner.run(actor, idempotency, command)

    def pause(self, actor: Actor, number: str, reason: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        """CONTRACT v2: a pause names one of the hall's configured reasons (电子监察 reports them)."""
        if reason not in self.config.supervision.pause_reasons:
            raise Invalid(f"Pause for one of the hall's reasons: {'、'.join(self.config.supervision.pause_reasons)}.",
                          Reason.UNKNOWN_PAUSE_REASON, reasons=list(self.config.supervision.pause_reasons))
        return self._change(actor, number, idempotency, lambda w: w.pause(reason))

    def resume(self, actor: Actor, number: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        return self._change(actor, number, idempotency, lambda w: w.resume())

    # ---------------------------------------------------------------- the admin
    def set_queues(self, actor: Actor, number: str, queues: list[str],
                   idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_staff("admin")
        unknown = [q for q in queues if q not in self.config.queues]
        if unknown:
            raise Invalid(f"Unknown queue(s): {', '.join(unknown)}.", Reason.UNKNOWN_QUEUE, queues=unknown)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.for_admin(uow, actor, number)
            elsewhere = [q for q in queues if self.config.queues[q].floor != window.floor]
            if elsewhere:  # CONTRACT v2: a window serves only queues of its own floor
                raise Invalid(f"Queue(s) {', '.join(elsewhere)} wait on another floor than window {number} "
                              f"(floor {window.floor}).", Reason.QUEUE_ON_OTHER_FLOOR, queues=elsewhere)
            window.set_queues(tuple(queues))
            uow.windows.save(window, now)
            return {"window": self.queries.window_view(uow, window)}
        return self.runner.run(actor, idempotency, command)

    def set_state(self, actor: Actor, number: str, state: str, idempotency: IdempotencyKey | None = None) -> Outcome:
        actor.require_staff("admin")
        try:
            new_state = WindowState(state)
        except ValueError:
            raise Invalid("state must be 'open', 'paused' or 'closed'.", Reason.INVALID_STATE)

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            window = self.for_admin(uow, actor, number)
            window.set_state(new_state)
            uow.windows.save(window, now)
            return {"window": self.queries.window_view(uow, window)}
        return self.runner.run(actor, idempotency, command)
