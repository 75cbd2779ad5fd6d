"""The queue's repositories: tickets and the windows that call them."""
from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from server.domain.model import Priority, TicketStatus, WindowState
from server.domain.prediction import WindowStaffing

from .store import Store, waiting_tickets


class FakeTickets:
    def __init__(self, store: Store):
        self.store, self.seen = store, {}

    def _track(self, ticket):
        return self.seen.setdefault(ticket.id, ticket) if ticket else None

    def next_seq(self, day, queue) -> int:
        self.store.counters[(day, queue)] = self.store.counters.get((day, queue), 0) + 1
        return self.store.counters[(day, queue)]

    def highest_live_seq(self, series, before):
        seqs = [t.seq for t in self.store.tickets.values() if t.series_queue == series and t.day < before
                and t.status in (TicketStatus.WAITING, TicketStatus.CALLED)]
        return max(seqs, default=None)

    def continue_series(self, day, series, seq):
        self.store.counters[(day, series)] = seq

    def get(self, ticket_id, for_update=False):
        return self._track(self.store.tickets.get(ticket_id))

    def call_candidates(self, queues, day):
        found = []
        for queue in queues:
            for green in (True, False):
                heads = sorted((t for t in waiting_tickets(self.store, day, {queue}) if (t.priority.value == "green") == green),
                               key=lambda t: (t.kind.value, t.placed_at, t.seq, t.id))
                if heads:
                    found.append(self._track(heads[0]))
        return found

    def waiting(self, day, queues=None):
        return [SimpleNamespace(id=t.id, queue=t.queue, priority=t.priority.value, placed_at=t.placed_at, seq=t.seq,
                                kind=t.kind.value, matter=t.matter) for t in waiting_tickets(self.store, day, None if queues is None else set(queues))]

    def waiting_matters(self, day, queue):
        counts = defaultdict(int)
        for t in waiting_tickets(self.store, day, {queue}):
            counts[(t.matter, t.priority is Priority.GREEN)] += 1
        return dict(counts)

    def waiting_summary(self, day):
        groups = defaultdict(list)
        for t in waiting_tickets(self.store, day):
            groups[(t.queue, t.priority.value)].append(t.issued_at)
        return [SimpleNamespace(queue=q, priority=p, n=len(at), oldest=min(at)) for (q, p), at in groups.items()]

    def waiting_counts(self, day, queues):
        counts = defaultdict(int)
        for t in waiting_tickets(self.store, day, set(queues)):
            counts[(t.queue, t.priority.value == "green")] += 1
        return dict(counts)

    def issued_today(self, day):
        return {q: n for (d, q), n in self.store.counters.items() if d == day}

    def lock_holder(self, id_number):
        pass  # one transaction at a time here

    def count_of_holder(self, day, id_number):
        return sum(1 for t in self.store.tickets.values()
                   if t.day == day and t.holder.id_number == id_number and t.status is not TicketStatus.CANCELLED)

    def by_number(self, day, number, for_update=False):
        found = [t for t in self.store.tickets.values() if t.day == day and t.number == number]
        return self._track(max(found, key=lambda t: t.issued_at)) if found else None

    def stale(self, today):
        return [self._track(t) for t in self.store.tickets.values()
                if t.day < today and t.status is TicketStatus.WAITING]

    def measured_service(self, day, since=None):
        seconds = defaultdict(list)
        for t in self.store.tickets.values():
            if t.day == day and t.service_seconds is not None and (since is None or t.finished_at >= since):
                seconds[t.queue].append(t.service_seconds)
        return {q: (sum(s) / len(s), len(s)) for q, s in seconds.items()}

    def measured_by_matter(self, day, since=None):
        seconds = defaultdict(list)
        for t in self.store.tickets.values():
            if t.day == day and t.service_seconds is not None and (since is None or t.finished_at >= since):
                seconds[(t.queue, t.matter)].append(t.service_seconds)
        return {key: (sum(s) / len(s), len(s)) for key, s in seconds.items()}

    def visit_spread(self, day):
        seconds = defaultdict(list)
        for t in self.store.tickets.values():
            if t.day == day and t.service_seconds is not None:
                seconds[(t.queue, t.matter)].append(t.service_seconds)
        return {key: (len(s), float(sum(s)), float(sum(x * x for x in s))) for key, s in seconds.items()}

    def arrivals(self, day, since):
        counts = defaultdict(int)
        for t in self.store.tickets.values():
            if t.day == day and t.issued_at >= since:
                counts[t.queue] += 1
        return dict(counts)

    def served_today(self, day):
        served = defaultdict(int)
        for t in self.store.tickets.values():
            if t.day == day and t.status is TicketStatus.DONE and t.window:
                served[t.window] += 1
        return dict(served)

    def add(self, ticket, issued_by):
        self.store.tickets[ticket.id] = ticket
        self.seen[ticket.id] = ticket

    def claim(self, ticket) -> bool:
        return True  # one transaction at a time here: a candidate is never taken meanwhile

    def save(self, ticket):
        self.store.tickets[ticket.id] = ticket

    def open_for_case(self, case_number):
        return next((self._track(t) for t in self.store.tickets.values()
                     if t.case == case_number and t.status in (TicketStatus.WAITING, TicketStatus.CALLED)), None)


class FakeWindows:
    def __init__(self, store: Store):
        self.store, self.seen, self._saved = store, {}, {}

    def get(self, number, for_update=False):
        window = self.store.windows.get(number)
        return self.seen.setdefault(number, window) if window else None

    def current_ticket_of(self, number):
        window = self.store.windows.get(number)
        return window.current_ticket if window else None

    def all(self):
        return [self.seen.setdefault(n, w) for n, w in self.store.windows.items()]

    def serving(self):
        return [(w.number, w.queues) for w in self.store.windows.values() if w.state is not WindowState.CLOSED]

    def staffing(self):
        rows = []
        for w in self.store.windows.values():
            ticket = self.store.tickets.get(w.current_ticket) if w.current_ticket else None
            rows.append(WindowStaffing(w.number, w.queues, w.state.value, w.clerk is not None, w.current_ticket is not None,
                                       ticket.called_at if ticket else None, ticket.matter if ticket else None,
                                       ticket.queue if ticket else None, w.state_since))
        return rows

    def of_clerk(self, clerk):
        return [self.seen.setdefault(w.number, w) for w in self.store.windows.values() if w.clerk == clerk]

    def add(self, window, now):
        window.stamp(now)
        self.store.windows.setdefault(window.number, window)

    def save(self, window, now):
        window.stamp(now)
        window.version += 1
        self.store.windows[window.number] = window
        self._saved[window.number] = window

    def saved(self):
        return list(self._saved.values())
