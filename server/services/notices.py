"""Notices to citizens (短信/微信通知, CONTRACT v2): which notices a command's events cause, queued in
the outbox in the command's own transaction (the runner's `also_in_transaction`), so a notice is
never lost between a commit and its queueing, and never queued for a change that was rolled back.
The worker that posts them to the gateway is notice_delivery.py; docs/notices.md.

- `TicketCalled` → `called`, to the ticket's phone;
- a call, a transfer or a cancelled ticket moves the queues up → `ahead`, once, to each waiting
  ticket with a phone that now has `[notices] ahead` tickets or fewer before it;
- a case saved as ready for pickup → `case_ready`, to its applicant's phone;
- `AppointmentBooked` → `appointment_booked`, to the booking's phone.
`appointment_reminder` is queued by the appointments' sweep (`reminders_in`), once per booking.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import HallConfig
from ..domain import events as ev
from ..domain.cases import CaseStatus
from ..domain.notices import NoticeKind, dedupe_key, render
from .unit_of_work import UnitOfWork
from .waits import WaitEstimates

# What can move a waiting ticket nearer the front.
_MOVES_QUEUES = (ev.TicketCalled, ev.TicketTransferred, ev.TicketCancelled)


@dataclass(frozen=True)
class _Due:
    """A notice the events cause, before it is queued."""
    key: str
    kind: NoticeKind
    phone: str
    params: dict
    ticket: str | None = None
    case: str | None = None


class Notices:
    def __init__(self, config: HallConfig, waits: WaitEstimates):
        self.config = config
        self.settings = config.notices
        self.waits = waits

    @property
    def enabled(self) -> bool:
        """Without a gateway (`[notices] url`) no notice is queued at all."""
        return self.settings.url is not None

    def in_transaction(self, uow: UnitOfWork, events: list[ev.Event], now: dt.datetime) -> None:
        """The runner's in-transaction consumer: queue what these events cause."""
        if not self.enabled:
            return
        due: list[_Due] = []
        for event in events:
            if isinstance(event, ev.TicketCalled):
                due += self._called(uow, event.ticket)
            elif isinstance(event, ev.CaseUpdated) and event.case.status is CaseStatus.READY_FOR_PICKUP:
                due.append(self._case_ready(event.case))
            elif isinstance(event, ev.AppointmentBooked):
                due += self._appointment(uow, event.appointment, NoticeKind.APPOINTMENT_BOOKED)
        if any(isinstance(e, _MOVES_QUEUES) for e in events):
            due += self._ahead(uow, now)
        # Always in the order of their keys: two transactions queueing the same notices then wait on
        # each other's unique key in one order, never in a circle (PostgreSQL would abort one).
        for notice in sorted(due, key=lambda d: d.key):
            self.queue(uow, now, notice.kind, notice.phone, notice.params, notice.ticket, notice.case, key=notice.key)

    def queue(self, uow: UnitOfWork, now: dt.datetime, event: str | NoticeKind, phone: str | None, params: dict,
              ticket: str | None = None, case: str | None = None, *, key: str) -> bool:
        """Queue one notice inside the caller's transaction: `event`'s template filled with `params` (and
        the hall's name), to `phone`. `key` names the notice (`appointment_booked:ID`): a notice with the
        same key is never queued again. True if it was queued now."""
        if not self.enabled or not phone:
            return False
        kind = NoticeKind(event)
        text = render(getattr(self.settings.templates, kind.value), {"hall": self.config.hall.name, **params})
        return uow.notices.add(kind.value, phone, text, ticket, case, key, now)

    # ---------------------------------------------------------------- what each event causes
    def _called(self, uow: UnitOfWork, facts: ev.TicketFacts) -> list[_Due]:
        ticket = uow.tickets.get(facts.id)  # loaded by the command already: no query
        if ticket is None or not ticket.phone:
            return []
        # Keyed by the window too: a ticket transferred and called again elsewhere is told again.
        return [_Due(dedupe_key(NoticeKind.CALLED, facts.id, facts.window or ""), NoticeKind.CALLED, ticket.phone,
                     {"number": facts.number, "window": facts.window, "matter": self._matter(facts.matter)},
                     ticket=facts.id)]

    def _ahead(self, uow: UnitOfWork, now: dt.datetime) -> list[_Due]:
        """Waiting tickets with a phone not told yet, whose place is now near enough."""
        untold = {row.id: row for row in uow.notices.untold_waiting_with_phone(dedupe_key(NoticeKind.AHEAD, ""))}
        due = []
        queues = {row.queue for row in untold.values()}
        for place in self.waits.places(uow, now, list(untold), queues) if untold else ():
            if place["ahead"] <= self.settings.ahead:
                row = untold[place["id"]]
                due.append(_Due(dedupe_key(NoticeKind.AHEAD, row.id), NoticeKind.AHEAD, row.phone,
                                {"number": row.number, "ahead": place["ahead"], "matter": self._matter(row.matter)},
                                ticket=row.id))
        return due

    def _case_ready(self, case) -> _Due:
        return _Due(dedupe_key(NoticeKind.CASE_READY, case.id), NoticeKind.CASE_READY, case.applicant.phone,
                    {"case": case.number, "matter": self._matter(case.matter), "window": case.window}, case=case.id)

    def _appointment(self, uow: UnitOfWork, facts: ev.AppointmentFacts, kind: NoticeKind) -> list[_Due]:
        booking = uow.appointments.get(facts.id)  # loaded by the command already: no query
        if booking is None or not booking.holder.phone:
            return []
        local = facts.start.astimezone(self.config.hall.tz)
        return [_Due(dedupe_key(kind, facts.id), kind, booking.holder.phone,
                     {"matter": self._matter(facts.matter), "date": f"{local.month}月{local.day}日",
                      "start": local.strftime("%H:%M"), "code": facts.code})]

    def reminders_in(self, uow: UnitOfWork, now: dt.datetime, bookings) -> int:
        """`appointment_reminder` for each of these bookings (those starting within `reminder_minutes`),
        once each; how many were queued now."""
        if not self.enabled:
            return 0
        due = [d for b in bookings for d in self._appointment(uow, b.facts(), NoticeKind.APPOINTMENT_REMINDER)]
        return sum(self.queue(uow, now, d.kind, d.phone, d.params, key=d.key) for d in sorted(due, key=lambda d: d.key))

    def _matter(self, matter_id: str | None) -> str | None:
        matter = self.config.matters.get(matter_id) if matter_id else None
        return matter.name if matter else matter_id
