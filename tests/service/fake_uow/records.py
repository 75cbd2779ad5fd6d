"""The repositories of what went out: the event log and the notices' outbox (SMS)."""
from __future__ import annotations

import json
from types import SimpleNamespace

from server.domain import events as ev
from server.domain.notices import Notice

from .store import Store, waiting_tickets


class FakeLog:
    def __init__(self, store: Store):
        self.store = store

    def append(self, events, actor, at):
        for e in events:
            self.store.log.append(SimpleNamespace(
                id=len(self.store.log) + 1, at=at, subject=e.subject, kind=e.kind, subject_id=e.subject_id, actor=actor,
                floor=getattr(e, "floor", None), window=getattr(e, "window", None),
                payload=json.dumps(ev.encode(e), ensure_ascii=False)))

    def of(self, subject, subject_id):
        return [r for r in self.store.log if r.subject == subject and r.subject_id == subject_id]

    def recent_calls(self, floor, window, limit=10):
        calls = [r for r in reversed(self.store.log) if r.subject == "ticket" and r.kind == "called"
                 and (floor is None or r.floor == floor) and (window is None or r.window == window)][:limit]
        out = []
        for r in calls:
            t = json.loads(r.payload)["ticket"]
            out.append(SimpleNamespace(number=t["number"], window=t["window"], floor=t["floor"], queue=t["queue"], at=r.at))
        return out


class FakeNotices:
    def __init__(self, store: Store):
        self.store = store

    def add(self, kind, phone, text, ticket, case, key, now) -> bool:
        if any(n.dedupe_key == key for n in self.store.notices.values()):
            return False
        notice_id = len(self.store.notices) + 1
        self.store.notices[notice_id] = SimpleNamespace(
            id=notice_id, event=kind, phone=phone, text=text, ticket_id=ticket, case_id=case, dedupe_key=key,
            created_at=now, due_at=now, attempts=0, claimed_until=None, sent_at=None, failed_at=None, last_error=None)
        return True

    def untold_waiting_with_phone(self, key_prefix):
        told = {n.dedupe_key for n in self.store.notices.values()}
        return [SimpleNamespace(id=t.id, number=t.number, matter=t.matter, phone=t.phone, queue=t.queue) for t in waiting_tickets(self.store)
                if t.phone and key_prefix + t.id not in told]

    def claim(self, now, lease_until, limit):
        due = sorted((n for n in self.store.notices.values() if n.sent_at is None and n.failed_at is None
                      and n.due_at <= now and (n.claimed_until is None or n.claimed_until <= now)),
                     key=lambda n: (n.due_at, n.id))[:limit]
        for n in due:
            n.claimed_until = lease_until
        return [Notice(n.id, n.event, n.phone, n.text, n.ticket_id, n.case_id, n.attempts) for n in due]

    def mark_sent(self, notice_id, now) -> bool:
        n = self.store.notices[notice_id]
        if n.sent_at is not None:
            return False
        n.sent_at, n.claimed_until = now, None
        return True

    def mark_failed(self, notice_id, attempts, retry_at, error, now):
        n = self.store.notices[notice_id]
        n.attempts, n.claimed_until, n.last_error = attempts, None, error
        if retry_at is None:
            n.failed_at = now
        else:
            n.due_at = retry_at

    def release(self, notice_ids):
        for notice_id in notice_ids:
            self.store.notices[notice_id].claimed_until = None
