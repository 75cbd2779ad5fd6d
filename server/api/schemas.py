"""Request and response schemas (pydantic). Bodies are validated against them; the OpenAPI document
at /api/v1/openapi.json is generated from them."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints, model_validator

from ..domain.text import NOTE_PATTERN
from .fields import CaseNumber, Code, FreeText, IdNumberText, Line, TrackingNumber, MobilePhone, Name, Phone

Text = FreeText(500)
Material = Line(120, min_length=1)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    optional: ClassVar[bool] = False  # whether a request may leave the body out (or send `{}`)


class EmptyBody(Body):
    """Commands that take no fields accept an empty body or `{}`."""
    optional: ClassVar[bool] = True


class IdCardIn(Body):
    number: IdNumberText = Field(description="the 18-character ID number as read (GB 11643; its check digit is verified)")
    name: Name


class TakeTicketBody(Body):
    # A matter (with an ID card or not), a case to collect, a booking's code, or an ID card alone.
    # Which fields each kind excludes (the document says it, as the validator below enforces it).
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": [kind], "not": {"anyOf": [{"required": [other]} for other in others]}} for kind, others in (
            ("matter", ("case", "appointment", "pickup_code")), ("case", ("matter", "appointment")),
            ("appointment", ("matter", "case", "id_card", "pickup_code")),
            ("id_card", ("matter", "case", "appointment", "pickup_code")))]})
    # Every field may be left out, but none may be null (so each documents a plain value).
    matter: Code = Field(None, description="matter id from /catalog")  # type: ignore[assignment]
    case: CaseNumber = Field(None, description="instead of a matter: the number of a case ready for pickup (取件); "
                                               "a kiosk adds pickup_code or id_card")  # type: ignore[assignment]
    pickup_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] = Field(  # type: ignore[assignment]
        None, description="with case, from a kiosk: the 取件码 on the acceptance receipt (staff need none)")
    appointment: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] = Field(  # type: ignore[assignment]
        None, description="instead of a matter: a booking's code, to check it in (预约签到)")
    id_card: IdCardIn = Field(  # type: ignore[assignment]
        None, description="the ID card read at the kiosk: beside a matter it ties the ticket to the ID; "
                          "beside a case it proves the applicant (when the case recorded the ID); "
                          "alone it checks in the ID's booking for today")
    priority: Literal["normal", "green"] = "normal"
    phone: MobilePhone = Field(None, description="a mobile number for notices (短信通知: a few ahead, called)")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [self.matter is not None, self.case is not None, self.appointment is not None]
        if sum(kinds) > 1 or (not any(kinds) and self.id_card is None):
            raise ValueError("give one of a matter, a case number, a booking code or (alone) an ID card")
        if self.appointment is not None and self.id_card is not None:
            raise ValueError("an ID card goes with a matter or a case, or alone to check in its booking")
        if self.pickup_code is not None and self.case is None:
            raise ValueError("a pickup code goes with a case number")
        return self


class ApplicantIn(Body):
    name: Name
    phone: Phone


class RouteBody(Body):
    applicant: ApplicantIn
    note: Text | None = None
    matter: Code | None = Field(None, description="the matter accepted, if not the ticket's own")


class DecideBody(Body):
    # A rejection says why (rejection_needs_note).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"result": {"const": "approved"}}},
        {"properties": {"note": {"type": "string", "pattern": NOTE_PATTERN}}, "required": ["note"]}]})
    result: Literal["approved", "rejected"]
    note: Text | None = None


class MaterialsBody(Body):
    materials: Annotated[list[Material], Field(min_length=1, max_length=30)]
    note: Text | None = None


class HandOverBody(Body):
    how: Literal["pickup", "mail"]
    case: CaseNumber | None = Field(None, description="the case; by default the current pickup ticket's")
    tracking: TrackingNumber | None = Field(
        None, description="the mail's tracking number (mail only), as on the waybill: up to 4 letters, 8 to 26 "
                          "digits, up to 4 letters")


class LoginBody(Body):
    username: Name
    password: Line(200, min_length=1)


class TransferBody(Body):
    queue: Code


class PauseBody(Body):
    reason: Line(120, min_length=1) = Field(
        description="one of the hall's pause reasons ([supervision] pause_reasons; GET /catalog hall.pause_reasons)")


class QueuesBody(Body):
    queues: Annotated[list[Code], Field(min_length=1, max_length=50)]


class StateBody(Body):
    state: Literal["open", "paused", "closed"]


class NewUserBody(Body):
    username: Name
    password: Line(200, min_length=8)
    role: Literal["clerk", "backoffice", "admin", "supervisor"]
    department: Code | None = None
    departments: Annotated[list[Code], Field(max_length=20)] | None = Field(
        None, description="more departments the account works for (a clerk staffs their windows)")
    display_name: Name | None = Field(None, description="what screens show of the clerk (at most 40 characters)")


# ---------------------------------------------------------------- responses
class ErrorDetail(BaseModel):
    code: Literal["invalid", "unauthorized", "forbidden", "not_found", "conflict", "queue_empty", "unavailable"]
    reason: str  # documented as the list of every reason (routing.Api.openapi)
    message: str = Field(description="a sentence for people; never branch on it")
    detail: dict | None = Field(None, description="values a page may show with the reason (a ticket number, a window)")


class ErrorOut(BaseModel):
    error: ErrorDetail


class HolderOut(BaseModel):
    name: str | None
    id_number: str | None
    phone: str | None


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
    eta_minutes: int | None = Field(description="about how many minutes it will still wait (the median of the "
                                    "prediction); null when no clerk staffs a window serving its queue; 0 once called")
    eta_range: list[int] | None = Field(None, min_length=2, max_length=2, description=(
        "[low, high]: the wait most likely falls within these minutes (docs/waits.md); null when no clerk "
        "staffs a window serving its queue (pages say 暂无窗口办理); [0, 0] once called"))
    recalls: int
    case: str | None
    kind: Literal["walk_in", "appointment", "pickup"] = "walk_in"
    holder: HolderOut | None = Field(None, description="the citizen it is tied to, masked (ID card, booking, phone)")
    requeued: bool = Field(False, description="re-queued once after a no-show (过号顺延)")


class SlipOut(BaseModel):
    printer: str = Field(description="the printer attached to the kiosk that issued the ticket")
    state: str = Field(description="that printer's state when the ticket was issued (GET /devices' states)")
    printing: bool = Field(description="false: the printer is down and the slip will not print "
                                       "(the kiosk shows the ticket to photograph or scan; staff reprint)")


class TicketEnvelope(BaseModel):
    ticket: TicketOut
    slip: SlipOut | None = Field(None, description="a kiosk with a printer: whether the ticket's slip prints")


class WindowOut(BaseModel):
    number: str
    floor: int
    kind: Literal["professional", "comprehensive", "one_thing"]
    department: str | None
    queues: list[str]
    state: Literal["open", "paused", "closed"]
    clerk: str | None
    clerk_name: str | None = Field(None, description="the clerk's display name (screens show it, never `clerk`)")
    current: TicketOut | None
    version: int = Field(description="grows with every change of the window; ignore an update older than the one shown")
    served_today: int | None = None
    pause_reason: str | None = Field(None, description="why it is paused (one of the hall's pause reasons)")
    state_since: str | None = Field(None, description="since when it has its state and clerk")


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
    eta_minutes: int | None = Field(description="a newcomer's likely wait in minutes; null when no clerk staffs "
                                    "a window serving the queue")
    eta_range: list[int] | None = Field(None, min_length=2, max_length=2, description=(
        "[low, high] minutes a newcomer most likely waits (docs/waits.md); null when no clerk staffs a window "
        "serving the queue"))
    daily_quota: int | None = Field(None, description="numbers the queue issues a day (限号), or null")
    quota_reached: bool = Field(False, description="the day's quota is used up: 今日号源已满")


class StatsOut(RootModel[list[QueueStats]]):
    """One row per queue (a JSON array)."""


class LoginOut(BaseModel):
    token: str
    role: Literal["clerk", "backoffice", "admin", "supervisor"]


class MeOut(BaseModel):
    kind: str
    name: str | None
    role: str | None
    department: str | None = Field(description="the first of `departments`")
    departments: list[str]
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
    name_en: str | None = Field(None, description="the English name, where the hall config gives one")


class QueueOut(BaseModel):
    code: str
    name: str
    floor: int
    prefix: str
    purpose: Literal["service", "pickup"]
    windows: list[str] = Field([], description="the windows that call this queue (the ticket's directions)")
    name_en: str | None = Field(None, description="the English name, where the hall config gives one")


class SearchKeysOut(BaseModel):
    code: str = Field(description="the matter's code (事项编码: its id)")
    synonyms: list[str] = Field(description="the hall config's [search] synonyms that find the matter")
    initials: list[str] = Field(description="pinyin initials of the name, the department's name, each synonym")
    pinyin: list[str] = Field(description="full pinyin (no tones, ü as v) of the same texts, in the same order")


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
    appointment_quota: int = Field(0, description="bookings per slot (预约); 0: the matter takes no bookings")
    name_en: str | None = Field(None, description="the English name, where the hall config gives one")
    search_keys: SearchKeysOut | None = Field(None, description="what a kiosk's search matches (docs/kiosk.md)")


class HallOut(BaseModel):
    name: str
    notice: str
    issuing_hours: list[str] | None
    issuing_open: bool = Field(description="whether kiosks issue tickets right now (within issuing_hours)")
    pause_reasons: list[str] = Field(description="the reasons a clerk may pause a window for ([supervision])")
    rating_levels: dict[str, str] = Field(description="好差评 levels (GB/T 39046): 1 非常满意 … 5 非常不满意")
    elder_age: int | None = Field(None, description="an ID holder of this age gets the green channel")
    requeue_minutes: int = Field(30, description="a no-show may be re-queued (过号顺延) within this many minutes")
    timezone: str = Field("Asia/Shanghai", description="the hall's IANA time zone (pages show the hall's clock)")


class CatalogOut(BaseModel):
    hall: HallOut
    floors: list[FloorOut]
    departments: list[DepartmentOut]
    queues: list[QueueOut]
    matters: list[MatterOut]


class TicketHistoryEntry(BaseModel):
    at: str
    kind: str = Field(description="issued, called, recalled, transferred, done, no_show, routed, cancelled, printed")
    status: str | None = Field(description="the ticket's status after it")
    queue: str | None
    window: str | None
    actor: str | None
    detail: dict | None


class HistoryOut(BaseModel):
    events: list[TicketHistoryEntry]


class UserOut(BaseModel):
    username: str
    role: str
    department: str | None
    departments: list[str]


class OkOut(BaseModel):
    ok: bool


class CommitFiguresOut(BaseModel):
    """Group commit on SQLite, since the process started (docs/decisions.md §31)."""
    commits: int = Field(description="durable COMMITs of batches with writes")
    units: int = Field(description="units of work (requests' transactions) those COMMITs made durable")
    largest_batch: int


class HealthOut(OkOut):
    group_commit: CommitFiguresOut | None = Field(None, description="SQLite under group commit only")


class OpenApiOut(BaseModel):
    """An OpenAPI 3.1 document."""
    model_config = ConfigDict(extra="allow")
    openapi: str
    info: dict
    paths: dict


class ReprintOut(BaseModel):
    ticket: str
    number: str
    printer: str
    queued: bool


class SpeechBacklog(BaseModel):
    calls: int = Field(description="calls waiting to be announced")
    since: str = Field(description="when the oldest of them came (ISO 8601)")


class DeviceHealth(BaseModel):
    name: str
    kind: str
    protocol: str
    url: str
    attach: str
    state: Literal["unknown", "online", "offline", "paper_low", "paper_out", "error"]
    detail: str
    since: str | None
    last_seen: str | None
    queued: int
    backlog: SpeechBacklog | None = Field(description="a floor speaker's calls waiting to be announced (docs/hardware.md); "
                                                      "null when none wait or the device is no speaker")


class UnprintedTicket(BaseModel):
    id: str = Field(description="the ticket id, for POST /tickets/{id}/reprint")
    number: str
    printer: str | None = Field(description="the printer it was sent to")


class DevicesOut(BaseModel):
    devices: list[DeviceHealth]
    unprinted: list[str] = Field(description="numbers of tickets issued but not printed yet")
    unprinted_tickets: list[UnprintedTicket] = Field(description="the same tickets with their ids, for a reprint")


class ApplicantOut(BaseModel):
    name: str = Field(description="masked (张*三) except for the back office of the case's departments; "
                                  "staff only (the public view has no applicant)")
    phone: str = Field(description="masked (138****1234) except for the back office of the case's departments")
