"""电子监察 over HTTP: the alerts (CONTRACT v2 "电子监察: supervision alerts"), for the admin and supervisors."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from flask import request
from pydantic import BaseModel, Field

from ..domain.errors import Invalid, Reason
from .fields import DATE_QUERY, one_of
from .common import actor, answer, hall, idem, route
from .fields import Note
from .schemas import Body


class AlertSubject(BaseModel):
    kind: Literal["ticket", "window", "clerk", "case", "rating", "device"]
    id: str


class AlertOut(BaseModel):
    id: str
    rule: Literal["wait", "service", "pause", "idle_window", "unstaffed_window", "no_show", "case_due",
                  "case_overdue", "bad_rating", "follow_up_overdue", "device"]
    level: Literal["yellow", "red"]
    subject: AlertSubject
    message: str = Field(description="a Chinese sentence for the board")
    raised_at: str
    cleared_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    note: str | None
    detail: dict = Field(description="what the board shows and jumps to: window, floor, ticket, number, case, "
                                     "clerk, minutes … (those that apply)")


class AlertsOut(BaseModel):
    alerts: list[AlertOut]


class AlertEnvelope(BaseModel):
    alert: AlertOut


class AcknowledgeBody(Body):
    note: Note(500) = Field(
        description="what was done about it (处理说明)")


def date_arg(name: str) -> dt.date | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} must be a date YYYY-MM-DD.", Reason.INVALID_DATE_RANGE)


@route("GET", "/alerts", answer=AlertsOut, summary="电子监察: the supervision alerts, newest first",
       auth="admin or supervisor", errors=(401, 403),
       query=(("status", one_of("open", "all"), "open (default) or all"),
              ("from", DATE_QUERY, "raised on or after this local date"),
              ("to", DATE_QUERY, "raised on or before this local date")))
def list_alerts():
    alerts = hall().supervision.alerts(actor(), request.args.get("status", "open"), date_arg("from"), date_arg("to"))
    return {"alerts": alerts}


@route("POST", "/alerts/{alert_id}/acknowledge", body=AcknowledgeBody, answer=AlertEnvelope,
       summary="Acknowledge an alert with a note; it clears itself when its condition ends",
       auth="admin or supervisor", errors=(401, 403, 404, 409))
def acknowledge_alert(body: AcknowledgeBody, alert_id: str):
    return answer(hall().supervision.acknowledge(actor(), alert_id, body.note, idempotency=idem()))
