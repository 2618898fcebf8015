"""Helpers for the display tests and the display bench: a real queue server in a subprocess (that
can be killed, frozen and restarted), a generated hall config, a small staff/kiosk HTTP client,
and a Kivy display in a subprocess driven over its stdin (see display_harness.py)."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.api import HallClient
from tests.support.halls import LOAD_GENERATOR_RATES, password_hash, token_for
from tests.support.servers import REPO
from tests.support.servers import ServerProcess as _ServerProcess

ARTIFACTS = REPO / "tests" / "artifacts"
HARNESS = Path(__file__).with_name("display_harness.py")
PYTHON = sys.executable
HALL = "test-hall"
DISPLAY_TOKEN = token_for(HALL, "screen-1")
QUEUES = (("A", "企业开办"), ("B", "不动产登记"), ("C", "社保医保"), ("D", "户政出入境"), ("K", "综合受理"))
STAFF_NAMES = ("王芳", "李强", "张敏", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴昊", "徐丽", "孙强")


def _env() -> dict[str, str]:  # for the display subprocesses
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def staff_id(i: int) -> str:
    return f"s{i:03d}"


def write_hall_config(path: Path, windows: int = 8, staff: int = 6, notice: str | None = None) -> Path:
    """A hall with five queues, `windows` windows (every staff member may work at every window)
    and a display and a kiosk token. Window W{i} serves one queue, round robin; the last window of
    a small hall is a comprehensive window serving all queues."""
    notice = notice if notice is not None else "请携带身份证原件，按叫号顺序到指定窗口办理。本厅提供帮办代办和绿色通道服务，咨询电话 0531-12345。"
    lines = [
        "[[halls]]",
        f'id = "{HALL}"',
        'name = "测试市政务服务中心"',
        'timezone = "Asia/Shanghai"',
        f"notice = {json.dumps(notice, ensure_ascii=False)}",
        "",
    ]
    for qid, qname in QUEUES:
        lines += ["  [[halls.queues]]", f'  id = "{qid}"', f'  name = "{qname}"', ""]
    window_ids = [f"W{i:02d}" if windows < 100 else f"W{i:03d}" for i in range(1, windows + 1)]
    for i, wid in enumerate(window_ids):
        qids = [QUEUES[i % (len(QUEUES) - 1)][0]]
        name = f"{i + 1}号窗口"
        if i == len(window_ids) - 1 and windows <= 12:
            qids, name = [q for q, _ in QUEUES], f"{i + 1}号综合窗口"
        lines += [
            "  [[halls.windows]]",
            f'  id = "{wid}"',
            f'  name = "{name}"',
            f"  queues = {json.dumps(qids)}",
            "",
        ]
    windows_json = json.dumps(window_ids)
    for i in range(1, staff + 1):
        lines += [
            "  [[halls.staff]]",
            f'  id = "{staff_id(i)}"',
            f'  name = "{STAFF_NAMES[(i - 1) % len(STAFF_NAMES)]}"',
            f'  password_hash = "{password_hash()}"',
            f"  windows = {windows_json}",
            "",
        ]
    for device, kind in (("screen-1", "display"), ("kiosk-1", "kiosk")):
        lines += [
            "  [[halls.devices]]",
            f'  id = "{device}"',
            f'  kind = "{kind}"',
            f'  token_sha256 = "{sha256(token_for(HALL, device))}"',
            *([LOAD_GENERATOR_RATES] if kind == "kiosk" else []),
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_display_config(path: Path, port: int, width: int, height: int, window: str | None = None, **screen: Any) -> Path:
    lines = [
        "[server]",
        f'url = "http://127.0.0.1:{port}"',
        f'hall = "{HALL}"',
        f'token = "{DISPLAY_TOKEN}"',
        "",
        "[screen]",
        f"width = {width}",
        f"height = {height}",
    ]
    if window:
        lines.append(f'window = "{window}"')
    for key, value in screen.items():
        lines.append(f"{key} = {json.dumps(value)}")
    lines += ["", "[connection]", "ping_interval = 1.0", "ping_timeout = 3.0", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class ServerProcess(_ServerProcess):
    """A real server that can also be frozen (SIGSTOP: the socket stays open, nothing answers)."""

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
        super().stop()


class Hall(HallClient):
    """The shared test client plus the window verbs the screens show."""

    def __init__(self, server: ServerProcess):
        super().__init__(server, HALL)

    def call_next(self, staff: str, window: str) -> dict[str, Any] | None:
        response = self.call(window, staff)
        assert response.status_code in (200, 204), response.text
        return None if response.status_code == 204 else response.json()

    def window_action(self, staff: str, window: str, verb: str) -> dict[str, Any]:
        response = self.http.post(self.path(f"/windows/{window}/{verb}"), headers=self.staff(staff))
        assert response.status_code == 200, response.text
        return response.json()

    def sign_in(self, staff: str, window: str) -> dict[str, Any]:
        return self.window_action(staff, window, "sign-in")

    def sign_out(self, staff: str, window: str) -> dict[str, Any]:
        return self.window_action(staff, window, "sign-out")

    def pause(self, staff: str, window: str) -> dict[str, Any]:
        return self.window_action(staff, window, "pause")

    def resume(self, staff: str, window: str) -> dict[str, Any]:
        return self.window_action(staff, window, "resume")


class DisplayProcess:
    """A Kivy display (offscreen) in a subprocess, driven through display_harness.py."""

    def __init__(self, mode: str, config: Path, window: str | None = None, trace: bool = False,
                 log_path: Path | None = None, env: dict[str, str] | None = None, harness: Path = HARNESS):
        env = {**_env(), **(env or {})}
        home = config.parent / f"kivy-home-{mode}-{window or 'hall'}"
        home.mkdir(exist_ok=True)
        env.update({"SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1", "KIVY_HOME": str(home)})
        # `harness` may be the harness of another checkout (the bench runs an older display's code:
        # the harness imports `display` from the tree it lies in).
        args = [PYTHON, str(harness), mode, "--config", str(config)]
        if window:
            args += ["--window", window]
        if trace:
            args.append("--trace")
        self.log_path = log_path or config.parent / f"display-{mode}-{window or 'hall'}.log"
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log, text=True, encoding="utf-8", bufsize=1)
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.request("describe", timeout=60.0)  # the window is up

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            start = line.find("@@ {")  # other output may share the line
            if start < 0:
                sys.stderr.write(line)
                continue
            message = json.loads(line[start + 3:])
            (self.replies if "reply" in message else self.events).put(message)

    def request(self, cmd: str, timeout: float = 30.0, **args: Any) -> dict[str, Any]:
        self._next_id += 1
        assert self.proc.stdin is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"display exited with {self.proc.returncode}:\n{self.log_tail()}")
        self.proc.stdin.write(json.dumps({"id": self._next_id, "cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        reply = self._take(self.replies, lambda r: r["reply"] == self._next_id, timeout, f"an answer to {cmd!r}")
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["result"]

    def next_event(self, kind: str, number: str, timeout: float = 10.0) -> float:
        """The time stamp of the trace event `kind` for ticket `number` (earlier ones are skipped)."""
        event = self._take(self.events, lambda e: (e.get("event"), e.get("number")) == (kind, number),
                           timeout, f"a {kind} event for {number}")
        return event["t"]

    def _take(self, source: queue.Queue, wanted: Callable[[dict[str, Any]], bool], timeout: float,
              what: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        passed: list[dict[str, Any]] = []
        while True:
            try:
                message = source.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"display sent no {what} (exit code {self.proc.poll()}, passed over: {passed[-5:]}):\n{self.log_tail()}") from None
            if wanted(message):
                return message
            passed.append(message)

    def describe(self) -> dict[str, Any]:
        return self.request("describe")

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], what: str, timeout: float = 30.0) -> dict[str, Any]:
        """Poll what the screen shows until `predicate` holds (a deadline, not a timing claim)."""
        deadline = time.monotonic() + timeout
        state = self.describe()
        while not predicate(state):
            if time.monotonic() > deadline:
                raise AssertionError(f"screen never showed {what}; it shows:\n{json.dumps(state, ensure_ascii=False, indent=1)}")
            time.sleep(0.05)
            state = self.describe()
        return state

    def screenshot(self, name: str) -> Path:
        path = artifact(name)
        self.request("screenshot", path=str(path))
        return path

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"id": 0, "cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def unpainted_pixels(path: Path) -> int:
    """Pure black pixels in a screenshot: the hall screen does not clear the window (its picture
    and notice strip paint every pixel), so these would be pixels nothing painted; the screens
    use no black."""
    from PIL import Image

    with Image.open(path) as image:
        colors = image.convert("RGB").getcolors(1 << 24) or []
    return sum(count for count, rgb in colors if rgb == (0, 0, 0))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
