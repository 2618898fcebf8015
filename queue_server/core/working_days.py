"""Working days (工作日) by a hall's calendar: a day on which the hall has service hours. The
hall's dated overrides decide holidays (closed) and 调休 working weekends (sessions); a hall
without hours works Monday to Friday. Deadlines of 好差评 (5 working days) count these."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ..config import Hours
from .hours import sessions_on

_SEARCH_LIMIT = 400  # days: a calendar with no working day in a year is a configuration error


def is_working_day(hours: Hours | None, day: dt.date) -> bool:
    if hours is None:
        return day.weekday() < 5
    return bool(sessions_on(hours, day))


def add_working_days(hours: Hours | None, day: dt.date, count: int) -> dt.date:
    """The `count`th working day after `day` (`day` itself not counted); `count` 0 is `day`."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    found = 0
    current = day
    for _ in range(count * 7 + _SEARCH_LIMIT):
        if found == count:
            return current
        current += dt.timedelta(days=1)
        if is_working_day(hours, current):
            found += 1
    raise ValueError("the hall's calendar has no working day within a year")


def deadline_after(hours: Hours | None, start: dt.datetime, count: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The end (local midnight) of the `count`th working day after the local day of `start`."""
    last = add_working_days(hours, start.astimezone(zone).date(), count)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0), zone).astimezone(dt.UTC)
