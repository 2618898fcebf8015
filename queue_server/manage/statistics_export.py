"""统计分析 exports: one table of a report (rows by group, series by period, hours of the day) as
CSV (UTF-8 with a byte order mark, so Excel reads the Chinese) or as a real Excel workbook
(openpyxl). Called in a worker thread. A text cell starting with = + - @ is prefixed with ' so a
spreadsheet never runs it."""

from __future__ import annotations

import csv
import io
from typing import Any

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FIGURES: list[tuple[str, str, str]] = [
    ("issued", "取号数", "Issued"),
    ("served", "办结数", "Served"),
    ("no_show", "过号数", "No-shows"),
    ("transferred", "转移数", "Transferred"),
    ("cancelled", "取消数", "Cancelled"),
    ("expired", "过期数", "Expired"),
    ("wait_p50_s", "等待中位数(秒)", "Wait p50 (s)"),
    ("wait_p90_s", "等待P90(秒)", "Wait p90 (s)"),
    ("wait_max_s", "最长等待(秒)", "Wait max (s)"),
    ("handle_p50_s", "办理中位数(秒)", "Handling p50 (s)"),
    ("handle_p90_s", "办理P90(秒)", "Handling p90 (s)"),
    ("handle_max_s", "最长办理(秒)", "Handling max (s)"),
    ("no_show_rate", "过号率", "No-show rate"),
    ("checkin_rate", "预约签到率", "Check-in rate"),
    ("evaluations", "评价数", "Evaluations"),
    ("bad", "差评数", "Bad reviews"),
    ("bad_rate", "差评率", "Bad review rate"),
]
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "rows": [("key", "编号", "Key"), ("name", "名称", "Name"), *_FIGURES, ("utilisation", "窗口利用率", "Utilisation")],
    "series": [("label", "时段", "Period"), *_FIGURES],
    "hours": [("hour", "时", "Hour"), ("issued", "取号数", "Issued"), ("served", "办结数", "Served"),
              ("no_show", "过号数", "No-shows")],
}
RATES = {"no_show_rate", "checkin_rate", "bad_rate", "utilisation"}


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def table_rows(report: dict[str, Any], table: str, lang: str) -> tuple[list[str], list[list[Any]]]:
    columns = COLUMNS[table]
    header = [zh if lang == "zh" else en for _, zh, en in columns]
    rows = []
    for found in report[table]:
        row = []
        for name, _, _ in columns:
            value = found.get(name)
            if name == "name" and lang == "en":
                value = found.get("name_en") or value
            row.append(_safe(value))
        rows.append(row)
    return header, rows


def build(report: dict[str, Any], table: str, format: str, lang: str) -> tuple[bytes, str]:  # noqa: A002
    header, rows = table_rows(report, table, lang)
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = {"rows": "分组", "series": "时段", "hours": "时"}[table] if lang == "zh" else table
    hall = report["hall"]
    title = f"{hall['name']} {report['from']} – {report['to']}"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    names = [name for name, _, _ in COLUMNS[table]]
    for row in rows:
        sheet.append(row)
        for index, name in enumerate(names):
            if name in RATES and row[index] is not None:
                sheet.cell(row=sheet.max_row, column=index + 1).number_format = "0.0%"
    for index, label in enumerate(header):
        letter = sheet.cell(row=2, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(str(label)) * 2 + 2))
    sheet.freeze_panes = "A3"
    body = io.BytesIO()
    book.save(body)
    return body.getvalue(), XLSX
