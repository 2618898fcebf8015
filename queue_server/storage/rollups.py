"""统计分析 rollup rows: what engine changes add (core/statistics.py), kept in memory with the
batch's other rows and written by one additive upsert per table before the commit, so the
figures of a ticket commit with the ticket itself (or not at all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core import statistics as stats
from ..core.engine import Change, HallState
from . import schema as s

DailyKey = tuple[str, str, dt.date, str]  # hall, dim, day, key
HourlyKey = tuple[str, str, dt.date, int, str]  # hall, dim, day, hour, key
MonthlyKey = tuple[str, str, dt.date, str]  # hall, dim, the month's first day, key
_UPSERTS: dict[tuple[str, str, tuple[str, ...]], Any] = {}  # (dialect, table, measures) → statement


def _upsert(conn: Connection, table: Any, shape: tuple[str, ...]) -> Any:
    """INSERT … ON CONFLICT DO UPDATE of the measures in `shape` only (the others keep their
    value, or their default 0): an issued ticket's row carries two numbers, not forty."""
    name = conn.dialect.name
    statement = _UPSERTS.get((name, table.name, shape))
    if statement is None:
        dialect_insert = sqlite_insert if name == "sqlite" else postgresql_insert
        keys = [c.name for c in table.primary_key.columns]
        base = dialect_insert(table).values({c: bindparam(c) for c in (*keys, *shape)})
        larger = func.max if name == "sqlite" else func.greatest  # SQLite's two-argument max()
        updates: dict[str, Any] = {
            c: (larger(table.c[c], base.excluded[c]) if c in stats.MAXES else table.c[c] + base.excluded[c]) for c in shape
        }
        statement = base.on_conflict_do_update(index_elements=keys, set_=updates)
        _UPSERTS[(name, table.name, shape)] = statement
    return statement


class Rollups:
    """Tallies not yet written, merged by row key."""

    def __init__(self) -> None:
        self.daily: dict[DailyKey, stats.Tally] = {}
        self.hourly: dict[HourlyKey, stats.Tally] = {}
        self.monthly: dict[MonthlyKey, stats.Tally] = {}

    def __bool__(self) -> bool:
        return bool(self.daily or self.hourly or self.monthly)

    def put(self, hall_id: str, slot: stats.Slot, tally: stats.Tally) -> None:
        month = stats.month_of(slot.day)
        for dim, key in stats.dimension_keys(slot):
            self.daily.setdefault((hall_id, dim.value, slot.day, key), stats.Tally()).merge(tally)
            self.monthly.setdefault((hall_id, dim.value, month, key), stats.Tally()).merge(tally)
            if dim in stats.HOURLY_DIMENSIONS:
                self.hourly.setdefault((hall_id, dim.value, slot.day, slot.hour, key), stats.Tally()).merge(tally)

    def put_daily(self, hall_id: str, day: dt.date, dim: stats.Dimension, key: str, tally: stats.Tally) -> None:
        """A figure kept by day and month only (evaluations and reservations, on a rebuild)."""
        self.daily.setdefault((hall_id, dim.value, day, key), stats.Tally()).merge(tally)
        self.monthly.setdefault((hall_id, dim.value, stats.month_of(day), key), stats.Tally()).merge(tally)

    def add_change(self, state: HallState, change: Change) -> None:
        """The rollups of an engine change, against the state it was decided on (before
        `state.apply`): each ticket's previous self and the clerk at its window come from there."""
        if not change.tickets:
            return
        now = change.events[-1].at if change.events else None
        zone = state.hall.zone
        for ticket in change.tickets.values():
            created = ticket.id in change.created
            before = None if created else state.tickets.get(ticket.id)
            if not created and before is None:
                continue
            window = state.windows.get(before.window) if before is not None and before.window else None
            staff = window.staff.id if window is not None and window.staff is not None else None
            moment = now or ticket.finished_at or ticket.called_at or ticket.issued_at
            for slot, tally in stats.contributions(before, ticket, created=created, now=moment, staff=staff, zone=zone):
                self.put(state.hall.id, slot, tally)

    def absorb(self, other: Rollups) -> None:
        for key, tally in other.daily.items():
            self.daily.setdefault(key, stats.Tally()).merge(tally)
        for hkey, tally in other.hourly.items():
            self.hourly.setdefault(hkey, stats.Tally()).merge(tally)
        for mkey, tally in other.monthly.items():
            self.monthly.setdefault(mkey, stats.Tally()).merge(tally)

    def flush(self, conn: Connection) -> None:
        for table, names, found in (
            (s.stats_daily, ("hall_id", "dim", "day", "key"), self.daily),
            (s.stats_monthly, ("hall_id", "dim", "month", "key"), self.monthly),
            (s.stats_hourly, ("hall_id", "dim", "day", "hour", "key"), self.hourly),
        ):
            shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for key, tally in found.items():
                shape = stats.nonzero(tally.values)
                if shape:
                    shapes.setdefault(shape, []).append(_row(names, key, tally, shape))
            for shape, rows in shapes.items():
                conn.execute(_upsert(conn, table, shape), rows)
        self.daily = {}
        self.hourly = {}
        self.monthly = {}


def _row(names: tuple[str, ...], key: tuple[Any, ...], tally: stats.Tally, shape: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = dict(zip(names, key, strict=True))
    for measure in shape:
        row[measure] = tally.values[measure]
    return row
