"""统计分析 benchmarks; prints figures, asserts nothing.

    .venv/bin/python bench/bench_statistics.py [--backends sqlite,postgres] [--days 250]
                                               [--windows 400] [--runs 5] [--tickets 3000]

1. Reports over a year of a 400-window hall. The rollups of `--days` working days (9 opening
   hours each, about 1,280 tickets an hour: some 2.9 million tickets a year) are written straight
   into the tables with the cardinalities live writing gives (the hall, 40 queues, every window and
   its clerk, 200 items, 8 channels by day and by month; the first four by hour too), with 10 %
   of the tickets as reservations and 20 % evaluated (the figures the triggers keep); then each
   report the page asks for is read `--runs` times
   through `queue_server.manage.statistics.read` (what the route runs in its worker thread) and
   the median and the slowest are printed.
2. What writing the rollups costs the ticket path: `--tickets` tickets issued, called and
   finished through the services (16 at a time, so the writer's group commit works as in a hall)
   on an in-process server, with the rollups and with them switched off.

Everything shares this machine's cores; the 1-minute load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics as pystats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queue_server.config import Config, Hall  # noqa: E402
from queue_server.core import statistics as stats  # noqa: E402
from queue_server.storage import schema as s  # noqa: E402
from queue_server.storage.database import migrate, open_engine  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402

QUEUES = [f"{a}{b}" for a in "ABCDEFGH" for b in "ABCDE"]  # 40
ITEMS = 200
HOURS = range(9, 18)
CHANNELS = ("walkin", "reservation", "lutong", "face", "card", "nocard", "green")
PER_HOUR = 1280
FIRST_DAY = dt.date(2025, 12, 1)
HOURLY = {dim.value for dim in stats.HOURLY_DIMENSIONS}


def load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"


def make_config(windows: int, *, hours: bool = True) -> Config:
    hall: dict[str, Any] = {
        "id": "big", "name": "济南市政务服务中心（基准）", "timezone": "Asia/Shanghai",
        "queues": [{"id": q, "name": f"业务{q}"} for q in QUEUES],
        "items": [{"code": f"I{i:03d}", "name": f"事项{i}", "queue": QUEUES[i % len(QUEUES)]} for i in range(ITEMS)],
        "windows": [{"id": f"W{w:03d}", "name": f"{w}号窗口", "queues": [QUEUES[w % len(QUEUES)]]} for w in range(1, windows + 1)],
        "staff": [{"id": f"s{w:03d}", "name": f"员工{w}", "password_hash": "x" * 20, "windows": [f"W{w:03d}"]}
                  for w in range(1, windows + 1)],
        "hours": {"rules": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                             "sessions": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}]}]},
    }
    if not hours:  # the ticket path's bench runs at any time of day
        del hall["hours"]
    return Config.model_validate({"halls": [hall]})


def working_days(count: int) -> list[dt.date]:
    days, day = [], FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def tally(rnd: random.Random, issued: int, served: int) -> list[int]:
    """Measures in stats.MEASURES order for a row with these counts (plausible waits/handling)."""
    values = dict.fromkeys(stats.MEASURES, 0)
    values.update(issued=issued, served=served, no_show=served // 20, transferred=served // 40,
                  cancelled=issued // 50, checked_in=issued // 10, wait_n=served, handle_n=served,
                  evaluations=served // 5, bad=served // 100, reservations_due=issued // 9, reservations_checked_in=issued // 10)
    if served:
        for _ in range(min(served, 6)):  # a few draws shape the histograms; counts scale
            share = served // min(served, 6)
            wait = int(rnd.expovariate(1 / 600))
            handle = int(rnd.expovariate(1 / 420))
            values[stats.WAIT_COLUMNS[stats.bucket(wait, stats.WAIT_EDGES)]] += share
            values[stats.HANDLE_COLUMNS[stats.bucket(handle, stats.HANDLE_EDGES)]] += share
            values["wait_sum"] += wait * share
            values["handle_sum"] += handle * share
            values["wait_max"] = max(values["wait_max"], wait)
            values["handle_max"] = max(values["handle_max"], handle)
        values["busy_s"] = values["handle_sum"]
    return [values[m] for m in stats.MEASURES]


def hour_rows(rnd: random.Random, windows: int) -> list[tuple[str, str, list[int]]]:
    """One hour's rows: (dim, key, measures)."""
    total = PER_HOUR + rnd.randint(-200, 200)
    rows: list[tuple[str, str, list[int]]] = [("hall", "", tally(rnd, total, total))]
    rows += [("queue", q, tally(rnd, total // len(QUEUES), total // len(QUEUES))) for q in QUEUES]
    per_window = total // windows
    for w in range(1, windows + 1):
        served = per_window + rnd.randint(-1, 2)
        rows.append(("window", f"W{w:03d}", tally(rnd, 0, served)))
        rows.append(("staff", f"s{w:03d}", tally(rnd, 0, served)))
    rows += [("item", f"I{i:03d}", tally(rnd, total // ITEMS, total // ITEMS)) for i in range(ITEMS)]
    rows += [("channel", c, tally(rnd, total // len(CHANNELS), total // len(CHANNELS))) for c in CHANNELS]
    return rows


def fill(engine: Any, days: list[dt.date], windows: int) -> tuple[int, int, float]:
    """The year's rollups (with the evaluations and reservations the triggers would add),
    straight into the tables."""
    rnd = random.Random(7)
    started = time.monotonic()
    daily_n = hourly_n = 0
    monthly: dict[tuple[dt.date, str, str], list[int]] = {}
    columns = ["hall_id", "dim", "day", "key", *stats.MEASURES]
    hourly_columns = ["hall_id", "dim", "day", "hour", "key", *stats.MEASURES]
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        postgres = conn.dialect.name == "postgresql"
        cursor = raw.cursor()
        for day in days:
            daily: dict[tuple[str, str], list[int]] = {}
            hourly = []
            for hour in HOURS:
                for dim, key, values in hour_rows(rnd, windows):
                    if dim in HOURLY:  # items and channels are kept by day and month only
                        hourly.append(("big", dim, day, hour, key, *values))
                    found = daily.get((dim, key))
                    if found is None:
                        daily[(dim, key)] = list(values)
                    else:
                        for i, name in enumerate(stats.MEASURES):
                            found[i] = max(found[i], values[i]) if name in stats.MAXES else found[i] + values[i]
            daily_rows = [("big", dim, day, key, *values) for (dim, key), values in daily.items()]
            _insert(cursor, postgres, "stats_hourly", hourly_columns, hourly)
            _insert(cursor, postgres, "stats_daily", columns, daily_rows)
            for (dim, key), values in daily.items():
                found = monthly.get((day.replace(day=1), dim, key))
                if found is None:
                    monthly[(day.replace(day=1), dim, key)] = list(values)
                else:
                    for i, name in enumerate(stats.MEASURES):
                        found[i] = max(found[i], values[i]) if name in stats.MAXES else found[i] + values[i]
            daily_n += len(daily_rows)
            hourly_n += len(hourly)
        _insert(cursor, postgres, "stats_monthly", ["hall_id", "dim", "month", "key", *stats.MEASURES],
                [("big", dim, month, key, *values) for (month, dim, key), values in monthly.items()])
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return daily_n, hourly_n, time.monotonic() - started


def _insert(cursor: Any, postgres: bool, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if postgres:
        quoted = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                           [tuple(v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for v in row) for row in rows])


def time_reports(engine: Any, hall: Hall, days: list[dt.date], runs: int) -> None:
    from queue_server.manage import statistics as report

    first, last = days[0], days[-1]
    cases = [
        ("a year by month, per window", report.Query(first, last, stats.Period.MONTH, stats.Dimension.WINDOW)),
        ("a year by week, per clerk", report.Query(first, last, stats.Period.WEEK, stats.Dimension.STAFF)),
        ("a year by day, per queue", report.Query(first, last, stats.Period.DAY, stats.Dimension.QUEUE)),
        ("a year by month, per item", report.Query(first, last, stats.Period.MONTH, stats.Dimension.ITEM)),
        ("a year by month, per channel", report.Query(first, last, stats.Period.MONTH, stats.Dimension.CHANNEL)),
        ("a year by day, one window's series", report.Query(first, last, stats.Period.DAY, stats.Dimension.WINDOW, "W007")),
        ("31 days by hour, per window", report.Query(last - dt.timedelta(days=30), last, stats.Period.HOUR, stats.Dimension.WINDOW)),
        ("the daily report (one day by hour, per window)", report.Query(last, last, stats.Period.HOUR, stats.Dimension.WINDOW)),
    ]
    for name, query in cases:
        times = []
        found: dict[str, Any] = {}
        for _ in range(runs):
            started = time.perf_counter()
            with engine.connect() as conn:
                found = report.read(conn, hall, query)
            times.append(time.perf_counter() - started)
        print(f"  {name:48s} median {pystats.median(times) * 1000:7.0f} ms  slowest {max(times) * 1000:7.0f} ms  "
              f"({len(found['rows'])} rows, {len(found['series'])} periods, issued {found['totals']['issued']:,}; {load()})")


def bench_reports(backend: str, args: argparse.Namespace, workdir: Path, cluster: PostgresCluster | None) -> None:
    config = make_config(args.windows)
    hall = config.halls[0]
    url = cluster.create_database() if cluster else f"sqlite:///{workdir / 'year.sqlite3'}"
    engine = open_engine(url, durability="normal")
    migrate(engine)
    days = working_days(args.days)
    daily_n, hourly_n, seconds = fill(engine, days, args.windows)
    size = ""
    if not cluster:
        size = f", file {(workdir / 'year.sqlite3').stat().st_size / 2**20:.0f} MiB"
    print(f"{backend}: {len(days)} working days × {args.windows} windows: {daily_n:,} daily and {hourly_n:,} hourly "
          f"rollup rows written in {seconds:.0f} s{size}")
    time_reports(engine, hall, days, args.runs)
    engine.dispose()


def bench_writes(args: argparse.Namespace, workdir: Path) -> None:
    """Ticket lifecycles through the services, with and without the rollups."""
    from queue_server.core.model import TicketStatus
    from queue_server.runtime import Runtime
    from queue_server.services import tickets as service
    from queue_server.services.principals import Principal
    from queue_server.storage import rollups

    config = make_config(16, hours=False)
    hall = config.halls[0]
    original = rollups.Rollups.add_change

    async def run(label: str) -> None:
        rt = Runtime(config, data_dir=workdir / label)
        try:
            clerks = [Principal("big", "staff", f"s{w:03d}", f"员工{w}", (f"W{w:03d}",)) for w in range(1, 17)]
            per_clerk = args.tickets // len(clerks)

            async def clerk(who: Principal) -> None:
                window = who.windows[0]
                queue = hall.window(window).queues[0]  # type: ignore[union-attr]
                for _ in range(per_clerk):
                    await service.issue(rt, "big", queue=queue, channel="walkin")
                    called = await service.call_next(rt, "big", window, who)
                    if called is not None and called.status is TicketStatus.CALLED:
                        await service.act(rt, "big", called, "finish", who)

            started = time.perf_counter()
            await asyncio.gather(*(clerk(who) for who in clerks))
            elapsed = time.perf_counter() - started
            done = per_clerk * len(clerks)
            print(f"  {label:22s} {done} tickets issued, called and finished in {elapsed:.2f} s: "
                  f"{elapsed / done * 1e6:.0f} µs a ticket ({done * 3 / elapsed:.0f} requests/s, "
                  f"{rt.writer.batches} commits; {load()})")
        finally:
            rt.close()

    print(f"sqlite, in process: the ticket path with and without rollups ({args.tickets} tickets, 16 clerks at once; "
          "alternated, twice each, since the machine's load moves)")
    for turn in (1, 2):
        rollups.Rollups.add_change = lambda self, state, change: None  # type: ignore[method-assign]
        try:
            asyncio.run(run(f"without rollups #{turn}"))
        finally:
            rollups.Rollups.add_change = original  # type: ignore[method-assign]
        asyncio.run(run(f"with rollups #{turn}"))
    with open_engine(f"sqlite:///{workdir / 'with rollups #2' / 'queue.sqlite3'}", writer=False).connect() as conn:
        from sqlalchemy import func, select

        total = conn.execute(select(func.sum(s.stats_daily.c.served)).where(s.stats_daily.c.dim == "hall")).scalar()
        print(f"  the rollups count {total} served (hall total)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--windows", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--skip-writes", action="store_true")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    print(f"machine: {os.cpu_count()} cores, {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        cluster = PostgresCluster() if "postgres" in backends else None
        try:
            for backend in backends:
                bench_reports(backend, args, Path(tmp), cluster if backend == "postgres" else None)
        finally:
            if cluster:
                cluster.stop()
        if not args.skip_writes:
            bench_writes(args, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
