"""The service report as files for Excel: CSV (UTF-8 with a byte-order mark, which Excel needs to read
Chinese) and XLSX (openpyxl), with Chinese headers. The columns are the ROW's fields in its order;
numbers stay numbers, an empty cell is a figure with nothing to count (no wait, no rating).
openpyxl (and numpy, which it imports when installed) loads at the first XLSX export, not with the
server: ~20 MB a hall that never exports need not hold (docs/performance.md "Memory at start-up")."""
from __future__ import annotations

import codecs
import csv
import io

from ..services.reports import SHEETS, ReportTable, ServiceReportTables

KEY_HEADERS = {"department": "部门代码", "window": "窗口号", "clerk": "工作人员", "matter": "事项代码",
               "queue": "队列代码", "hour": "时段", "day": "日期"}
# (header, field) after the key and the name; a rating level's field is its digit.
FIGURES = [("取号数", "tickets"), ("办结数", "served"), ("过号数", "no_show"), ("转移次数", "transferred"),
           ("受理转办数", "routed"), ("平均等候（秒）", "avg_wait_s"), ("90%等候（秒）", "p90_wait_s"),
           ("最长等候（秒）", "max_wait_s"), ("平均办理（秒）", "avg_service_s"), ("非常满意", "1"), ("满意", "2"),
           ("基本满意", "3"), ("不满意", "4"), ("非常不满意", "5"), ("满意率", "satisfaction")]
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def headers(by: str) -> list[str]:
    return [KEY_HEADERS[by], "名称"] + [h for h, _ in FIGURES]


def cells(row: dict) -> list:
    return [row["key"], row["name"]] + [row["ratings"][f] if f.isdigit() else row[f] for _, f in FIGURES]


def _lines(table: ReportTable) -> list[list]:
    return [headers(table.by)] + [cells(row) for row in table.rows] + [cells(table.totals)]


def service_csv(report: ServiceReportTables) -> bytes:
    """The asked grouping's rows, then the totals row."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _lines(report.tables[report.by]):
        writer.writerow(["" if value is None else value for value in line])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


_HEAD_FILL_COLOUR = "DCE6F1"
_PERCENT = "0.00%"


def service_xlsx(report: ServiceReportTables, made_at_local: str) -> bytes:
    """One sheet per grouping, the asked one first; each with its totals row and the period it covers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor=_HEAD_FILL_COLOUR)
    book = Workbook()
    book.remove(book.active)
    book.properties.title = f"服务统计 {report.first} 至 {report.last}"
    satisfaction_col = len(headers("day"))
    for table in report.in_order():
        sheet = book.create_sheet(SHEETS[table.by])
        lines = _lines(table)
        for line in lines:
            sheet.append(line)
        for cell in sheet[1]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for cell in sheet[len(lines)]:
            cell.font = bold
        for row in sheet.iter_rows(min_row=2, min_col=satisfaction_col, max_col=satisfaction_col):
            row[0].number_format = _PERCENT
        sheet.append([])
        sheet.append([f"统计期间：{report.first} 至 {report.last}（按业务日，含首尾两日）；生成于 {made_at_local}"])
        sheet.freeze_panes = "C2"
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 30
        for column in range(3, satisfaction_col + 1):
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 12
        sheet.row_dimensions[1].height = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
