"""`python -m queue_server stats rebuild --config C [--database URL | --data-dir D] [--hall H]`:
the 统计分析 rollups recomputed from the recorded tickets and audit log (statistics_rebuild.py).
Run it with the server stopped (rows the server writes meanwhile would be counted twice).
Exit codes: 0 done, 2 bad input, 3 database."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

COMMAND = "stats"


def add_command(sub: Any) -> None:
    stats = sub.add_parser(COMMAND, help="统计分析: rebuild the statistics rollups from the recorded tickets")
    actions = stats.add_subparsers(dest="stats_action", required=True)
    rebuild = actions.add_parser("rebuild", help="drop and recompute the rollups of every hall (or --hall)")
    rebuild.add_argument("--config", required=True, help="hall configuration (TOML)")
    rebuild.add_argument("--database", help="sqlite:///PATH or postgresql+psycopg://… (default: the data dir's SQLite)")
    rebuild.add_argument("--data-dir", help="where the SQLite file lives (default ./data)")
    rebuild.add_argument("--hall", action="append", help="only this hall (repeatable)")
    rebuild.add_argument("--progress", action="store_true", help="print each day as it is done")


def run(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load_config
    from ..storage.database import DatabaseError, default_url, migrate, open_engine
    from .statistics_rebuild import rebuild

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    halls = list(config.halls)
    if args.hall:
        unknown = [h for h in args.hall if config.hall(h) is None]
        if unknown:
            print(f"error: --hall: no hall {', '.join(unknown)} in {args.config}", file=sys.stderr)
            return 2
        halls = [h for h in halls if h.id in args.hall]
    url = args.database or default_url(Path(args.data_dir or "data").resolve())
    try:
        engine = open_engine(url, durability="normal")
        migrate(engine)
    except DatabaseError as exc:
        print(f"error: database: {exc}", file=sys.stderr)
        return 3
    started = time.monotonic()
    try:
        done = rebuild(engine, halls, progress=args.progress)
    finally:
        engine.dispose()
    for hall_id, days in done.items():
        print(f"{hall_id}: {days} service days rebuilt")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0
