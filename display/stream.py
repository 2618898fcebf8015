"""The hall stream client: one WebSocket to the server, kept alive and resumed, feeding a
`HallBoard`. No Kivy here: it runs an asyncio loop in its own thread, and the screen reads the
board (under `lock`) and the `connected` / `stale` flags.

- The token travels in the Authorization header, so it never lands in access logs.
- Dead connections are found by the websockets library's ping frames (`ping_interval`,
  `ping_timeout`): a server that stops answering is dropped after a few seconds.
- After any drop it reconnects with exponential backoff (capped at `backoff_max`, half a second:
  the screens promise the server's true state within 2 s of it being back) and resumes with
  `?since=<last seq>`; the server then replays what was missed, or sends a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import orjson
import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from hall_common.vocabulary import REFUSED_CLOSE_CODES

from .board import BoardError, Call, HallBoard, SequenceGap

log = logging.getLogger("display.stream")



@dataclass(frozen=True)
class StreamOptions:
    ping_interval: float = 2.0
    ping_timeout: float = 2.0
    open_timeout: float = 2.0
    close_timeout: float = 1.0
    backoff_initial: float = 0.05
    backoff_max: float = 0.5  # a refused attempt costs a down server nothing
    refused_backoff: float = 10.0  # after 4401/4403: the token is wrong, don't hammer the server
    stale_after: float = 1.0  # disconnected this long: the screen marks its numbers as stale


def stream_url(server_url: str, hall: str, since: int | None = None) -> str:
    """ws(s)://host/api/v1/halls/{hall}/stream[?since=N] from the server's http(s) base URL."""
    parts = urlsplit(server_url.rstrip("/"))
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"server URL must be http(s)://host[:port], not {server_url!r}")
    path = f"{parts.path}/api/v1/halls/{quote(hall, safe='')}/stream"
    query = f"since={since}" if since is not None else ""
    return urlunsplit((scheme, parts.netloc, path, query, ""))


class StreamClient:
    """Keeps `board` in step with the hall. Callbacks run on the client's thread: keep them short
    (schedule work on the UI thread from them)."""

    def __init__(
        self,
        server_url: str,
        hall: str,
        token: str,
        *,
        options: StreamOptions | None = None,
        on_change: Callable[[HallBoard], None] | None = None,
        on_call: Callable[[Call], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        stream_url(server_url, hall)  # validate early: a bad URL is a config error, not a retry loop
        self.server_url = server_url
        self.hall = hall
        self._token = token
        self.options = options or StreamOptions()
        self.on_change = on_change
        self.on_call = on_call
        self.clock = clock
        self.board = HallBoard()
        self.lock = threading.Lock()  # guards `board`
        self.connected = False  # a connection is open and its first message has been applied
        self.last_error = ""
        self.connects = 0  # successful connections, for tests and the status line
        self._down_since = clock()
        self._want_snapshot = False
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self._ws: ClientConnection | None = None

    # -- state for the screen ------------------------------------------------------------------

    @property
    def stale(self) -> bool:
        """True when the numbers on screen may be out of date: no live connection for a while."""
        return not self.connected and self.clock() - self._down_since >= self.options.stale_after

    def read(self) -> HallBoard:
        with self.lock:
            return self.board.copy()

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run_thread, name="hall-stream", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stopping.set()
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._cancel_all)
        if self._thread is not None:
            self._thread.join(timeout)

    def _cancel_all(self) -> None:
        for task in asyncio.all_tasks():
            task.cancel()

    def _run_thread(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self.run())
        except asyncio.CancelledError:
            pass
        finally:
            self._loop.close()

    # -- the connection loop -------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, read, reconnect: until `stop()`."""
        delay = self.options.backoff_initial
        while not self._stopping.is_set():
            opened, refused = False, False
            try:
                opened, refused = await self._session()
            except asyncio.CancelledError:
                raise
            except (TimeoutError, OSError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
                self._note_error(exc)
                opened = self.connected
            except Exception as exc:  # never let the screen's feed die on a surprise
                log.exception("stream session failed")
                self._note_error(exc)
            self._set_down()
            if self._stopping.is_set():
                break
            if opened and not refused:
                delay = self.options.backoff_initial  # it worked a moment ago: retry at once
            wait = self.options.refused_backoff if refused else delay
            # Jitter so that a hall's screens do not all knock at the same instant.
            await asyncio.sleep(wait * random.uniform(0.8, 1.0))
            delay = min(self.options.backoff_max, delay * 2)

    async def _session(self) -> tuple[bool, bool]:
        """One connection: (whether it opened, whether the server refused the token)."""
        with self.lock:
            since = None if (self._want_snapshot or not self.board.synced) else self.board.seq
        url = stream_url(self.server_url, self.hall, since)
        opts = self.options
        async with connect(
            url,
            additional_headers={"Authorization": f"Bearer {self._token}"},
            open_timeout=opts.open_timeout,
            ping_interval=opts.ping_interval,
            ping_timeout=opts.ping_timeout,
            close_timeout=opts.close_timeout,
            max_size=8 * 1024 * 1024,  # a snapshot of a large hall
        ) as ws:
            self._ws = ws
            self._want_snapshot = False
            # Open: either a snapshot follows, or the replay of what we missed (maybe nothing).
            self._set_up(resumed=since is not None)
            try:
                async for raw in ws:
                    if not self._handle(raw):
                        return True, False  # resynchronise: reconnect
            except ConnectionClosed:
                if ws.close_code not in REFUSED_CLOSE_CODES:
                    raise
            finally:
                self._ws = None
            if ws.close_code in REFUSED_CLOSE_CODES:
                self.last_error = f"refused ({ws.close_code}): {ws.close_reason}"
                log.error("the server refused the display's token: %s", self.last_error)
                return True, True
        return True, False

    def _handle(self, raw: str | bytes) -> bool:
        """Apply one message; False when the connection must be replaced to resynchronise."""
        try:
            message: Any = orjson.loads(raw)
        except orjson.JSONDecodeError:
            log.warning("ignoring a stream message that is not JSON")
            return True
        now = self.clock()
        try:
            with self.lock:
                call = self.board.apply(message, now)
                board = self.board
        except SequenceGap as gap:
            log.warning("stream gap (%s): resuming", gap)
            return False
        except BoardError as exc:
            log.warning("bad stream message (%s): asking for a fresh snapshot", exc)
            self._want_snapshot = True
            return False
        if call is not None and self.on_call is not None:
            self._safely(self.on_call, call)
        if self.on_change is not None:
            self._safely(self.on_change, board)
        return True

    def _safely(self, callback: Callable[[Any], None], arg: Any) -> None:
        try:
            callback(arg)
        except Exception:
            log.exception("display callback failed")

    def _set_up(self, resumed: bool) -> None:
        self.connected = True
        self.connects += 1
        self.last_error = ""
        log.info("hall stream connected (%s)", f"resuming after {self.board.seq}" if resumed else "snapshot")
        if self.on_change is not None:
            self._safely(self.on_change, self.board)

    def _set_down(self) -> None:
        if self.connected:
            self.connected = False
            self._down_since = self.clock()
            log.warning("hall stream lost: %s", self.last_error or "closed")
            if self.on_change is not None:
                self._safely(self.on_change, self.board)

    def _note_error(self, exc: BaseException) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"[:200]
        log.debug("stream attempt failed: %s", self.last_error)

    # -- for tests -----------------------------------------------------------------------------

    def drop_connection(self) -> None:
        """Abort the current connection as a network failure would (tests, diagnostics)."""
        ws, loop = self._ws, self._loop
        if ws is not None and loop is not None:
            loop.call_soon_threadsafe(ws.transport.abort)


__all__ = ["StreamClient", "StreamOptions", "stream_url", "websockets"]
