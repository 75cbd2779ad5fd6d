"""Bodies and answers of account and device management (http_accounts.py)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from .fields import Line, NewPassword
from .schemas import Body

Password = Line(200, min_length=1)


class PasswordBody(Body):
    password: NewPassword() = Field(description="the new password (at least 8 characters)")


class OwnPasswordBody(Body):
    old_password: Password
    new_password: NewPassword() = Field(description="at least 8 characters")


class UnlockAddressBody(Body):
    # The pattern states the characters; which of them make an address is the server's check
    # (`invalid_address`): JSON Schema's `format: ipv6` is not enforced by every client.
    address: Annotated[str, StringConstraints(min_length=2, max_length=45, pattern=r"^[0-9A-Fa-f.:]+$")] = Field(
        description="the client address whose failed sign-ins are cleared (IPv4 or IPv6)")


class UserSummary(BaseModel):
    username: str
    role: Literal["clerk", "backoffice", "admin", "supervisor"]
    departments: list[str]
    active: bool = Field(description="false: disabled; it cannot sign in and has no tokens")
    tokens: int = Field(description="sign-ins that have not ended (logout, expiry, a password change)")


class UserListOut(BaseModel):
    users: list[UserSummary]


class UserChangedOut(BaseModel):
    user: UserSummary


class TokenOut(BaseModel):
    token: str = Field(description="a new token, shown once: every earlier one stopped working")


class UnlockedOut(BaseModel):
    cleared: int = Field(description="how many failed sign-ins were forgotten")


class PairedDeviceOut(BaseModel):
    name: str
    kind: Literal["kiosk", "display", "pad", "platform"]
    issued_at: str = Field(description="when its current token was made (registered, or last rotated)")
    age_days: int = Field(description="the current token's age in whole days")
    revoked: bool
    revoked_at: str | None


class PairedDeviceListOut(BaseModel):
    devices: list[PairedDeviceOut]
