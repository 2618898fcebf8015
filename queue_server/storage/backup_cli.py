"""`python -m queue_server backup --config C [--database URL | --data-dir D] --to DIR [--keep N]`
and `restore --config C [--database URL | --data-dir D] --from FILE [--skip-numbers N] [--yes]`
(storage/backups.py). Restore with the server stopped. Exit codes: 0 done, 2 any error (one line
on stderr)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("backup", "restore")
DEFAULT_SKIP = 50


def _database_options(parser: Any) -> None:
    parser.add_argument("--config", required=True, help="hall configuration (TOML)")
    parser.add_argument("--database", help="sqlite:///PATH or postgresql+psycopg://… (default: the data dir's SQLite)")
    parser.add_argument("--data-dir", help="where the SQLite file lives (default $QUEUE_SERVER_DATA or ./data, as serve)")


def add_commands(sub: Any) -> None:
    backup = sub.add_parser("backup", help="备份: copy the database to a dated file (safe while the server runs)")
    _database_options(backup)
    backup.add_argument("--to", required=True, help="directory of the backup files")
    backup.add_argument("--keep", type=int, help="keep the newest N backups of this config, delete older ones")
    restore = sub.add_parser("restore", help="恢复: replace the database with a backup (server stopped)")
    _database_options(restore)
    restore.add_argument("--from", dest="source", required=True, help="a backup file made by `backup`")
    restore.add_argument(
        "--skip-numbers", type=int, default=DEFAULT_SKIP,
        help=f"at least this many numbers of each queue are skipped today (default {DEFAULT_SKIP}; "
        "a queue's busiest recorded day counts if larger)",
    )
    restore.add_argument("--yes", action="store_true", help="replace a database that already holds tickets")


def run(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load_config
    from . import backups
    from .database import default_url, safe_url

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _fail(f"config: {exc}")
    data_dir = Path(args.data_dir or os.environ.get("QUEUE_SERVER_DATA", "data")).resolve()  # as serve
    url = args.database or default_url(data_dir)
    try:
        if args.command == "backup":
            done = backups.backup(url, backups.identity(config), Path(args.to), keep=args.keep)
            print(f"backup: {done.path}")
            for old in done.deleted:
                print(f"deleted: {old}")
            return 0
        restored = backups.restore(url, Path(args.source), config, skip_numbers=args.skip_numbers, yes=args.yes)
    except backups.BackupError as exc:
        return _fail(str(exc))
    except Exception as exc:  # never a traceback for the operator: one line, exit code 2
        return _fail(f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
    print(f"restored {args.source} into {safe_url(url)}")
    key = Path(config.server.secret_key_file)
    key = key if key.is_absolute() else data_dir / key
    if not key.exists():  # not in the backup: it is kept apart from the data it decrypts
        print(f"note: no secret key at {key}: copy the old install's key there before starting the server")
    for hall_id, counters in restored.counters.items():
        numbers = ", ".join(f"{queue} after {seq}" for queue, seq in sorted(counters.items()))
        print(f"{hall_id}: numbering today continues {numbers}")
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
