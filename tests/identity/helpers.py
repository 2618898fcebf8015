"""Helpers for the identification tests: a fake provincial platform (鲁通码, face, social security
card, SMS gateway) on 127.0.0.1 that checks request signatures and can answer well, refuse, time
out, fail or talk nonsense; identity numbers, photos and short verbs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy
from PIL import Image

from tests.support.api import HallClient
from tests.support.halls import hall_toml
from tests.support.http import send_json
from tests.support.servers import ServerProcess

APP_KEY = "hall-app"
APP_SECRET = "platform-secret-123"
HALLS = 24
IDENTIFICATION = """
[halls.identification]
required_queues = ["C"]
allow_typed_id_number = true
green_age = 70
max_tickets_per_person_per_day = 3
no_show_limit = 1
no_show_block_days = 30
"""


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def person_id(birth: str, serial: int) -> str:
    """A valid identity number born on YYYYMMDD (Jinan, Lixia district)."""
    first = f"370102{birth}{serial:03d}"
    return first + check_digit(first)


def midday_zone() -> str:
    """A fixed-offset zone where it is about noon now, so slots earlier 'today' have passed and
    the service day does not roll over during the tests."""
    offset = (12 - dt.datetime.now(dt.UTC).hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return f"Etc/GMT{-offset:+d}"


def write_identity_config(path: Path, server_toml: str, halls: int, extra: str = IDENTIFICATION) -> Path:
    """Halls i01.. with `extra`, and hall "gp" whose green channel needs an identity."""
    zone = midday_zone()
    tomls = [hall_toml(f"i{i:02d}", extra=extra) for i in range(1, halls + 1)]
    tomls.append(hall_toml("gp", extra='green_policy = "identity"\n' + extra))
    text = server_toml + "\n" + "\n".join(
        toml.replace('timezone = "Asia/Shanghai"', f'timezone = "{zone}"') for toml in tomls
    )
    path.write_text(text, encoding="utf-8")
    return path


def demo_server_toml(platform: Platform) -> str:
    """Demo 鲁通码, local face templates, the platform's social security card resolver and its SMS
    gateway."""
    return f"""
[server.identity]
lutong = "demo"
face = "local"
sscard_provincial = {platform.provincial("/sscard")}

[server.sms]
gateway = "http"
url = "{platform.url}/sms"
retries = 0
"""


class Platform:
    """The fake provincial platform. `mode[path]`: "ok", "timeout", "garbage", "500",
    ("refuse", code); `answers[path]`: a function of the request body giving `data`."""

    def __init__(self) -> None:
        self.mode: dict[str, Any] = {}
        self.answers: dict[str, Any] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.sms: list[dict[str, Any]] = []
        self.bad_signatures = 0
        platform = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                # For a kiosk scenario in another process: the latest SMS text sent to a phone.
                if self.path.startswith("/control/sms/"):
                    phone = self.path.rsplit("/", 1)[-1]
                    texts = [m["text"] for m in platform.sms if m.get("phone") == phone]
                    return self._send(200, json.dumps({"text": texts[-1] if texts else None}, ensure_ascii=False).encode())
                return self._send(404, b"{}")

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/control/mode":  # a scenario in another process sets a behaviour
                    request = json.loads(body)
                    mode = request["mode"]
                    platform.mode[request["path"]] = tuple(mode) if isinstance(mode, list) else mode
                    return self._send(200, b"{}")
                if self.path == "/sms":
                    platform.sms.append(json.loads(body))
                    return self._send(200, b"{}")
                canonical = "\n".join(
                    ["POST", self.path, self.headers.get("X-Timestamp", ""), self.headers.get("X-Nonce", ""),
                     hashlib.sha256(body).hexdigest()]
                )
                expected = hmac.new(APP_SECRET.encode(), canonical.encode(), hashlib.sha256).hexdigest()
                if self.headers.get("X-App-Key") != APP_KEY or not hmac.compare_digest(expected, self.headers.get("X-Signature", "")):
                    platform.bad_signatures += 1
                    return self._send(200, json.dumps({"code": 401, "message": "bad signature"}).encode())
                request = json.loads(body)
                platform.requests.append((self.path, request))
                mode = platform.mode.get(self.path, "ok")
                if mode == "timeout":
                    time.sleep(1.5)
                    return self._send(200, b'{"code": 0, "data": {}}')
                if mode == "garbage":
                    return self._send(200, b"<html>gateway error</html>")
                if mode == "500":
                    return self._send(500, b"oops")
                if isinstance(mode, tuple):
                    return self._send(200, json.dumps({"code": mode[1], "message": "refused"}).encode())
                data = platform.answers[self.path](request)
                return self._send(200, json.dumps({"code": 0, "data": data}, ensure_ascii=False).encode())

            def _send(self, status: int, payload: bytes) -> None:
                send_json(self, status, payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def provincial(self, path: str) -> str:
        return (
            f'{{ url = "{self.url}{path}", app_key = "{APP_KEY}", app_secret = "{APP_SECRET}", '
            "timeout_s = 0.5, retries = 1 }"
        )

    def stop(self) -> None:
        self.server.shutdown()


# -- helpers ----------------------------------------------------------------------------------------


def identify(hall: HallClient, expect: int = 200, **body: Any) -> dict[str, Any]:
    response = hall.http.post(hall.path("/identify"), json=body, headers=hall.kiosk)
    assert response.status_code == expect, response.text
    return response.json()


def take(hall: HallClient, expect: int = 201, **body: Any) -> dict[str, Any]:
    response = hall.http.post(hall.path("/tickets"), json={"queue": "A", "channel": "walkin", **body}, headers=hall.kiosk)
    assert response.status_code == expect, response.text
    return response.json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert body["message_zh"] and not body["message_zh"].isascii(), body  # a message a citizen reads
    return body


def jpeg(image: np.ndarray) -> str:
    import base64

    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=92)
    return base64.b64encode(out.getvalue()).decode()


def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


def grace_hopper() -> np.ndarray:
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        return np.asarray(Image.open(handle).convert("RGB"))


def altered(image: np.ndarray) -> np.ndarray:
    """The same person in another picture: brighter, slightly blurred and shifted."""
    from PIL import ImageEnhance, ImageFilter

    picture = Image.fromarray(image)
    picture = ImageEnhance.Brightness(picture).enhance(1.15).filter(ImageFilter.GaussianBlur(1.0))
    return np.asarray(picture.crop((6, 4, picture.width - 2, picture.height)))


def db(server: ServerProcess) -> sqlalchemy.Engine:
    """The server's own database (SQLite file or PostgreSQL), for checks the API does not show."""
    return sqlalchemy.create_engine(server.database_url or f"sqlite:///{server.data_dir / 'queue.sqlite3'}")


def keys_of(server: ServerProcess):  # type: ignore[no-untyped-def]
    from queue_server.security.keys import Keys

    return Keys.load_or_create(server.data_dir / "secret.key")
