"""The hall config's `[printing]` section: what a ticket's paper says besides the ticket itself, and
how long a print job may wait for its printer before it is dropped (docs/hardware.md "Slips that did
not print")."""
from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

Tip = Annotated[str, Field(min_length=1, max_length=40)]


class Printing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # 温馨提示: one line each, under the ticket's facts.
    tips: list[Tip] = Field(default_factory=lambda: ["过号作废，请重新取号", "当日有效"], max_length=6)
    # A job not printed this long after it was queued is dropped (recorded, never printed by itself):
    # its citizen has left the kiosk, and the slip would go to the next person. Staff reprint (补打).
    stale_after_seconds: int = Field(60, ge=5, le=3600)


def public_url_warning(public_url: str, set_in_file: bool) -> str | None:
    """Why a ticket's QR code would not open on a citizen's phone, or None: `[hall] public_url` unset, or
    a loopback or unspecified address (the phone would look for the page on itself)."""
    host = (urlsplit(public_url).hostname or "").lower()
    try:
        local = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        local = host == "localhost" or host.endswith(".localhost")
    if not set_in_file:
        return (f"[hall] public_url is not set: the QR code on every ticket points to {public_url}, which "
                "no phone can open; set it to the address citizens reach the hall's pages at")
    if local:
        return (f"[hall] public_url = {public_url!r} is a loopback address: the QR code on every ticket "
                "would not open on a phone; set it to the address citizens reach the hall's pages at")
    return None
