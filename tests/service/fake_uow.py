"""An in-memory unit of work: the service layer's repositories over plain dicts, so service tests run
without a database. A transaction works on a copy of the store and writes it back on commit, so a
refused command changes nothing, as with the real one."""
from __future__ import annotations

import copy
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

from server.domain import events as ev
from server.domain.cases import CaseStatus, Deadline
from server.domain.model import Priority, TicketStatus, WindowState
from server.domain.prediction import WindowStaffing
from server.domain.notices import Notice
from server.services.printing import PrintJob
from server.services.unit_of_work import AlreadyStored, UnitOfWork


@dataclass
class Store:
    tickets: dict = field(default_factory=dict)  # id -> Ticket
    counters: dict = field(default_factory=dict)  # (day, queue) -> last seq
    windows: dict = field(default_factory=dict)  # number -> Window
    cases: dict = field(default_factory=dict)  # id -> Case
    appointments: dict = field(default_factory=dict)  # id -> Appointment
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # hash -> (username, expires_at)
    devices: dict = field(default_factory=dict)  # token hash -> device row
    attempts: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # (principal, key) -> row
    ratings: list = field(default_factory=list)
    follow_ups: dict = field(default_factory=dict)  # id -> FollowUp
    prints: list = field(default_factory=list)
    health: dict = field(default_factory=dict)
    log: list = field(default_factory=list)
    notices: dict = field(default_factory=dict)  # id -> the outbox row (a SimpleNamespace)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))


def _waiting(store: Store, day=None, queues=None) -> list:
    """Waiting tickets (of `day`, or of any day; in `queues`, or all)."""
    return [t for t in store.tickets.values() if t.status is TicketStatus.WAITING
            and (day is None or t.day == day) and (queues is None or t.queue in queues)]


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
                heads = sorted((t for t in _waiting(self.store, day, {queue}) if (t.priority.value == "green") == green),
                               key=lambda t: (t.kind.value, t.placed_at, t.seq, t.id))
                if heads:
                    found.append(self._track(heads[0]))
        return found

    def waiting(self, day, queues=None):
        return [SimpleNamespace(id=t.id, queue=t.queue, priority=t.priority.value, placed_at=t.placed_at, seq=t.seq,
                                kind=t.kind.value, matter=t.matter) for t in _waiting(self.store, day, None if queues is None else set(queues))]

    def waiting_matters(self, day, queue):
        counts = defaultdict(int)
        for t in _waiting(self.store, day, {queue}):
            counts[(t.matter, t.priority is Priority.GREEN)] += 1
        return dict(counts)

    def waiting_summary(self, day):
        groups = defaultdict(list)
        for t in _waiting(self.store, day):
            groups[(t.queue, t.priority.value)].append(t.issued_at)
        return [SimpleNamespace(queue=q, priority=p, n=len(at), oldest=min(at)) for (q, p), at in groups.items()]

    def waiting_counts(self, day, queues):
        counts = defaultdict(int)
        for t in _waiting(self.store, day, set(queues)):
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


class FakeAppointments:
    def __init__(self, store: Store):
        self.store, self.seen = store, {}

    def _pick(self, keep) -> list:
        found = sorted((a for a in self.store.appointments.values() if keep(a)), key=lambda a: (a.start, a.id))
        return [self.seen.setdefault(a.id, a) for a in found]

    def get(self, appointment_id, for_update=False):
        found = self._pick(lambda a: a.id == appointment_id)
        return found[0] if found else None

    def with_code(self, code, for_update=False):
        return self._pick(lambda a: a.code == code)

    def of_holder(self, id_number, since, for_update=False):
        return self._pick(lambda a: a.holder.id_number == id_number and a.day >= since)

    def of_day(self, day, matter=None):
        return self._pick(lambda a: a.day == day and matter in (None, a.matter))

    def overdue(self, before, id_number=None):
        return self._pick(lambda a: a.status.value == "booked" and a.end < before
                          and id_number in (None, a.holder.id_number))

    def booked_starting(self, after, until):
        return self._pick(lambda a: a.status.value == "booked" and after < a.start <= until)

    def taken(self, matter, day):
        counts = defaultdict(int)
        for a in self._pick(lambda a: a.matter == matter and a.day == day and a.status.value in ("booked", "checked_in")):
            counts[a.start] += 1
        return dict(counts)

    def code_in_use(self, day, code):
        return any(a.day == day and a.code == code for a in self.store.appointments.values())

    def lock(self, key):
        pass

    def add(self, appointment):
        self.store.appointments[appointment.id] = appointment
        self.seen[appointment.id] = appointment

    def save(self, appointment):
        self.store.appointments[appointment.id] = appointment


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


class FakeCases:
    def __init__(self, store: Store):
        self.store, self.seen, self._saved = store, {}, {}

    def _track(self, case):
        return self.seen.setdefault(case.id, case) if case else None

    def get(self, case_id, for_update=False):
        return self._track(self.store.cases.get(case_id))

    def by_number(self, number, for_update=False):
        return self._track(next((c for c in self.store.cases.values() if c.number == number), None))

    def listing(self, departments=None, status=None, window=None):
        found = [c for c in self.store.cases.values()
                 if (departments is None or set(departments) & set(c.departments))
                 and (status is None or c.status.value == status) and (window is None or c.window == window)]
        return [self._track(c) for c in sorted(found, key=lambda c: (c.due_at, c.number))]

    def open_due_before(self, when):
        return [self._track(c) for c in self.store.cases.values()
                if c.status is CaseStatus.IN_REVIEW and c.due_at <= when and c.alerted is not Deadline.OVERDUE]

    def ready_numbers(self, windows):
        ready = [c for c in self.store.cases.values() if c.status is CaseStatus.READY_FOR_PICKUP and c.window in windows]
        return [c.number for c in sorted(ready, key=lambda c: c.returned_at)]

    def add(self, case):
        self.store.cases[case.id] = case
        self.seen[case.id] = case
        self._saved[case.id] = case

    def save(self, case):
        self.store.cases[case.id] = case
        self._saved[case.id] = case

    def count_pickup_failure(self, case):
        case.pickup_failures += 1
        self.store.cases[case.id] = case

    def reset_pickup_failures(self, case):
        case.pickup_failures = 0
        self.store.cases[case.id] = case

    def saved(self):
        return list(self._saved.values())


class FakeAccounts:
    def __init__(self, store: Store):
        self.store = store

    def user(self, username):
        return self.store.users.get(username)

    def add_user(self, username, password_hash, role, departments, now, display_name=None):
        if username in self.store.users:
            raise AlreadyStored(username)
        self.store.users[username] = SimpleNamespace(username=username, password_hash=password_hash, role=role,
                                                     departments=tuple(departments), active=True,
                                                     display_name=display_name)

    def set_password_hash(self, username, password_hash):
        self.store.users[username].password_hash = password_hash

    def add_token(self, token_hash, username, now, expires_at):
        self.store.tokens[token_hash] = (username, expires_at)

    def staff_by_token(self, token_hash, now):
        username, expires = self.store.tokens.get(token_hash, (None, now))
        user = self.store.users.get(username)
        return user if user and user.active and expires > now else None

    def drop_token(self, token_hash):
        self.store.tokens.pop(token_hash, None)

    def device_by_token(self, token_hash):
        device = self.store.devices.get(token_hash)
        return device if device and device.revoked_at is None else None

    def add_device(self, name, kind, token_hash, now):
        if any(d.name == name for d in self.store.devices.values()):
            raise AlreadyStored(name)
        self.store.devices[token_hash] = SimpleNamespace(name=name, kind=kind, created_at=now, issued_at=now,
                                                         revoked_at=None)

    def purge(self, now, attempts_before):
        self.store.tokens = {h: v for h, v in self.store.tokens.items() if v[1] >= now}
        self.store.attempts = [a for a in self.store.attempts if a.at >= attempts_before]

    def hold_sign_in(self, username, address):
        pass  # one thread: nothing to serialise

    def count_attempt(self, username, address, now):
        self.store.attempts.append(SimpleNamespace(id=len(self.store.attempts) + 1, username=username,
                                                   address=address, ok=False, at=now))
        return len(self.store.attempts)

    def _attempt(self, attempt):
        return next((a for a in self.store.attempts if getattr(a, "id", None) == attempt), None)

    def attempt_succeeded(self, attempt):
        self._attempt(attempt).ok = True

    def _matching(self, username, address):
        return [a for a in self.store.attempts if not a.ok and (username is None or a.username == username)
                and (address is None or a.address == address)]

    def failures(self, since, username=None, address=None):
        found = [a for a in self._matching(username, address) if a.at > since]
        return len(found), max((a.at for a in found), default=None)

    def clear_failures(self, username=None, address=None):
        gone = self._matching(username, address)
        self.store.attempts = [a for a in self.store.attempts if a not in gone]
        return len(gone)

    def users(self):
        return [(u, sum(1 for name, _ in self.store.tokens.values() if name == u.username))
                for u in sorted(self.store.users.values(), key=lambda u: u.username)]

    def set_active(self, username, active):
        self.store.users[username].active = active

    def remove_user(self, username):
        self.store.users.pop(username, None)

    def drop_tokens_of(self, username):
        self.store.tokens = {h: v for h, v in self.store.tokens.items() if v[0] != username}

    def live_token_hashes(self, token_hashes, now):
        return {h for h in token_hashes if self.staff_by_token(h, now) or self.device_by_token(h)}

    def devices(self):
        return sorted((SimpleNamespace(name=d.name, kind=d.kind, created_at=d.created_at, token_issued_at=d.issued_at,
                                       revoked_at=d.revoked_at) for d in self.store.devices.values()),
                      key=lambda d: d.name)

    def device(self, name):
        return next((d for d in self.devices() if d.name == name), None)

    def _device_entry(self, name):
        return next((h, d) for h, d in self.store.devices.items() if d.name == name)

    def revoke_device(self, name, now):
        self._device_entry(name)[1].revoked_at = now

    def rotate_device(self, name, token_hash, now):
        old, device = self._device_entry(name)
        del self.store.devices[old]
        device.issued_at, device.revoked_at = now, None
        self.store.devices[token_hash] = device


class FakeIdempotency:
    def __init__(self, store: Store):
        self.store = store

    def get(self, principal, key):
        return self.store.answers.get((principal, key))

    def put(self, principal, key, request, body, now):
        if (principal, key) in self.store.answers:
            raise AlreadyStored(key)
        self.store.answers[(principal, key)] = SimpleNamespace(request=request, body=body, created_at=now)

    def purge_before(self, when):
        self.store.answers = {k: v for k, v in self.store.answers.items() if v.created_at >= when}


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
        return [SimpleNamespace(id=t.id, number=t.number, matter=t.matter, phone=t.phone, queue=t.queue) for t in _waiting(self.store)
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


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> "FakeUnitOfWork":
        self.work = copy.deepcopy(self.store)
        self.tickets, self.windows, self.cases = FakeTickets(self.work), FakeWindows(self.work), FakeCases(self.work)
        self.accounts, self.idempotency = FakeAccounts(self.work), FakeIdempotency(self.work)
        self.ratings, self.prints, self.devices = FakeRatings(self.work), FakePrints(self.work), FakeHealth(self.work)
        self.log = FakeLog(self.work)
        self.follow_ups = FakeFollowUps(self.work)
        self.appointments = FakeAppointments(self.work)
        self.notices = FakeNotices(self.work)
        return super().__enter__()

    def _commit(self) -> None:
        self.store.__dict__.update(self.work.__dict__)

    def rollback(self) -> None:
        pass  # the copy is dropped


def fake_unit_of_work():
    """A factory of units of work over one shared in-memory store."""
    store = Store()
    return lambda: FakeUnitOfWork(store)
