"""`hallq users …` and `hallq devices add|list|revoke|rotate` (CONTRACT v1 and v2): the command line acts
as the system (it runs on the hall's server with its database), through the same commands as the
admin's API. A refusal raises HallError; cli.py prints its sentence and exits 1."""
from __future__ import annotations

import sys

from server.domain.errors import Invalid, Reason
from server.services.actors import SYSTEM


def _password() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def manage_users(hall, args) -> None:
    admin = hall.account_admin
    if args.action == "add":
        hall.accounts.add_user(args.name, _password(), args.role, tuple(args.department), args.display_name)
        print(f"created {args.role} {args.name}")
    elif args.action == "passwd":
        admin.set_password(SYSTEM, args.name, _password())
        print(f"new password for {args.name}; its sign-ins ended")
    elif args.action in ("disable", "enable"):
        admin.set_active(SYSTEM, args.name, args.action == "enable")
        print(f"{args.action}d {args.name}")
    elif args.action == "remove":
        admin.remove(SYSTEM, args.name)
        print(f"removed {args.name}")
    elif args.action == "unlock":
        if bool(args.name) == bool(args.address):
            raise Invalid("Name an account or give --address ADDR (one of them).", Reason.INVALID_FIELD)
        if args.address:
            cleared = hall.signin.unlock_address(SYSTEM, args.address)
            print(f"unlocked address {args.address}: {cleared} failed sign-ins forgotten")
        else:
            cleared = hall.signin.unlock_user(SYSTEM, args.name)
            print(f"unlocked {args.name}: {cleared} failed sign-ins forgotten")


def manage_devices(hall, args) -> None:
    admin = hall.account_admin
    if args.action == "add":
        token = hall.accounts.add_device(args.name, args.kind)
        print(f"registered {args.kind} {args.name}; its token (shown once):")
        print(token)
    elif args.action == "list":
        for d in admin.devices(SYSTEM):
            state = f"revoked {d['revoked_at']}" if d["revoked"] else "active"
            print(f"{d['name']}  {d['kind']}  issued {d['issued_at']} ({d['age_days']} days ago)  {state}")
    elif args.action == "revoke":
        admin.revoke_device(SYSTEM, args.name)
        print(f"revoked {args.name}: its token is refused until `hallq devices rotate {args.name}`")
    elif args.action == "rotate":
        token = admin.rotate_device(SYSTEM, args.name)
        print(f"new token for {args.name} (shown once; the old one stopped working):")
        print(token)
