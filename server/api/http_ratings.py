"""The HTTP API under /api/v1: 好差评 (ratings from the tracking page, a window's rating pad) and
回访整改 (the follow-ups of 差评), CONTRACT v2."""
from __future__ import annotations

import datetime as dt
import json
import re

from flask import Response, request

from ..domain.errors import Invalid, Reason
from ..services.actors import READS_EVERYTHING
from . import schemas_ratings as s
from ..domain.follow_ups import STATUSES
from .fields import DATE_QUERY, one_of
from .common import actor, answer, hall, idem, route, window_number

_READERS = "admin, supervisor"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATES = (("from", DATE_QUERY, "first local date YYYY-MM-DD (default: to)"),
          ("to", DATE_QUERY, "last local date YYYY-MM-DD, inclusive (default: today)"))


def _date(name: str, default: dt.date) -> dt.date:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{name} must be a date YYYY-MM-DD.", Reason.INVALID_DATE_RANGE)


def _dates() -> tuple[dt.date, dt.date]:
    """from and to, after the reader is known to be allowed (a refused reader hears no date problems)."""
    actor().require_staff(*READS_EVERYTHING)
    today = hall().clock().astimezone(hall().config.hall.tz).date()
    end = _date("to", today)
    return _date("from", end), end


@route("POST", "/ratings", body=s.RateBody, answer=s.RatingEnvelope, status=201,
       summary="Rate a served ticket (好差评), once: by its id (the tracking page), or a window's rating pad "
               "by the window (its device token); a 差评 opens a follow-up",
       errors=(401, 403, 404, 409))
def rate(body: s.RateBody):
    window = window_number(str(body.window)) if body.window is not None else None
    return answer(hall().ratings.rate(actor(), level=body.level, channel=body.channel, ticket=body.ticket,
                                      window=window, comment=body.comment, idempotency=idem()))


@route("GET", "/windows/{window}/rating-target", answer=s.RatingTargetOut,
       summary="What the window's rating pad offers to rate now: the ticket it serves, else the one it served last today",
       auth="pad device", errors=(401, 403, 404))
def rating_target(window: str):
    return hall().ratings.target(actor(), window_number(window))


@route("GET", "/ratings", answer=s.RatingList, summary="Ratings given on the hall's local dates from … to, oldest first",
       auth=_READERS, errors=(401, 403), query=(*_DATES, ("level", {"type": "integer", "minimum": 1, "maximum": 5}, "only this level (1-5)")))
def list_ratings():
    start, end = _dates()
    level = request.args.get("level")
    if level is not None and not (level.isdigit() and len(level) == 1):
        raise Invalid("level is a number from 1 to 5.", Reason.INVALID_RATING_LEVEL)
    return {"ratings": hall().ratings.listing(actor(), start, end, int(level) if level else None)}


@route("GET", "/ratings/export", answer=s.RatingExportLine,
       summary="The ratings that count, as JSON lines (application/x-ndjson), one RatingExportLine per rating: "
               "the national 好差评 record (GB/T 39046 table 9)", auth=_READERS, errors=(401, 403), query=_DATES,
       media_type="application/x-ndjson")
def export_ratings():
    start, end = _dates()
    lines = hall().ratings.export(actor(), start, end)
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    name = f"ratings-{start:%Y%m%d}-{end:%Y%m%d}.ndjson"
    return Response(text, mimetype="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---------------------------------------------------------------- follow-ups (回访整改)
@route("GET", "/follow-ups", answer=s.FollowUpList, summary="Follow-ups of 差评, newest first", auth=_READERS,
       errors=(401, 403), query=(("status", one_of(*STATUSES), "only follow-ups in this status"),))
def list_follow_ups():
    return {"follow_ups": hall().follow_ups.listing(actor(), request.args.get("status"))}


@route("GET", "/follow-ups/{follow_up_id}", answer=s.FollowUpEnvelope, summary="One follow-up with its history",
       auth=_READERS, errors=(401, 403, 404))
def get_follow_up(follow_up_id: str):
    return {"follow_up": hall().follow_ups.get(actor(), follow_up_id)}


@route("POST", "/follow-ups/{follow_up_id}", body=s.FollowUpBody, answer=s.FollowUpEnvelope,
       summary="Take a step of the follow-up with a note: contact, fix, close; appeal, then uphold or remove",
       auth=_READERS, errors=(401, 403, 404, 409))
def step_follow_up(body: s.FollowUpBody, follow_up_id: str):
    return answer(hall().follow_ups.step(actor(), follow_up_id, body.action, body.note, idempotency=idem()))
