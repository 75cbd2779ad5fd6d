"""Call-next's body and answer (schemas.py is full)."""
from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from .schemas import Body, TicketEnvelope

TicketId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class CallNextBody(Body):
    """Optional: an empty body or `{}` is a press that says nothing of what its device showed."""
    optional: ClassVar[bool] = True
    serving: TicketId | None = Field(None, description=(
        "the id of the ticket the pressing device showed as the window's current one when pressed, or "
        "null when it showed none. Given (null included), it alone tells a double press: the press is "
        "`repeated` exactly when the window's current ticket is another one (the device had not seen "
        "that call). Left out, presses are told apart by when they arrived (docs/security.md)"))


class CallEnvelope(TicketEnvelope):
    repeated: bool = Field(False, description=(
        "true when this press overlapped the call that put `ticket` at the window (a double press, or a "
        "second device pressing at the same moment): it answers with that ticket and changes nothing; "
        "false when this press called `ticket` (finishing the one served before, if any)"))
