"""The repositories of the public's verdict: ratings (评价) and their follow-ups (回访, 申诉)."""
from __future__ import annotations

import copy
from dataclasses import replace

from server.domain.model import TicketStatus
from server.services.unit_of_work import AlreadyStored

from .store import Store


class FakeRatings:
    def __init__(self, store: Store):
        self.store = store

    def last_served(self, window, day):
        served = [t for t in self.store.tickets.values() if t.day == day and t.window == window and t.finished_at
                  and t.status in (TicketStatus.DONE, TicketStatus.ROUTED)]
        return max(served, key=lambda t: t.finished_at).id if served else None

    def add(self, rating):
        if rating.ticket_id and any(r.ticket_id == rating.ticket_id for r in self.store.ratings):
            raise AlreadyStored(rating.ticket_id)
        stored = copy.copy(rating)
        stored.id = str(len(self.store.ratings) + 1)
        self.store.ratings.append(stored)
        return stored.id

    def get(self, rating_id):
        found = next((r for r in self.store.ratings if r.id == rating_id), None)
        return copy.copy(found) if found else None

    def by_ids(self, rating_ids):
        return {r.id: copy.copy(r) for r in self.store.ratings if r.id in set(rating_ids)}

    def of_ticket(self, ticket_id):
        found = next((r for r in self.store.ratings if r.ticket_id == ticket_id), None)
        return copy.copy(found) if found else None

    def between(self, start, end, level=None, counted_only=False):
        return [copy.copy(r) for r in sorted(self.store.ratings, key=lambda r: (r.at, int(r.id)))
                if start <= r.at < end and (level is None or r.level == level)
                and not (counted_only and r.removed_at is not None)]

    def cases_of(self, ticket_ids):
        out = {}
        for ticket_id in ticket_ids:
            ticket = self.store.tickets.get(ticket_id)
            if ticket and ticket.case:
                case = next((c for c in self.store.cases.values() if c.number == ticket.case), None)
                out[ticket_id] = (ticket.case, case.applicant.name if case else None)
        return out

    def remove(self, rating_id, at):
        for r in self.store.ratings:
            if r.id == rating_id and r.removed_at is None:
                r.removed_at = at


class FakeFollowUps:
    def __init__(self, store: Store):
        self.store = store

    def add(self, follow_up):
        follow_id = str(len(self.store.follow_ups) + 1)
        self.store.follow_ups[follow_id] = replace(follow_up, id=follow_id, events=[])
        return follow_id

    def get(self, follow_up_id, for_update=False):
        found = self.store.follow_ups.get(follow_up_id)
        return replace(found, events=[]) if found else None

    def listing(self, status=None):
        return [replace(f, events=[]) for f in sorted(self.store.follow_ups.values(), key=lambda f: -int(f.id))
                if status is None or f.status == status]

    def save(self, follow_up):
        self.store.follow_ups[follow_up.id] = replace(follow_up, events=[])
