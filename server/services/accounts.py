"""Staff accounts, sign-in with throttling, and device tokens.

Passwords are hashed with Argon2id (argon2-cffi). Tokens are 256-bit random strings; only their
SHA-256 is stored, so a copy of the database does not sign anyone in.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from ..domain.errors import Conflict, Invalid, Reason, Throttled, Unauthorized
from ..domain.text import is_name
from .actors import ANONYMOUS, DEVICE_KINDS, STAFF_ROLES, Actor
from .unit_of_work import AlreadyStored, UnitOfWork

TOKEN_LIFETIME = dt.timedelta(hours=16)  # one working day plus overtime
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 30
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
# Verifying against this hash when the user does not exist keeps the answer time the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
# Seeded accounts (the bench's clerks) have no password: no Argon2 hash, so every password is refused.
NO_PASSWORD = "seeded:no-password"


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Accounts:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock, departments: set[str], run_blocking=None):
        self.unit_of_work = unit_of_work
        self.clock = clock
        self.departments = departments
        # Argon2 takes tens of milliseconds of CPU on purpose; the server passes a function that runs
        # it on a real thread, so the event loop keeps serving screens meanwhile.
        self.run_blocking = run_blocking or (lambda fn, *args: fn(*args))

    def _check_user(self, username: str, role: str, departments: tuple[str, ...]) -> None:
        if role not in STAFF_ROLES:
            raise Invalid(f"Role must be one of {', '.join(STAFF_ROLES)}.", Reason.INVALID_ROLE)
        if role == "backoffice" and not departments:
            raise Invalid("A back-office account needs its department (--department CODE).", Reason.DEPARTMENT_REQUIRED)
        unknown = [d for d in departments if d not in self.departments]
        if unknown:
            raise Invalid(f"There is no department {unknown[0]!r} in this hall's config.", Reason.UNKNOWN_DEPARTMENT)
        if not username or len(username) > 64 or not is_name(username):
            raise Invalid("A username has 1 to 64 characters, without control, invisible or direction-changing "
                          "characters and without blanks at either end.",
                          Reason.INVALID_USERNAME)

    def add_user(self, username: str, password: str, role: str, departments: tuple[str, ...] = ()) -> None:
        departments = tuple(dict.fromkeys(departments))
        self._check_user(username, role, departments)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Invalid(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", Reason.PASSWORD_TOO_SHORT)
        self._store_user(username, self.run_blocking(_hasher.hash, password), role, departments)

    def add_seeded_user(self, username: str, role: str, departments: tuple[str, ...] = ()) -> str:
        """An account for scripts (the bench's clerks): no password at all, and a token minted at once,
        as a sign-in would; returns the token. Not reachable over the API."""
        self._check_user(username, role, departments)
        self._store_user(username, NO_PASSWORD, role, departments)
        token = new_token()
        now = self.clock()
        with self.unit_of_work() as uow:
            uow.accounts.add_token(hash_token(token), username, now, now + TOKEN_LIFETIME)
            uow.commit()
        return token

    def _store_user(self, username: str, password_hash: str, role: str, departments: tuple[str, ...]) -> None:
        try:
            with self.unit_of_work() as uow:
                uow.accounts.add_user(username, password_hash, role, departments, self.clock())
                uow.commit()
        except AlreadyStored:
            raise Conflict(f"A user named {username!r} already exists.", Reason.USER_EXISTS)

    def add_device(self, name: str, kind: str) -> str:
        if kind not in DEVICE_KINDS:
            raise Invalid(f"Device kind must be one of {', '.join(DEVICE_KINDS)}.", Reason.INVALID_DEVICE_KIND)
        if not name or len(name) > 64 or not is_name(name):
            raise Invalid("A device name has 1 to 64 characters, without control, invisible or direction-changing "
                          "characters and without blanks at either end.", Reason.INVALID_DEVICE_NAME)
        token = new_token()
        try:
            with self.unit_of_work() as uow:
                uow.accounts.add_device(name, kind, hash_token(token), self.clock())
                uow.commit()
        except AlreadyStored:
            raise Conflict(f"A device named {name!r} already exists.", Reason.DEVICE_EXISTS)
        return token

    def login(self, username: str, password: str, address: str) -> tuple[str, str]:
        now = self.clock()
        since = now - THROTTLE_WINDOW
        with self.unit_of_work() as uow:
            if (uow.accounts.failures_since(since, username=username) >= MAX_FAILURES_PER_USER
                    or uow.accounts.failures_since(since, address=address) >= MAX_FAILURES_PER_ADDRESS):
                raise Throttled("Too many failed sign-ins; wait 15 minutes or ask the hall admin.",
                                retry_after=int(THROTTLE_WINDOW.total_seconds()))
            user = uow.accounts.user(username)
        # Hash verification is slow on purpose; no transaction is held while it runs.
        ok = self.run_blocking(_verify, user.password_hash if user else _DUMMY_HASH, password) and bool(user and user.active)
        token = new_token() if ok else None
        with self.unit_of_work() as uow:
            uow.accounts.record_attempt(username, address, ok, now)
            if ok:
                uow.accounts.add_token(hash_token(token), username, now, now + TOKEN_LIFETIME)
                if _hasher.check_needs_rehash(user.password_hash):
                    uow.accounts.set_password_hash(username, self.run_blocking(_hasher.hash, password))
            uow.commit()
        if not ok:
            raise Unauthorized("The username or password is wrong.", Reason.WRONG_CREDENTIALS)
        return token, user.role

    def logout(self, token: str) -> None:
        with self.unit_of_work() as uow:
            uow.accounts.drop_token(hash_token(token))
            uow.commit()

    def purge(self) -> None:
        """Drop expired tokens and sign-in attempts older than a day."""
        now = self.clock()
        with self.unit_of_work() as uow:
            uow.accounts.purge(now, now - dt.timedelta(days=1))
            uow.commit()

    def authenticate(self, token: str | None) -> Actor:
        """The actor a bearer token stands for; anonymous for no token; Unauthorized for a bad one."""
        if not token:
            return ANONYMOUS
        if len(token) > 200:
            raise Unauthorized("The token is not valid; sign in again.", Reason.TOKEN_INVALID)
        digest = hash_token(token)
        with self.unit_of_work() as uow:
            user = uow.accounts.staff_by_token(digest, self.clock())
            device = None if user else uow.accounts.device_by_token(digest)
        if user:
            return Actor("staff", user.username, user.role, user.departments)
        if device:
            return Actor("device", device.name, device.kind)
        raise Unauthorized("The token is not valid or has expired; sign in (or pair the device) again.",
                           Reason.TOKEN_INVALID)
