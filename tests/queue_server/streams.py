"""Small helpers for tests reading WebSocket streams (hall stream, tracking stream)."""

from __future__ import annotations

import json
from typing import Any

from tests.support.api import HallClient


def recv(ws: Any, timeout: float = 10) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def quiet(ws: Any, seconds: float = 0.5) -> bool:
    """True when nothing more arrives for `seconds`."""
    try:
        ws.recv(timeout=seconds)
    except TimeoutError:
        return True
    return False


def track_stream_url(client: HallClient, ticket: dict) -> str:
    """The tracking stream of a ticket, on the client's server."""
    return client.server.ws_url + ticket["track_url"].replace("?", "/stream?")
