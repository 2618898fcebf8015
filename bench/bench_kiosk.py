"""Kiosk figures (goals: cold start to the home screen < 5 s; a touch on "取号并打印" to the slip's
bytes at the (simulated) printer < 1 s).

    .venv/bin/python bench/bench_kiosk.py [--runs 3] [--tickets 20]

Starts a real queue server (config/demo.toml, a temporary database) and real kiosk processes with
an offscreen window:
- cold start, entry point: `python -m kiosk` spawned → READY=1 on NOTIFY_SOCKET (the home screen
  drawn, as systemd sees it);
- cold start, usable: process spawned → home screen with the hall's data and device health;
- touch → slip bytes: finger up on the print button → the ESC/POS bytes written to the sim printer
  (the ticket issued by the server in between), over many tickets.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kiosk_config(directory: Path, server_url: str) -> Path:
    path = directory / "kiosk.toml"
    path.write_text(f'''server_url = "{server_url}"
hall = "demo"
token = "demo-kiosk-1-token"
orientation = "portrait"
fullscreen = false

[devices]
printer = "sim"
scanner = "sim"
''', encoding="utf-8")
    return path


def child_env(directory: Path) -> dict[str, str]:
    home = directory / "kivy"
    home.mkdir(exist_ok=True)
    return {**os.environ, "PYTHONPATH": str(ROOT), "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(home),
            "KIVY_NO_ARGS": "1"}


def start_server(directory: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    catalogue = (ROOT / "config" / "catalogue" / "demo-items.csv").as_posix()
    config = directory / "demo.toml"
    config.write_text((ROOT / "config" / "demo.toml").read_text(encoding="utf-8").replace(
        'item_catalogue = "catalogue/demo-items.csv"', f'item_catalogue = "{catalogue}"'), encoding="utf-8")
    proc = subprocess.Popen([PY, "-m", "queue_server", "serve", "--config", str(config), "--data-dir",
                             str(directory / "data"), "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("queue server did not start")


def ready_time(config: Path, directory: Path) -> float:
    address = str(directory / f"notify-{time.monotonic_ns()}.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(60)
    started = time.monotonic()
    proc = subprocess.Popen([PY, "-m", "kiosk", "--config", str(config)], cwd=ROOT,
                            env={**child_env(directory), "NOTIFY_SOCKET": address},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while sock.recv(100) != b"READY=1":
            pass
        return time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait(20)
        sock.close()


def usable_time(config: Path, directory: Path) -> float:
    done = subprocess.run([PY, __file__, "--child", "usable", "--config", str(config), "--t0", repr(time.time())],
                          cwd=ROOT, env=child_env(directory), capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def touch_to_slip(config: Path, directory: Path, tickets: int) -> list[float]:
    done = subprocess.run([PY, __file__, "--child", "print", "--config", str(config), "--tickets", str(tickets)],
                          cwd=ROOT, env=child_env(directory), capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


# -- children (one Kivy window each) ---------------------------------------------------------------

def child_usable(config_path: str, t0: float) -> None:
    from kiosk.config import load
    from kiosk.testing import Driver

    driver = Driver(load(config_path))  # returns once home shows the hall's data and device health
    seconds = time.time() - t0
    driver.close()
    print(json.dumps({"seconds": seconds}))


def child_print(config_path: str, tickets: int) -> None:
    from kivy.tests.common import UnitTestTouch

    from kiosk.config import load
    from kiosk.flow import Screen
    from kiosk.testing import Driver

    driver = Driver(load(config_path))
    printer = driver.controller.devices.printer
    seconds = []
    for n in range(tickets):
        driver.tap("home.take")
        driver.tap("queue", "ABCK"[n % 4])
        button = driver.button("confirm.print")
        x, y = button.to_window(*button.center)
        jobs = len(printer.jobs)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        driver.pump(0.02)
        started = time.perf_counter()
        touch.touch_up()  # the finger leaves the button: the action starts here
        while len(printer.jobs) == jobs:
            driver.EventLoop.idle()
            if time.perf_counter() - started > 10:
                raise SystemExit("no slip within 10 s")
        seconds.append(driver.controller.last_print_bytes_at - started)
        driver.wait_screen(Screen.TICKET)
        driver.tap("ticket.done")
    driver.close()
    print(json.dumps({"seconds": seconds}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--child", choices=("usable", "print"))
    parser.add_argument("--config")
    parser.add_argument("--t0", type=float)
    args = parser.parse_args()
    if args.child == "usable":
        child_usable(args.config, args.t0)
        return 0
    if args.child == "print":
        child_print(args.config, args.tickets)
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        directory = Path(tmp)
        server, url = start_server(directory)
        try:
            config = kiosk_config(directory, url)
            ready = [ready_time(config, directory) for _ in range(args.runs)]
            usable = [usable_time(config, directory) for _ in range(args.runs)]
            printing = touch_to_slip(config, directory, args.tickets)
        finally:
            server.terminate()
            server.wait(20)

    def line(name: str, values: list[float], goal: float) -> None:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        verdict = "ok" if max(values) < goal else "OVER GOAL"
        print(f"{name:<44} n={len(values):<3} median {statistics.median(values) * 1000:7.0f} ms   "
              f"p95 {p95 * 1000:7.0f} ms   max {max(values) * 1000:7.0f} ms   goal < {goal:.0f} s: {verdict}")

    print(f"kiosk benchmark (portrait 1080x1920 offscreen, sim printer, {os.cpu_count()} CPUs)")
    line("cold start → READY=1 (home drawn)", ready, 5.0)
    line("cold start → home with hall data", usable, 5.0)
    line("touch 取号并打印 → slip bytes at printer", printing, 1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
