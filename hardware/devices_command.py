"""`python -m hardware devices`: what is configured and how each device is, for a technician at a
kiosk. Devices come from a kiosk config's [devices] table and/or the command line."""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Callable
from pathlib import Path

from hardware.health import Health, HealthLevel

# Config key → (label, opener returning Health)
KINDS = ("printer", "camera", "scanner", "card_reader", "idcard_reader")


def _printer(uri: str) -> Health:
    from hardware.printer import open_printer

    printer = open_printer(uri)
    try:
        return printer.health()
    finally:
        printer.close()


def _camera(uri: str) -> Health:
    from hardware.camera import FrameGrabber

    grabber = FrameGrabber(uri).start()
    try:
        grabber.wait_for_frame(timeout=3)
        return grabber.health()
    finally:
        grabber.stop()


def _scanner(uri: str) -> Health:
    from hardware.scanner import open_scanner

    return open_scanner(uri).health()


def _card_reader(uri: str) -> Health:
    from hardware.cards import open_card_reader

    return open_card_reader(uri).health()


def _idcard_reader(uri: str) -> Health:
    from hardware.cards import open_idcard_reader

    reader = open_idcard_reader(uri)
    try:
        return reader.health()
    finally:
        close = getattr(reader, "close", None)
        if close:
            close()


CHECKS: dict[str, Callable[[str], Health]] = {
    "printer": _printer,
    "camera": _camera,
    "scanner": _scanner,
    "card_reader": _card_reader,
    "idcard_reader": _idcard_reader,
}


def configured(config: Path | None, overrides: dict[str, str | None]) -> dict[str, str]:
    devices: dict[str, str] = {}
    if config is not None:
        table = tomllib.loads(config.read_text(encoding="utf-8")).get("devices", {})
        if not isinstance(table, dict):
            raise ValueError(f"{config}: [devices] must be a table")
        for kind, uri in table.items():
            if kind in CHECKS and isinstance(uri, str) and uri:
                devices[kind] = uri
    devices.update({kind: uri for kind, uri in overrides.items() if uri})
    return devices


def check_all(devices: dict[str, str]) -> list[tuple[str, str, Health]]:
    results = []
    for kind, uri in devices.items():
        try:
            health = CHECKS[kind](uri)
        except Exception as exc:  # a bad URI or a dead device is a finding, not a crash
            health = Health.error("设备不可用", f"{exc.__class__.__name__}: {exc}")
        results.append((kind, uri, health))
    return results


def run(args: argparse.Namespace) -> int:
    overrides = {kind: getattr(args, kind) for kind in KINDS}
    devices = configured(Path(args.config) if args.config else None, overrides)
    if not devices:
        print("no devices configured (give --config KIOSK.toml or --printer/--camera/... URIs)")
        return 2
    results = check_all(devices)
    for kind, uri, health in results:
        print(f"{kind:<14} {uri:<40} {health.level.value:<8} {health.message_zh} / {health.message_en}")
    return 1 if any(h.level is HealthLevel.ERROR for _, _, h in results) else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("devices", help="list the configured devices and their health")
    parser.add_argument("--config", help="a kiosk config with a [devices] table")
    for kind in KINDS:
        parser.add_argument(f"--{kind.replace('_', '-')}", dest=kind, metavar="URI")
    parser.set_defaults(func=run)
