"""The answer of call-next (schemas.py is full)."""
from __future__ import annotations

from pydantic import Field

from .schemas import TicketEnvelope


class CallEnvelope(TicketEnvelope):
    repeated: bool = Field(False, description=(
        "true when this press overlapped the call that put `ticket` at the window (a double press, or a "
        "second device pressing at the same moment): it answers with that ticket and changes nothing; "
        "false when this press called `ticket` (finishing the one served before, if any)"))
