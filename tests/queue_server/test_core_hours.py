"""Service hours: sessions with a lunch break, weekday rules, seasons (also over new year), dated
overrides, the last-ticket cutoff and the next opening."""

from __future__ import annotations

import datetime as dt

import pytest
from core_builders import SHANGHAI, UTC, at
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.config import Hours
from queue_server.core.hours import is_open, next_opening, sessions_on, today_sessions

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
MON = dt.date(2026, 11, 23)
SAT = dt.date(2026, 11, 28)


def hours(**data) -> Hours:
    data.setdefault("rules", [{"days": WEEKDAYS, "sessions": [["09:00", "12:00"], ["13:30", "17:00"]]}])
    return Hours.model_validate(data)


def open_at(h: Hours, moment: dt.datetime) -> bool:
    return is_open(h, moment, SHANGHAI)


def test_no_hours_is_always_open() -> None:
    assert is_open(None, at(3), SHANGHAI)
    assert next_opening(None, at(3), SHANGHAI) == at(3)
    assert today_sessions(None, at(3), SHANGHAI) == []


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(8, 59, 59), False),
        (at(9), True),  # the start is inclusive
        (at(11, 59, 59), True),
        (at(12), False),  # the end is exclusive
        (at(12, 45), False),  # lunch break
        (at(13, 29, 59), False),
        (at(13, 30), True),
        (at(16, 59), True),
        (at(17), False),
        (at(10, day=SAT), False),  # no rule for Saturday
    ],
)
def test_sessions_and_lunch_break(moment: dt.datetime, expected: bool) -> None:
    assert open_at(hours(), moment) is expected


def test_moments_in_other_zones_are_read_in_hall_time() -> None:
    h = hours()
    assert open_at(h, dt.datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # 09:00 in Jinan
    assert not open_at(h, dt.datetime(2026, 11, 23, 0, 59, tzinfo=UTC))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(at(11, 29, 59), True), (at(11, 30), False), (at(16, 29), True), (at(16, 30), False), (at(16, 59), False)],
)
def test_last_ticket_minutes_before_end(moment: dt.datetime, expected: bool) -> None:
    assert open_at(hours(last_ticket_minutes_before_end=30), moment) is expected


def test_later_rules_win_for_their_days() -> None:
    h = hours(
        rules=[
            {"days": WEEKDAYS, "sessions": [["09:00", "17:00"]]},
            {"days": ["fri"], "sessions": [["09:00", "12:00"]]},  # short Friday
            {"days": ["sat"], "sessions": [["09:00", "12:00"]]},  # 周六延时服务
        ]
    )
    friday, saturday = dt.date(2026, 11, 27), SAT
    assert open_at(h, at(15, day=MON))
    assert not open_at(h, at(15, day=friday))
    assert open_at(h, at(10, day=saturday))
    assert sessions_on(h, dt.date(2026, 11, 29)) == ()


SEASONS = [
    {"days": WEEKDAYS, "sessions": [["09:00", "17:00"]]},
    # Summer hours from May to September, winter hours over new year.
    {"days": WEEKDAYS, "sessions": [["08:30", "18:00"]], "season_from": "05-01", "season_to": "09-30"},
    {"days": WEEKDAYS, "sessions": [["09:30", "16:30"]], "season_from": "11-15", "season_to": "02-15"},
]


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (dt.date(2026, 4, 30), "09:00"),  # Thursday before summer
        (dt.date(2026, 5, 1), "08:30"),  # first day of summer (inclusive)
        (dt.date(2026, 9, 30), "08:30"),  # last day of summer (inclusive)
        (dt.date(2026, 10, 1), "09:00"),
        (dt.date(2026, 11, 13), "09:00"),
        (dt.date(2026, 11, 16), "09:30"),  # winter, which runs over new year
        (dt.date(2026, 12, 31), "09:30"),
        (dt.date(2027, 1, 4), "09:30"),
        (dt.date(2027, 2, 15), "09:30"),  # last day of winter (inclusive)
        (dt.date(2027, 2, 16), "09:00"),
    ],
)
def test_seasons(day: dt.date, start: str) -> None:
    h = hours(rules=SEASONS)
    assert day.weekday() < 5
    assert [s.start.strftime("%H:%M") for s in sessions_on(h, day)] == [start]


def test_open_ended_seasons() -> None:
    h = hours(
        rules=[
            {"days": WEEKDAYS, "sessions": [["09:00", "17:00"]], "season_from": "07-01"},
            {"days": WEEKDAYS, "sessions": [["10:00", "17:00"]], "season_to": "03-31"},
        ]
    )
    assert sessions_on(h, dt.date(2026, 6, 30)) == ()  # a Tuesday in neither season
    assert sessions_on(h, dt.date(2026, 7, 1))[0].start == dt.time(9)
    assert sessions_on(h, dt.date(2026, 3, 31))[0].start == dt.time(10)


def test_date_overrides_close_and_open() -> None:
    h = hours(
        dates=[
            {"date": "2026-10-01", "closed": True, "note": "国庆节"},
            {"date": "2026-10-10", "sessions": [["09:00", "12:00"]], "note": "调休上班"},  # a Saturday
            {"date": "2026-11-24", "sessions": [["09:00", "20:00"]], "note": "延时服务"},
        ]
    )
    assert not open_at(h, at(10, day=dt.date(2026, 10, 1)))  # a Thursday, but a holiday
    assert open_at(h, at(10, day=dt.date(2026, 10, 10)))
    assert not open_at(h, at(13, day=dt.date(2026, 10, 10)))
    assert open_at(h, at(19, day=dt.date(2026, 11, 24)))
    assert open_at(h, at(12, 30, day=dt.date(2026, 11, 24)))  # the override replaces the lunch break
    assert not open_at(h, at(19, day=MON))


def test_next_opening() -> None:
    h = hours(dates=[{"date": "2026-11-30", "closed": True}])
    assert next_opening(h, at(10), SHANGHAI) == at(10)  # open now
    assert next_opening(h, at(7), SHANGHAI) == at(9)
    assert next_opening(h, at(12, 10), SHANGHAI) == at(13, 30)  # after lunch
    assert next_opening(h, at(18), SHANGHAI) == at(9, day=dt.date(2026, 11, 24))
    friday_evening = at(18, day=dt.date(2026, 11, 27))
    # Over the weekend, and past a closed Monday.
    assert next_opening(h, friday_evening, SHANGHAI) == at(9, day=dt.date(2026, 12, 1))
    # A UTC moment gets an answer in hall time.
    assert next_opening(h, dt.datetime(2026, 11, 22, 22, 0, tzinfo=UTC), SHANGHAI) == at(9)


def test_next_opening_after_the_last_ticket_cutoff() -> None:
    h = hours(last_ticket_minutes_before_end=30)
    assert next_opening(h, at(11, 45), SHANGHAI) == at(13, 30)
    assert next_opening(h, at(16, 45), SHANGHAI) == at(9, day=dt.date(2026, 11, 24))


def test_next_opening_skips_sessions_shorter_than_the_cutoff() -> None:
    """A session that ends within the cutoff of its start never takes tickets: the next opening is
    a moment at which tickets can really be taken."""
    h = hours(
        rules=[{"days": WEEKDAYS, "sessions": [["09:00", "09:20"], ["10:00", "12:00"]]}],
        last_ticket_minutes_before_end=30,
    )
    opening = next_opening(h, at(8), SHANGHAI)
    assert opening == at(10)
    assert open_at(h, opening)


def test_next_opening_none_beyond_the_horizon() -> None:
    h = hours(rules=[{"days": ["mon"], "sessions": [["09:00", "10:00"]], "season_from": "01-01", "season_to": "01-31"}])
    assert next_opening(h, at(12), SHANGHAI, horizon_days=30) is None
    assert next_opening(h, at(12), SHANGHAI, horizon_days=60) == at(9, day=dt.date(2027, 1, 4))


def test_today_sessions() -> None:
    assert today_sessions(hours(), at(20), SHANGHAI) == [
        {"start": "09:00", "end": "12:00"},
        {"start": "13:30", "end": "17:00"},
    ]
    assert today_sessions(hours(), at(20, day=SAT), SHANGHAI) == []


@given(
    moment=st.datetimes(
        min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(SHANGHAI)
    ),
    cutoff=st.sampled_from([0, 15, 30, 60]),
)
@settings(max_examples=200, deadline=None)
def test_next_opening_is_open_and_nothing_opens_before_it(moment: dt.datetime, cutoff: int) -> None:
    h = hours(rules=SEASONS, last_ticket_minutes_before_end=cutoff, dates=[{"date": "2027-01-01", "closed": True}])
    opening = next_opening(h, moment, SHANGHAI)
    assert opening is not None and opening >= moment
    assert open_at(h, opening)
    if opening > moment:
        # Opening moments are session starts; none between the moment and the answer is open.
        step = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        probes = [moment] + [step + dt.timedelta(minutes=m) for m in range(0, 24 * 60 * 4, 29)]
        assert not any(moment <= p < opening and open_at(h, p) for p in probes)
