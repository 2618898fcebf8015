"""Following a ticket without a token (CONTRACT §6): JSON and a WebSocket for the phone page."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect

from ..core.errors import NotFound
from ..core.model import TERMINAL
from ..services import tracking
from ..storage import repository
from .deps import runtime

router = APIRouter(prefix="/api/v1/track", tags=["tracking"])


@router.get("/{ticket_id}", summary="A ticket's number, status, position, estimate and window")
async def track(request: Request, ticket_id: str, k: str | None = Query(default=None, max_length=64)) -> dict[str, Any]:
    rt = runtime(request)
    hall_id, ticket = await tracking.find(rt, ticket_id, k)
    return tracking.content(rt, request.app.state.positions, hall_id, ticket)


class _Wake:
    """Hub subscriber that only wakes the phone's sender; bursts of events coalesce."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def deliver(self, _encoded: object) -> None:
        self.event.set()


@router.websocket("/{ticket_id}/stream")
async def track_stream(websocket: WebSocket, ticket_id: str, k: str | None = None) -> None:
    rt = websocket.app.state.runtime
    positions = websocket.app.state.positions
    try:
        hall_id, ticket = await tracking.find(rt, ticket_id, k)
    except NotFound:
        await websocket.accept()
        await websocket.close(code=4404, reason="no such ticket")
        return
    await websocket.accept()
    wake = _Wake()
    unsubscribe = rt.hub.subscribe(hall_id, wake)
    receiver = asyncio.create_task(_drain(websocket))
    try:
        last: dict[str, Any] | None = None
        while True:
            if ticket.id not in rt.store.view(hall_id).tickets and ticket.status not in TERMINAL:
                # It left the live state (finished, cancelled, expired): read its final state once.
                stored = await rt.read(lambda conn: repository.load_ticket(conn, hall_id, ticket.id))
                if stored is not None:
                    ticket = stored
            body = tracking.content(rt, positions, hall_id, ticket)
            if body != last:
                await websocket.send_json(body)
                last = body
            waiter = asyncio.create_task(wake.event.wait())
            done, _ = await asyncio.wait({waiter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if receiver in done:
                waiter.cancel()
                return
            wake.event.clear()
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        unsubscribe()
        receiver.cancel()


async def _drain(websocket: WebSocket) -> None:
    """Read and ignore what the client sends, until it goes away."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return
