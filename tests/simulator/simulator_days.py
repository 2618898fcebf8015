"""Halls and recorded days for the simulator's tests: a small test hall, and days written through
the server's own services (the recorder) into a real database, then read back as the simulator
reads a hall's history."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from queue_server.config import Config, Hall, load_config
from queue_server.runtime import Runtime
from queue_server.simulation.adapters import history
from queue_server.simulation.adapters.recorder import SimClock, record_day
from queue_server.simulation.behaviour import Behaviour
from queue_server.simulation.clock import midnight
from queue_server.simulation.day import Day
from queue_server.simulation.plan import Plan
from queue_server.simulation.record import RecordedDay
from queue_server.storage.database import default_url, open_engine
from tests.support.halls import write_config

REPO = Path(__file__).resolve().parents[2]
JINAN = REPO / "config" / "jinan-city.toml"
EXAMPLES = REPO / "queue_server" / "simulation" / "examples"
DAY = dt.date(2026, 11, 23)  # a Monday


def small_config(folder: Path, hall_id: str = "t01") -> Config:
    """The test hall (queues A, B, C; windows W01 A,B fifo, W02 B,A ordered, W03 C fifo, W04 A,C
    ordered; manager m01), its writes not waiting for the disk."""
    path = write_config(folder / "hall.toml", [hall_id])
    path.write_text('[server]\ndurability = "normal"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    return load_config(path)


def jinan() -> Hall:
    return load_config(JINAN).halls[0]


def record(
    config: Config, plan: Plan, day: Day, behaviour: Behaviour, data_dir: Path, database_url: str | None = None
) -> RecordedDay:
    """Run the day through the server's services into a database, then read it back."""
    hall = config.halls[0]
    clock = SimClock(midnight(day.date, hall.zone))
    rt = Runtime(config, database_url=database_url, data_dir=data_dir, clock=clock)
    try:
        asyncio.run(record_day(rt, clock, hall, plan, day, behaviour))
    finally:
        rt.close()
    engine = open_engine(database_url or default_url(data_dir), durability="normal", writer=False)
    try:
        with engine.connect() as conn:
            return history.load_day(conn, hall, day.date)
    finally:
        engine.dispose()
