"""`python -m kiosk.screenshot --config FILE --out PNG`: start the kiosk offscreen, wait until it
is online with its devices, save a picture of the home screen, exit (0 when saved). For the demo
on a machine without a display and for installers checking a config."""

from __future__ import annotations

import argparse
import sys

from .config import KioskConfigError, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.screenshot")
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        config = load(args.config)
    except KioskConfigError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    from .testing import Driver, DriverError

    try:
        driver = Driver(config, offscreen=True)
    except DriverError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        driver.screenshot(args.out)
    finally:
        driver.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
