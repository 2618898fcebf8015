"""统计分析 for the manager (read only): a range of service days by hour, day, week or month, per
hall, queue, window, clerk, item or channel, from the rollups (storage/rollups.py, written as
tickets change), the reservations (check-in rate) and the evaluations (差评 rate). The figures
are computed in core/statistics.py; this module only reads and names."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from ..config import Hall
from ..core import statistics as stats
from ..core.errors import Invalid
from ..core.evaluation import BAD_LEVELS
from ..evaluation import tables as et
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


def _sums(table: Any) -> list[Any]:
    columns = [func.sum(table.c[m]).label(m) for m in stats.ADDED]
    columns += [func.max(table.c[m]).label(m) for m in stats.MAXES]
    return columns


def _values(row: Any) -> dict[str, int]:
    return {m: int(getattr(row, m) or 0) for m in stats.MEASURES}


def _range(table: Any, hall_id: str, dim: stats.Dimension, q: Query) -> Any:
    return and_(table.c.hall_id == hall_id, table.c.dim == dim.value, table.c.day >= q.start, table.c.day <= q.end)


def read(conn: Connection, hall: Hall, q: Query) -> dict[str, Any]:
    """Everything the statistics page shows for `q` (one read transaction)."""
    d, h = s.stats_daily, s.stats_hourly
    group = q.group
    series_dim, series_key = (group, q.key) if q.key is not None else (stats.Dimension.HALL, "")

    # Totals and rows by the group's key over the range (days worked: for utilisation).
    worked = func.sum(case((d.c.served + d.c.no_show + d.c.transferred > 0, 1), else_=0)).label("days_worked")
    by_key = conn.execute(
        select(d.c.key, worked, *_sums(d)).where(_range(d, hall.id, group, q)).group_by(d.c.key)
    ).all()
    total_row = conn.execute(select(*_sums(d)).where(_range(d, hall.id, stats.Dimension.HALL, q))).first()
    totals = _values(total_row) if total_row is not None else {}

    # The series by period: hourly rows for hours, daily ones otherwise.
    if q.period is stats.Period.HOUR:
        found = conn.execute(
            select(h.c.day, h.c.hour, *_sums(h))
            .where(_range(h, hall.id, series_dim, q), h.c.key == series_key)
            .group_by(h.c.day, h.c.hour)
        ).all()
        raw = [(r.day, r.hour, _values(r)) for r in found]
    else:
        found = conn.execute(
            select(d.c.day, *_sums(d)).where(_range(d, hall.id, series_dim, q), d.c.key == series_key).group_by(d.c.day)
        ).all()
        raw = [(r.day, None, _values(r)) for r in found]
    series = stats.group_series(raw, q.period)

    # Arrivals and service by hour of day over the range.
    by_hour = conn.execute(
        select(h.c.hour, func.sum(h.c.issued).label("issued"), func.sum(h.c.served).label("served"),
               func.sum(h.c.no_show).label("no_show"))
        .where(_range(h, hall.id, series_dim, q), h.c.key == series_key)
        .group_by(h.c.hour)
    ).all()
    hours = {r.hour: (int(r.issued or 0), int(r.served or 0), int(r.no_show or 0)) for r in by_hour}

    reservations = _reservations(conn, hall, q)
    evaluations = _evaluations(conn, hall, q)
    open_days = [day for day in stats.days_in(q.start, q.end) if stats.opening_seconds(hall.hours, day) > 0]
    mean_open_s = (
        sum(stats.opening_seconds(hall.hours, day) for day in open_days) / len(open_days) if open_days else 0
    )
    utilised = group in (stats.Dimension.WINDOW, stats.Dimension.STAFF)

    rows = []
    for r in by_key:
        if utilised and r.key == stats.NONE_KEY:
            continue  # tickets never called: no window or clerk to show them under
        values = _values(r)
        open_s = round(int(r.days_worked or 0) * mean_open_s) if utilised else None
        name_zh, name_en = name_of(hall, group, r.key)
        row: dict[str, Any] = {"key": r.key, "name": name_zh, "name_en": name_en,
                               **stats.figures(values, open_seconds=open_s)}
        if utilised:
            row["days_worked"] = int(r.days_worked or 0)
        row.update(_reservation_figures(reservations["by_key"].get(_reservation_key(group, r.key))))
        row.update(_evaluation_figures(evaluations["by_key"].get(r.key)))
        rows.append(row)
    rows.sort(key=lambda row: (-int(row["issued"] or 0) - int(row["served"] or 0), row["key"]))

    total_figures: dict[str, Any] = {**stats.figures(totals), **_reservation_figures(reservations["total"]),
                                     **_evaluation_figures(evaluations["total"])}
    return {
        "hall": {"id": hall.id, "name": hall.name, "name_en": hall.name_en},
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "period": q.period.value,
        "group": group.value,
        "key": q.key,
        "totals": total_figures,
        "rows": rows,
        "series": [
            {
                "start": start.isoformat(),
                "hour": hour,
                "label": stats.period_label(start, q.period, hour),
                **stats.figures(values),
                **(
                    _evaluation_figures(_sum_days(evaluations["by_day"], start, q.period))
                    if q.period is not stats.Period.HOUR and q.key is None
                    else {}
                ),
            }
            for start, hour, values in series
        ],
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


def _sum_days(by_day: dict[dt.date, tuple[int, int]], start: dt.date, period: stats.Period) -> tuple[int, int]:
    count = bad = 0
    for day, (n, b) in by_day.items():
        if stats.period_start(day, period) == start:
            count += n
            bad += b
    return count, bad


def _reservation_key(group: stats.Dimension, key: str) -> str | None:
    if group is stats.Dimension.HALL:
        return ""
    if group is stats.Dimension.QUEUE:
        return key
    if group is stats.Dimension.CHANNEL and key == "reservation":
        return ""
    return None


def _reservations(conn: Connection, hall: Hall, q: Query) -> dict[str, Any]:
    """Reservations due in the range (booked or checked in, not cancelled) and checked in, in
    total and by queue (reservations belong to no window, clerk or item until they are tickets)."""
    r = s.reservations
    due = func.sum(case((r.c.status != "cancelled", 1), else_=0)).label("due")
    checked = func.sum(case((r.c.status == "checked_in", 1), else_=0)).label("checked_in")
    where = and_(r.c.hall_id == hall.id, r.c.service_day >= q.start, r.c.service_day <= q.end)
    found = conn.execute(select(r.c.queue, due, checked).where(where).group_by(r.c.queue)).all()
    by_key: dict[str | None, tuple[int, int]] = {row.queue: (int(row.due or 0), int(row.checked_in or 0)) for row in found}
    total = (sum(v[0] for v in by_key.values()), sum(v[1] for v in by_key.values()))
    by_key[""] = total
    return {"by_key": by_key, "total": total}


def _reservation_figures(found: tuple[int, int] | None) -> dict[str, Any]:
    if found is None:
        return {"reservations_due": None, "reservations_checked_in": None, "checkin_rate": None}
    due, checked = found
    return {"reservations_due": due, "reservations_checked_in": checked,
            "checkin_rate": round(checked / due, 4) if due else None}


_EVALUATION_COLUMN = {
    stats.Dimension.QUEUE: "queue",
    stats.Dimension.WINDOW: "window",
    stats.Dimension.STAFF: "clerk_id",
    stats.Dimension.ITEM: "item_code",
}


def _evaluations(conn: Connection, hall: Hall, q: Query) -> dict[str, Any]:
    """First evaluations (a 追评 does not count twice) of services in the range: count and 差评,
    by the group's key and by day. Read through the index on creation time: an evaluation is
    made on its service day or within days of it."""
    e = et.evaluations
    bad = func.sum(case((e.c.level.in_([int(level) for level in BAD_LEVELS]), 1), else_=0)).label("bad")
    low = dt.datetime.combine(q.start, dt.time(), hall.zone)
    where = and_(
        e.c.hall_id == hall.id, e.c.kind == "first", e.c.created_at >= low,
        e.c.service_day >= q.start, e.c.service_day <= q.end,
    )
    by_day = {
        row.service_day: (int(row.n or 0), int(row.bad or 0))
        for row in conn.execute(select(e.c.service_day, func.count().label("n"), bad).where(where).group_by(e.c.service_day))
    }
    total = (sum(v[0] for v in by_day.values()), sum(v[1] for v in by_day.values()))
    by_key: dict[str, tuple[int, int]] = {}
    if q.group is stats.Dimension.HALL:
        by_key[""] = total
    elif q.group is stats.Dimension.CHANNEL:
        t = s.tickets
        found = conn.execute(
            select(t.c.channel.label("key"), func.count().label("n"), bad)
            .select_from(e.join(t, t.c.id == e.c.ticket_id))
            .where(where)
            .group_by(t.c.channel)
        )
        by_key = {row.key: (int(row.n or 0), int(row.bad or 0)) for row in found}
    else:
        column = e.c[_EVALUATION_COLUMN[q.group]]
        found = conn.execute(select(column.label("key"), func.count().label("n"), bad).where(where).group_by(column))
        by_key = {row.key or stats.NONE_KEY: (int(row.n or 0), int(row.bad or 0)) for row in found}
    return {"by_key": by_key, "by_day": by_day, "total": total}


def _evaluation_figures(found: tuple[int, int] | None) -> dict[str, Any]:
    count, bad = found or (0, 0)
    return {"evaluations": count, "bad": bad, "bad_rate": round(bad / count, 4) if count else None}


async def report(rt: Runtime, hall: Hall, q: Query) -> dict[str, Any]:
    return await rt.read(lambda conn: read(conn, hall, q))
