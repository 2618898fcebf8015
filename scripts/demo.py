"""The demo: the queue server on SQLite with the demo hall, a kiosk and a hall screen on simulated
hardware, a little activity so the screens are not empty, and the addresses to open.

Run it through `bash scripts/demo.sh` (which installs what is missing first). Ctrl-C stops all.
Without a display (no $DISPLAY / $WAYLAND_DISPLAY) the Kivy apps cannot open windows: the server
and its web pages run, the kiosk and hall screen are rendered once offscreen into data/demo/, and
the script says where to look.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data" / "demo"
PY = sys.executable
HALL = "demo"
KIOSK_TOKEN = "demo-kiosk-1-token"
SCREEN_TOKEN = "demo-screen-hall-token"
WINDOW_SCREEN_TOKEN = "demo-screen-w01-token"
EVALUATOR_TOKEN = "demo-evaluator-w01-token"


def free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"demo: the server exited ({process.returncode}); see {DATA / 'server.log'}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("demo: the server did not start in time")


def seed_activity(base: str) -> str | None:
    """A few tickets and one call, so the screens show something. Returns a phone-page URL."""
    with httpx.Client(base_url=base, timeout=10) as http:
        kiosk = {"Authorization": f"Bearer {KIOSK_TOKEN}"}
        queues = [q["id"] for q in http.get(f"/api/v1/halls/{HALL}/queues", headers=kiosk).json()]
        phone_url = None
        for index in range(6):
            response = http.post(
                f"/api/v1/halls/{HALL}/tickets",
                json={"queue": queues[index % len(queues)], "channel": "walkin"},
                headers=kiosk,
            )
            if response.status_code == 201:
                phone_url = base + response.json()["phone_url"]
        login = http.post("/api/v1/auth/login", json={"hall": HALL, "staff_id": "s001", "password": "demo1234"})
        if login.status_code == 200:
            staff = {"Authorization": f"Bearer {login.json()['token']}"}
            http.post(f"/api/v1/halls/{HALL}/windows/W01/call-next", headers=staff)
        return phone_url


def demo_lutong_code() -> Path | None:
    """A 鲁通码 of a made-up citizen, valid for an hour, as a PNG to show to the kiosk's camera or a
    scanner (docs/identity.md); the server's key signs it, so only this demo server accepts it."""
    png = DATA / "lutong-demo.png"
    made = subprocess.run(
        [PY, "-m", "queue_server", "demo-lutong", "--config", str(REPO / "config" / "demo.toml"), "--hall", HALL,
         "--id-number", "37010219480506001X", "--name", "王建国", "--valid-s", "3600", "--png", str(png),
         "--data-dir", str(DATA)], cwd=REPO, capture_output=True, text=True)
    return png if made.returncode == 0 and png.exists() else None


def local_config(source: Path, base: str, workdir: Path) -> Path:
    """The kiosk's and screen's demo configs point at port 8000; point them at this server."""
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"http://127\.0\.0\.1:\d+", base, text)
    text = re.sub(r"(?m)^fullscreen\s*=\s*true", "fullscreen = false", text)
    target = workdir / source.name
    target.write_text(text, encoding="utf-8")
    return target


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    port = free_port(int(os.environ.get("DEMO_PORT", "8000")))
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children: list[subprocess.Popen] = []
    with open(DATA / "server.log", "ab") as log:
        server = subprocess.Popen(
            [PY, "-m", "queue_server", "serve", "--config", str(REPO / "config" / "demo.toml"),
             "--data-dir", str(DATA), "--port", str(port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    children.append(server)

    def stop(*_: object) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    wait_healthy(base, server)
    phone_url = seed_activity(base)
    workdir = Path(tempfile.mkdtemp(prefix="demo-"))
    kiosk_config = local_config(REPO / "config" / "kiosk-demo.toml", base, workdir)
    screen_config = local_config(REPO / "config" / "display-hall.toml", base, workdir)
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    lines = [
        "",
        "演示已启动 / the demo is running",
        f"  staff console (窗口工作台):  {base}/staff?hall={HALL}   staff s001 … s005, manager m001, password demo1234",
        f"  manager console (大厅管理):  {base}/manage?hall={HALL}   manager m001, password demo1234",
        f"  hall screen in a browser:   {base}/screen/hall?hall={HALL}&token={SCREEN_TOKEN}",
        f"  window screen in a browser: {base}/screen/window/W01?hall={HALL}&token={WINDOW_SCREEN_TOKEN}",
        f"  window evaluator (评价器):   {base}/evaluate/window/W01?hall={HALL}&token={EVALUATOR_TOKEN}",
        f"  差评 cases (差评整改):       {base}/cases?hall={HALL}   manager m001, password demo1234",
    ]
    if phone_url:
        lines.append(f"  a ticket on a phone:        {phone_url}")
    lines += [f"  API reference:              {base}/docs", f"  server log:                 {DATA / 'server.log'}"]
    lutong = demo_lutong_code()
    lines += ["  identification at the kiosk (取号 → a queue → 其他取号方式):",
              "    身份证/社保卡: the 演示 button lays a sample card on the simulated reader;",
              "    无卡取号 → 手机验证码: the code is written to the server log (demo SMS gateway)"]
    if lutong:
        lines.append(f"    鲁通码 of a citizen aged 78, valid 1 h: {lutong} (show it to a camera or scanner)")
    if has_display:
        for command in (
            [PY, "-m", "display", "hall", "--config", str(screen_config)],
            [PY, "-m", "kiosk", "--config", str(kiosk_config)],
        ):
            children.append(subprocess.Popen(command, cwd=REPO, env=env))
        lines.append("  the kiosk and the hall screen (simulated devices) are open in their own windows")
    else:
        shots = render_offscreen(kiosk_config, screen_config, env)
        lines.append("  no display here: the kiosk and the hall screen cannot open windows.")
        for shot in shots:
            lines.append(f"  rendered offscreen: {shot}")
        lines.append(f"  on a desktop: {PY} -m kiosk --config {kiosk_config}")
        lines.append(f"                {PY} -m display hall --config {screen_config}")
    lines.append("Ctrl-C stops everything.")
    print("\n".join(lines), flush=True)
    while True:
        if server.poll() is not None:
            print(f"demo: the server stopped ({server.returncode}); see {DATA / 'server.log'}", file=sys.stderr)
            stop()
        time.sleep(1)


def render_offscreen(kiosk_config: Path, screen_config: Path, env: dict[str, str]) -> list[Path]:
    """One screenshot of each Kivy app, drawn with SDL's offscreen driver."""
    shots = []
    for name, module, args in (
        ("kiosk-home.png", "kiosk.screenshot", ["--config", str(kiosk_config)]),
        ("hall-screen.png", "display.screenshot", ["hall", "--config", str(screen_config)]),
    ):
        target = DATA / name
        kivy_home = tempfile.mkdtemp(prefix="kivy-")
        result = subprocess.run(
            [PY, "-m", module, *args, "--out", str(target)],
            cwd=REPO, capture_output=True, text=True, timeout=120,
            env={**env, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1", "KIVY_HOME": kivy_home},
        )
        if result.returncode == 0 and target.exists():
            shots.append(target)
    return shots


if __name__ == "__main__":
    sys.exit(main())
