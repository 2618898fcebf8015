"""统计分析 for the manager (read only): a range of service days by hour, day, week or month, per
hall, queue, window, clerk, item or channel, from the rollups only (storage/rollups.py, written as
tickets change; evaluations and reservations added by the database's triggers, migration 0006).
The figures are computed in core/statistics.py; this module only reads and names."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select, union_all

from ..config import Hall
from ..core import statistics as stats
from ..core.errors import Invalid
from ..runtime import Runtime
from ..storage import schema as s

CHANNEL_NAMES = {
    "walkin": ("现场取号", "Walk-in"),
    "reservation": ("预约签到", "Reservation"),
    "lutong": ("鲁通码", "Lutong code"),
    "face": ("人脸取号", "Face"),
    "card": ("刷卡取号", "Card"),
    "nocard": ("无卡取号", "No card"),
    "green": ("绿色通道", "Green channel"),
}
NONE_NAMES = {
    stats.Dimension.WINDOW: ("未叫号", "Not called"),
    stats.Dimension.STAFF: ("未叫号", "Not called"),
    stats.Dimension.ITEM: ("未选事项", "No item"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Query:
    start: dt.date
    end: dt.date
    period: stats.Period
    group: stats.Dimension
    key: str | None = None  # the series of one row of the group (a window, a queue …)

    def __post_init__(self) -> None:
        try:
            stats.check_range(self.start, self.end, self.period)
        except stats.RangeError as exc:
            raise Invalid(str(exc), exc.message_zh) from None
        if self.key is not None and self.period is stats.Period.HOUR and self.group not in stats.HOURLY_DIMENSIONS:
            raise Invalid(
                "one item's or channel's series is kept by day, not by hour",
                "单个事项或取号渠道的趋势按日统计，不能按小时",
            )

    @property
    def series_dimension(self) -> tuple[stats.Dimension, str]:
        """Whose series and hour profile: one row of the group, or the whole hall."""
        return (self.group, self.key) if self.key is not None else (stats.Dimension.HALL, "")


def name_of(hall: Hall, dim: stats.Dimension, key: str) -> tuple[str, str]:
    """A row's name in Chinese and English."""
    if key == stats.NONE_KEY and dim in NONE_NAMES:
        return NONE_NAMES[dim]
    if dim is stats.Dimension.HALL:
        return hall.name, hall.name_en or hall.name
    if dim is stats.Dimension.QUEUE:
        queue = hall.queue(key)
        return (queue.name, queue.name_en or queue.name) if queue else (key, key)
    if dim is stats.Dimension.WINDOW:
        window = hall.window(key)
        return (window.name, window.name) if window else (key, key)
    if dim is stats.Dimension.STAFF:
        person = hall.person(key)
        return (f"{person.name}（{key}）", f"{person.name} ({key})") if person else (key, key)
    if dim is stats.Dimension.ITEM:
        item = hall.item(key)
        return (item.name, item.name_en or item.name) if item else (key, key)
    return CHANNEL_NAMES.get(key, (key, key))


def _columns(table: Any) -> list[Any]:
    return [table.c[m] for m in stats.MEASURES]


def _sums(columns: Any) -> list[Any]:
    found = [func.sum(columns[m]).label(m) for m in stats.ADDED]
    found += [func.max(columns[m]).label(m) for m in stats.MAXES]
    return found


def _values(row: Any) -> dict[str, int]:
    return {m: int(getattr(row, m) or 0) for m in stats.MEASURES}


def _by_key(conn: Connection, hall_id: str, dim: stats.Dimension, start: dt.date, end: dt.date) -> dict[str, dict[str, int]]:
    """The range's sums per key of `dim`: whole months from the monthly rows, the days at either
    edge from the daily ones (a year's report reads some 12 rows per key, not 250)."""
    d, m = s.stats_daily, s.stats_monthly
    edges, months = stats.split_months(start, end)
    parts = [
        select(d.c.key, *_columns(d)).where(d.c.hall_id == hall_id, d.c.dim == dim.value, d.c.day >= low, d.c.day <= high)
        for low, high in edges
    ]
    if months is not None:
        parts.append(select(m.c.key, *_columns(m)).where(
            m.c.hall_id == hall_id, m.c.dim == dim.value, m.c.month >= months[0], m.c.month <= months[1]))
    both = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    found = conn.execute(select(both.c.key, *_sums(both.c)).group_by(both.c.key)).all()
    return {row.key: _values(row) for row in found}


def _days_worked(conn: Connection, hall_id: str, dim: stats.Dimension, q: Query) -> dict[str, int]:
    d = s.stats_daily
    worked = (d.c.served + d.c.no_show + d.c.transferred) > 0
    found = conn.execute(
        select(d.c.key, func.count().label("n"))
        .where(d.c.hall_id == hall_id, d.c.dim == dim.value, d.c.day >= q.start, d.c.day <= q.end, worked)
        .group_by(d.c.key)
    )
    return {row.key: int(row.n) for row in found}


_PER_GROUP_ONLY = {  # figures a group has no rows of: shown as null rather than 0
    stats.Dimension.WINDOW: ("reservations_due", "reservations_checked_in", "checkin_rate"),
    stats.Dimension.STAFF: ("reservations_due", "reservations_checked_in", "checkin_rate"),
    stats.Dimension.ITEM: ("reservations_due", "reservations_checked_in", "checkin_rate"),
}
_RECORDED_FIGURES = ("evaluations", "bad", "bad_rate", "reservations_due", "reservations_checked_in", "checkin_rate")


def read(conn: Connection, hall: Hall, q: Query) -> dict[str, Any]:
    """Everything the statistics page shows for `q` (one read transaction)."""
    d, h = s.stats_daily, s.stats_hourly
    group = q.group
    series_dim, series_key = q.series_dimension

    by_key = _by_key(conn, hall.id, group, q.start, q.end)
    totals = _by_key(conn, hall.id, stats.Dimension.HALL, q.start, q.end).get("", {})

    # The series by period: hourly rows for hours (no evaluations or reservations there), daily
    # ones otherwise.
    if q.period is stats.Period.HOUR:
        found = conn.execute(
            select(h.c.day, h.c.hour, *_sums(h.c))
            .where(h.c.hall_id == hall.id, h.c.dim == series_dim.value, h.c.day >= q.start, h.c.day <= q.end,
                   h.c.key == series_key)
            .group_by(h.c.day, h.c.hour)
        ).all()
        raw = [(r.day, r.hour, _values(r)) for r in found]
    else:
        found = conn.execute(
            select(d.c.day, *_sums(d.c))
            .where(d.c.hall_id == hall.id, d.c.dim == series_dim.value, d.c.day >= q.start, d.c.day <= q.end,
                   d.c.key == series_key)
            .group_by(d.c.day)
        ).all()
        raw = [(r.day, None, _values(r)) for r in found]
    series = stats.group_series(raw, q.period)

    # Arrivals and service by hour of day over the range (none for one item or channel).
    by_hour = [] if series_dim not in stats.HOURLY_DIMENSIONS else conn.execute(
        select(h.c.hour, func.sum(h.c.issued).label("issued"), func.sum(h.c.served).label("served"),
               func.sum(h.c.no_show).label("no_show"))
        .where(h.c.hall_id == hall.id, h.c.dim == series_dim.value, h.c.day >= q.start, h.c.day <= q.end,
               h.c.key == series_key)
        .group_by(h.c.hour)
    ).all()
    hours = {r.hour: (int(r.issued or 0), int(r.served or 0), int(r.no_show or 0)) for r in by_hour}

    utilised = group in (stats.Dimension.WINDOW, stats.Dimension.STAFF)
    worked = _days_worked(conn, hall.id, group, q) if utilised else {}
    open_days = [day for day in stats.days_in(q.start, q.end) if stats.opening_seconds(hall.hours, day) > 0]
    mean_open_s = sum(stats.opening_seconds(hall.hours, day) for day in open_days) / len(open_days) if open_days else 0

    rows = []
    for key, values in by_key.items():
        if utilised and key == stats.NONE_KEY:
            continue  # tickets never called: no window or clerk to show them under
        open_s = round(worked.get(key, 0) * mean_open_s) if utilised else None
        name_zh, name_en = name_of(hall, group, key)
        row: dict[str, Any] = {"key": key, "name": name_zh, "name_en": name_en, **stats.figures(values, open_seconds=open_s)}
        if utilised:
            row["days_worked"] = worked.get(key, 0)
        for name in _PER_GROUP_ONLY.get(group, ()):
            row[name] = None
        rows.append(row)
    rows.sort(key=lambda row: (-int(row["issued"] or 0) - int(row["served"] or 0), row["key"]))

    points = []
    for start, hour, values in series:
        point = {"start": start.isoformat(), "hour": hour, "label": stats.period_label(start, q.period, hour),
                 **stats.figures(values)}
        if q.period is stats.Period.HOUR:
            point.update(dict.fromkeys(_RECORDED_FIGURES))
        points.append(point)
    return {
        "hall": {"id": hall.id, "name": hall.name, "name_en": hall.name_en},
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "period": q.period.value,
        "group": group.value,
        "key": q.key,
        "totals": stats.figures(totals),
        "rows": rows,
        "series": points,
        "hours": [
            {"hour": hour, "issued": hours.get(hour, (0, 0, 0))[0], "served": hours.get(hour, (0, 0, 0))[1],
             "no_show": hours.get(hour, (0, 0, 0))[2]}
            for hour in range(min(hours, default=8), max(hours, default=17) + 1)
        ],
        "wait_histogram": {"edges_s": list(stats.WAIT_EDGES), "counts": [totals.get(c, 0) for c in stats.WAIT_COLUMNS]},
        "handle_histogram": {
            "edges_s": list(stats.HANDLE_EDGES), "counts": [totals.get(c, 0) for c in stats.HANDLE_COLUMNS],
        },
    }


async def report(rt: Runtime, hall: Hall, q: Query) -> dict[str, Any]:
    return await rt.read(lambda conn: read(conn, hall, q))
