"""Helpers for the kiosk tests. A real queue server in a subprocess (the demo hall plus a hall that is closed right now with
a green channel that needs identity), HTTP helpers on the server's side, and the runner that
plays a kiosk scenario in its own process (one Kivy window per process)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import httpx

from tests.support.servers import ServerProcess, free_port  # noqa: F401 (free_port re-exported)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
KIOSK_TOKEN = "demo-kiosk-1-token"
CLOSED_TOKEN = "closed-kiosk-token"
INTEGRATION_TOKEN = "demo-sd-reservation-token"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def closed_hall_toml(now: dt.datetime | None = None) -> str:
    """A hall whose only session today is later than now (or, late in the evening, was earlier)."""
    local = (now or dt.datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    if local.hour < 21:
        start, end = f"{local.hour + 2:02d}:00", f"{local.hour + 3:02d}:00"
    else:
        start, end = "00:00", "00:30"
    token_hash = hashlib.sha256(CLOSED_TOKEN.encode()).hexdigest()
    return f'''
[[halls]]
id = "closed-hall"
name = "测试便民服务中心"
name_en = "Test Service Centre"
timezone = "Asia/Shanghai"
green_policy = "identity"
supervision_phone = "0531-99999"

  [halls.hours]

  [[halls.hours.rules]]
  name = "每日"
  days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
  sessions = [["{start}", "{end}"]]

  [[halls.queues]]
  id = "A"
  name = "综合受理"
  name_en = "General"

  [[halls.items]]
  code = "TEST0001"
  name = "居住证明开具"
  queue = "A"

  [[halls.windows]]
  id = "W01"
  name = "1号窗口"
  queues = ["A"]

  [[halls.devices]]
  id = "kiosk-9"
  kind = "kiosk"
  token_sha256 = "{token_hash}"
'''


def write_server_config(directory: Path) -> Path:
    demo = (ROOT / "config" / "demo.toml").read_text(encoding="utf-8")
    catalogue = (ROOT / "config" / "catalogue" / "demo-items.csv").as_posix()
    demo = demo.replace('item_catalogue = "catalogue/demo-items.csv"', f'item_catalogue = "{catalogue}"')
    path = directory / "halls.toml"
    path.write_text(demo + "\n" + closed_hall_toml(), encoding="utf-8")
    return path


class Server(ServerProcess):
    """The kiosk tests' server: the demo hall and a closed hall (tests/support/servers.py runs it)."""

    def __init__(self, directory: Path, port: int | None = None):
        super().__init__(config=write_server_config(directory), data_dir=directory / "data",
                         **({"port": port} if port else {}))

    # -- the server's side of the story ---------------------------------------------------------
    def client(self, token: str = KIOSK_TOKEN) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def ticket(self, ticket_id: str, hall: str = "demo") -> dict:
        with self.client() as c:
            r = c.get(f"/api/v1/halls/{hall}/tickets/{ticket_id}")
            r.raise_for_status()
            return r.json()

    def staff_token(self, staff_id: str, password: str = "demo1234", hall: str = "demo") -> str:
        r = httpx.post(self.url + "/api/v1/auth/login", json={"hall": hall, "staff_id": staff_id, "password": password},
                       timeout=20)
        r.raise_for_status()
        return r.json()["token"]

    def devices(self) -> list[dict]:
        with self.client(self.staff_token("m001")) as c:
            r = c.get("/api/v1/halls/demo/devices")
            r.raise_for_status()
            return r.json()

    def reserve(self, queue: str, start: dt.datetime, minutes: int, id_number: str, external_id: str) -> dict:
        with self.client(INTEGRATION_TOKEN) as c:
            r = c.post("/api/v1/halls/demo/reservations", json={
                "queue": queue, "slot_start": start.isoformat(), "slot_end": (start + dt.timedelta(minutes=minutes)).isoformat(),
                "name": "张三", "id_number": id_number, "phone": "13800000000", "external_id": external_id})
            assert r.status_code in (200, 201), r.text
            return r.json()

    def issue(self, queue: str) -> dict:
        with self.client() as c:
            r = c.post("/api/v1/halls/demo/tickets", json={"queue": queue, "channel": "walkin"})
            assert r.status_code == 201, r.text
            return r.json()


def kiosk_toml(server_url: str, *, hall: str = "demo", token: str = KIOSK_TOKEN, orientation: str = "portrait",
               language: str = "zh", large: bool = False, devices: dict[str, str] | None = None,
               timeouts: dict[str, float] | None = None) -> str:
    devices = {"printer": "sim", "scanner": "sim", "card_reader": "sim", "idcard_reader": "sim"} if devices is None else devices
    lines = [f'server_url = "{server_url}"', f'hall = "{hall}"', f'token = "{token}"', 'device_id = "kiosk-1"',
             f'orientation = "{orientation}"', "fullscreen = false", f'language = "{language}"',
             f"large_text = {'true' if large else 'false'}", "", "[timeouts]"]
    base = {"reconnect_max_s": 1.0, "refresh_s": 5.0, "health_s": 30.0, "http_read_s": 5.0}
    base.update(timeouts or {})
    lines += [f"{k} = {v}" for k, v in base.items()]
    lines += ["", "[devices]"] + [f'{k} = "{v}"' for k, v in devices.items()]
    return "\n".join(lines) + "\n"


def run_scenario(tmp_path: Path, name: str, config_text: str, args: dict | None = None, *,
                 timeout: float = 240, background: bool = False, script: Path | None = None) -> Any:
    """Plays tests/kiosk/scenarios.py NAME (or another script built on it) in a fresh process with
    an offscreen Kivy window. Returns its JSON result (or the Popen when background=True)."""
    config = tmp_path / f"kiosk-{name}.toml"
    config.write_text(config_text, encoding="utf-8")
    result = tmp_path / f"result-{name}.json"
    args_file = tmp_path / f"args-{name}.json"
    args_file.write_text(json.dumps(args or {}), encoding="utf-8")
    kivy_home = tmp_path / "kivy-home"
    kivy_home.mkdir(exist_ok=True)
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1", "KIVY_HOME": str(kivy_home),
           "PYTHONPATH": str(ROOT), "KIVY_NO_CONSOLELOG": "1"}
    command = [PY, str(script or ROOT / "tests" / "kiosk" / "scenarios.py"), name, "--config", str(config), "--args",
               str(args_file), "--result", str(result), "--artifacts", str(ARTIFACTS)]
    log = tmp_path / f"scenario-{name}.log"
    if background:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, timeout=timeout)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, f"scenario {name} failed (exit {done.returncode}):\n{text[-6000:]}"
    return json.loads(result.read_text(encoding="utf-8"))



def valid_id(prefix17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return prefix17 + "10X98765432"[sum(int(d) * w for d, w in zip(prefix17, weights)) % 11]
