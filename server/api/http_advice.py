"""调度建议 over HTTP (CONTRACT v2 `GET /advice`): the staffing model's moves, for the admin board. Applying one
is `PUT /windows/{w}/queues` with its `to_queues`; docs/waits.md "Staffing advice"."""
from __future__ import annotations

from pydantic import BaseModel, Field

from .common import actor, hall, route


class MoveOut(BaseModel):
    window: str
    from_queues: list[str]
    to_queues: list[str] = Field(description="the window's new queue list: apply it with PUT /windows/{w}/queues")
    expected_wait_change_min: float = Field(
        description="the hall's mean wait after the move minus before, minutes (negative = shorter), assuming "
                    "the moves listed above it are applied")
    why: str = Field(description="a Chinese sentence naming the queues, their load and their waits")
    queue: str = Field(description="extension: the queue the window will serve first")
    losing_queue: str | None = Field(description="extension: the queue it served first, null when it had none with demand")
    from_wait_min: float = Field(description="extension: the gaining queue's expected mean wait now, minutes")
    to_wait_min: float = Field(description="extension: the gaining queue's expected mean wait after the move")
    losing_from_wait_min: float | None = Field(description="extension: the losing queue's expected mean wait now")
    losing_to_wait_min: float | None = Field(description="extension: the losing queue's expected mean wait after")


class AdviceOut(BaseModel):
    advice: list[MoveOut] = Field(description="best first; empty when no move cuts the hall's mean wait")
    hall_mean_wait_min: float = Field(description="extension: the model's mean wait of the hall now, minutes")


@route("GET", "/advice", answer=AdviceOut,
       summary="调度建议: moves of windows between queues the staffing model expects to cut the hall's mean wait",
       auth="admin, supervisor", errors=(401, 403))
def staffing_advice():
    return hall().advice.advise(actor())
