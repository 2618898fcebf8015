"""A local HTTP receiver standing in for the provincial 好差评 interface. It records every record
it is sent (by id, so tests can tell "none lost" from "none twice") and answers as it is told,
failing in the ways a real endpoint does:

- ok: stored and acknowledged (a record stored before is acknowledged again and not stored
  twice, as a platform that deduplicates by record id / Idempotency-Key does);
- error: HTTP 500; malformed: 200 with an HTML gateway page; not_acked: 200 with a JSON reply
  without the acknowledgement (`{"status": "busy"}`);
- timeout: stored, then the reply comes after the client gave up (`timeout_sleep_s`);
- drop (or down): the connection closed without a reply;
- duplicate_ack: stored and acknowledged, the acknowledgement written twice on a kept-alive
  connection (the second arrives where the reply to the next request would);
- offline(): nobody listens on the port (connection refused) until back_online().

`script` lists the modes of the next requests, one each, before `mode` applies again.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from typing import Any

ACKNOWLEDGING = ("ok", "duplicate_ack")  # the modes whose acknowledgement reaches the client


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # a platform's listen backlog, not socketserver's 5

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (a time-out, a dropped kept-alive connection)


class Receiver:
    def __init__(self, *, id_field: str = "id", envelope: str = "record", ack: dict[str, Any] | None = None):
        self.id_field = id_field
        self.envelope = envelope
        self.ack = ack or {"status": "ok"}
        self.mode = "ok"
        self.script: list[str] = []
        self.timeout_sleep_s = 1.5
        self.received: list[dict[str, Any]] = []  # every request body that was read, as sent
        self.stored: Counter[str] = Counter()  # record id → times a request stored it (a re-send counts again)
        self.platform: dict[str, dict[str, Any]] = {}  # what the platform keeps: each id once, first copy
        self.order: list[str] = []  # ids in the order the platform first stored them
        self.acked: Counter[str] = Counter()  # record id → acknowledgements that reached the client
        self.requests = 0  # every POST, dropped ones included
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.server = self._listen(0)
        self.port = self.server.server_address[1]
        self.thread: threading.Thread | None = None

    def _listen(self, port: int) -> http.server.ThreadingHTTPServer:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests += 1
                    mode = receiver.script.pop(0) if receiver.script else receiver.mode
                if mode in ("down", "drop"):
                    self.close_connection = True
                    self.connection.close()
                    return
                body = json.loads(raw)
                record = body[receiver.envelope] if receiver.envelope else body
                record_id = str(record[receiver.id_field])
                with receiver.lock:
                    receiver.received.append(record)
                    receiver.headers.append(dict(self.headers))
                    if mode in ("ok", "timeout", "duplicate_ack"):
                        receiver.stored[record_id] += 1
                        if record_id not in receiver.platform:
                            receiver.platform[record_id] = record
                            receiver.order.append(record_id)
                if mode == "timeout":
                    time.sleep(receiver.timeout_sleep_s)
                status, payload = 200, json.dumps(receiver.ack).encode()
                if mode == "error":
                    status, payload = 500, b'{"error": "internal"}'
                elif mode == "malformed":
                    payload = b"<html>gateway</html>"
                elif mode == "not_acked":
                    payload = b'{"status": "busy"}'
                replies = 1
                if mode == "duplicate_ack":
                    self.protocol_version = "HTTP/1.1"  # keep the connection: the second ack waits on it
                    self.close_connection = False
                    replies = 2
                try:
                    for _ in range(replies):
                        self.send_response(status)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(payload)))
                        self.end_headers()
                        self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:  # the client gave up (a time-out)
                    return
                if mode in ACKNOWLEDGING:
                    with receiver.lock:
                        receiver.acked[record_id] += 1

        server = _Server(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        return server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hcp/evaluations"

    def start(self) -> Receiver:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def offline(self) -> None:
        """Nobody listens any more: connections are refused."""
        self.stop()

    def back_online(self) -> None:
        self.server = self._listen(self.port)
        self.start()

    def ids(self) -> list[str]:
        with self.lock:
            return [str(r[self.id_field]) for r in self.received]

    def reset(self, mode: str = "ok") -> None:
        with self.lock:
            self.mode, self.script = mode, []
            self.received.clear()
            self.stored.clear()
            self.platform.clear()
            self.order.clear()
            self.acked.clear()
            self.headers.clear()
            self.requests = 0
