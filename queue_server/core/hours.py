"""Service hours: is the hall open for new walk-in tickets at a moment, and when does it open
next. Rules apply per weekday within an optional season; dated overrides (holidays, 调休 working
weekends, extended days) win over rules."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ..config import Hours, HoursRule, Session

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _in_season(rule: HoursRule, day: dt.date) -> bool:
    if rule.season_from is None and rule.season_to is None:
        return True
    key = day.strftime("%m-%d")
    start = rule.season_from or "01-01"
    end = rule.season_to or "12-31"
    if start <= end:
        return start <= key <= end
    return key >= start or key <= end  # a season over new year (e.g. 11-01 to 02-28)


def sessions_on(hours: Hours, day: dt.date) -> tuple[Session, ...]:
    for override in hours.dates:
        if override.date == day:
            return () if override.closed else override.sessions
    sessions: tuple[Session, ...] = ()
    weekday = _DAY_NAMES[day.weekday()]
    for rule in hours.rules:  # later rules win for the days they cover
        if weekday in rule.days and _in_season(rule, day):
            sessions = rule.sessions
    return sessions


def _bounds(day: dt.date, session: Session, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(day, session.start, zone),
        dt.datetime.combine(day, session.end, zone),
    )


def is_open(hours: Hours | None, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Open for new walk-in tickets (a hall with no hours is always open)."""
    if hours is None:
        return True
    local = now.astimezone(zone)
    cutoff = dt.timedelta(minutes=hours.last_ticket_minutes_before_end)
    for session in sessions_on(hours, local.date()):
        start, end = _bounds(local.date(), session, zone)
        if start <= local < end - cutoff:
            return True
    return False


def next_opening(
    hours: Hours | None, now: dt.datetime, zone: zoneinfo.ZoneInfo, horizon_days: int = 60
) -> dt.datetime | None:
    """The next moment tickets can be taken (now when open); None when nothing within the horizon."""
    if hours is None or is_open(hours, now, zone):
        return now
    local = now.astimezone(zone)
    cutoff = dt.timedelta(minutes=hours.last_ticket_minutes_before_end)
    for offset in range(horizon_days + 1):
        day = local.date() + dt.timedelta(days=offset)
        for session in sessions_on(hours, day):
            start, end = _bounds(day, session, zone)
            if start > local and start < end - cutoff:  # a session all within the cutoff never opens
                return start
    return None


def today_sessions(hours: Hours | None, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> list[dict[str, str]]:
    if hours is None:
        return []
    day = now.astimezone(zone).date()
    return [{"start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M")} for s in sessions_on(hours, day)]
