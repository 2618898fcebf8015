"""The device board: every device of the hall's config with its last health report (printer
paper and cover, card readers, camera, scanner, connection …), when it was last heard of, how
many hall streams it has open here, and a flag when it has gone silent.

Kiosks report their health every minute or so (and on every change); a device that reported
once but not within `[server] device_stale_s` is *silent*. Screens mostly only read the hall
stream, so an open stream counts as being heard of. The reservation platform (an integration)
reports nothing: its last reservation is when it was last seen, and it is never flagged."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from ..config import Hall
from ..runtime import Runtime
from ..services.auth import TokenIndex
from ..storage import schema as s


@dataclasses.dataclass(frozen=True, slots=True)
class DeviceState:
    id: str
    name: str
    kind: str
    state: str  # reporting, silent, never_reported, streaming (a screen with no report), not_reporting (integration)
    flagged: bool
    level: str | None  # the last report's worst level: ok, warning, error
    last_report_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    silent_for_s: int | None
    streams: int  # hall streams open with its token, in this server process
    components: tuple[dict[str, str], ...]
    app: dict[str, str]


async def board(rt: Runtime, hall: Hall, tokens: TokenIndex) -> tuple[int, list[DeviceState]]:
    """(the silence limit in seconds, every device in config order)."""
    now = rt.now()
    stale_s = rt.config.server.device_stale_s
    reports, last_reservation = await rt.read(lambda conn: _read(conn, hall.id))
    result = []
    for device in hall.devices:
        streams = tokens.watching(device.token_sha256)
        row = reports.get(device.id)
        report: dict[str, Any] = row.report if row is not None and isinstance(row.report, dict) else {}
        reported_at = row.reported_at if row is not None else None
        age = int((now - reported_at).total_seconds()) if reported_at else None
        if device.kind == "integration":
            state, flagged, seen = "not_reporting", False, last_reservation
        elif reported_at is not None and age is not None and age <= stale_s:
            state, flagged, seen = "reporting", False, reported_at
        elif streams:
            state, flagged, seen = "streaming", False, now
        elif reported_at is not None:
            state, flagged, seen = "silent", True, reported_at
        else:
            state, flagged, seen = "never_reported", True, None
        result.append(
            DeviceState(
                id=device.id,
                name=device.name or device.id,
                kind=device.kind,
                state=state,
                flagged=flagged,
                level=report.get("level") if reported_at else None,
                last_report_at=reported_at,
                last_seen_at=seen,
                silent_for_s=age if state == "silent" else None,
                streams=streams,
                components=tuple(_component(c) for c in report.get("components", ()) if isinstance(c, dict)),
                app={str(k): str(v) for k, v in (report.get("app") or {}).items()},
            )
        )
    return stale_s, result


def _component(component: dict[str, Any]) -> dict[str, str]:
    # Reports were scrubbed of phone and identity numbers when they came in (services/devices.py).
    return {key: str(component.get(key) or "") for key in ("name", "level", "message_zh", "message_en")}


def _read(conn: Connection, hall_id: str) -> tuple[dict[str, Any], dt.datetime | None]:
    reports = {r.device_id: r for r in conn.execute(select(s.device_reports).where(s.device_reports.c.hall_id == hall_id))}
    r = s.reservations
    last = conn.execute(select(func.max(r.c.updated_at)).where(r.c.hall_id == hall_id)).scalar()
    if last is not None and last.tzinfo is None:  # an aggregate comes back without the column's type
        last = last.replace(tzinfo=dt.UTC)
    return reports, last
