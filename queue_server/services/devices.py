"""Device health: kiosks and displays report; managers read the last report of each device."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hall_common.personal_data import scrub

from ..runtime import Runtime
from ..storage import schema as s
from ..storage.writer import WriteTx
from .principals import Principal

LEVELS = ("ok", "warning", "error")


def overall(components: list[dict[str, Any]]) -> str:
    worst = 0
    for component in components:
        worst = max(worst, LEVELS.index(component["level"]))
    return LEVELS[worst]


async def report(rt: Runtime, principal: Principal, components: list[dict[str, Any]], app: dict[str, Any]) -> dict[str, Any]:
    now = rt.now()
    clean = [
        {**c, "message_zh": scrub(c.get("message_zh", "")), "message_en": scrub(c.get("message_en", ""))}
        for c in components
    ]
    body = {"components": clean, "app": app, "level": overall(clean)}

    def job(tx: WriteTx) -> None:
        table = s.device_reports
        where = (table.c.hall_id == principal.hall_id) & (table.c.device_id == principal.id)
        updated = tx.conn.execute(update(table).where(where).values(reported_at=now, report=body, kind=principal.kind))
        if updated.rowcount == 0:
            tx.conn.execute(
                insert(table).values(
                    hall_id=principal.hall_id, device_id=principal.id, kind=principal.kind,
                    reported_at=now, report=body,
                )
            )

    await rt.write(job)
    return {"device": principal.id, "reported_at": now.isoformat(), **body}


async def list_devices(rt: Runtime, hall_id: str) -> list[dict[str, Any]]:
    hall = rt.config.hall(hall_id)
    assert hall is not None
    now = rt.now()
    stale = dt.timedelta(seconds=rt.config.server.device_stale_s)

    def read(conn: Connection) -> dict[str, Any]:
        rows = conn.execute(select(s.device_reports).where(s.device_reports.c.hall_id == hall_id))
        return {r.device_id: r for r in rows}

    reports = await rt.read(read)
    result = []
    for device in hall.devices:
        if device.kind == "integration":
            continue
        row = reports.get(device.id)
        if row is None:
            status, level, report_body, reported_at = "never_reported", "error", None, None
        else:
            reported_at = row.reported_at.isoformat()
            report_body = row.report
            if now - row.reported_at > stale:
                status, level = "unreachable", "error"
            else:
                status, level = "reporting", row.report.get("level", "ok")
        result.append(
            {
                "id": device.id,
                "name": device.name or device.id,
                "kind": device.kind,
                "status": status,  # reporting, unreachable (stopped reporting), never_reported
                "level": level,
                "last_report_at": reported_at,
                "report": report_body,
            }
        )
    return result
