"""The HTTP API under /api/v1: managing staff accounts and paired devices (CONTRACT v2 "Accounts and
devices are managed"), for the admin; a staff member's own password. Paired devices (kiosks, screens,
pads, the platform: their tokens) are `/device-tokens`; `/devices` is the hall's hardware."""
from __future__ import annotations

from flask import request

from . import schemas as s
from . import schemas_accounts as sa
from .common import actor, hall, route

_ADMIN_ERRORS = (401, 403, 404)


@route("GET", "/users", answer=sa.UserListOut, summary="Every staff account, with its live sign-ins", auth="admin",
       errors=(401, 403))
def list_users():
    return {"users": hall().account_admin.users(actor())}


@route("POST", "/users/{username}/password", body=sa.PasswordBody, answer=sa.UserChangedOut,
       summary="Give an account a new password: its tokens and sockets end at once", auth="admin",
       errors=_ADMIN_ERRORS, idempotent=False)
def set_password(body: sa.PasswordBody, username: str):
    return hall().account_admin.set_password(actor(), username, body.password)


@route("POST", "/users/{username}/disable", answer=sa.UserChangedOut,
       summary="Disable an account: it cannot sign in, its tokens and sockets end at once", auth="admin",
       errors=(*_ADMIN_ERRORS, 409), idempotent=False)
def disable_user(_body, username: str):
    return hall().account_admin.set_active(actor(), username, False)


@route("POST", "/users/{username}/enable", answer=sa.UserChangedOut, summary="Let a disabled account sign in again",
       auth="admin", errors=_ADMIN_ERRORS, idempotent=False)
def enable_user(_body, username: str):
    return hall().account_admin.set_active(actor(), username, True)


@route("DELETE", "/users/{username}", answer=s.OkOut, summary="Remove an account: its tokens and sockets end at once",
       auth="admin", errors=(*_ADMIN_ERRORS, 409))
def remove_user(username: str):
    return hall().account_admin.remove(actor(), username)


@route("POST", "/users/{username}/unlock", answer=sa.UnlockedOut,
       summary="Forget an account's failed sign-ins (from every address)", auth="admin", errors=_ADMIN_ERRORS,
       idempotent=False)
def unlock_user(_body, username: str):
    return {"cleared": hall().signin.unlock_user(actor(), username)}


@route("POST", "/sign-in/unlock", body=sa.UnlockAddressBody, answer=sa.UnlockedOut,
       summary="Forget a client address's failed sign-ins (for every account)", auth="admin", errors=(401, 403),
       idempotent=False)
def unlock_address(body: sa.UnlockAddressBody):
    return {"cleared": hall().signin.unlock_address(actor(), body.address)}


@route("POST", "/auth/password", body=sa.OwnPasswordBody, answer=sa.TokenOut,
       summary="Change your own password with the old one (throttled like a sign-in); every token of yours ends "
               "and a new one is returned", auth="staff", errors=(401, 403, 429), idempotent=False)
def change_own_password(body: sa.OwnPasswordBody):
    token = hall().signin.change_own_password(actor(), body.old_password, body.new_password, request.remote_addr or "-")
    return {"token": token}


@route("GET", "/device-tokens", answer=sa.PairedDeviceListOut,
       summary="Every paired device (kiosk, screen, pad, platform) and its token's age", auth="admin",
       errors=(401, 403))
def list_device_tokens():
    return {"devices": hall().account_admin.devices(actor())}


@route("POST", "/device-tokens/{name}/revoke", answer=s.OkOut,
       summary="Refuse the device's token from now on (its sockets close) until a rotate", auth="admin",
       errors=_ADMIN_ERRORS, idempotent=False)
def revoke_device(_body, name: str):
    return hall().account_admin.revoke_device(actor(), name)


@route("POST", "/device-tokens/{name}/rotate", answer=sa.TokenOut,
       summary="A new token for the device, shown once; the old one stops working at once", auth="admin",
       errors=_ADMIN_ERRORS, idempotent=False)
def rotate_device(_body, name: str):
    return {"token": hall().account_admin.rotate_device(actor(), name)}
