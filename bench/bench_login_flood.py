"""A flood of wrong staff logins against the clerk's call-next and a screen's call; prints figures,
asserts nothing.

    .venv/bin/python bench/bench_login_flood.py [--rate 20] [--calls 60] [--rounds 3]

One real server (SQLite) per login-limit setting, and in each, rounds that alternate *quiet* and
*flood* so both meet the same machine: a clerk calls and finishes `--calls` tickets back to back
(call-next latency over HTTP) while a hall screen's stream is open (call → arrival of its `call`
message at the screen). In a flood round a separate process sends `--rate` wrong-password logins
per second, open loop (one every 1/rate s whether answered or not), for made-up accounts and a real
one, from one address.

Settings:
- `default`: the shipped [server.login_limits] (5 failures/15 min lock an account, 10/min an
  address): after the first seconds the address is locked and each attempt is refused before any
  password check.
- `no-lockout`: limits raised out of reach (1000 failures), so every attempt that finds a free
  check slot costs an argon2 verification (~0.25 s CPU) in the worker thread; beyond
  `checks_waiting` (4) waiting they are answered 429 `login_busy` at once. This is the worst case
  an attacker with many addresses could force.

Client, flood and server share this machine's cores; the load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.halls import STAFF_PASSWORD, hall_toml, token_for  # noqa: E402
from tests.support.servers import ServerProcess  # noqa: E402

HALL = "flood"
SETTINGS = {
    "default": "",
    "no-lockout": """
[server.login_limits]
account = { failures = 1000, window_s = 60, lockout_s = 60 }
address = { failures = 1000, window_s = 60, lockout_s = 60 }
""",
}


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def _flood(url: str, rate: float, stop: multiprocessing.synchronize.Event, counts: multiprocessing.queues.Queue) -> None:  # type: ignore[name-defined]
    async def main() -> Counter[str]:
        seen: Counter[str] = Counter()
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=httpx.Limits(max_connections=200)) as http:
            async def one(index: int) -> None:
                staff_id = "s01" if index % 4 == 0 else f"x{index:05d}"
                try:
                    reply = await http.post("/api/v1/auth/login", json={"hall": HALL, "staff_id": staff_id, "password": f"wrong-{index}"})
                    seen[str(reply.status_code)] += 1
                except httpx.HTTPError as exc:
                    seen[type(exc).__name__] += 1

            tasks: list[asyncio.Task[None]] = []
            started = time.monotonic()
            index = 0
            while not stop.is_set():
                tasks.append(asyncio.create_task(one(index)))
                index += 1
                await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
            await asyncio.gather(*tasks)
        return seen

    counts.put(dict(asyncio.run(main())))


class Screen:
    """A hall screen's stream in a thread: the arrival time of every `call` message, by ticket number."""

    def __init__(self, server: ServerProcess):
        self.arrivals: dict[str, float] = {}
        self._stop = threading.Event()
        self._stack = contextlib.ExitStack()
        self._ws = self._stack.enter_context(connect(f"{server.ws_url}/api/v1/halls/{HALL}/stream?token={token_for(HALL, 'screen-1')}"))
        self._ws.recv(timeout=10)  # snapshot
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                raw = self._ws.recv(timeout=0.5)
            except TimeoutError:
                continue
            received = time.perf_counter()
            message = json.loads(raw)
            if message.get("type") == "call":
                self.arrivals[message["number"]] = received

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._stack.close()


def calls_round(server: ServerProcess, screen: Screen, staff: dict[str, str], calls: int) -> tuple[list[float], list[float]]:
    kiosk = {"Authorization": f"Bearer {token_for(HALL, 'kiosk-1')}"}
    call_ms: list[float] = []
    screen_ms: list[float] = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for _ in range(calls):
            assert http.post(f"/api/v1/halls/{HALL}/tickets", json={"queue": "C", "channel": "walkin"}, headers=kiosk).status_code == 201
        sent: dict[str, float] = {}
        for _ in range(calls):
            started = time.perf_counter()
            reply = http.post(f"/api/v1/halls/{HALL}/windows/W03/call-next", headers=staff)
            call_ms.append((time.perf_counter() - started) * 1000)
            assert reply.status_code == 200, reply.text
            ticket = reply.json()
            sent[ticket["number"]] = started
            http.post(f"/api/v1/halls/{HALL}/tickets/{ticket['id']}/actions", json={"action": "finish"}, headers=staff)
            time.sleep(0.05)
        time.sleep(1)
    screen_ms = [(screen.arrivals[n] - t) * 1000 for n, t in sent.items() if n in screen.arrivals]
    missing = len(sent) - len(screen_ms)
    if missing:
        print(f"  !! {missing} calls never reached the screen")
    return call_ms, screen_ms


def run_setting(name: str, limits: str, args: argparse.Namespace, workdir: Path) -> None:
    config = workdir / f"{name}.toml"
    config.write_text(limits + "\n" + hall_toml(HALL), encoding="utf-8")
    server = ServerProcess(config=config, data_dir=Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workdir))).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            token = http.post("/api/v1/auth/login", json={"hall": HALL, "staff_id": "s02", "password": STAFF_PASSWORD}).json()["token"]
            staff = {"Authorization": f"Bearer {token}"}
            assert http.post(f"/api/v1/halls/{HALL}/windows/W03/sign-in", headers=staff).status_code == 200
        screen = Screen(server)
        figures: dict[str, tuple[list[float], list[float]]] = {"quiet": ([], []), "flood": ([], [])}
        print(f"\n== {name}", flush=True)
        try:
            for round_index in range(args.rounds):
                for mode in ("quiet", "flood"):
                    stop = multiprocessing.Event()
                    counts: multiprocessing.Queue = multiprocessing.Queue()
                    flooder = None
                    if mode == "flood":
                        flooder = multiprocessing.Process(target=_flood, args=(server.url, args.rate, stop, counts))
                        flooder.start()
                        time.sleep(2)  # the flood under way (and, by default, the address locked)
                    call_ms, screen_ms = calls_round(server, screen, staff, args.calls)
                    answered = ""
                    if flooder is not None:
                        stop.set()
                        answered = "   flood answers " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.get(timeout=60).items()))
                        flooder.join(30)
                    figures[mode][0].extend(call_ms)
                    figures[mode][1].extend(screen_ms)
                    print(f"  round {round_index + 1} {mode:5}  call-next p50 {percentile(call_ms, 50):6.2f} p99 {percentile(call_ms, 99):6.2f} ms"
                          f"   screen p50 {percentile(screen_ms, 50):6.2f} p99 {percentile(screen_ms, 99):6.2f} ms   {load()}{answered}",
                          flush=True)
        finally:
            screen.close()
        for label, index in (("call-next", 0), ("call → screen", 1)):
            quiet, flood = figures["quiet"][index], figures["flood"][index]
            print(f"  {label:14} p99 quiet {percentile(quiet, 99):6.2f} ms, flood {percentile(flood, 99):6.2f} ms"
                  f"  (flood/quiet {percentile(flood, 99) / percentile(quiet, 99):.2f}×; p50 {percentile(flood, 50) / percentile(quiet, 50):.2f}×,"
                  f" {len(quiet)}+{len(flood)} calls)")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=20, help="wrong logins per second in a flood round")
    parser.add_argument("--calls", type=int, default=60, help="call-next per round")
    parser.add_argument("--rounds", type=int, default=3, help="quiet+flood pairs per setting")
    parser.add_argument("--settings", default=",".join(SETTINGS), help="which login-limit settings: " + ", ".join(SETTINGS))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {load()}; {args.rate:g} wrong logins/s, {args.calls} calls per round, {args.rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as workdir:
        for name in args.settings.split(","):
            run_setting(name, SETTINGS[name], args, Path(workdir))


if __name__ == "__main__":
    main()
