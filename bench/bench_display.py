"""Display benchmarks; prints figures, asserts nothing.

    .venv/bin/python bench/bench_display.py [--calls 200] [--restarts 5] [--size 1920x1080]

1. Call → screen: a real server and a real Kivy hall screen (offscreen, its own process). One
   staff member issues, calls and finishes tickets back to back; for each call-next the screen
   process stamps the moment its board applied the call (`model`, stream thread), the moment the
   view's labels hold the new number (`render`, UI thread) and the end of the next frame drawn
   (`drawn`: label textures rendered, GL frame swapped; offscreen, so no monitor refresh). Figures are from the HTTP response
   arriving at the caller (and from the request leaving it) to those stamps: same machine, same
   wall clock. The server publishes the event before it answers, so `model` can precede the
   response (negative values).
2. Server restart → true state: the server is SIGKILLed and restarted; from its /healthz
   answering to the screen being connected again, and to the screen showing a call made right
   after the restart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "display"))

from display_support import (  # noqa: E402
    DisplayProcess,
    Hall,
    ServerProcess,
    write_display_config,
    write_hall_config,
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def line(label: str, values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return (f"  {label:<38} p50 {percentile(ms, 50):7.1f} ms   p99 {percentile(ms, 99):7.1f} ms   "
            f"max {max(ms):7.1f} ms   mean {statistics.fmean(ms):7.1f} ms   (n={len(ms)})")


def call_once(hall: Hall) -> tuple[dict, float, float]:
    """Issue a ticket and call it at W01: (the called ticket, request time, response time)."""
    ticket = hall.issue("A")
    sent = time.time()
    called = hall.call_next("s001", "W01")
    answered = time.time()
    assert called is not None and called["number"] == ticket["number"]
    return called, sent, answered


def report(title: str, series: dict[str, list[float]]) -> None:
    print(title)
    for label, values in series.items():
        print(line(label, values))


def bench_calls(hall: Hall, screen: DisplayProcess, calls: int) -> None:
    hall.sign_in("s001", "W01")
    series: dict[str, list[float]] = {
        "HTTP call-next round trip": [],
        "response → board updated (model)": [],
        "response → view holds the number": [],
        "response → frame with it drawn": [],
        "request sent → frame with it drawn": [],
    }
    undrawn = 0
    for _ in range(calls):
        called, sent, answered = call_once(hall)
        stamps = [screen.next_event(kind, called["number"]) for kind in ("model", "render")]
        try:
            stamps.append(screen.next_event("drawn", called["number"], timeout=3.0))
        except RuntimeError:
            undrawn += 1  # no frame flip seen for it (counted, left out of the figures)
            stamps.append(float("nan"))
        values = [answered - sent, *(t - answered for t in stamps), stamps[2] - sent]
        for series_values, value in zip(series.values(), values):
            if value == value:  # not NaN
                series_values.append(value)
        hall.act(called["id"], "finish", staff="s001")
    report(f"call-next → screen, {calls} calls:", series)
    if undrawn:
        print(f"  ({undrawn} calls without an observed frame flip within 3 s)")


def bench_restarts(server: ServerProcess, hall: Hall, screen: DisplayProcess, restarts: int) -> None:
    to_connected, to_call = [], []
    for _ in range(restarts):
        before = screen.describe()["connects"]
        server.kill()
        screen.wait_for(lambda s: s["stale"], "the connection-lost mark")
        server.start()
        healthy = time.time()
        called, _, _ = call_once(hall)
        screen.wait_for(lambda s: s["connects"] > before and s["connected"], "reconnected", timeout=30)
        to_connected.append(time.time() - healthy)
        to_call.append(screen.next_event("drawn", called["number"], timeout=30) - healthy)
        hall.act(called["id"], "finish", staff="s001")
    report(f"server SIGKILL + restart → screen, {restarts} restarts:", {
        "healthz answers → screen connected*": to_connected,
        "healthz answers → post-restart call drawn": to_call,
    })
    print("  * polled every 50 ms after a first call, so up to ~100 ms late")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--mode", choices=["hall", "window"], default="hall", help="window: the W01 screen")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="bench-display-") as tmp_name:
        tmp = Path(tmp_name)
        server = ServerProcess(write_hall_config(tmp / "hall.toml", windows=20, staff=4), tmp / "data")
        server.start()
        hall = Hall(server)
        window = "W01" if args.mode == "window" else None
        config = write_display_config(tmp / "display.toml", server.port, width, height, window,
                                      highlight_seconds=5, page_seconds=8)
        screen = DisplayProcess(args.mode, config, window, trace=True)
        try:
            screen.wait_for(lambda s: s["connected"] and s["seq"] >= 0, "the screen")
            print(f"{args.mode} screen {width}x{height}, offscreen Kivy (Mesa llvmpipe), server on SQLite, "
                  f"same machine ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start)")
            bench_calls(hall, screen, args.calls)
            if args.restarts:
                bench_restarts(server, hall, screen, args.restarts)
        finally:
            screen.close()
            hall.close()
            server.stop()


if __name__ == "__main__":
    main()
