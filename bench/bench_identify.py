"""Identification at the server, one kiosk's requests one after another (a citizen waits on each):
the identification step per method, and the identified ticket after it. Prints p50/p99/max in ms
and the server's CPU time per request.

    .venv/bin/python bench/bench_identify.py [--n 200]

One server process on SQLite (synchronous=FULL), the demo 鲁通码 verifier and local face
templates; the face request carries a 640×480 JPEG of a real photo (skimage's astronaut) enrolled
beforehand. Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_server import percentile  # noqa: E402
from queue_server.identity.lutong import make_demo_code  # noqa: E402
from queue_server.security.keys import Keys  # noqa: E402
from tests.support.halls import STAFF_PASSWORD, hall_toml, token_for  # noqa: E402
from tests.support.servers import ServerProcess  # noqa: E402

HALL = "bench"
SERVER_TOML = """
[server.identity]
lutong = "demo"
face = "local"
sms_per_number = 100
sms_per_terminal = 10000

[server.sms]
gateway = "log"
"""
IDENTIFICATION = """
[halls.identification]
allow_typed_id_number = true
"""


def person(serial: int) -> str:
    first = f"370102{1950 + serial % 50}0101{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, weights)) % 11]


def face_jpeg() -> str:
    from PIL import Image
    from skimage import data

    canvas = Image.new("RGB", (640, 480), (110, 110, 110))
    photo = Image.fromarray(data.astronaut()).resize((360, 360))
    canvas.paste(photo, (140, 60))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=90)
    return base64.b64encode(out.getvalue()).decode()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(n: int, request: Callable[[int], httpx.Response], cpu: Callable[[], float]) -> dict[str, float]:
    latencies = []
    before = cpu()
    for i in range(n):
        start = time.perf_counter()
        response = request(i)
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            raise SystemExit(f"request {i} refused: {response.status_code} {response.text[:200]}")
    spent = (cpu() - before) * 1000 / n
    latencies.sort()
    return {"p50": statistics.median(latencies), "p99": percentile(latencies, 99), "max": latencies[-1],
            "cpu_ms": spent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "halls.toml"
        config.write_text(SERVER_TOML + hall_toml(HALL, extra=IDENTIFICATION, windows=4), encoding="utf-8")
        server = ServerProcess(config=config, data_dir=Path(tmp) / "data").start()
        try:
            run(server, n)
        finally:
            server.stop()


def run(server: ServerProcess, n: int) -> None:
    kiosk = {"Authorization": f"Bearer {token_for(HALL, 'kiosk-1')}"}
    path = f"/api/v1/halls/{HALL}"
    pid = server.process.pid
    cpu = lambda: cpu_seconds(pid)  # noqa: E731
    with httpx.Client(base_url=server.url, timeout=30) as http:
        login = http.post("/api/v1/auth/login", json={"hall": HALL, "staff_id": "s01", "password": STAFF_PASSWORD})
        staff = {"Authorization": f"Bearer {login.json()['token']}"}
        image = face_jpeg()
        face_id = person(999)
        enrolled = http.post(f"{path}/identity/face-templates", headers=staff,
                             json={"id_number": face_id, "name": "测试", "image_b64": image, "consent": True})
        assert enrolled.status_code == 201, enrolled.text
        keys = Keys.load_or_create(server.data_dir / "secret.key")
        now = dt.datetime.now(dt.UTC)
        codes = [make_demo_code(keys, person(i), "测试", now, 3600) for i in range(n)]

        def identify(body: dict[str, Any]) -> httpx.Response:
            return http.post(f"{path}/identify", headers=kiosk, json=body)

        sessions: list[str] = []

        def idcard(i: int) -> httpx.Response:
            response = identify({"method": "idcard", "id_number": person(i), "name": "测试"})
            sessions.append(response.json().get("identity", ""))
            return response

        figures = {
            "identify idcard": timed(n, idcard, cpu),
            "ticket with that identity": timed(
                n, lambda i: http.post(f"{path}/tickets", headers=kiosk,
                                       json={"queue": "AB"[i % 2], "channel": "card", "identity": sessions[i]}), cpu),
            "identify lutong (demo verifier)": timed(n, lambda i: identify({"method": "lutong", "qr": codes[i]}), cpu),
            "identify face (local template, 640x480 JPEG)": timed(
                max(10, n // 4), lambda i: identify({"method": "face", "id_number": face_id, "image_b64": image}), cpu),
            "sms-code send (log gateway)": timed(
                max(10, n // 4), lambda i: http.post(f"{path}/identify/sms-code", headers=kiosk,
                                                     json={"phone": f"1390000{i:04d}"}), cpu),
        }
    load = os.getloadavg()
    print(f"bench_identify: {n} requests per row, one at a time; load average {load[0]:.2f} {load[1]:.2f}")
    print(f"{'request':48s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'server CPU ms':>14s}")
    for name, f in figures.items():
        print(f"{name:48s} {f['p50']:8.1f} {f['p99']:8.1f} {f['max']:8.1f} {f['cpu_ms']:14.1f}")


if __name__ == "__main__":
    main()
