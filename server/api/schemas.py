"""Request and response schemas (pydantic). Bodies are validated against them; the OpenAPI document
at /api/v1/openapi.json is generated from them."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints

Name = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Text = Annotated[str, StringConstraints(max_length=500)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EmptyBody(Body):
    """Commands that take no fields accept an empty body or `{}`."""


class TakeTicketBody(Body):
    matter: Code = Field(description="matter id from /catalog")
    priority: Literal["normal", "green"] = "normal"


class LoginBody(Body):
    username: Name
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TransferBody(Body):
    queue: Code


class QueuesBody(Body):
    queues: Annotated[list[Code], Field(min_length=1, max_length=50)]


class StateBody(Body):
    state: Literal["open", "paused", "closed"]


class NewUserBody(Body):
    username: Name
    password: Annotated[str, StringConstraints(min_length=8, max_length=200)]
    role: Literal["clerk", "backoffice", "admin"]
    department: Code | None = None


# ---------------------------------------------------------------- responses
class ErrorDetail(BaseModel):
    code: Literal["invalid", "unauthorized", "forbidden", "not_found", "conflict", "queue_empty", "unavailable"]
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


class TicketOut(BaseModel):
    id: str
    number: str
    queue: str
    matter: str | None
    floor: int
    zone: Literal["individual", "enterprise", "institution"]
    priority: Literal["normal", "green"]
    status: Literal["waiting", "called", "done", "no_show", "routed", "cancelled"]
    issued_at: str
    called_at: str | None
    window: str | None
    ahead: int | None
    eta_minutes: int | None
    recalls: int
    case: str | None


class TicketEnvelope(BaseModel):
    ticket: TicketOut


class WindowOut(BaseModel):
    number: str
    floor: int
    kind: Literal["professional", "comprehensive", "one_thing"]
    department: str | None
    queues: list[str]
    state: Literal["open", "paused", "closed"]
    clerk: str | None
    current: TicketOut | None
    version: int = Field(description="grows with every change of the window; ignore an update older than the one shown")
    served_today: int | None = None


class WindowEnvelope(BaseModel):
    window: WindowOut


class WindowList(RootModel[list[WindowOut]]):
    """Every window (a JSON array)."""


class QueueStats(BaseModel):
    code: str
    name: str
    floor: int
    waiting: int
    open_windows: int
    longest_wait_s: int
    eta_minutes: int | None


class StatsOut(RootModel[list[QueueStats]]):
    """One row per queue (a JSON array)."""


class LoginOut(BaseModel):
    token: str
    role: Literal["clerk", "backoffice", "admin"]


class MeOut(BaseModel):
    kind: str
    name: str | None
    role: str | None
    department: str | None
    window: str | None


class FloorOut(BaseModel):
    number: int
    zone: Literal["individual", "enterprise", "institution"]
    name: str


class DepartmentOut(BaseModel):
    code: str
    name: str
    kind: Literal["professional", "comprehensive"]
    floors: list[int]


class QueueOut(BaseModel):
    code: str
    name: str
    floor: int
    prefix: str
    purpose: Literal["service", "pickup"]


class MatterOut(BaseModel):
    id: str
    name: str
    department: str
    queue: str
    floor: int
    zone: Literal["individual", "enterprise", "institution"]
    promised_days: int
    avg_minutes: float
    materials: list[str]
    involves: list[str]


class HallOut(BaseModel):
    name: str
    notice: str
    issuing_hours: list[str] | None
    issuing_open: bool = Field(description="whether kiosks issue tickets right now (within issuing_hours)")


class CatalogOut(BaseModel):
    hall: HallOut
    floors: list[FloorOut]
    departments: list[DepartmentOut]
    queues: list[QueueOut]
    matters: list[MatterOut]


class TicketEvent(BaseModel):
    at: str
    kind: str
    status: str
    queue: str
    window: str | None
    actor: str | None
    detail: dict | None


class HistoryOut(BaseModel):
    events: list[TicketEvent]


class UserOut(BaseModel):
    username: str
    role: str
    department: str | None


class OkOut(BaseModel):
    ok: bool


class OpenApiOut(BaseModel):
    """An OpenAPI 3.1 document."""
    model_config = ConfigDict(extra="allow")
    openapi: str
    info: dict
    paths: dict
