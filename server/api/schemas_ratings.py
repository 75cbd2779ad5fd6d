"""Schemas of 好差评 and 回访整改 (CONTRACT v2): the rating body and RATING, a pad's rating target, the
national export's record, FOLLOW_UP, and the tracked TICKET with its `rating`."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain.follow_ups import ACTIONS
from ..domain.ratings import CHANNELS
from .fields import FreeText, Line, Note, WholeNumber
from .schemas import Body, TicketOut

Comment = FreeText(500)
TicketId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
WindowNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}$")]


class RateBody(Body):
    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["ticket"]}, {"required": ["window"]}]})
    # Either target may be left out, but neither may be null. Level and channel are checked by the
    # service, so a wrong one is refused with its own reason (invalid_rating_level, invalid_channel).
    ticket: TicketId = Field(None, description="the ticket's id (channel tracking)")  # type: ignore[assignment]
    window: WindowNumber | Annotated[WholeNumber, Field(ge=1, le=999999, json_schema_extra={"minimum": 1, "maximum": 999999})] = Field(  # type: ignore[assignment]
        None, description="a rating pad's window (channels pad and evaluator): rates what it serves or served last")
    level: WholeNumber = Field(json_schema_extra={"minimum": 1, "maximum": 5},
                       description="1 非常满意, 2 满意, 3 基本满意, 4 不满意, 5 非常不满意 (GB/T 39046)")
    comment: Comment | None = None
    channel: Line(32) = Field(  # type: ignore[assignment]
        None, json_schema_extra={"enum": list(CHANNELS)},
        description="pad | tracking | evaluator; by default pad for a pad's token, else tracking")


class FollowUpBody(Body):
    action: Line(32) = Field(
        json_schema_extra={"enum": list(ACTIONS)}, description="the step: " + ", ".join(ACTIONS))
    note: Note(500) | None = Field(None, description="what was done, or why: required, not empty")


# ---------------------------------------------------------------- answers
class RatingOut(BaseModel):
    id: str
    ticket: str | None
    number: str | None
    window: str
    clerk: str | None = Field(description="the clerk who served the ticket (null in the answer to a tracking page)")
    matter: str | None
    department: str | None
    level: int
    label: str
    channel: str
    comment: str | None
    at: str
    removed: bool = Field(description="an upheld appeal (申诉) removed it from the statistics")


class RatingEnvelope(BaseModel):
    rating: RatingOut


class RatingList(BaseModel):
    ratings: list[RatingOut]


class RatingTargetOut(BaseModel):
    window: str
    clerk: str | None = Field(description="the display name of who served the ticket (else of who is signed in at "
                                          "the window); null when the account has none (never a username)")
    number: str | None = Field(description="the ticket a rating now goes to; null: nothing to rate")
    ticket: str | None
    status: str | None = Field(description="called (being served) or done/routed (served last today)")
    rated: bool
    level: int | None = Field(description="the level it was given, once rated")


class RatingExportLine(BaseModel):
    """One line of GET /ratings/export (application/x-ndjson): GB/T 39046 table 9's record, plus 事项编码,
    部门 and 经办人."""
    model_config = ConfigDict(populate_by_name=True)
    办件编号: str
    评价渠道: str = Field(description="3 二维码 (tracking page), 4 大厅平板 (pad), 5 大厅其他终端 (evaluator)")
    评价人: str = Field(description="masked: the case applicant's name (张*三), else 匿名")
    评价时间: str = Field(description="local time YYYYMMDDThhmmss")
    评价次数: int
    满意度代码: int
    文字评价: str
    行政区划: str
    事项编码: str | None
    部门: str | None
    经办人: str | None


class FollowUpStepOut(BaseModel):
    who: str | None = Field(description="the event log's actor: user:NAME, device:NAME, anonymous:-")
    at: str
    action: str = Field(description="open (the 差评 opened it), then contact, fix, close, appeal, uphold, remove")
    note: str | None
    status: str | None = Field(description="the follow-up's status after the step")


class FollowUpOut(BaseModel):
    id: str
    rating: RatingOut | None
    status: Literal["open", "contacted", "fixed", "appealed", "closed"]
    outcome: Literal["upheld", "removed"] | None
    contact_due: str = Field(description="the date the citizen is to be contacted by (working days)")
    fix_due: str = Field(description="the date the cause is to be fixed by (working days)")
    opened_at: str
    updated_at: str
    history: list[FollowUpStepOut]


class FollowUpEnvelope(BaseModel):
    follow_up: FollowUpOut


class FollowUpList(BaseModel):
    follow_ups: list[FollowUpOut]


class TrackedTicketOut(TicketOut):
    rating: int | None = Field(description="the level the ticket was rated (好差评), or null")


class TrackedTicketEnvelope(BaseModel):
    ticket: TrackedTicketOut
