"""The hall stream (CONTRACT §7): a snapshot or the missed events, then every event as it
commits. Events are encoded and framed once by the hub; here each subscriber's connection gets
the same bytes written straight to its transport, so a call reaches a thousand screens in one
pass of cheap writes. A client that stops reading is dropped (it reconnects with `since`), never
allowed to slow the others."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from hall_common.vocabulary import CloseCode

from ..core import views
from ..events.hub import Encoded

router = APIRouter(tags=["stream"])
log = logging.getLogger("queue_server.stream")

# A screen more than this far behind is not reading: drop it rather than buffer without end.
MAX_BUFFERED_BYTES = 1 << 20


class CaptureTransport:
    """ASGI middleware: remember a WebSocket connection's asyncio transport. The server's own
    `send` (before any framework wraps it) is a method of uvicorn's protocol, which holds it."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is not None and hasattr(transport, "write") and hasattr(transport, "get_write_buffer_size"):
                scope["queue_server.transport"] = transport
        await self.app(scope, receive, send)


def _transport_of(websocket: WebSocket) -> Any:
    """The connection's transport when CaptureTransport found it; None otherwise, and messages
    go through the ASGI send path (still correct, only slower)."""
    return websocket.scope.get("queue_server.transport")


class Sink:
    """One WebSocket's way out: pre-built frames written straight to its transport (or, without
    one, queued for the ASGI send path). A client that stops reading is dropped."""

    def __init__(self, websocket: WebSocket):
        self.websocket = websocket
        self.transport = _transport_of(websocket)
        self.outbox: asyncio.Queue[str] | None = None if self.transport else asyncio.Queue()
        self.gone = asyncio.Event()
        self.close_code: int | None = None  # set when the server ends the stream on purpose

    def write(self, frame: bytes, text: str) -> None:
        if self.gone.is_set():
            return
        if self.transport is None:
            assert self.outbox is not None
            self.outbox.put_nowait(text)
            return
        if self.transport.is_closing():
            self.gone.set()
            return
        if self.transport.get_write_buffer_size() > MAX_BUFFERED_BYTES:
            log.warning("dropping a stream client that stopped reading")
            self.gone.set()
            self.transport.abort()
            return
        self.transport.write(frame)


class StreamSubscriber(Sink):
    def __init__(self, websocket: WebSocket):
        super().__init__(websocket)
        self.after = 0
        self.pending: list[Encoded] | None = []  # events arriving while the start is being sent

    def revoke(self) -> None:
        """The token was logged out or expired: end the stream with 4401."""
        self.close_code = CloseCode.UNAUTHORISED
        self.gone.set()

    def resync(self) -> None:
        """Events were lost between server processes: end the stream with 1012 (service
        restart); the client reconnects and gets a snapshot."""
        self.close_code = CloseCode.START_AGAIN
        self.gone.set()

    def deliver(self, event: Encoded) -> None:
        if event.seq <= self.after or self.gone.is_set():
            return
        if self.pending is not None:
            self.pending.append(event)
            return
        self.after = event.seq
        self.write(event.frame, event.text)

    async def start(self, first: list[str]) -> None:
        for text in first:
            await self.websocket.send_text(text)
        # Whatever committed meanwhile, in order, then live delivery.
        pending, self.pending = self.pending or [], None
        for event in pending:
            self.deliver(event)


@router.websocket("/api/v1/halls/{hall}/stream")
async def hall_stream(websocket: WebSocket, hall: str, since: str | None = None, token: str | None = None) -> None:
    rt = websocket.app.state.runtime
    token = token or _bearer(websocket)
    who = await websocket.app.state.tokens.resolve(token) if token else None
    if who is None:
        await websocket.accept()
        await websocket.close(code=CloseCode.UNAUTHORISED, reason="a valid token is needed")
        return
    if who.hall_id != hall or not rt.store.has(hall):
        await websocket.accept()
        await websocket.close(code=CloseCode.FORBIDDEN, reason="this token belongs to another hall")
        return
    await websocket.accept()
    after = _parse_since(since)
    if after is not None and after > rt.hub.last_seq(hall):
        # Resuming here after another server process: catch up with it first.
        await rt.hub.sync(hall)
    tokens = websocket.app.state.tokens
    subscriber = StreamSubscriber(websocket)
    unsubscribe = rt.hub.subscribe(hall, subscriber)
    unwatch = tokens.watch(who.token_sha256, subscriber.revoke)
    expiry = asyncio.create_task(_end_when_token_ends(tokens, token, subscriber))
    try:
        first = _opening(rt, hall, since, subscriber)
        await subscriber.start(first)
        await serve(websocket, subscriber)
        if subscriber.close_code is not None:
            reason = "the token ended" if subscriber.close_code == CloseCode.UNAUTHORISED else "start again"
            await websocket.close(code=subscriber.close_code, reason=reason)
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        expiry.cancel()
        unwatch()
        unsubscribe()


TOKEN_RECHECK_S = 30.0


async def _end_when_token_ends(tokens: Any, token: str, subscriber: StreamSubscriber) -> None:
    """Staff tokens expire: a stream opened with one ends with it (checked every 30 s)."""
    while True:
        await asyncio.sleep(TOKEN_RECHECK_S)
        if await tokens.resolve(token) is None:
            subscriber.revoke()
            return


def _opening(rt: Any, hall: str, since: str | None, subscriber: StreamSubscriber) -> list[str]:
    """The first messages: the events after `since` when the hub still has them all, else a
    snapshot. Computed without awaiting, so nothing commits in between unseen."""
    after = _parse_since(since)
    if after is not None:
        replay = rt.hub.replay_after(hall, after)
        if replay is not None:
            subscriber.after = replay[-1].seq if replay else after
            return [e.text for e in replay]
    snapshot = views.snapshot(rt.store.view(hall))
    subscriber.after = snapshot["seq"]
    return [orjson.dumps(snapshot).decode("utf-8")]


def _parse_since(since: str | None) -> int | None:
    if since is None or not since.isdigit() or len(since) > 18:
        return None  # absent or not a sequence number: start from a snapshot
    return int(since)


def _bearer(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def serve(websocket: WebSocket, sink: Sink) -> None:
    """Until the client goes away or the sink is dropped; sends the outbox when there is one."""
    receiver = asyncio.create_task(_receive_until_closed(websocket))
    gone = asyncio.create_task(sink.gone.wait())
    tasks = {receiver, gone}
    if sink.outbox is not None:
        tasks.add(asyncio.create_task(_send_outbox(websocket, sink.outbox)))
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def _receive_until_closed(websocket: WebSocket) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _send_outbox(websocket: WebSocket, outbox: asyncio.Queue[str]) -> None:
    while True:
        await websocket.send_text(await outbox.get())
