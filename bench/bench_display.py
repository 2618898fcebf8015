"""Display benchmarks; prints figures, asserts nothing.

    .venv/bin/python bench/bench_display.py [--modes hall,window] [--calls 100] [--restarts 10]
                                            [--size 1920x1080] [--compare REV]

1. Call → screen: a real server and a real Kivy screen (offscreen, its own process). One staff
   member issues, calls and finishes tickets back to back; for each call-next the screen process
   stamps the moment its board applied the call (`model`, stream thread), the moment the view
   holds the new number (`render`, UI thread) and the end of the next frame drawn (`drawn`: label
   textures rendered, GL frame swapped; offscreen, so no monitor refresh). Figures are from the
   HTTP response arriving at the caller (and from the request leaving it) to those stamps: same
   machine, same wall clock. The server publishes the event before it answers, so `model` can
   precede the response (negative values).
2. Server restart → true state (hall screen only): the server is SIGKILLed and restarted; right
   after its /healthz answers, the hall's state changes (a ticket taken in B, window W02 paused or
   resumed, then a call at W01, the last change). From /healthz answering to the screen's board
   holding that call (`model`: the stream client reconnected and resumed) and to the frame that
   shows it drawn (the screen shows the server's true state: everything before the call too).

`--compare REV` runs every part a second time with the display code of git revision REV (its
`display/`, `hardware/` and test harness, extracted to a temporary folder), one after the other in
the same run, and ends with a table of both.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "display"))

from display_support import (  # noqa: E402
    HARNESS,
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
    if not ms:
        return f"  {label:<44} (no values)"
    return (f"  {label:<44} p50 {percentile(ms, 50):7.1f} ms   p99 {percentile(ms, 99):7.1f} ms   "
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
    sys.stdout.flush()


def bench_calls(hall: Hall, screen: DisplayProcess, calls: int) -> dict[str, list[float]]:
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
    return series


def bench_restarts(server: ServerProcess, hall: Hall, screen: DisplayProcess, restarts: int) -> dict[str, list[float]]:
    to_model, to_drawn = [], []
    paused = False
    for _ in range(restarts):
        server.kill()
        screen.wait_for(lambda s: s["stale"], "the connection-lost mark")
        server.start()
        back = time.time()  # /healthz answered (start() polls it every 50 ms)
        # The state moves on at once, before the screen is back: the call is the last change.
        hall.issue("B")
        if paused:
            hall.resume("s002", "W02")
        else:
            hall.pause("s002", "W02")
        paused = not paused
        called, _, _ = call_once(hall)
        to_model.append(screen.next_event("model", called["number"], timeout=30) - back)
        to_drawn.append(screen.next_event("drawn", called["number"], timeout=30) - back)
        hall.act(called["id"], "finish", staff="s001")
    series = {
        "server back → board holds its state (model)": to_model,
        "server back → screen shows it (drawn)": to_drawn,
    }
    report(f"server SIGKILL + restart → hall screen, {restarts} restarts:", series)
    return series


def extract_display_code(rev: str, into: Path) -> Path:
    """The display code of git revision `rev` under `into`; returns that tree's test harness."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "display", "hardware", "tests/display/display_harness.py"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "tests" / "display" / "display_harness.py"


def run_mode(mode: str, harness: Path, args: argparse.Namespace, tmp: Path) -> dict[str, list[float]]:
    width, height = (int(v) for v in (args.size if mode == "hall" else args.window_size).split("x"))
    work = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=tmp))
    server = ServerProcess(write_hall_config(work / "hall.toml", windows=20, staff=4), work / "data")
    server.start()
    hall = Hall(server)
    window = "W01" if mode == "window" else None
    config = write_display_config(work / "display.toml", server.port, width, height, window,
                                  highlight_seconds=5, page_seconds=8)
    screen = DisplayProcess(mode, config, window, trace=True, harness=harness)
    results: dict[str, list[float]] = {}
    try:
        screen.wait_for(lambda s: s["connected"] and s["seq"] >= 0, "the screen")
        hall.sign_in("s001", "W01")
        hall.sign_in("s002", "W02")
        print(f"{mode} screen {width}x{height}, display code: {args.label[harness]}; offscreen Kivy (Mesa llvmpipe), "
              f"server on SQLite, same machine ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
        results.update(bench_calls(hall, screen, args.calls))
        if args.restarts and mode == "hall":
            results.update(bench_restarts(server, hall, screen, args.restarts))
        print()
    finally:
        screen.close()
        hall.close()
        server.stop()
    return results


def summary(runs: dict[tuple[str, str], dict[str, list[float]]], labels: list[str]) -> None:
    rows = [
        ("hall", "response → frame with it drawn", "call → hall frame drawn", (50, 99)),
        ("window", "response → frame with it drawn", "call → window frame drawn", (50, 99)),
        ("hall", "server back → board holds its state (model)", "restart: server back → board (model)", (50, 100)),
        ("hall", "server back → screen shows it (drawn)", "restart: server back → screen shows it", (50, 100)),
    ]
    print("summary, ms (p50 / p99, or p50 / max for restarts)")
    print("  " + " " * 40 + "".join(f"{label[:28]:>30}" for label in labels))
    for mode, key, title, (lo, hi) in rows:
        cells = []
        for label in labels:
            values = [v * 1000 for v in runs.get((mode, label), {}).get(key, [])]
            cells.append(f"{percentile(values, lo):.0f} / {percentile(values, hi):.0f}" if values else "-")
        if any(cell != "-" for cell in cells):
            print(f"  {title:<40}" + "".join(f"{cell:>30}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modes", default="hall,window", help="hall, window (the W01 screen) or both")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--size", default="1920x1080", help="the hall screen's size")
    parser.add_argument("--window-size", default="1280x400")
    parser.add_argument("--compare", metavar="REV", help="also run the display code of this git revision")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-display-") as tmp_name:
        tmp = Path(tmp_name)
        harnesses = [HARNESS]
        args.label = {HARNESS: "working tree"}
        if args.compare:
            old = extract_display_code(args.compare, tmp / "old")
            rev = subprocess.run(["git", "rev-parse", "--short", args.compare], cwd=REPO, check=True,
                                 capture_output=True, text=True).stdout.strip()
            args.label[old] = f"{args.compare} ({rev})"
            harnesses.insert(0, old)
        runs: dict[tuple[str, str], dict[str, list[float]]] = {}
        for mode in modes:
            for harness in harnesses:
                runs[(mode, args.label[harness])] = run_mode(mode, harness, args, tmp)
        summary(runs, [args.label[h] for h in harnesses])


if __name__ == "__main__":
    main()
