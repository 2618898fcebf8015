"""A local HTTP receiver standing in for the provincial 好差评 interface. It records every record
it is sent (by id, so tests can tell "none lost" from "none twice") and answers as it is told:
ok, 500, a time-out (it sleeps past the client's), a malformed body, or the ack twice."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from typing import Any


class Receiver:
    def __init__(self, *, id_field: str = "id", envelope: str = "record", ack: dict[str, Any] | None = None):
        self.id_field = id_field
        self.envelope = envelope
        self.ack = ack or {"status": "ok"}
        # ok (a record seen before is acknowledged again, as a platform that dedups does),
        # error (500), timeout, malformed, not_acked, down (the connection dropped)
        self.mode = "ok"
        self.timeout_sleep_s = 1.5
        self.received: list[dict[str, Any]] = []  # every request body, as sent
        self.stored: Counter[str] = Counter()  # record id → times stored (acknowledged or not)
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                mode = receiver.mode
                if mode == "down":
                    self.close_connection = True
                    self.connection.close()
                    return
                body = json.loads(raw)
                record = body[receiver.envelope] if receiver.envelope else body
                with receiver.lock:
                    receiver.received.append(record)
                    receiver.headers.append(dict(self.headers))
                    if mode in ("ok", "timeout"):
                        receiver.stored[str(record[receiver.id_field])] += 1
                if mode == "timeout":
                    time.sleep(receiver.timeout_sleep_s)
                status, payload = 200, json.dumps(receiver.ack).encode()
                if mode == "error":
                    status, payload = 500, b'{"error": "internal"}'
                elif mode == "malformed":
                    payload = b"<html>gateway</html>"
                elif mode == "not_acked":
                    payload = b'{"status": "busy"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hcp/evaluations"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        with self.lock:
            return [str(r[self.id_field]) for r in self.received]
