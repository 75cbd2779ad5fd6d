"""The repositories of work that outlasts a visit: cases (办件) and appointments (预约)."""
from __future__ import annotations

from collections import defaultdict

from server.domain.cases import CaseStatus, Deadline

from .store import Store


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
