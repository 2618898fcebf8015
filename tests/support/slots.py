"""Reservation slots for tests that book around the present moment. A check-in is possible on the
slot's own service day only (in the hall's zone, Asia/Shanghai for every test hall), so a slot
"two hours from now" booked at 23:00 in Shanghai falls on tomorrow and its check-in is refused:
the suite failed late in the evening. These keep a slot's start on today's service day, on the
side of now asked for, and in the order of the deltas asked for (a later delta, a later start)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

HALL_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
HOUR = dt.timedelta(hours=1)


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(HALL_ZONE).replace(microsecond=0)


def later_today(delta: dt.timedelta, now: dt.datetime | None = None) -> dt.datetime:
    """`now + delta`, or, when that is past today's end, a point of what is left of today: the
    further `delta`, the later (min(delta, left · delta / (delta + 1 h)) grows with delta)."""
    now = _now(now)
    left = dt.datetime.combine(now.date(), dt.time(23, 59), HALL_ZONE) - now
    return now + min(delta, left * (delta / (delta + HOUR)))


def earlier_today(delta: dt.timedelta, now: dt.datetime | None = None) -> dt.datetime:
    """`now - delta`, kept on today in the same way (just after midnight, a few minutes back)."""
    now = _now(now)
    gone = now - dt.datetime.combine(now.date(), dt.time(0, 0), HALL_ZONE)
    return now - min(delta, gone * (delta / (delta + HOUR)))
