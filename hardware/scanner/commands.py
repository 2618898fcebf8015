"""Technician command: `python -m hardware scan --scanner URI` prints each scan (identity and
phone numbers inside a scan masked) until Ctrl-C."""

from __future__ import annotations

import argparse
import threading
from typing import Any

from hall_common.personal_data import scrub
from hardware.health import Health
from hardware.scanner.factory import open_scanner
from hardware.scanner.sim import SimScanner


def register(subparsers: Any) -> None:
    scan = subparsers.add_parser("scan", help="print each scan of a barcode/QR scanner")
    scan.add_argument(
        "--scanner", required=True,
        help="scanner:evdev:/dev/input/by-id/..., scanner:serial:/dev/ttyACM0, sim",
    )
    scan.add_argument("--count", type=int, default=0, help="stop after this many scans")
    scan.set_defaults(func=run_scan)


def run_scan(args: argparse.Namespace) -> int:
    scanner = open_scanner(args.scanner)
    done = threading.Event()
    seen = 0

    def on_scan(text: str) -> None:
        nonlocal seen
        seen += 1
        print(f"scan {seen}: {scrub(text)}", flush=True)
        if args.count and seen >= args.count:
            done.set()

    def on_health(health: Health) -> None:
        print(f"health: {health.level.value} | {health.message_zh} | {health.message_en}",
              flush=True)

    scanner.start(on_scan, on_health)
    try:
        if isinstance(scanner, SimScanner):
            scanner.present_scan()  # the simulated twin: show what a scan looks like
            return 0
        done.wait()
    finally:
        scanner.stop()
    return 0
