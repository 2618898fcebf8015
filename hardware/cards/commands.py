"""Technician commands: `python -m hardware read-card` and `python -m hardware read-idcard`.
Everything printed is masked: a technician's screen is no place for a citizen's data."""

from __future__ import annotations

import argparse
import time
from typing import Any

from hardware.cards.errors import CardError, NoCardError
from hardware.cards.factory import open_card_reader, open_idcard_reader
from hardware.health import Health


def register(subparsers: Any) -> None:
    card = subparsers.add_parser("read-card", help="read a social security card (masked)")
    card.add_argument("--reader", default="pcsc:", help="reader URI: pcsc:, pcsc:NAME-PART, sim")
    card.add_argument("--wait", type=float, default=0.0, help="seconds to wait for a card")
    card.set_defaults(func=read_card)

    idcard = subparsers.add_parser("read-idcard", help="read a resident identity card (masked)")
    idcard.add_argument(
        "--port", required=True, help="/dev/ttyUSB0, idcard:serial:/dev/ttyUSB0?baudrate=N, sim"
    )
    idcard.add_argument("--wait", type=float, default=10.0, help="seconds to wait for a card")
    idcard.set_defaults(func=read_idcard)


def _print_health(health: Health) -> None:
    print(f"health: {health.level.value} | {health.message_zh} | {health.message_en}")


def _print_fields(fields: dict[str, str | None]) -> None:
    width = max(len(k) for k in fields)
    for key, value in fields.items():
        print(f"  {key:<{width}}  {'' if value is None else value}")


def read_card(args: argparse.Namespace) -> int:
    reader = open_card_reader(args.reader)
    if hasattr(reader, "present_card"):
        reader.present_card()  # the simulated reader: show what a read looks like
    health = reader.health()
    _print_health(health)
    if not health.usable:
        return 1
    print("readers: " + ", ".join(reader.readers()))
    deadline = time.monotonic() + args.wait
    while True:
        try:
            card = reader.read_card()
            break
        except NoCardError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.3)
    _print_fields(card.masked())
    if card.withheld_fields:
        print("note: this card withheld " + ", ".join(card.withheld_fields)
              + " (3rd generation without PSAM: resolve the holder online by card_id_code)")
    return 0


def read_idcard(args: argparse.Namespace) -> int:
    reader = open_idcard_reader(args.port)
    if hasattr(reader, "present_card"):
        reader.present_card()
    deadline = time.monotonic() + args.wait
    try:
        while True:
            try:
                identity = reader.poll_once()
            except CardError:
                _print_health(reader.health())
                raise
            if identity is not None:
                break
            if time.monotonic() >= deadline:
                print("no identity card presented")
                return 1
            time.sleep(getattr(reader, "poll_interval", 0.3))
    finally:
        reader.close()
    _print_health(reader.health())
    _print_fields(identity.masked())
    return 0
