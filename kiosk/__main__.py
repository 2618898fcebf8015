"""`python -m kiosk --config FILE` runs the kiosk; `python -m kiosk selftest --config FILE` checks
the server, every device and prints a test slip, exiting non-zero with the reason on failure."""

from __future__ import annotations

import argparse
import logging
import sys

from .config import KioskConfigError, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="Self-service kiosk (自助服务终端)")
    parser.add_argument("command", nargs="?", choices=("run", "selftest"), default="run")
    parser.add_argument("--config", required=True, help="kiosk TOML file (see config/kiosk-*.toml)")
    parser.add_argument("--no-print", action="store_true", help="selftest: do not print a test slip")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load(args.config)
    except KioskConfigError as exc:
        print(f"kiosk: bad config: {exc}", file=sys.stderr)
        return 2
    if args.command == "selftest":
        from .selftest import selftest

        return selftest(config, print_slip=not args.no_print)
    from .app import run

    return run(config)


if __name__ == "__main__":
    sys.exit(main())
