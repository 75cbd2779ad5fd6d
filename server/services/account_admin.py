"""Managing accounts and paired devices (CONTRACT v2 "Accounts and devices are managed"): the admin over
the API and the command line (as the system actor) change passwords, disable, enable and remove
accounts, list, revoke and rotate device tokens, and staff log out.

Whatever ends a principal's access deletes (or refuses) its tokens in the same transaction and
records AccessRevoked: after the commit the bus hands it to every process's sockets (push/sessions.py),
which close that principal's connections at once."""
from __future__ import annotations

import datetime as dt

from ..domain import events as ev
from ..domain.errors import Conflict, NotFound, Reason
from .accounts import Accounts, hash_token, new_token
from .actors import Actor
from .runner import CommandRunner
from .unit_of_work import UnitOfWork
from .views import iso


def user_view(account, tokens: int) -> dict:
    return {"username": account.username, "role": account.role, "departments": list(account.departments),
            "active": account.active, "tokens": tokens}


class AccountAdmin:
    def __init__(self, accounts: Accounts, runner: CommandRunner):
        self.accounts = accounts
        self.runner = runner

    # ---------------------------------------------------------------- staff accounts
    def users(self, actor: Actor) -> list[dict]:
        actor.require_staff("admin")
        return self.runner.read(lambda uow, _now: [user_view(a, n) for a, n in uow.accounts.users()])

    def _user(self, uow: UnitOfWork, username: str):
        account = uow.accounts.user(username)
        if account is None:
            raise self.accounts.unknown_user(username)
        return account

    def _user_answer(self, uow: UnitOfWork, username: str) -> dict:
        return next(user_view(a, n) for a, n in uow.accounts.users() if a.username == username)

    def set_password(self, actor: Actor, username: str, password: str) -> dict:
        """The admin (or the command line) gives an account a new password: its tokens end."""
        actor.require_staff("admin")
        password_hash = self.accounts.hash_password(password)  # slow: before the transaction

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self._user(uow, username)
            uow.accounts.set_password_hash(username, password_hash)
            self._end_tokens(uow, username, "password_changed", now)
            return {"user": self._user_answer(uow, username)}
        return self.runner.run(actor, None, command).body

    def replace_own_password(self, actor: Actor, password_hash: str) -> str:
        """After the old password was checked (signin.py): the new hash, every old token ends, and the
        page gets a new one."""
        token = new_token()

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            uow.accounts.set_password_hash(actor.name, password_hash)
            self._end_tokens(uow, actor.name, "password_changed", now)
            uow.accounts.add_token(hash_token(token), actor.name, now, now + self.accounts.token_lifetime)
            return {}
        self.runner.run(actor, None, command)
        return token

    def set_active(self, actor: Actor, username: str, active: bool) -> dict:
        actor.require_staff("admin")
        if not active:
            self._not_own(actor, username, "disable")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self._user(uow, username)
            uow.accounts.set_active(username, active)
            if not active:
                self._end_tokens(uow, username, "disabled", now)
            return {"user": self._user_answer(uow, username)}
        return self.runner.run(actor, None, command).body

    def remove(self, actor: Actor, username: str) -> dict:
        actor.require_staff("admin")
        self._not_own(actor, username, "remove")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self._user(uow, username)
            self._end_tokens(uow, username, "removed", now)
            uow.accounts.remove_user(username)
            return {"ok": True}
        return self.runner.run(actor, None, command).body

    def logout(self, actor: Actor, token: str) -> None:
        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            digest = hash_token(token)
            uow.accounts.drop_token(digest)
            uow.record(ev.AccessRevoked(actor.principal, "logout", now, digest))
            return {}
        self.runner.run(actor, None, command)

    @staticmethod
    def _not_own(actor: Actor, username: str, what: str) -> None:
        # An admin locking itself out could leave the hall without anyone to undo it.
        if actor.is_staff and actor.name == username:
            raise Conflict(f"You cannot {what} the account you are signed in with; ask another admin or use the "
                           "command line.", Reason.OWN_ACCOUNT)

    @staticmethod
    def _end_tokens(uow: UnitOfWork, username: str, why: str, now: dt.datetime) -> None:
        uow.accounts.drop_tokens_of(username)
        uow.record(ev.AccessRevoked(f"user:{username}", why, now))

    # ---------------------------------------------------------------- paired devices
    def devices(self, actor: Actor) -> list[dict]:
        actor.require_staff("admin")

        def read(uow: UnitOfWork, now: dt.datetime) -> list[dict]:
            return [{"name": d.name, "kind": d.kind, "issued_at": iso(d.token_issued_at),
                     "age_days": (now - d.token_issued_at).days, "revoked": d.revoked_at is not None,
                     "revoked_at": iso(d.revoked_at) if d.revoked_at else None} for d in uow.accounts.devices()]
        return self.runner.read(read)

    def _device(self, uow: UnitOfWork, name: str):
        device = uow.accounts.device(name)
        if device is None:
            raise NotFound(f"There is no paired device named {name[:64]!r}.", Reason.UNKNOWN_DEVICE)
        return device

    def revoke_device(self, actor: Actor, name: str) -> dict:
        """The device's token is refused from now on, until a rotate gives it a new one."""
        actor.require_staff("admin")

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self._device(uow, name)
            uow.accounts.revoke_device(name, now)
            uow.record(ev.AccessRevoked(f"device:{name}", "device_revoked", now))
            return {"ok": True}
        return self.runner.run(actor, None, command).body

    def rotate_device(self, actor: Actor, name: str) -> str:
        """A new token for the device (shown once); the old one stops working at once."""
        actor.require_staff("admin")
        token = new_token()

        def command(uow: UnitOfWork, now: dt.datetime) -> dict:
            self._device(uow, name)
            uow.accounts.rotate_device(name, hash_token(token), now)
            uow.record(ev.AccessRevoked(f"device:{name}", "device_rotated", now))
            return {}
        self.runner.run(actor, None, command)
        return token
