"""`python -m display.screenshot hall|window --config FILE --out PNG [--window W]`: run the screen
until it shows the server's state, save one picture of it, exit (0 when saved). For the demo on a
machine without a display (SDL_VIDEODRIVER=offscreen) and for installers checking a config."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .kivy_env import prepare
from .settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m display.screenshot")
    parser.add_argument("mode", choices=["hall", "window"])
    parser.add_argument("--config", required=True)
    parser.add_argument("--window")
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config, window=args.window)
    except SettingsError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    prepare(settings.width, settings.height, False)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from .app import DisplayApp

    app = DisplayApp(settings, args.mode)
    out = Path(args.out)
    started = time.monotonic()
    result = {"saved": False}

    def poll(_dt: float) -> bool:
        if app.client.board.snapshots and app.client.connected:
            app.refresh()
            Clock.schedule_once(shoot, 0.5)  # labels redraw at the next frame
            return False
        if time.monotonic() - started > args.timeout:
            print("error: no state from the server in time", file=sys.stderr)
            app.stop()
            return False
        return True

    def shoot(_dt: float) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        written = Window.screenshot(name=str(out))  # Kivy adds a counter to the name
        Path(written).replace(out)
        result["saved"] = True
        app.stop()

    Clock.schedule_interval(poll, 0.2)
    app.run()
    return 0 if result["saved"] else 1


if __name__ == "__main__":
    sys.exit(main())
