"""好差评: the five national levels (GB/T 39046) and the rule that makes a rating a 差评."""
from __future__ import annotations

import datetime as dt

from . import events
from .errors import Invalid, Reason

LEVELS = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}
BAD_FROM = 4  # 不满意 and 非常不满意 are 差评: each is followed up


def require_level(level: int) -> None:
    if level not in LEVELS:
        raise Invalid(f"A rating is a level from 1 (非常满意) to 5 (非常不满意), not {level}.", Reason.INVALID_RATING_LEVEL)


def given(*, rating_id: str, window: str, ticket_id: str | None, number: str | None, clerk: str | None,
          level: int, channel: str, at: dt.datetime) -> list[events.Event]:
    """The events of a rating just recorded: always RatingGiven, and BadRatingGiven for a 差评."""
    require_level(level)
    facts = dict(rating_id=rating_id, window=window, ticket_id=ticket_id, number=number, clerk=clerk, level=level,
                 label=LEVELS[level], channel=channel, at=at)
    out: list[events.Event] = [events.RatingGiven(**facts)]
    if level >= BAD_FROM:
        out.append(events.BadRatingGiven(**facts))
    return out
