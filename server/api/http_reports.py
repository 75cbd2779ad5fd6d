"""The HTTP API under /api/v1: statistics and reports (统计报表), as JSON or as files for Excel.
docs/reports.md defines every figure."""
from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from flask import Response, request
from pydantic import BaseModel

from ..adapters import spreadsheets
from ..domain.errors import Invalid, Reason
from ..services.actors import READS_EVERYTHING
from ..domain.reports import GROUPINGS
from .fields import DATE_QUERY, one_of
from .common import actor, hall, route

FORMATS = ("json", "csv", "xlsx")
Level = Literal["1", "2", "3", "4", "5"]


class ReportRowOut(BaseModel):
    key: str | None
    name: str
    tickets: int
    served: int
    no_show: int
    transferred: int
    routed: int
    avg_wait_s: int | None
    p90_wait_s: int | None
    max_wait_s: int | None
    avg_service_s: int | None
    ratings: dict[Level, int]
    satisfaction: float | None


class ServiceReportOut(BaseModel):
    rows: list[ReportRowOut]
    totals: ReportRowOut


@route("GET", "/reports/service", answer=ServiceReportOut,
       summary="The service report of a range of business days, in one grouping: JSON, or a CSV or XLSX file "
               "(the XLSX has a sheet per grouping, the asked one first)",
       auth="admin, supervisor", errors=(401, 403),
       query=(("from", DATE_QUERY, "first business day, YYYY-MM-DD", True),
              ("to", DATE_QUERY, "last business day, YYYY-MM-DD (at most 366 days in all)", True),
              ("by", one_of(*GROUPINGS), "the grouping", True),
              ("format", one_of(*FORMATS), "json (the default), csv or xlsx")))
def service_report():
    who = actor()
    who.require_staff(*READS_EVERYTHING)
    fmt = request.args.get("format", "json")
    if fmt not in FORMATS:
        raise Invalid("format must be json, csv or xlsx.", Reason.INVALID_FORMAT)
    report = hall().reports.service(who, request.args.get("from"), request.args.get("to"), request.args.get("by"),
                                    every_grouping=fmt == "xlsx")
    if fmt == "json":
        return report.answer()
    # Building a file of a year's rows (and, the first time, loading openpyxl) takes about half a second
    # of CPU: on a thread, while the event loop serves screens, kiosks and clerks.
    if fmt == "csv":
        body = hall().run_blocking(spreadsheets.service_csv, report)
    else:
        made_at = report.made_at.astimezone(hall().config.hall.tz).strftime("%Y-%m-%d %H:%M")
        body = hall().run_blocking(spreadsheets.service_xlsx, report, made_at)
    stem = f"{report.first}_{report.last}_{report.by}.{fmt}"
    disposition = f"attachment; filename=\"service-report_{stem}\"; filename*=UTF-8''{quote('服务统计_' + stem)}"
    return Response(body, content_type=spreadsheets.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": disposition, "Cache-Control": "no-store"})
