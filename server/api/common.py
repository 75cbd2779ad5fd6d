"""What every route module shares: the API's registry, the hall, the actor behind the request's token,
its Idempotency-Key, and the parsing of path and query values."""
from __future__ import annotations

import re

from flask import current_app, request

from ..domain.errors import Invalid, Reason, Unauthorized
from ..services.actors import Actor
from ..services.hall import Hall
from ..services.messages import IdempotencyKey, Outcome
from .routing import Api, Reply, body_fingerprint, idempotency_key

api = Api("api", "/api/v1")
route = api.route
CLERK_AT_WINDOW = "the clerk signed in at the window"  # who may call a window's commands


def hall() -> Hall:
    return current_app.extensions["hallq"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the token as 'Authorization: Bearer TOKEN'.", Reason.BAD_AUTHORIZATION_HEADER)
    return token.strip()


def actor() -> Actor:
    return hall().accounts.authenticate(bearer_token())


def idem() -> IdempotencyKey | None:
    key = idempotency_key()
    return IdempotencyKey(key, f"{request.method} {request.path} {body_fingerprint()}") if key else None


def answer(outcome: Outcome) -> Reply:
    # A repeat of an Idempotency-Key says so, which helps when tracing a kiosk's retries.
    return Reply(outcome.body, {"Idempotent-Replayed": "true"} if outcome.replayed else None)


_WINDOW = re.compile(r"[0-9]{1,6}")
_FLOOR = re.compile(r"-?[0-9]{1,4}")


def window_number(window: str) -> str:
    if not _WINDOW.fullmatch(window):
        raise Invalid(f"{window[:20]!r} is not a window number.", Reason.INVALID_WINDOW_NUMBER)
    return str(int(window))


def floor_arg() -> int | None:
    floor = request.args.get("floor")
    if floor is None:
        return None
    if not _FLOOR.fullmatch(floor):
        raise Invalid("floor must be a floor number such as 1.", Reason.INVALID_FLOOR)
    return int(floor)
