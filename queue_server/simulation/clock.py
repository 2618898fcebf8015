"""Times of day as the simulator counts them: whole seconds after the hall's local midnight in
plans ("09:30", "09:30:15"), microseconds in the simulated clock (so recorded timestamps replay
exactly). Plan times are wall-clock times of the hall's zone (halls in China keep no summer time)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
DAY_S = 24 * 3600
US = 1_000_000


def parse_time(value: object) -> int:
    """Seconds after midnight of "HH:MM" or "HH:MM:SS" (up to "24:00", the day's end)."""
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        raise ValueError(f"a time of day is written \"HH:MM\", not {value!r}")
    match = _TIME.match(value.strip())
    if not match:
        raise ValueError(f"a time of day is written \"HH:MM\", not {value!r}")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise ValueError(f"{value!r} is not a time of day")
    return hours * 3600 + minutes * 60 + seconds


def format_time(seconds: float) -> str:
    whole = int(seconds)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}"
    return text + (f":{whole % 60:02d}" if whole % 60 else "")


def midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), zone)


def to_us(moment: dt.datetime, base: dt.datetime) -> int:
    """A recorded moment as microseconds after the day's midnight (exact: no float)."""
    delta = moment - base
    return (delta.days * 86400 + delta.seconds) * US + delta.microseconds
