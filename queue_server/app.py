"""The ASGI application: routers, error handling, background duties (midnight rollover, event
pruning, systemd watchdog), and the web pages the server serves."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import Message, Scope

from hall_common.sd_notify import notify, watchdog_interval_s

from .api import (
    auth,
    devices,
    errors,
    evaluations,
    halls,
    identity,
    manage,
    replies,
    reservations,
    simulations,
    statistics,
    stream,
    tickets,
    track,
)
from .notify import start as start_notifications
from .runtime import Runtime
from .services import tickets as ticket_service
from .services.auth import TokenIndex
from .services.tracking import PositionCache
from .storage import repository

log = logging.getLogger("queue_server")
WEB = Path(__file__).parent / "web"
# A diagnostic for stalls in the field and for the test that keeps the loop free: with a number of
# milliseconds here, asyncio's debug mode logs every callback that holds the event loop longer
# ("Executing <Handle …> took 0.123 seconds", logger "asyncio", level WARNING).
SLOW_CALLBACK_ENV = "QUEUE_SERVER_SLOW_CALLBACK_MS"


def _watch_slow_callbacks(loop: asyncio.AbstractEventLoop) -> None:
    value = os.environ.get(SLOW_CALLBACK_ENV, "").strip()
    if not value:
        return
    try:
        threshold_ms = float(value)
    except ValueError:
        log.error("%s=%r is not a number of milliseconds; slow callbacks are not watched", SLOW_CALLBACK_ENV, value)
        return
    if threshold_ms <= 0:
        log.error("%s must be above 0; slow callbacks are not watched", SLOW_CALLBACK_ENV)
        return
    loop.set_debug(True)
    loop.slow_callback_duration = threshold_ms / 1000
    logging.getLogger("asyncio").setLevel(logging.WARNING)
    log.warning("watching the event loop: callbacks over %g ms are logged", threshold_ms)


def create_app(rt: Runtime) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt.loop = asyncio.get_running_loop()
        _watch_slow_callbacks(rt.loop)
        rt.hub.start()  # PostgreSQL: listen for the other server processes' events
        duties = [asyncio.create_task(_midnight(rt)), asyncio.create_task(_prune(rt))]
        interval = watchdog_interval_s()
        if interval:
            duties.append(asyncio.create_task(_watchdog(rt, interval)))
        notifier = start_notifications(rt)  # silent-call text messages
        # Everything loaded so far (modules, config, the halls' state) lives as long as the
        # process: kept out of the collector's full passes, which otherwise stall the event loop
        # and the writer together for ~80 ms every few seconds under load (bench_server p99).
        await _warm_up(app)
        gc.freeze()
        notify("READY=1\nSTATUS=accepting requests")
        try:
            yield
        finally:
            notify("STOPPING=1")
            await notifier.stop()
            for duty in duties:
                duty.cancel()
            await rt.hub.stop()

    app = FastAPI(
        title="Hall queue server",
        version="1.0",
        description="Queue calling and self-service for Shandong government service halls. "
        "CONTRACT.md is the public minimum; docs/api.md documents everything.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.tokens = TokenIndex(rt)
    app.state.positions = PositionCache(rt)
    errors.install(app)
    app.add_middleware(stream.CaptureTransport)
    for module in (auth, halls, tickets, reservations, devices, track, stream, identity, manage, simulations, evaluations, statistics):
        app.include_router(module.router)

    @app.get("/healthz", tags=["health"], response_model=replies.HealthzReply, summary="200 once the server accepts requests")
    async def healthz() -> JSONResponse:
        return JSONResponse({"ok": True, "halls": [h.id for h in rt.config.halls]})

    app.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)  # for monitors

    _mount_web(app)
    return app


async def _warm_up(app: FastAPI) -> None:
    """FastAPI prepares each route's matching state on the first request that reaches it (~100-230 ms
    for the whole table on this machine's cores), which would hold the event loop for the first
    kiosk or screen after a start. One request for a path no route takes, answered in-process before
    the server reports ready, walks every route once."""
    scope: Scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/.warm-up", "raw_path": b"/.warm-up", "query_string": b"", "root_path": "",
        "headers": [], "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    await app(scope, receive, send)


def _mount_web(app: FastAPI) -> None:
    """Web pages (staff console, screens, phone page) live in queue_server/web/<name>/ and
    register themselves through a `routes.py` with a `router`."""
    import importlib

    if not WEB.is_dir():
        return
    for page in sorted(p for p in WEB.iterdir() if (p / "routes.py").is_file()):
        module = importlib.import_module(f"queue_server.web.{page.name}.routes")
        app.include_router(module.router)


async def _midnight(rt: Runtime) -> None:
    """Roll every hall over to its new service day shortly after local midnight, so screens
    empty themselves and yesterday's tickets expire even if nobody takes a ticket."""
    while True:
        now = rt.now()
        waits = []
        for hall in rt.config.halls:
            local = now.astimezone(hall.zone)
            tomorrow = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0, 0, 1), hall.zone)
            waits.append((tomorrow - local).total_seconds())
        await asyncio.sleep(min(max(1.0, min(waits)), 3600))
        try:
            await ticket_service.roll_over_all(rt)
        except Exception:
            log.exception("day rollover failed; retrying in a minute")
            await asyncio.sleep(60)


async def _prune(rt: Runtime) -> None:
    keep = rt.config.server.event_retention
    while True:
        await asyncio.sleep(600)
        for hall in rt.config.halls:
            try:
                await rt.write(lambda tx, hall_id=hall.id: repository.prune_events(tx.conn, hall_id, keep))
            except Exception:
                log.exception("pruning events failed")


async def _watchdog(rt: Runtime, interval: float) -> None:
    """Ping systemd only while the writer still commits: a stuck writer stops the pings."""
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.wait_for(rt.write(lambda tx: None), timeout=interval)
        except Exception:
            log.error("writer did not answer; withholding the watchdog ping")
            continue
        notify("WATCHDOG=1")
