"""The repositories of who may act: staff accounts, sign-in tokens and attempts, devices, and the
answers kept for Idempotency-Key."""
from __future__ import annotations

from types import SimpleNamespace

from server.services.unit_of_work import AlreadyStored

from .store import Store


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
