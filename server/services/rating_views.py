"""What ratings and follow-ups look like on the wire: CONTRACT v2's RATING and FOLLOW_UP, the record of
the national 好差评 export (GB/T 39046 table 9), and the hall's local dates a list is asked for."""
from __future__ import annotations

import datetime as dt
import json

from ..config import HallConfig
from ..domain.cases import mask_name
from ..domain.errors import Invalid, Reason
from ..domain.follow_ups import FollowUp
from ..domain.ratings import ANONYMOUS_RATER, CHANNEL_CODES, LEVELS, Rating
from .views import iso

MAX_RANGE_DAYS = 366


def rating(r: Rating, public: bool = False) -> dict:
    """RATING. `public`: for whoever holds only a ticket id (the tracking page): no staff username."""
    return {"id": r.id, "ticket": r.ticket_id, "number": r.number, "window": r.window,
            "clerk": None if public else r.clerk, "matter": r.matter, "department": r.department,
            "level": r.level, "label": LEVELS.get(r.level, str(r.level)), "channel": r.channel, "comment": r.comment,
            "at": iso(r.at), "removed": r.removed_at is not None}


def follow_up(f: FollowUp, rated: Rating | None, history: list) -> dict:
    """FOLLOW_UP; `history` are its rows of the event log (subject follow_up), in order."""
    return {"id": f.id, "rating": rating(rated) if rated else None, "status": f.status, "outcome": f.outcome,
            "contact_due": f.contact_due.isoformat(), "fix_due": f.fix_due.isoformat(),
            "opened_at": iso(f.opened_at), "updated_at": iso(f.updated_at),
            "history": [_step(row) for row in history]}


def _step(row) -> dict:
    payload = json.loads(row.payload)
    return {"who": row.actor, "at": iso(row.at), "action": payload.get("action") or "open",
            "note": payload.get("note"), "status": payload.get("status")}


def export_line(r: Rating, config: HallConfig, case: tuple[str, str | None] | None) -> dict:
    """One rating as the national platform's record. 办件编号 is the case number when the ticket became
    (or collected) a case, else the ticket number; 评价人 is the case applicant's name masked, or
    匿名 for a walk-in ticket, whose citizen the hall never knew by name."""
    case_number, applicant = case or (None, None)
    department = config.departments.get(r.department or "")
    return {
        "办件编号": case_number or r.number,
        "评价渠道": CHANNEL_CODES.get(r.channel, r.channel),
        "评价人": mask_name(applicant) if applicant else ANONYMOUS_RATER,
        "评价时间": r.at.astimezone(config.hall.tz).strftime("%Y%m%dT%H%M%S"),
        "评价次数": 1,  # 一次一评: the first rating is the only one kept
        "满意度代码": r.level,
        "文字评价": r.comment or "",
        "行政区划": config.hall.region_code,
        "事项编码": r.matter,
        "部门": department.name if department else r.department,
        "经办人": r.clerk,
    }


def local_range(config: HallConfig, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments from the start of local day `start` to the end of local day `end` (inclusive dates)."""
    if start > end or (end - start).days >= MAX_RANGE_DAYS:
        raise Invalid(f"from must not be after to, and the range at most {MAX_RANGE_DAYS} days.",
                      Reason.INVALID_DATE_RANGE)
    tz = config.hall.tz
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz).astimezone(dt.timezone.utc),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(dt.timezone.utc))
