"""Following a ticket without a token (CONTRACT §6): JSON and a WebSocket for the phone page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect

from hall_common.vocabulary import CloseCode

from ..core.errors import NotFound, TooManyRequests
from ..security.request_limits import Limited
from ..services import tracking
from ..services.request_limits import limit_address
from .deps import runtime
from .lockouts import client_address
from .replies import ERRORS, TrackReply
from .stream import Sink, serve

router = APIRouter(prefix="/api/v1/track", tags=["tracking"], responses=ERRORS)


@router.get("/{ticket_id}", response_model=TrackReply, summary="A ticket's number, status, position, estimate and window")
async def track(request: Request, ticket_id: str, k: str | None = Query(default=None, max_length=64)) -> dict[str, Any]:
    rt = runtime(request)
    limit_address(rt, Limited.TRACK, client_address(request))
    hall_id, ticket = await tracking.find(rt, ticket_id, k)
    return tracking.content(rt, request.app.state.positions, hall_id, ticket)


def _followers(app: Any) -> tracking.Followers:
    followers = getattr(app.state, "followers", None)
    if followers is None:
        followers = app.state.followers = tracking.Followers(app.state.runtime, app.state.positions)
    return followers


@router.websocket("/{ticket_id}/stream")
async def track_stream(websocket: WebSocket, ticket_id: str, k: str | None = None) -> None:
    """The same object as the GET whenever it changes, first at once. Messages are built once
    per ticket and change, and written straight to the connection (see `tracking.Followers`)."""
    rt = websocket.app.state.runtime
    try:
        limit_address(rt, Limited.TRACK, client_address(websocket))
    except TooManyRequests:
        await websocket.accept()
        await websocket.close(code=CloseCode.TRY_AGAIN_LATER, reason="too many requests from this address")
        return
    try:
        hall_id, ticket = await tracking.find(rt, ticket_id, k)
    except NotFound:
        await websocket.accept()
        await websocket.close(code=CloseCode.NO_SUCH_TICKET, reason="no such ticket")
        return
    await websocket.accept()
    sink = Sink(websocket)
    unfollow = _followers(websocket.app).follow(hall_id, ticket, sink)
    try:
        await serve(websocket, sink)
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        unfollow()
