"""统计分析, the pure part (no I/O): what a ticket's change adds to the rollups, fixed-bucket
histograms and the percentiles read from them, grouping days into weeks and months, and the
limits of a report's range.

A ticket's change adds a `Tally` to a `Slot` (service day, local hour, queue, window, clerk,
channel, item). Storage keeps each tally once per dimension (`dimension_keys`): the hall, the
queue, the window, the clerk, the item and the channel, per day and per hour. Tallies only add
(counts, sums, histogram buckets) or take the larger value (max), so rows of a slice sum to the
figures of any range and writing one is a single upsert.

Percentiles cannot be summed, so waits and handling times are kept as histograms over fixed
bucket edges; p50/p90 are read from the summed histogram by linear interpolation inside the
bucket that holds the rank (clipped to the exact maximum): an approximation whose error is at most
the width of that bucket. Maxima are exact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any

from ..config import Hours
from .hours import sessions_on
from .model import Ticket, TicketStatus

# Bucket edges in seconds; bucket i holds [EDGES[i], EDGES[i+1]), the last one everything above.
WAIT_EDGES: tuple[int, ...] = (0, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200)
HANDLE_EDGES: tuple[int, ...] = (0, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600)
BUCKETS = len(WAIT_EDGES)
assert len(HANDLE_EDGES) == BUCKETS

COUNTS = ("issued", "served", "no_show", "transferred", "cancelled", "expired", "checked_in")
SUMS = ("wait_n", "wait_sum", "handle_n", "handle_sum", "busy_s")
MAXES = ("wait_max", "handle_max")
WAIT_COLUMNS = tuple(f"w{i}" for i in range(BUCKETS))
HANDLE_COLUMNS = tuple(f"h{i}" for i in range(BUCKETS))
# Kept by the database itself (triggers of migration 0006), daily and monthly: first evaluations
# and their 差评 by the evaluated service's day, queue, window, clerk, item and ticket channel;
# reservations due (not cancelled) and checked in by their day and queue (and the channel
# "reservation").
RECORDED = ("evaluations", "bad", "reservations_due", "reservations_checked_in")
ADDED = COUNTS + SUMS + WAIT_COLUMNS + HANDLE_COLUMNS + RECORDED  # summed when rows meet
MEASURES = ADDED + MAXES


class Dimension(enum.StrEnum):
    HALL = "hall"
    QUEUE = "queue"
    WINDOW = "window"
    STAFF = "staff"
    ITEM = "item"
    CHANNEL = "channel"


class Period(enum.StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# The longest range each period may cover (days, both ends included): a report stays readable.
MAX_DAYS = {Period.HOUR: 31, Period.DAY: 366, Period.WEEK: 3 * 366, Period.MONTH: 5 * 366}
NONE_KEY = ""  # a slot without a window, clerk or item (a ticket not yet called; no item chosen)


class RangeError(ValueError):
    """A report's range or period is not allowed; the message says why (English, 中文)."""

    def __init__(self, message: str, message_zh: str):
        super().__init__(message)
        self.message_zh = message_zh


@dataclasses.dataclass(frozen=True, slots=True)
class Slot:
    day: dt.date  # the ticket's service day
    hour: int  # local hour 0..23 of the moment counted
    queue: str
    window: str = NONE_KEY
    staff: str = NONE_KEY
    channel: str = NONE_KEY
    item: str = NONE_KEY
    green: bool = False  # 绿色通道: also counted under the channel "green"


GREEN = "green"


@dataclasses.dataclass(slots=True)
class Tally:
    """Figures of one slot; every field adds, except the maxima (the larger wins)."""

    values: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, name: str, amount: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + amount

    def take_max(self, name: str, value: int) -> None:
        self.values[name] = max(self.values.get(name, 0), value)

    def merge(self, other: Tally) -> None:
        for name, value in other.values.items():
            if name in MAXES:
                self.take_max(name, value)
            else:
                self.add(name, value)

    def get(self, name: str) -> int:
        return self.values.get(name, 0)


def bucket(seconds: float, edges: Sequence[int]) -> int:
    """The bucket of `seconds` (negative ones count as 0)."""
    index = 0
    for i, edge in enumerate(edges):
        if seconds >= edge:
            index = i
        else:
            break
    return index


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds()))


def record_wait(tally: Tally, seconds: int) -> None:
    tally.add("wait_n")
    tally.add("wait_sum", seconds)
    tally.add(WAIT_COLUMNS[bucket(seconds, WAIT_EDGES)])
    tally.take_max("wait_max", seconds)


def record_handling(tally: Tally, seconds: int) -> None:
    tally.add("handle_n")
    tally.add("handle_sum", seconds)
    tally.add(HANDLE_COLUMNS[bucket(seconds, HANDLE_EDGES)])
    tally.take_max("handle_max", seconds)


def local_hour(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> int:
    return moment.astimezone(zone).hour


_AT_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)


def contributions(
    before: Ticket | None,
    after: Ticket,
    *,
    created: bool,
    now: dt.datetime,
    staff: str | None,
    zone: zoneinfo.ZoneInfo,
) -> list[tuple[Slot, Tally]]:
    """What one ticket's change adds. `before` is the ticket as it was (None when created or
    unknown), `staff` the clerk signed in at the window it was at, `now` the moment of the change.

    - issued (and checked_in for a reservation's ticket): when created, in the issue hour;
    - served: a ticket at a window finished; wait = issue → the call that was served (for a
      transferred ticket it includes its earlier visits), handling = that call → finish;
    - no_show: a ticket called and skipped (过号); transferred: sent on from a window to a queue
      (counted for the window and queue it left); both add their time at the window to busy_s;
    - cancelled, expired (left unfinished at the end of its day; a no-show never requeued also
      expires, and is counted in both).
    """
    found: list[tuple[Slot, Tally]] = []
    day = after.service_day
    base: dict[str, Any] = dict(channel=after.channel, item=after.item_code or NONE_KEY, green=after.green)
    if created:
        tally = Tally()
        tally.add("issued")
        if after.reservation_id is not None:
            tally.add("checked_in")
        found.append((Slot(day, local_hour(after.issued_at, zone), after.queue, **base), tally))
        return found
    if before is None or before.status == after.status and before.queue == after.queue:
        return found
    at_window = before.status in _AT_WINDOW
    window = before.window or NONE_KEY
    clerk = staff or NONE_KEY
    if at_window and after.status is TicketStatus.DONE:
        tally = Tally()
        tally.add("served")
        wait = _seconds(after.issued_at, after.called_at)
        handling = _seconds(after.called_at, after.finished_at)
        if wait is not None:
            record_wait(tally, wait)
        if handling is not None:
            record_handling(tally, handling)
            tally.add("busy_s", handling)
        moment = after.finished_at or now
        found.append((Slot(day, local_hour(moment, zone), before.queue, window, clerk, **base), tally))
    elif at_window and after.status is TicketStatus.MISSED:
        tally = Tally()
        tally.add("no_show")
        tally.add("busy_s", _seconds(before.called_at, after.finished_at or now) or 0)
        found.append((Slot(day, local_hour(now, zone), before.queue, window, clerk, **base), tally))
    elif at_window and after.status is TicketStatus.WAITING:
        tally = Tally()
        tally.add("transferred")
        tally.add("busy_s", _seconds(before.called_at, now) or 0)
        found.append((Slot(day, local_hour(now, zone), before.queue, window, clerk, **base), tally))
    elif after.status is TicketStatus.CANCELLED and before.status is not TicketStatus.CANCELLED:
        tally = Tally()
        tally.add("cancelled")
        slot_window = window if at_window else NONE_KEY
        slot_clerk = clerk if at_window else NONE_KEY
        found.append((Slot(day, local_hour(now, zone), after.queue, slot_window, slot_clerk, **base), tally))
    elif after.status is TicketStatus.EXPIRED and before.status is not TicketStatus.EXPIRED:
        tally = Tally()
        tally.add("expired")
        found.append((Slot(day, local_hour(after.issued_at, zone), after.queue, **base), tally))
    return found


# The dimensions kept by the hour too (the hour-of-day profile and hourly series of one of their
# rows); items and channels are kept by day and month only.
HOURLY_DIMENSIONS = frozenset({Dimension.HALL, Dimension.QUEUE, Dimension.WINDOW, Dimension.STAFF})


def dimension_keys(slot: Slot) -> list[tuple[Dimension, str]]:
    """The slices a slot's tally is kept in: the hall's own total and one row per dimension. A
    slot at no window (an issued ticket, one cancelled while waiting, an expiry) has no window or
    clerk row. A green channel ticket is kept under its own channel and under "green" too."""
    keys = [(Dimension.HALL, ""), (Dimension.QUEUE, slot.queue)]
    if slot.window != NONE_KEY:
        keys += [(Dimension.WINDOW, slot.window), (Dimension.STAFF, slot.staff)]
    keys += [(Dimension.ITEM, slot.item), (Dimension.CHANNEL, slot.channel)]
    if slot.green:
        keys.append((Dimension.CHANNEL, GREEN))
    return keys


def nonzero(values: dict[str, int]) -> tuple[str, ...]:
    """A tally's columns that are not zero, in MEASURES order (the shape of its upsert)."""
    return tuple(m for m in MEASURES if values.get(m, 0))


# -- reading -------------------------------------------------------------------------------------


def percentile(histogram: Sequence[int], edges: Sequence[int], q: float, maximum: int) -> float | None:
    """The q-quantile (0 < q ≤ 1) of values counted in `histogram`, interpolated linearly inside
    its bucket; the open last bucket ends at `maximum`, and no answer exceeds it."""
    total = sum(histogram)
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    for i, count in enumerate(histogram):
        if count <= 0:
            continue
        if seen + count >= rank:
            low = edges[i]
            high = edges[i + 1] if i + 1 < len(edges) else max(maximum, low)
            high = min(high, max(maximum, low))
            fraction = (rank - seen) / count
            return round(min(low + fraction * (high - low), float(maximum)), 1)
        seen += count
    return float(maximum)  # pragma: no cover - rank never exceeds total


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(values: dict[str, int], *, open_seconds: int | None = None) -> dict[str, float | int | None]:
    """The figures a table row shows, from summed rollup values. `open_seconds`: the time the
    row's windows could serve in the range (for utilisation; None leaves it out)."""
    wait_hist = [values.get(c, 0) for c in WAIT_COLUMNS]
    handle_hist = [values.get(c, 0) for c in HANDLE_COLUMNS]
    wait_max = values.get("wait_max", 0)
    handle_max = values.get("handle_max", 0)
    wait_n = values.get("wait_n", 0)
    handle_n = values.get("handle_n", 0)
    out: dict[str, float | int | None] = {name: values.get(name, 0) for name in COUNTS}
    out.update(
        wait_p50_s=percentile(wait_hist, WAIT_EDGES, 0.5, wait_max),
        wait_p90_s=percentile(wait_hist, WAIT_EDGES, 0.9, wait_max),
        wait_max_s=wait_max if wait_n else None,
        wait_mean_s=round(values.get("wait_sum", 0) / wait_n, 1) if wait_n else None,
        handle_p50_s=percentile(handle_hist, HANDLE_EDGES, 0.5, handle_max),
        handle_p90_s=percentile(handle_hist, HANDLE_EDGES, 0.9, handle_max),
        handle_max_s=handle_max if handle_n else None,
        handle_mean_s=round(values.get("handle_sum", 0) / handle_n, 1) if handle_n else None,
        busy_s=values.get("busy_s", 0),
        no_show_rate=_rate(values.get("no_show", 0), values.get("served", 0) + values.get("no_show", 0)),
    )
    evaluations, bad = values.get("evaluations", 0), values.get("bad", 0)
    due, checked = values.get("reservations_due", 0), values.get("reservations_checked_in", 0)
    out.update(
        evaluations=evaluations, bad=bad, bad_rate=_rate(bad, evaluations),
        reservations_due=due, reservations_checked_in=checked, checkin_rate=_rate(checked, due),
    )
    if open_seconds is not None:
        out["utilisation"] = round(min(1.0, values.get("busy_s", 0) / open_seconds), 4) if open_seconds > 0 else None
    return out


def add_values(into: dict[str, int], other: dict[str, int]) -> None:
    for name, value in other.items():
        if name in MAXES:
            into[name] = max(into.get(name, 0), value or 0)
        else:
            into[name] = into.get(name, 0) + (value or 0)


# -- periods -------------------------------------------------------------------------------------


def period_start(day: dt.date, period: Period) -> dt.date:
    """The first day of the period holding `day` (weeks start on Monday, as in China)."""
    if period is Period.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return day


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def split_months(start: dt.date, end: dt.date) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """[start, end] as day ranges outside whole months, and the whole months inside (first and
    last month's first day), so a long range reads monthly rows and only its edges daily ones."""
    first_whole = start if start.day == 1 else month_of(start + dt.timedelta(days=32 - start.day))
    after = end + dt.timedelta(days=1)
    last_whole_end = month_of(after)  # the first day not in a whole month at the end
    if first_whole >= last_whole_end:
        return [(start, end)], None
    edges = []
    if start < first_whole:
        edges.append((start, first_whole - dt.timedelta(days=1)))
    if last_whole_end <= end:
        edges.append((last_whole_end, end))
    last_month = month_of(last_whole_end - dt.timedelta(days=1))
    return edges, (first_whole, last_month)


def period_label(start: dt.date, period: Period, hour: int | None = None) -> str:
    if period is Period.HOUR:
        return f"{start.isoformat()} {hour or 0:02d}:00"
    if period is Period.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.MONTH:
        return f"{start.year}-{start.month:02d}"
    return start.isoformat()


def check_range(start: dt.date, end: dt.date, period: Period) -> int:
    """The number of days in [start, end]; RangeError when it is empty or longer than the period
    allows."""
    if end < start:
        raise RangeError("'from' is after 'to'", "开始日期不能晚于结束日期")
    days = (end - start).days + 1
    limit = MAX_DAYS[period]
    if days > limit:
        raise RangeError(
            f"a report by {period.value} covers at most {limit} days (asked: {days})",
            f"按{PERIOD_NAMES_ZH[period]}统计最多 {limit} 天（所选 {days} 天）",
        )
    return days


PERIOD_NAMES_ZH = {Period.HOUR: "小时", Period.DAY: "日", Period.WEEK: "周", Period.MONTH: "月"}


def group_series(
    rows: Iterable[tuple[dt.date, int | None, dict[str, int]]], period: Period
) -> list[tuple[dt.date, int | None, dict[str, int]]]:
    """Rows by (day, hour) summed into the period's buckets, in time order."""
    merged: dict[tuple[dt.date, int], dict[str, int]] = {}
    for day, hour, values in rows:
        key = (period_start(day, period), hour if period is Period.HOUR and hour is not None else -1)
        add_values(merged.setdefault(key, {}), values)
    return [(day, None if hour < 0 else hour, values) for (day, hour), values in sorted(merged.items())]


def days_in(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


DEFAULT_OPEN_S = 8 * 3600  # a hall without [halls.hours] (always open): a working day counts 8 hours


def opening_seconds(hours: Hours | None, day: dt.date) -> int:
    """How long the hall is open on `day` by its hours (the denominator of a window's utilisation
    for each day it worked)."""
    if hours is None:
        return DEFAULT_OPEN_S
    total = 0
    for session in sessions_on(hours, day):
        start = dt.datetime.combine(day, session.start)
        end = dt.datetime.combine(day, session.end)
        total += max(0, int((end - start).total_seconds()))
    return total
