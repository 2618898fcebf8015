"""Ticket numbers and service days."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

_NUMBER_RE = re.compile(r"^([A-Z]{1,2})(\d{3,})$")


def service_day(now: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The hall's calendar day at `now` (numbering restarts and old tickets expire with it)."""
    if now.tzinfo is None:
        raise ValueError("service_day needs an aware datetime")
    return now.astimezone(zone).date()


def format_number(queue_id: str, seq: int) -> str:
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{queue_id}{seq:03d}"


def number_sort_key(number: str) -> tuple[str, int]:
    """Natural order: A002 < A010 < A1000; prefixes alphabetical."""
    match = _NUMBER_RE.match(number)
    if not match:
        return (number, 0)
    return (match.group(1), int(match.group(2)))
