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
                    "the moves listed above it are applied; the mean the moves are ranked by, over every queue "
                    "with demand, one that no window serves first counting a hall day (480 minutes)")
    why: str = Field(description="a Chinese sentence naming the queues, their load and their waits")
    queue: str = Field(description="extension: the queue the window will serve first")
    arrivals: int = Field(description="extension: the gaining queue's tickets issued in the last hour")
    waiting: int = Field(description="extension: the gaining queue's tickets waiting now")
    losing_queue: str | None = Field(description="extension: the queue it served first, null when it had none with demand")
    opens_queue: bool = Field(description="extension: no staffed window served the gaining queue first (none served it "
                                          "at all when it is in `unserved_queues`); the move gives it its first, and "
                                          "its `from_wait_min` is the hall-day cap, 480")
    from_wait_min: float = Field(description="extension: the gaining queue's expected mean wait now, minutes")
    to_wait_min: float = Field(description="extension: the gaining queue's expected mean wait after the move")
    losing_from_wait_min: float | None = Field(description="extension: the losing queue's expected mean wait now")
    losing_to_wait_min: float | None = Field(description="extension: the losing queue's expected mean wait after")


class UnservedQueueOut(BaseModel):
    queue: str
    arrivals: int = Field(description="tickets issued in the last hour")
    waiting: int = Field(description="tickets waiting now")


class AdviceOut(BaseModel):
    advice: list[MoveOut] = Field(description="best first; empty when no move cuts the hall's mean wait")
    hall_mean_wait_min: float | None = Field(
        description="extension: the model's mean wait now over the queues some staffed window serves first, "
                    "minutes, weighted by last hour's arrivals and those waiting; null when none of them has demand")
    unserved_queues: list[UnservedQueueOut] = Field(
        description="extension: the queues with demand (arrivals in the last hour or tickets waiting) that no "
                    "staffed open window lists at all (paused ones do not count), pickup queues included, in the "
                    "hall's order; not in `hall_mean_wait_min`")


@route("GET", "/advice", answer=AdviceOut,
       summary="调度建议: moves of windows between queues the staffing model expects to cut the hall's mean wait",
       auth="admin, supervisor", errors=(401, 403))
def staffing_advice():
    return hall().advice.advise(actor())
