"""The manager's console API (docs/manager-console.md): `/api/v1/halls/{hall}/manage/…`, a
manager of the hall only (a clerk, a device or another hall's manager: 403; no token: 401).

The live hall's figures the stream does not carry, the effect of a tidal move before it is made,
pausing with a reason, signing a clerk out, alerts and their acknowledgement (and a WebSocket that
pushes them), the device board, the audit log (and its CSV) and the day's reservations. Tidal
moves and resuming use the existing routes (`PUT …/windows/{w}/queues`, `POST …/resume`)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from pydantic import AwareDatetime
from starlette.routing import Match

from ..config import Hall
from ..core.numbering import service_day
from ..events.frames import text_frame
from ..manage import actions, audit, devices, preview, reservations
from ..manage.alerting import OpenAlert
from ..manage.console import Console
from ..manage.live import LiveHall, QueueLive, WindowLive, live_hall, read_arrivals
from ..manage.messages import texts
from ..runtime import Runtime
from ..services.principals import Principal
from .deps import existing_window, get_runtime, require, the_hall, tokens
from .manage_models import (
    AckRequest,
    AlertsReply,
    AuditPageReply,
    ContextReply,
    DayReservationsReply,
    DeviceBoardReply,
    LiveHallReply,
    PauseRequest,
    TidalPreviewReply,
    TidalRequest,
    WindowActionReply,
)
from .replies import ERRORS
from .stream import Sink, serve


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    console = Console(app.state.runtime)
    console.start()
    app.state.console = console
    try:
        yield
    finally:
        await console.stop()


router = APIRouter(prefix="/api/v1/halls/{hall}/manage", tags=["manager console"], responses=ERRORS, lifespan=lifespan)
manager = require("manager")


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# -- the console ---------------------------------------------------------------------------------


@router.get("/context", response_model=ContextReply, summary="The hall, names and thresholds the console shows")
async def context(
    request: Request, who: Principal = Depends(manager), hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    limits = console_of(request).alerts.limits(hall.id)
    return {
        "hall": {"id": hall.id, "name": hall.name, "name_en": hall.name_en},
        "timezone": hall.timezone,
        "me": {"id": who.id, "name": who.name},
        "queues": [{"id": q.id, "name": q.name, "name_en": q.name_en} for q in hall.queues],
        "windows": [{"id": w.id, "name": w.name, "tags": list(w.tags)} for w in hall.windows],
        "staff": [{"id": p.id, "name": p.name, "role": p.role} for p in hall.staff],
        "queue_thresholds": [{"queue": q, **_plain(rule)} for q, rule in limits.queues.items()],
        "window_thresholds": [{"window": w, **_plain(rule)} for w, rule in limits.windows.items()],
        "device_stale_s": rt.config.server.device_stale_s,
        "links": {"evaluations": _evaluations_page(request, hall), "staff_console": f"/staff?hall={quote(hall.id)}"},
        "now": rt.now().isoformat(),
    }


def _plain(rule: Any) -> dict[str, int | None]:
    return dataclasses.asdict(rule)


EVALUATION_PAGES = ("/evaluations/cases", "/evaluations", "/cases")  # where the 好差评 page may be served


def _evaluations_page(request: Request, hall: Hall) -> str | None:
    """The 好差评 case page, when this server serves one (its routes answer a GET)."""
    for path in EVALUATION_PAGES:
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "query_string": b"", "headers": []}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.routes):
            return f"{path}?hall={quote(hall.id)}"
    return None


# -- live hall -----------------------------------------------------------------------------------


@router.get("/live", response_model=LiveHallReply, summary="Windows and queues with what the stream does not carry")
async def live(
    request: Request, who: Principal = Depends(manager), hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    state = rt.store.view(hall.id)
    now = rt.now()
    pauses = await console_of(request).pauses.for_state(state)
    arrivals = await rt.read(lambda conn: read_arrivals(conn, hall.id, state.service_day, now))
    return _live_json(live_hall(state, now, pauses, arrivals))


def _live_json(hall: LiveHall) -> dict[str, Any]:
    return {
        "seq": hall.seq,
        "now": hall.now.isoformat(),
        "service_day": hall.service_day.isoformat(),
        "windows": [_window_json(w) for w in hall.windows],
        "queues": [_queue_json(q, hall.now) for q in hall.queues],
    }


def _window_json(w: WindowLive) -> dict[str, Any]:
    current = w.current
    return {
        "id": w.id,
        "name": w.name,
        "status": w.status,
        "queues": list(w.queues),
        "policy": w.policy,
        "tags": list(w.tags),
        "staff": w.staff.as_dict() if w.staff else None,
        "current": {
            "number": current.number, "status": current.status.value, "queue": current.queue,
            "called_at": _iso(current.called_at), "started_at": _iso(current.started_at),
        } if current else None,
        "pause": {"since": w.pause.since.isoformat(), "reason": w.pause.reason, "by": w.pause.by} if w.pause else None,
    }


def _queue_json(q: QueueLive, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": q.id,
        "name": q.name,
        "name_en": q.name_en,
        "waiting": q.waiting,
        "oldest_issued_at": _iso(q.oldest_issued_at),
        "longest_wait_s": int((now - q.oldest_issued_at).total_seconds()) if q.oldest_issued_at else None,
        "estimated_wait_s": q.estimated_wait_s,
        "arrivals_30m": len(q.arrivals),
        "arrival_times": [t.isoformat() for t in q.arrivals],
        "windows": list(q.windows),
        "open_windows": q.open_windows,
    }


async def _window_now(request: Request, rt: Runtime, hall_id: str, window_id: str) -> dict[str, Any]:
    state = rt.store.view(hall_id)
    pauses = await console_of(request).pauses.for_state(state)
    found = next(w for w in live_hall(state, rt.now(), pauses).windows if w.id == window_id)
    return {"window": _window_json(found)}


# -- window controls -----------------------------------------------------------------------------


@router.post(
    "/windows/{window}/tidal-preview", response_model=TidalPreviewReply,
    summary="潮汐窗口: every queue's predicted wait if the window served these queues (nothing changes)",
)
async def tidal_preview(
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    window: str = Depends(existing_window),
    body: TidalRequest = Body(),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    found = preview.tidal_preview(rt.store.view(hall.id), window, body.queues, body.policy, rt.now())
    return {
        "window": found.window,
        "queues_before": list(found.queues_before),
        "queues_after": list(found.queues_after),
        "policy_after": found.policy_after,
        "effects": [
            {
                "queue": e.queue, "name": e.name, "waiting": e.waiting, "windows_before": e.windows_before,
                "windows_after": e.windows_after, "estimated_wait_before_s": e.estimated_wait_before_s,
                "estimated_wait_after_s": e.estimated_wait_after_s, "changed": e.changed,
            }
            for e in found.effects
        ],
    }


@router.post("/windows/{window}/pause", response_model=WindowActionReply, summary="Pause a window with a reason (audited)")
async def pause(
    request: Request,
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    window: str = Depends(existing_window),
    body: PauseRequest = Body(),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    await actions.pause(rt, hall.id, window, body.reason, who)
    return await _window_now(request, rt, hall.id, window)


@router.post("/windows/{window}/sign-out", response_model=WindowActionReply, summary="Sign the clerk out of a window (audited)")
async def sign_out(
    request: Request,
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    window: str = Depends(existing_window),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    await actions.sign_out(rt, hall.id, window, who)
    return await _window_now(request, rt, hall.id, window)


# -- alerts --------------------------------------------------------------------------------------


def alerts_json(console: Console, hall: Hall) -> dict[str, Any]:
    return {"type": "alerts", "alerts": [_alert_json(hall, a) for a in console.alerts.open_alerts(hall.id)]}


def _alert_json(hall: Hall, alert: OpenAlert) -> dict[str, Any]:
    text_zh, text_en = texts(hall, alert.alert)
    ack = alert.acknowledged
    return {
        "id": alert.id,
        "kind": alert.kind.value,
        "subject": alert.subject,
        "value": alert.value,
        "threshold": alert.threshold,
        "raised_at": alert.raised_at.isoformat(),
        "text_zh": text_zh,
        "text_en": text_en,
        "acknowledged": {"by": ack.by, "by_name": audit.actor_name(hall, ack.by), "at": ack.at.isoformat(), "note": ack.note}
        if ack else None,
    }


@router.get("/alerts", response_model=AlertsReply, summary="Open alerts (排队超时预警), newest first")
async def list_alerts(request: Request, who: Principal = Depends(manager), hall: Hall = Depends(the_hall)) -> dict[str, Any]:
    return alerts_json(console_of(request), hall)


@router.post("/alerts/{alert_id}/ack", response_model=AlertsReply, summary="Acknowledge an open alert (audited)")
async def acknowledge(
    request: Request,
    alert_id: int = Path(ge=1, le=2**62),
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    body: AckRequest | None = Body(default=None),
) -> dict[str, Any]:
    console = console_of(request)
    await console.alerts.acknowledge(hall.id, alert_id, body.note if body else "", who)
    return alerts_json(console, hall)


@router.websocket("/stream")
async def alert_stream(websocket: WebSocket, hall: str, token: str | None = None) -> None:
    """The open alerts as `{"type": "alerts", "alerts": […]}`: at once, then on every change.
    A manager token of the hall as `token` (or bearer header); refused with 4401 or 4403."""
    index = websocket.app.state.tokens
    who = await index.resolve(token) if token else None
    await websocket.accept()
    if who is None:
        await websocket.close(code=4401, reason="a valid token is needed")
        return
    found = websocket.app.state.runtime.config.hall(hall)
    if who.hall_id != hall or who.kind != "manager" or found is None:
        await websocket.close(code=4403, reason="a manager of this hall only")
        return
    console: Console = websocket.app.state.console
    sink = Sink(websocket)

    def push() -> None:
        payload = orjson.dumps(alerts_json(console, found))
        sink.write(text_frame(payload), payload.decode("utf-8"))

    unwatch = console.alerts.watch(hall, push)
    unrevoke = index.watch(who.token_sha256, sink.gone.set)
    expiry = asyncio.create_task(_until_token_ends(index, token or "", sink))
    try:
        await websocket.send_text(orjson.dumps(alerts_json(console, found)).decode("utf-8"))
        await serve(websocket, sink)
        if sink.gone.is_set():
            await websocket.close(code=4401, reason="the token ended")
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        expiry.cancel()
        unrevoke()
        unwatch()


async def _until_token_ends(index: Any, token: str, sink: Sink) -> None:
    while True:
        await asyncio.sleep(30)
        if await index.resolve(token) is None:
            sink.gone.set()
            return


# -- devices, audit log, reservations ------------------------------------------------------------


@router.get("/devices", response_model=DeviceBoardReply, summary="Every device: last health report, last seen, silent ones flagged")
async def device_board(
    request: Request, who: Principal = Depends(manager), hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    stale_s, found = await devices.board(rt, hall, tokens(request))
    return {
        "device_stale_s": stale_s,
        "now": rt.now().isoformat(),
        "devices": [
            {
                "id": d.id, "name": d.name, "kind": d.kind, "state": d.state, "flagged": d.flagged, "level": d.level,
                "last_report_at": _iso(d.last_report_at), "last_seen_at": _iso(d.last_seen_at),
                "silent_for_s": d.silent_for_s, "streams": d.streams, "components": list(d.components), "app": d.app,
            }
            for d in found
        ],
    }


async def audit_filter(
    action: str | None = Query(default=None, pattern=r"^[a-z_]{1,40}$", description="the audit action, e.g. pause, tidal"),
    staff: str | None = Query(default=None, pattern=r"^[A-Za-z0-9_-]{1,32}$", description="a staff member's or manager's id"),
    since: AwareDatetime | None = Query(default=None, description="ISO 8601 with offset"),
    until: AwareDatetime | None = Query(default=None, description="ISO 8601 with offset"),
) -> audit.AuditFilter:
    return audit.AuditFilter(action=action, staff=staff, since=since, until=until)


@router.get("/audit", response_model=AuditPageReply, summary="The audit log, newest first, filtered (personal data masked)")
async def audit_log(
    before_id: int | None = Query(default=None, ge=1, le=2**62),
    limit: int = Query(default=100, ge=1, le=audit.PAGE_MAX),
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    where: audit.AuditFilter = Depends(audit_filter),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    rows, next_before = await audit.page(rt, hall, where, before_id, limit)
    return {
        "rows": [
            {"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "actor_name": r.actor_name, "action": r.action,
             "target": r.target, "detail": r.detail}
            for r in rows
        ],
        "next_before_id": next_before,
    }


@router.get(
    "/audit.csv", summary="The filtered audit log as a CSV file (UTF-8 with BOM, up to 50,000 rows)",
    response_class=Response, responses={200: {"content": {"text/csv": {}}, "description": "the CSV file"}},
)
async def audit_csv(
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    where: audit.AuditFilter = Depends(audit_filter),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    body, count = await audit.csv_bytes(rt, hall, where)
    stamp = rt.now().astimezone(hall.zone).strftime("%Y%m%d-%H%M")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{hall.id}-{stamp}.csv"',
            "X-Row-Count": str(count),
            "Cache-Control": "no-store",
        },
    )


@router.get("/reservations", response_model=DayReservationsReply, summary="A day's reservations: slots, check-ins, no-shows (masked)")
async def day_reservations(
    day: dt.date | None = Query(default=None, description="YYYY-MM-DD; today by default"),
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    found = await reservations.for_day(rt, hall.id, day or service_day(rt.now(), hall.zone))
    return {"day": found.day.isoformat(), "counts": found.counts, "reservations": found.rows}
