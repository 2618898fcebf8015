"""`python -m hardware`: the technician's command line. Each device family adds its own
subcommands through a `register(subparsers)` function in its `commands` module."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each entry is a module exposing `register(subparsers) -> None`; subcommands set `func`.
COMMAND_MODULES = (
    "hardware.printer.commands",
    "hardware.cards.commands",
    "hardware.camera.commands",
    "hardware.scanner.commands",
    "hardware.devices_command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hardware", description="Hall device tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that family is not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a technician gets one clear line, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
