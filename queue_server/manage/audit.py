"""The audit log viewer: who did what and when, filtered by kind (the action), person and time,
newest first, a page at a time or as a CSV file. Rows are written masked; anything in them
that still looks like a phone or identity number is masked again here, on the way out."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from hall_common.personal_data import scrub

from ..config import Hall
from ..core.errors import Invalid
from ..runtime import Runtime
from ..storage import schema as s

PAGE_MAX = 500
CSV_MAX = 50_000
CSV_COLUMNS = ("时间 Time", "操作人 Actor", "姓名 Name", "操作 Action", "对象 Target", "详情 Detail")


@dataclasses.dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None
    staff: str | None = None  # a staff member's or manager's id
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise Invalid("'since' is after 'until'", "开始时间不能晚于结束时间")


@dataclasses.dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor: str
    actor_name: str | None  # staff are public servants: their names may be shown
    action: str
    target: str
    detail: dict[str, Any]


def masked(value: Any) -> Any:
    """Every string inside, scrubbed of phone and identity numbers."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {str(k): masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    return value


def actor_name(hall: Hall, actor: str) -> str | None:
    kind, _, who = actor.partition(":")
    if kind in ("staff", "manager"):
        person = hall.person(who)
        return person.name if person else None
    device = next((d for d in hall.devices if d.id == who), None) if kind in ("kiosk", "display", "integration") else None
    return (device.name or device.id) if device else None


def _query(hall_id: str, where: AuditFilter, before_id: int | None, limit: int) -> Any:
    a = s.audit_log
    query = select(a).where(a.c.hall_id == hall_id)
    if where.action:
        query = query.where(a.c.action == where.action)
    if where.staff:
        query = query.where(a.c.actor.in_((f"staff:{where.staff}", f"manager:{where.staff}")))
    if where.since:
        query = query.where(a.c.at >= where.since)
    if where.until:
        query = query.where(a.c.at <= where.until)
    if before_id is not None:
        query = query.where(a.c.id < before_id)
    return query.order_by(a.c.id.desc()).limit(limit)


def _rows(conn: Connection, hall: Hall, query: Any) -> list[AuditRow]:
    return [
        AuditRow(r.id, r.at, scrub(r.actor), actor_name(hall, r.actor), r.action, scrub(r.target), masked(r.detail or {}))
        for r in conn.execute(query)
    ]


async def page(rt: Runtime, hall: Hall, where: AuditFilter, before_id: int | None, limit: int) -> tuple[list[AuditRow], int | None]:
    """(rows newest first, the `before_id` of the next page or None at the end)."""
    limit = max(1, min(limit, PAGE_MAX))
    rows = await rt.read(lambda conn: _rows(conn, hall, _query(hall.id, where, before_id, limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


async def csv_bytes(rt: Runtime, hall: Hall, where: AuditFilter) -> tuple[bytes, int]:
    """The filtered log as CSV (UTF-8 with a byte order mark, so Excel reads the Chinese), times
    in the hall's zone; at most CSV_MAX rows, newest first. (the file, its row count)"""
    rows = await rt.read(lambda conn: _rows(conn, hall, _query(hall.id, where, None, CSV_MAX)))
    return _csv(hall, rows), len(rows)


def _csv(hall: Hall, rows: Iterable[AuditRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        local = row.at.astimezone(hall.zone).strftime("%Y-%m-%d %H:%M:%S")
        detail = json.dumps(row.detail, ensure_ascii=False, sort_keys=True) if row.detail else ""
        writer.writerow([local, *(_cell(v) for v in (row.actor, row.actor_name or "", row.action, row.target, detail))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ first)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
