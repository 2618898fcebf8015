"""Small pieces for the fake HTTP services the tests run on 127.0.0.1 (provincial platforms, SMS
gateways)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler


def send_json(handler: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
    """Answer with a JSON body; a client that already gave up (a timeout test) is not an error."""
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
    except OSError:
        pass
