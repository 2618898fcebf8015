"""`python -m display hall|window [--window W01] --config FILE`"""

from __future__ import annotations

import argparse
import logging
import sys

from .settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m display", description="综合屏 / 窗口屏")
    parser.add_argument("mode", choices=["hall", "window"], help="hall screen or window screen")
    parser.add_argument("--config", required=True, help="display config (TOML), e.g. config/display-hall.toml")
    parser.add_argument("--window", help="window id for a window screen (overrides screen.window)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config, window=args.window)
    except SettingsError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    if args.mode == "window" and not settings.window:
        print("error: a window screen needs --window W or screen.window in the config", file=sys.stderr)
        return 2

    from .kivy_env import prepare

    prepare(settings.width, settings.height, settings.fullscreen)
    from .app import DisplayApp

    DisplayApp(settings, args.mode).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
