"""好差评: the five national levels (GB/T 39046), the channels a rating comes through, who may be rated
when, and the rule that makes a rating a 差评."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import events
from .errors import Conflict, Invalid, Reason

LEVELS = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}
BAD_FROM = 4  # 不满意 and 非常不满意 are 差评: each is followed up
CHANNELS = ("pad", "tracking", "evaluator")
WINDOW_CHANNELS = ("pad", "evaluator")  # devices at a window: they name the window, not the ticket
# Served tickets may be rated; a called one only at its window (the citizen rates as service ends).
SERVED = ("done", "routed")
# 评价渠道 codes of the national 好差评 record (GB/T 39046, table 9) for each of our channels:
# the tracking page is opened from the ticket's QR code (3 二维码), the pad is the hall's tablet
# (4 政务服务大厅平板电脑), the evaluator another terminal of the hall (5 政务服务大厅其他终端).
CHANNEL_CODES = {"tracking": "3", "pad": "4", "evaluator": "5"}
ANONYMOUS_RATER = "匿名"  # 评价人 when the hall holds no name for the citizen (a walk-in ticket)


@dataclass
class Rating:
    """One rating as stored: the ticket's facts are copied in, so a rating reads alone."""
    id: str
    at: dt.datetime
    window: str
    ticket_id: str | None
    number: str | None
    clerk: str | None
    matter: str | None
    department: str | None
    level: int
    channel: str
    comment: str | None
    source: str  # who sent it: device:NAME, user:NAME, anonymous:-
    removed_at: dt.datetime | None = None

    @property
    def bad(self) -> bool:
        return is_bad(self.level)


def is_bad(level: int) -> bool:
    return level >= BAD_FROM


def require_level(level: int) -> None:
    if isinstance(level, bool) or level not in LEVELS:
        raise Invalid(f"A rating is a level from 1 (非常满意) to 5 (非常不满意), not {level}.", Reason.INVALID_RATING_LEVEL)


def require_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise Invalid(f"A rating's channel is one of {', '.join(CHANNELS)}, not {channel!r}.", Reason.INVALID_CHANNEL)


def require_rateable_by_id(number: str, status: str, ended_at: dt.datetime | None, now: dt.datetime,
                           tz, days: int) -> None:
    """Rated through its id (the tracking page): a ticket that was served, up to the end of the `days`-th
    local day after the day it ended (`days = 0`: the same day only)."""
    if status not in SERVED or ended_at is None:
        raise Conflict(f"Ticket {number} is {status}; only a served ticket can be rated.", Reason.TICKET_NOT_SERVED,
                       status=status)
    last_day = ended_at.astimezone(tz).date() + dt.timedelta(days=days)
    if now.astimezone(tz).date() > last_day:
        raise Conflict(f"Ticket {number} could be rated until {last_day.isoformat()}; that time is over.",
                       Reason.RATING_PERIOD_OVER, last_day=last_day.isoformat())


def given(rating: Rating) -> list[events.Event]:
    """The events of a rating just recorded: always RatingGiven, and BadRatingGiven for a 差评."""
    require_level(rating.level)
    facts = dict(rating_id=rating.id, window=rating.window, ticket_id=rating.ticket_id, number=rating.number,
                 clerk=rating.clerk, level=rating.level, label=LEVELS[rating.level], channel=rating.channel,
                 at=rating.at, matter=rating.matter, department=rating.department, comment=rating.comment)
    out: list[events.Event] = [events.RatingGiven(**facts)]
    if rating.bad:
        out.append(events.BadRatingGiven(**facts))
    return out
