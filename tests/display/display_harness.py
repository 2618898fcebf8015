"""Runs a real display app (the same DisplayApp as `python -m display`) with a control channel for
tests and the bench: JSON commands on stdin, replies and trace events as `@@ {json}` lines on
stdout. Commands run on the UI thread: describe, screenshot {path[, page]}, page {n}, quit.
With --trace it prints `model` (the board applied a call, on the stream thread), `render` (the
view's labels hold it, UI thread) and `drawn` (the next frame, with it, is drawn) events with
wall-clock times for the bench."""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from display.kivy_env import prepare  # noqa: E402
from display.settings import load_settings  # noqa: E402

_out = threading.Lock()


def emit(message: dict) -> None:
    line = "@@ " + json.dumps(message, ensure_ascii=False) + "\n"
    with _out:
        sys.stdout.write(line)
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("--config", required=True)
    parser.add_argument("--window")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # stack dumps of a stuck screen
    logging.basicConfig(level=os.environ.get("DISPLAY_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings(args.config, window=args.window)
    prepare(settings.width, settings.height, settings.fullscreen)

    from kivy.clock import Clock
    from kivy.core.window import Window

    from display.app import DisplayApp

    app = DisplayApp(settings, args.mode)

    if args.trace:
        shown: dict[str, str] = {"number": ""}
        original_on_call = app.client.on_call

        def traced_call(call) -> None:
            emit({"event": "model", "number": call.number, "t": time.time()})
            if original_on_call:
                original_on_call(call)

        app.client.on_call = traced_call

        undrawn: list[str] = []

        def traced_render(board) -> None:
            number = board.latest.number if board.latest else ""
            if number != shown["number"]:
                shown["number"] = number
                emit({"event": "render", "number": number, "t": time.time()})
                undrawn.append(number)

        def traced_frame() -> None:
            # The frame that carries the new number has been drawn completely (label textures
            # included; the app waits for the renderer at the end of each frame).
            while undrawn:
                emit({"event": "drawn", "number": undrawn.pop(0), "t": time.time()})

        app.render_hooks.append(traced_render)
        app.frame_hooks.append(traced_frame)

    def run_command(message: dict) -> None:
        cmd = message.get("cmd")
        try:
            if cmd == "describe":
                result = app.describe()
            elif cmd == "screenshot":
                if "page" in message:
                    if app.page_timer is not None:
                        app.page_timer.cancel()  # hold the page for the picture
                    app.view.page = int(message["page"])
                app.refresh()
                # Labels redraw their text at the next frame: take the picture after it.
                Clock.schedule_once(lambda _dt: shoot(message), 0.3)
                return
            elif cmd == "page":
                app.view.page = int(message["n"])
                app.refresh()
                result = app.describe()
            elif cmd == "quit":
                app.stop()
                return
            else:
                raise ValueError(f"unknown command {cmd!r}")
            emit({"reply": message.get("id"), "result": result})
        except Exception as exc:  # reported to the test, which fails with it
            emit({"reply": message.get("id"), "error": f"{type(exc).__name__}: {exc}"})

    def shoot(message: dict) -> None:
        try:
            # The window's own last frame (what a person would see), not a re-render of the widgets.
            path = Path(message["path"])
            written = Window.screenshot(name=str(path))  # it adds a counter to the name
            Path(written).replace(path)
            emit({"reply": message.get("id"), "result": {"path": message["path"]}})
        except Exception as exc:
            emit({"reply": message.get("id"), "error": f"{type(exc).__name__}: {exc}"})

    def read_stdin() -> None:
        for line in sys.stdin:
            if line.strip():
                message = json.loads(line)
                Clock.schedule_once(lambda _dt, m=message: run_command(m), 0)
        Clock.schedule_once(lambda _dt: app.stop(), 0)  # the test went away

    threading.Thread(target=read_stdin, daemon=True).start()
    app.run()


if __name__ == "__main__":
    main()
