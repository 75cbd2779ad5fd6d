"""The repositories of the hall's hardware: the print queue and the devices' health."""
from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from server.domain import events as ev
from server.services.printing import PrintJob

from .store import Store


class FakePrints:
    def __init__(self, store: Store):
        self.store = store

    def add(self, printer, ticket, reprint, at, dropped=None):
        self.store.prints.append(dict(id=next(self.store.ids), printer=printer, ticket=ticket, reprint=reprint,
                                      printed_at=None, queued_at=at, dropped=dropped))

    def owed(self, printer):
        return [PrintJob(j["id"], j["printer"], j["reprint"], j["ticket"], j["queued_at"]) for j in self.store.prints
                if j["printer"] == printer and j["printed_at"] is None and j["dropped"] is None]

    def drop(self, job_id, reason, at):
        job = next(j for j in self.store.prints if j["id"] == job_id)
        done = job["printed_at"] is None and job["dropped"] is None
        if done:
            job["dropped"] = reason
        return done

    def mark_printed(self, job_id, at):
        job = next(j for j in self.store.prints if j["id"] == job_id)
        done, job["printed_at"] = job["printed_at"] is None, job["printed_at"] or at
        return done

    def last_printer(self, ticket_id):
        return next((j["printer"] for j in reversed(self.store.prints) if j["ticket"]["id"] == ticket_id), None)

    def unprinted(self):
        printed = {j["ticket"]["id"] for j in self.store.prints if j["printed_at"] is not None}
        latest = {j["ticket"]["id"]: ev.OwedPrint(j["ticket"]["id"], j["ticket"]["number"], j["printer"])
                  for j in self.store.prints if j["printed_at"] is None and j["ticket"]["id"] not in printed}
        return sorted(latest.values(), key=lambda owed: owed.number)

    def owed_counts(self):
        counts = defaultdict(int)
        for j in self.store.prints:
            if j["printed_at"] is None and j["dropped"] is None:
                counts[j["printer"]] += 1
        return dict(counts)


class FakeHealth:
    def __init__(self, store: Store):
        self.store = store

    def get(self, name):
        return self.store.health.get(name)

    def all(self):
        return list(self.store.health.values())

    def put(self, name, state, detail, since, last_seen):
        known = self.store.health.get(name)
        backlog = (known.backlog_calls, known.backlog_since) if known else (None, None)
        self.store.health[name] = SimpleNamespace(name=name, state=state, detail=detail, since=since, last_seen=last_seen,
                                                  backlog_calls=backlog[0], backlog_since=backlog[1])

    def set_backlog(self, name, calls, since):
        known = self.store.health[name]
        known.backlog_calls, known.backlog_since = calls, since
