"""Who is asking: the service layer checks every command against an Actor, whatever the entry point."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import Forbidden, Unauthorized

STAFF_ROLES = ("clerk", "backoffice", "admin")
DEVICE_KINDS = ("kiosk", "display")


@dataclass(frozen=True)
class Actor:
    kind: str  # "staff" | "device" | "anonymous" | "system"
    name: str | None = None
    role: str | None = None  # staff role, or device kind
    department: str | None = None

    @property
    def principal(self) -> str:
        """A stable key for idempotency records and audit: 'user:zhang', 'device:kiosk-1' …"""
        prefix = {"staff": "user", "device": "device"}.get(self.kind, self.kind)
        return f"{prefix}:{self.name or '-'}"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    def require_staff(self, *roles: str) -> None:
        if self.kind == "anonymous":
            raise Unauthorized("Sign in first: send the token from /auth/login as 'Authorization: Bearer TOKEN'.")
        if self.kind == "system":
            return
        if self.kind != "staff" or (roles and self.role not in roles):
            who = f"a {self.role} device" if self.kind == "device" else f"the role {self.role}"
            raise Forbidden(f"This needs {' or '.join(roles) or 'staff'}; {who} may not do it.")

    def require_issuer(self) -> None:
        """Tickets are issued by kiosks and by staff (the guide desk issues for citizens: 首问负责)."""
        if self.kind == "anonymous":
            raise Unauthorized("Only a paired kiosk or signed-in staff can issue tickets; send its token.")
        if self.kind == "device" and self.role != "kiosk":
            raise Forbidden(f"A {self.role} device cannot issue tickets.")


ANONYMOUS = Actor("anonymous")
SYSTEM = Actor("system", "hallq")
