"""Staff sign-in and its throttle (docs/security.md "Sign-in, throttling and running behind a proxy").

An attempt is counted before its password is checked, in one transaction that holds the user's and
the address's lock, so N parallel guesses see each other and never get more checks than the limits
allow. The limits, all over the last THROTTLE_WINDOW:
- per client address (the real one behind a trusted proxy): MAX_FAILURES_PER_ADDRESS failures, then
  that address is refused until its failures age out or the admin unlocks it. Only the guesser's
  own address is affected.
- per user at one address: FREE_FAILURES, then each further attempt waits 1, 2, 4 … s (at most
  MAX_DELAY) after the last failure. It slows a guesser down and never locks the user out: the
  clerk at another terminal is not slowed at all, and at the guesser's own after the short delay.
- per user at all addresses: after USER_WIDE_FAILURES, one attempt per USER_WIDE_GAP for that user,
  which bounds a guesser spread over many addresses while delaying the clerk by about a second.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Callable

from ..domain.errors import Forbidden, Invalid, Reason, Throttled, Unauthorized
from .account_admin import AccountAdmin
from .accounts import Accounts, hash_token, hasher, new_token, verify_password
from .actors import Actor
from .unit_of_work import UnitOfWork

THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 30
FREE_FAILURES = 5
MAX_DELAY = dt.timedelta(seconds=60)
USER_WIDE_FAILURES = 20
USER_WIDE_GAP = dt.timedelta(seconds=1)


def wait_before(now: dt.datetime, address: tuple[int, dt.datetime | None], pair: tuple[int, dt.datetime | None],
                user: tuple[int, dt.datetime | None]) -> dt.timedelta:
    """How long this attempt must wait, given the failures (count, latest) of its address, of its user
    at its address, and of its user everywhere; zero: check it now."""
    if address[0] >= MAX_FAILURES_PER_ADDRESS:
        return THROTTLE_WINDOW - (now - address[1]) if address[1] else THROTTLE_WINDOW
    waits = [dt.timedelta(0)]
    if pair[0] >= FREE_FAILURES:
        delay = min(dt.timedelta(seconds=2 ** min(pair[0] - FREE_FAILURES, 10)), MAX_DELAY)
        waits.append(delay - (now - pair[1]))
    if user[0] >= USER_WIDE_FAILURES:
        waits.append(USER_WIDE_GAP - (now - user[1]))
    return max(waits)


def client_address(text: str) -> str:
    """An address as the unlock takes it: a valid IPv4 or IPv6 address, in its canonical form."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise Invalid(f"{text[:60]!r} is not an IP address.", Reason.INVALID_ADDRESS)


class SignIn:
    def __init__(self, accounts: Accounts, admin: AccountAdmin, unit_of_work: Callable[[], UnitOfWork], clock):
        self.accounts = accounts
        self.admin = admin
        self.unit_of_work = unit_of_work
        self.clock = clock

    def login(self, username: str, password: str, address: str) -> tuple[str, str]:
        attempt = self._count_attempt(username, address)
        with self.unit_of_work() as uow:
            user = uow.accounts.user(username)
        # Hash verification is slow on purpose; no transaction is held while it runs.
        ok = self.accounts.argon2(verify_password, user.password_hash if user else None, password) \
            and bool(user and user.active)
        if not ok:
            raise Unauthorized("The username or password is wrong.", Reason.WRONG_CREDENTIALS)
        token = new_token()
        rehash = self.accounts.argon2(hasher.hash, password) if hasher.check_needs_rehash(user.password_hash) else None
        now = self.clock()
        with self.unit_of_work() as uow:
            uow.accounts.attempt_succeeded(attempt)
            uow.accounts.clear_failures(username=username, address=address)  # the right person at that place
            uow.accounts.add_token(hash_token(token), username, now, now + self.accounts.token_lifetime)
            if rehash:
                uow.accounts.set_password_hash(username, rehash)
            uow.commit()
        return token, user.role

    def change_own_password(self, actor: Actor, old_password: str, new_password: str, address: str) -> str:
        """A staff member changes their own password with the old one, which is checked (and throttled)
        like a sign-in, so a stolen token cannot guess it. Every token of theirs ends; the new one is
        returned."""
        actor.require_staff()
        if new_password == old_password:
            raise Invalid("The new password is the current one; choose another.", Reason.PASSWORD_UNCHANGED)
        new_hash = self.accounts.hash_password(new_password)
        attempt = self._count_attempt(actor.name, address)
        with self.unit_of_work() as uow:
            user = uow.accounts.user(actor.name)
        if not self.accounts.argon2(verify_password, user.password_hash if user else None, old_password):
            raise Forbidden("The current password is wrong; nothing was changed.", Reason.WRONG_PASSWORD)
        with self.unit_of_work() as uow:
            uow.accounts.attempt_succeeded(attempt)
            uow.commit()
        return self.admin.replace_own_password(actor, new_hash)

    def _count_attempt(self, username: str, address: str) -> int:
        now = self.clock()
        since = now - THROTTLE_WINDOW
        with self.unit_of_work() as uow:
            uow.accounts.hold_sign_in(username, address)
            wait = wait_before(now, uow.accounts.failures(since, address=address),
                               uow.accounts.failures(since, username=username, address=address),
                               uow.accounts.failures(since, username=username))
            if wait > dt.timedelta(0):
                raise Throttled(f"Too many failed sign-ins; try again in {math.ceil(wait.total_seconds())} s "
                                "or ask the hall admin to unlock.", retry_after=math.ceil(wait.total_seconds()))
            attempt = uow.accounts.count_attempt(username, address, now)
            uow.commit()
        return attempt

    def unlock_user(self, actor: Actor, username: str) -> int:
        """Clear a user's failed sign-ins, everywhere; how many there were."""
        actor.require_staff("admin")
        with self.unit_of_work() as uow:
            if uow.accounts.user(username) is None:
                raise self.accounts.unknown_user(username)
            cleared = uow.accounts.clear_failures(username=username)
            uow.commit()
        return cleared

    def unlock_address(self, actor: Actor, address: str) -> int:
        """Clear an address's failed sign-ins, for every user; how many there were."""
        actor.require_staff("admin")
        address = client_address(address)
        with self.unit_of_work() as uow:
            cleared = uow.accounts.clear_failures(address=address)
            uow.commit()
        return cleared
