"""Ticket numbers (CONTRACT §4: queue id + at least three digits, restarting each service day in
the hall's time zone) and service days."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from core_builders import SHANGHAI, UTC, at, issue, make_hall, make_state
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.core.numbering import format_number, number_sort_key, service_day

NUMBER = re.compile(r"^[A-Z]{1,2}\d{3,}$")


@pytest.mark.parametrize(
    ("queue", "seq", "expected"),
    [
        ("A", 1, "A001"),
        ("A", 2, "A002"),
        ("A", 10, "A010"),
        ("A", 99, "A099"),
        ("A", 100, "A100"),
        ("A", 999, "A999"),
        ("A", 1000, "A1000"),
        ("A", 12345, "A12345"),
        ("AB", 7, "AB007"),
        ("ZZ", 1000, "ZZ1000"),
    ],
)
def test_format_number(queue: str, seq: int, expected: str) -> None:
    assert format_number(queue, seq) == expected


@pytest.mark.parametrize("seq", [0, -1])
def test_sequences_start_at_one(seq: int) -> None:
    with pytest.raises(ValueError):
        format_number("A", seq)


@given(
    st.from_regex(r"\A[A-Z]{1,2}\Z"),
    st.integers(min_value=1, max_value=10**6),
)
@settings(max_examples=200, deadline=None)
def test_format_number_round_trips(queue: str, seq: int) -> None:
    number = format_number(queue, seq)
    assert NUMBER.match(number)
    assert number.startswith(queue)
    assert int(number[len(queue) :]) == seq
    assert number_sort_key(number) == (queue, seq)


@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=1, max_value=5000))
@settings(max_examples=200, deadline=None)
def test_number_order_is_natural(a: int, b: int) -> None:
    """A002 < A010 < A999 < A1000: numbers compare by their sequence, not as text."""
    ka, kb = number_sort_key(format_number("A", a)), number_sort_key(format_number("A", b))
    assert (ka < kb) == (a < b)


def test_number_order_prefix_first() -> None:
    numbers = ["B001", "A1000", "A010", "AB002", "A002", "A999"]
    assert sorted(numbers, key=number_sort_key) == ["A002", "A010", "A999", "A1000", "AB002", "B001"]


def test_number_sort_key_of_foreign_text() -> None:
    assert number_sort_key("xyz") == ("xyz", 0)


# -- service day ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        (dt.datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC), dt.date(2026, 11, 22)),  # 23:59:59 +08
        (dt.datetime(2026, 11, 22, 16, 0, 0, tzinfo=UTC), dt.date(2026, 11, 23)),  # 00:00:00 +08
        (dt.datetime(2026, 11, 22, 16, 0, 1, tzinfo=UTC), dt.date(2026, 11, 23)),
        (dt.datetime(2026, 11, 23, 0, 0, 0, tzinfo=UTC), dt.date(2026, 11, 23)),  # 08:00 +08
        (dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC), dt.date(2027, 1, 1)),  # new year in Jinan
        (dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), dt.date(2026, 12, 31)),
    ],
)
def test_service_day_follows_shanghai_around_midnight(utc_moment: dt.datetime, expected: dt.date) -> None:
    assert service_day(utc_moment, SHANGHAI) == expected


def test_service_day_is_the_same_whatever_offset_the_moment_carries() -> None:
    moment = at(0, 30)  # 00:30 in Jinan = 16:30 UTC the day before
    assert service_day(moment, SHANGHAI) == moment.date()
    assert service_day(moment.astimezone(UTC), SHANGHAI) == moment.date()
    assert service_day(moment.astimezone(zoneinfo.ZoneInfo("America/New_York")), SHANGHAI) == moment.date()


def test_service_day_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        service_day(dt.datetime(2026, 11, 23, 9, 0), SHANGHAI)


# -- numbering through the engine ---------------------------------------------------------------


def test_numbers_count_per_queue_and_restart_each_service_day() -> None:
    state = make_state(make_hall(queues=["A", "B", "CD"], windows=[("W1", ["A", "B", "CD"])]))
    assert [issue(state, "A", at(9)).number for _ in range(3)] == ["A001", "A002", "A003"]
    assert issue(state, "B", at(9, 1)).number == "B001"
    assert issue(state, "CD", at(9, 2)).number == "CD001"
    assert issue(state, "A", at(9, 3)).number == "A004"
    # 23:59:59 is still the same day; 00:00 the next one restarts at 001.
    assert issue(state, "A", at(23, 59, 59)).number == "A005"
    next_day = at(0, 0, 0, day=dt.date(2026, 11, 24))
    first = issue(state, "A", next_day)
    assert first.number == "A001"
    assert first.service_day == dt.date(2026, 11, 24)
    assert issue(state, "B", next_day).number == "B001"


def test_numbering_reaches_four_digits() -> None:
    state = make_state()
    numbers = [issue(state, "A", at(9)).number for _ in range(1001)]
    assert numbers[0] == "A001"
    assert numbers[998] == "A999"
    assert numbers[999] == "A1000"
    assert numbers[1000] == "A1001"
    assert len(set(numbers)) == 1001


def test_service_day_of_tickets_uses_hall_zone_not_utc() -> None:
    state = make_state()
    # 07:30 in Jinan on the 23rd is still the 22nd in UTC.
    ticket = issue(state, "A", dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    assert ticket.service_day == dt.date(2026, 11, 23)
    assert ticket.number == "A001"
