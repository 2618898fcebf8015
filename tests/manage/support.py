"""What the manager's console tests share: halls whose alert thresholds are low enough for a test
to cross, a hall to look at (16 windows), and a webhook and SMS provider stand-in that records
what the server sends."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.halls import hall_toml, password_hash

HALLS = [f"mg{i:02d}" for i in range(1, 31)]
MANAGER_PHONE = "13912345678"
# Low thresholds: four waiting in a queue, a window paused for 3 s, one ticket at a window for 20 s.
ALERTS = """
[halls.alerts]
sms_to = ["{phone}"]
webhook_url = "{webhook}"
[halls.alerts.queue]
waiting = 4
[halls.alerts.queues.C]
waiting = 0
[halls.alerts.window]
paused_s = 3
serving_s = 20
"""


class Receiver:
    """An HTTP endpoint on 127.0.0.1 standing in for the SMS provider (/sms) and the alert
    webhook (/webhook): every JSON body it gets is kept, in order."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with receiver.lock:
                    receiver.bodies.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def received(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [body for where, body in self.bodies if where == path]


# A hall to look at: 16 windows and a clerk at each of the first twelve.
SHOW_HALL = "mgshow"
CLERKS = ["刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐涛", "孙悦", "马超", "朱琳", "胡军"]


def show_hall(extra: str) -> str:
    text = hall_toml(SHOW_HALL, windows=16, extra=extra, name="济南市政务服务中心")
    for index, name in enumerate(CLERKS, start=5):
        text += (
            f'[[halls.staff]]\nid = "c{index:02d}"\nname = "{name}"\npassword_hash = "{password_hash()}"\n'
            f'windows = ["W{index:02d}"]\n'
        )
    return text


def write_halls(path: Path, receiver: Receiver) -> Path:
    server = f"""[server]
device_stale_s = 60

[server.sms]
gateway = "http"
url = "{receiver.url('/sms')}"
timeout_s = 2
retries = 0

[server.sms.body_template]
mobile = "{{phone}}"
content = "{{text}}"

"""
    extra = ALERTS.format(phone=MANAGER_PHONE, webhook=receiver.url("/webhook"))
    halls = [hall_toml(h, extra=extra, name=f"测试政务服务中心 {h}") for h in HALLS]
    path.write_text(server + "".join(halls) + hall_toml("other") + show_hall(extra), encoding="utf-8")
    return path
