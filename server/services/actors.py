"""Who is asking: every command checks an Actor, whatever the entry point (HTTP, Socket.IO, a pager key,
an evaluator, the command line, the bench, a test). The rules of who may do what live here and in
the command that applies them, nowhere else."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import Forbidden, Reason, Unauthorized

STAFF_ROLES = ("clerk", "backoffice", "admin", "supervisor")  # supervisor: 电子监察, reads and follows up
READS_EVERYTHING = ("admin", "supervisor")  # who may read every window, alert, rating and report
DEVICE_KINDS = ("kiosk", "display", "pad", "platform")  # pad: a window's rating pad; platform: bookings


@dataclass(frozen=True)
class Actor:
    kind: str  # "staff" | "device" | "anonymous" | "system"
    name: str | None = None
    role: str | None = None  # staff role, or device kind
    departments: tuple[str, ...] = ()  # staff: the departments whose windows (or cases) they work for

    @property
    def department(self) -> str | None:
        """The first of the actor's departments (the one most staff have)."""
        return self.departments[0] if self.departments else None

    @property
    def principal(self) -> str:
        """A stable key for idempotency records and the event log: 'user:zhang', 'device:kiosk-1' …"""
        prefix = {"staff": "user", "device": "device"}.get(self.kind, self.kind)
        return f"{prefix}:{self.name or '-'}"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    def require_staff(self, *roles: str) -> None:
        if self.kind == "anonymous":
            raise Unauthorized("Sign in first: send the token from /auth/login as 'Authorization: Bearer TOKEN'.",
                               Reason.TOKEN_MISSING)
        if self.kind == "system":
            return
        if self.kind != "staff" or (roles and self.role not in roles):
            who = f"a {self.role} device" if self.kind == "device" else f"the role {self.role}"
            raise Forbidden(f"This needs {' or '.join(roles) or 'staff'}; {who} may not do it.", Reason.ROLE_NOT_ALLOWED)

    def require_issuer(self) -> None:
        """Tickets are issued by kiosks and by staff (the guide desk issues for citizens: 首问负责)."""
        if self.kind == "anonymous":
            raise Unauthorized("Only a paired kiosk or signed-in staff can issue tickets; send its token.",
                               Reason.TOKEN_MISSING)
        if self.kind == "device" and self.role != "kiosk":
            raise Forbidden(f"A {self.role} device cannot issue tickets.", Reason.DEVICE_CANNOT_ISSUE)

    def may_staff(self, window_department: str | None) -> bool:
        """CONTRACT v2's staffing rule: a clerk signs in only at the windows of their departments; a
        clerk without a department only at hall-staffed windows (department null)."""
        if window_department is None:
            return not self.departments
        return window_department in self.departments


ANONYMOUS = Actor("anonymous")
SYSTEM = Actor("system", "hallq")
