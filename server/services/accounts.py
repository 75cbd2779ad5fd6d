"""Staff accounts and device tokens: creating them, what a token stands for, and ending access.

Passwords are hashed with Argon2id (argon2-cffi). Tokens are 256-bit random strings; only their
SHA-256 is stored, so a copy of the database does not sign anyone in. Sign-in and its throttle:
signin.py; managing accounts and devices (passwd, disable, revoke …): account_admin.py.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import threading
import secrets
from collections.abc import Callable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from ..domain.errors import Conflict, Invalid, NotFound, Reason, Unauthorized
from ..domain.text import is_name
from .actors import ANONYMOUS, DEVICE_KINDS, STAFF_ROLES, Actor
from .unit_of_work import AlreadyStored, UnitOfWork

MIN_PASSWORD_LENGTH = 8
MAX_DISPLAY_NAME_LENGTH = 40

hasher = PasswordHasher()
ARGON2_AT_ONCE = 2  # a sign-in waits its turn (tens of ms each) rather than the server holding 64 MiB per sign-in
# Verifying against this hash when the user does not exist keeps the answer time the same. Written out,
# not hashed at import: one hash holds Argon2's 64 MiB for a moment, which was the server's peak memory
# at start-up (docs/performance.md "Memory at start-up"). Hashed anew, once, should the hasher's
# parameters ever differ from its own (a new argon2-cffi's defaults), so that it still costs the same.
_WRITTEN_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$HZS5ckNn8UfNDaakMM2bOw$Ppn6bKVzPfVr0EsKtyLY/fxXF7FgRh87l/Iy68xQbzE"


@cache
def _dummy_hash() -> str:
    if hasher.check_needs_rehash(_WRITTEN_DUMMY_HASH):
        return hasher.hash("not-a-real-password")
    return _WRITTEN_DUMMY_HASH
# Seeded accounts (the bench's clerks) have no password: no Argon2 hash, so every password is refused.
NO_PASSWORD = "seeded:no-password"


def verify_password(password_hash: str | None, password: str) -> bool:
    """Slow on purpose (Argon2): run it through `run_blocking`. None (no such user) takes as long."""
    try:
        return hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Accounts:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock, departments: set[str], run_blocking=None,
                 token_lifetime: dt.timedelta = dt.timedelta(hours=16)):
        self.unit_of_work = unit_of_work
        self.clock = clock
        self.departments = departments
        self.token_lifetime = token_lifetime  # a staff token's ([security] staff_token_hours)
        # Argon2 takes tens of milliseconds of CPU on purpose; the server passes a function that runs
        # it on a real thread, so the event loop keeps serving screens meanwhile.
        self.run_blocking = run_blocking or (lambda fn, *args: fn(*args))
        # Each Argon2 hash holds 64 MiB while it runs: a morning's sign-ins all at once would each take
        # their own (docs/performance.md "Memory at start-up"). They take turns instead.
        self._argon2_turns = threading.BoundedSemaphore(ARGON2_AT_ONCE)

    def argon2(self, fn: Callable, *args):
        """Run an Argon2 hash or verification on a real thread, at most ARGON2_AT_ONCE at a time."""
        with self._argon2_turns:
            return self.run_blocking(fn, *args)

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

    @staticmethod
    def _check_display_name(display_name: str | None) -> None:
        """Public screens show it (issue 14): a name (the domain's rule: nothing that reorders or hides
        characters, no blanks at either end) of bounded length."""
        if display_name is None:
            return
        if not 0 < len(display_name) <= MAX_DISPLAY_NAME_LENGTH or not is_name(display_name):
            raise Invalid(f"A display name has 1 to {MAX_DISPLAY_NAME_LENGTH} printable characters, without leading "
                          "or trailing spaces.", Reason.INVALID_DISPLAY_NAME)

    def add_user(self, username: str, password: str, role: str, departments: tuple[str, ...] = (),
                 display_name: str | None = None) -> None:
        """`display_name`: what public screens show of the clerk at a window (e.g. "工号 0123 张三"); without
        one they show nobody's name."""
        departments = tuple(dict.fromkeys(departments))
        self._check_user(username, role, departments)
        self._check_display_name(display_name)
        self._store_user(username, self.hash_password(password), role, departments, display_name)

    def hash_password(self, password: str) -> str:
        """A new password's hash (on a thread: Argon2 is slow), once it is long enough."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Invalid(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", Reason.PASSWORD_TOO_SHORT)
        return self.argon2(hasher.hash, password)

    @staticmethod
    def unknown_user(username: str) -> NotFound:
        return NotFound(f"There is no staff account named {username[:64]!r}.", Reason.UNKNOWN_USER)

    def add_seeded_user(self, username: str, role: str, departments: tuple[str, ...] = ()) -> str:
        """An account for scripts (the bench's clerks): no password at all, and a token minted at once,
        as a sign-in would; returns the token. Not reachable over the API."""
        self._check_user(username, role, departments)
        self._store_user(username, NO_PASSWORD, role, departments)
        token = new_token()
        now = self.clock()
        with self.unit_of_work() as uow:
            uow.accounts.add_token(hash_token(token), username, now, now + self.token_lifetime)
            uow.commit()
        return token

    def _store_user(self, username: str, password_hash: str, role: str, departments: tuple[str, ...],
                    display_name: str | None = None) -> None:
        try:
            with self.unit_of_work() as uow:
                uow.accounts.add_user(username, password_hash, role, departments, self.clock(), display_name)
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

    def purge(self) -> None:
        """Drop expired tokens and sign-in attempts older than a day."""
        now = self.clock()
        with self.unit_of_work() as uow:
            uow.accounts.purge(now, now - dt.timedelta(days=1))
            uow.commit()

    def live_tokens(self, token_hashes: list[str]) -> set[str]:
        """Which of these token hashes still stand for someone (the open sockets' sweep)."""
        with self.unit_of_work() as uow:
            return uow.accounts.live_token_hashes(token_hashes, self.clock())

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
