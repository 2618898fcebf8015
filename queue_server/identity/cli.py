"""Commands: `demo-lutong` (a signed demo 鲁通码 this server accepts), `hash-id` (the keyed hash
that [halls.identification] green_ids takes) and `purge` (the identity retention job, once)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

COMMANDS = ("demo-lutong", "hash-id", "purge")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser("demo-lutong", help="print a demo 鲁通码 (QR text) this server accepts")
    demo.add_argument("--config", required=True)
    demo.add_argument("--hall", required=True)
    demo.add_argument("--id-number", required=True)
    demo.add_argument("--name", required=True)
    demo.add_argument("--valid-s", type=int, default=120, help="seconds the code stays valid (default 120)")
    demo.add_argument("--png", help="also write the QR code as a PNG image here")
    demo.add_argument("--data-dir", help="the server's data folder (its secret key); default ./data")
    hash_id = sub.add_parser("hash-id", help="read an identity number on stdin, print its keyed hash (green_ids)")
    hash_id.add_argument("--config", required=True)
    hash_id.add_argument("--data-dir")
    purge = sub.add_parser("purge", help="purge identity data past its retention now")
    purge.add_argument("--config", required=True)
    purge.add_argument("--database")
    purge.add_argument("--data-dir")


def run(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir or os.environ.get("QUEUE_SERVER_DATA", "data")).resolve()
    if args.command == "purge":
        return _purge(config, args.database, data_dir)
    keys = _keys(config, data_dir)
    if keys is None:
        return 3
    if args.command == "hash-id":
        return _hash_id(keys)
    return _demo_lutong(config, keys, args)


def _keys(config, data_dir: Path):  # type: ignore[no-untyped-def]
    from ..security.keys import Keys

    path = Path(config.server.secret_key_file)
    path = path if path.is_absolute() else data_dir / path
    if not path.exists():
        print(f"error: no secret key at {path}: start the server once, or pass its --data-dir", file=sys.stderr)
        return None
    try:
        return Keys.load_or_create(path)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _valid(value: str) -> str | None:
    from hall_common.id_numbers import id_number_problem, normalise_id_number

    problem = id_number_problem(value)
    if problem:
        print(f"error: --id-number: {problem}", file=sys.stderr)
        return None
    return normalise_id_number(value)


def _hash_id(keys) -> int:  # type: ignore[no-untyped-def]
    number = _valid(sys.stdin.readline().strip())
    if number is None:
        return 2
    print(keys.match_hash("id", number))
    return 0


def _demo_lutong(config, keys, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from .lutong import make_demo_code

    if config.hall(args.hall) is None:
        print(f"error: --hall: no hall {args.hall!r} in {args.config}", file=sys.stderr)
        return 2
    number = _valid(args.id_number)
    if number is None:
        return 2
    if not 10 <= args.valid_s <= 86400 or not args.name.strip() or len(args.name) > 50:
        print("error: --valid-s is 10..86400 seconds and --name 1..50 characters", file=sys.stderr)
        return 2
    text = make_demo_code(keys, number, args.name.strip(), dt.datetime.now(dt.UTC), args.valid_s)
    print(text)
    if args.png:
        import qrcode

        qrcode.make(text).save(args.png)
    return 0


def _purge(config, database: str | None, data_dir: Path) -> int:  # type: ignore[no-untyped-def]
    from ..storage.database import DatabaseError, default_url, migrate, open_engine
    from .maintenance import purge

    try:
        engine = open_engine(database or default_url(data_dir), durability=config.server.durability)
        migrate(engine)
    except DatabaseError as exc:
        print(f"error: database: {exc}", file=sys.stderr)
        return 3
    try:
        with engine.begin() as conn:
            counts = purge(conn, config, dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()
    print(", ".join(f"{kind}: {count}" for kind, count in counts.items()))
    return 0
