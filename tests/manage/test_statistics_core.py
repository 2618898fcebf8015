"""The pure 统计分析 rules (queue_server/core/statistics.py): buckets, percentiles from summed
histograms (within one bucket of the exact value, never above the maximum), tallies that add in
any order, periods by the hall's calendar, range limits, and what each ticket change counts."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.core import statistics as stats
from queue_server.core.model import Ticket, TicketStatus

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 1)
seconds = st.integers(min_value=0, max_value=4 * 3600)


def histogram_of(values: list[int], edges: tuple[int, ...]) -> list[int]:
    counts = [0] * len(edges)
    for value in values:
        counts[stats.bucket(value, edges)] += 1
    return counts


def exact_quantile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@given(seconds)
def test_a_value_falls_in_the_bucket_whose_edges_hold_it(value: int) -> None:
    for edges in (stats.WAIT_EDGES, stats.HANDLE_EDGES):
        index = stats.bucket(value, edges)
        assert edges[index] <= value
        assert index == len(edges) - 1 or value < edges[index + 1]


@given(st.lists(seconds, min_size=1, max_size=300), st.sampled_from([0.5, 0.9]))
def test_a_percentile_from_the_histogram_is_within_the_bucket_of_the_exact_one(values: list[int], q: float) -> None:
    edges = stats.WAIT_EDGES
    found = stats.percentile(histogram_of(values, edges), edges, q, max(values))
    assert found is not None
    exact = exact_quantile(values, q)
    index = stats.bucket(exact, edges)
    low = edges[index]
    high = edges[index + 1] if index + 1 < len(edges) else max(values)
    assert low <= found <= max(high, low)
    assert found <= max(values)


def test_a_percentile_over_nothing_is_none_and_the_median_interpolates() -> None:
    assert stats.percentile([0] * stats.BUCKETS, stats.WAIT_EDGES, 0.5, 0) is None
    # Ten waits in [60, 120) and one longer: the median is half way through the bucket...
    histogram = [0, 10, 0, 1] + [0] * (stats.BUCKETS - 4)
    assert stats.percentile(histogram, stats.WAIT_EDGES, 0.5, 400) == 93.0  # rank 5.5 of 11: 0.55 into [60, 120)
    # ... and a bucket never reaches past the exact maximum.
    assert stats.percentile([0, 10] + [0] * (stats.BUCKETS - 2), stats.WAIT_EDGES, 0.5, 80) == 70.0
    # Everything above the last edge: the open bucket ends at the exact maximum.
    histogram = [0] * (stats.BUCKETS - 1) + [4]
    assert stats.percentile(histogram, stats.WAIT_EDGES, 1.0, 9000) == 9000.0


@given(st.lists(st.tuples(seconds, seconds), min_size=1, max_size=40), st.randoms())
def test_tallies_sum_the_same_in_any_order_and_grouping(pairs: list[tuple[int, int]], rnd: object) -> None:
    def tally_of(wait: int, handling: int) -> stats.Tally:
        tally = stats.Tally()
        tally.add("served")
        stats.record_wait(tally, wait)
        stats.record_handling(tally, handling)
        return tally

    tallies = [tally_of(w, h) for w, h in pairs]
    one = stats.Tally()
    for tally in tallies:
        one.merge(tally)
    shuffled = list(tallies)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    left, right = stats.Tally(), stats.Tally()
    for i, tally in enumerate(shuffled):
        (left if i % 2 else right).merge(tally)
    left.merge(right)
    assert one.values == left.values
    assert one.get("wait_max") == max(w for w, _ in pairs)
    assert sum(one.get(c) for c in stats.WAIT_COLUMNS) == len(pairs) == one.get("served")
    figures = stats.figures(one.values)
    assert figures["wait_max_s"] == max(w for w, _ in pairs)
    assert figures["wait_p90_s"] is not None and figures["wait_p90_s"] <= max(w for w, _ in pairs)


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_a_day_s_week_starts_on_monday_and_its_month_on_the_first(day: dt.date) -> None:
    week = stats.period_start(day, stats.Period.WEEK)
    assert week.weekday() == 0 and 0 <= (day - week).days < 7
    month = stats.period_start(day, stats.Period.MONTH)
    assert month.day == 1 and (month.year, month.month) == (day.year, day.month)
    assert stats.period_start(day, stats.Period.DAY) == day


def test_series_rows_are_summed_into_their_periods_in_order() -> None:
    rows = [
        (dt.date(2026, 11, 30), None, {"issued": 2, "wait_max": 50}),  # Monday
        (dt.date(2026, 12, 6), None, {"issued": 3, "wait_max": 70}),  # Sunday, same week
        (dt.date(2026, 12, 7), None, {"issued": 1, "wait_max": 10}),  # next week
    ]
    weeks = stats.group_series(rows, stats.Period.WEEK)
    assert [(d, v["issued"], v["wait_max"]) for d, _, v in weeks] == [
        (dt.date(2026, 11, 30), 5, 70), (dt.date(2026, 12, 7), 1, 10),
    ]
    months = stats.group_series(rows, stats.Period.MONTH)
    assert [(d, v["issued"]) for d, _, v in months] == [(dt.date(2026, 11, 1), 2), (dt.date(2026, 12, 1), 4)]
    assert stats.period_label(dt.date(2026, 11, 30), stats.Period.WEEK) == "2026-W49"
    assert stats.period_label(dt.date(2026, 12, 1), stats.Period.HOUR, 9) == "2026-12-01 09:00"


def test_a_range_is_checked_against_its_period() -> None:
    assert stats.check_range(DAY, DAY, stats.Period.HOUR) == 1
    assert stats.check_range(dt.date(2026, 1, 1), dt.date(2026, 12, 31), stats.Period.DAY) == 365
    with pytest.raises(stats.RangeError, match="after"):
        stats.check_range(DAY, DAY - dt.timedelta(days=1), stats.Period.DAY)
    with pytest.raises(stats.RangeError, match="at most 31 days") as refused:
        stats.check_range(DAY, DAY + dt.timedelta(days=31), stats.Period.HOUR)
    assert "按小时统计最多 31 天" in refused.value.message_zh


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=ZONE)


def ticket(**changes: object) -> Ticket:
    base = Ticket(id="t1", number="A001", queue="A", seq=1, service_day=DAY, channel="walkin",
                  status=TicketStatus.WAITING, issued_at=at(9, 5), effective_at=at(9, 5), item_code="X1")
    return base.replace(**changes)


def counted(before: Ticket | None, after: Ticket, *, created: bool = False, now: dt.datetime | None = None,
            staff: str | None = "s01") -> list[tuple[stats.Slot, dict[str, int]]]:
    found = stats.contributions(before, after, created=created, now=now or at(10), staff=staff, zone=ZONE)
    return [(slot, tally.values) for slot, tally in found]


def test_an_issued_ticket_counts_in_its_issue_hour_without_window_or_clerk() -> None:
    [(slot, values)] = counted(None, ticket(), created=True)
    assert slot == stats.Slot(DAY, 9, "A", "", "", "walkin", "X1", False)
    assert values == {"issued": 1}
    [(_, values)] = counted(None, ticket(reservation_id="r1", channel="reservation"), created=True)
    assert values == {"issued": 1, "checked_in": 1}


def test_a_served_ticket_counts_its_wait_handling_window_and_clerk() -> None:
    called = ticket(status=TicketStatus.SERVING, window="W01", called_at=at(9, 25), started_at=at(9, 26))
    done = called.replace(status=TicketStatus.DONE, finished_at=at(10, 1))
    [(slot, values)] = counted(called, done, now=at(10, 1))
    assert (slot.hour, slot.window, slot.staff, slot.queue) == (10, "W01", "s01", "A")
    assert values["served"] == 1
    assert values["wait_sum"] == 20 * 60 and values["wait_max"] == 1200
    assert values["handle_sum"] == 36 * 60 == values["busy_s"]
    assert values[stats.WAIT_COLUMNS[stats.bucket(1200, stats.WAIT_EDGES)]] == 1


def test_skips_transfers_cancels_and_expiries_each_count_once() -> None:
    called = ticket(status=TicketStatus.CALLED, window="W01", called_at=at(9, 30))
    [(_, skipped)] = counted(called, called.replace(status=TicketStatus.MISSED, finished_at=at(9, 32)), now=at(9, 32))
    assert skipped == {"no_show": 1, "busy_s": 120}
    moved = called.replace(status=TicketStatus.WAITING, queue="C", window=None, called_at=None)
    [(slot, transferred)] = counted(called, moved, now=at(9, 40))
    assert slot.queue == "A" and slot.window == "W01" and transferred == {"transferred": 1, "busy_s": 600}
    [(slot, cancelled)] = counted(ticket(), ticket(status=TicketStatus.CANCELLED, finished_at=at(9, 50)))
    assert slot.window == "" and slot.staff == "" and cancelled == {"cancelled": 1}
    [(slot, expired)] = counted(ticket(), ticket(status=TicketStatus.EXPIRED), now=at(23, 59))
    assert slot.hour == 9 and expired == {"expired": 1}
    # A recall, a start or a green confirmation changes nothing counted.
    assert counted(called, called.replace(recalls=1)) == []
    assert counted(called, called.replace(status=TicketStatus.SERVING, started_at=at(9, 31))) == []


def test_a_green_channel_ticket_is_kept_under_its_channel_and_under_green() -> None:
    [(slot, _)] = counted(None, ticket(green=True, channel="face"), created=True)
    keys = stats.dimension_keys(slot)
    assert (stats.Dimension.CHANNEL, "face") in keys and (stats.Dimension.CHANNEL, "green") in keys
    # Issued: no window or clerk yet, so no window or clerk row.
    assert [dim for dim, _ in keys] == ["hall", "queue", "item", "channel", "channel"]
    served = stats.Slot(DAY, 10, "A", "W01", "s01", "face", "X1", True)
    assert [dim for dim, _ in stats.dimension_keys(served)] == ["hall", "queue", "window", "staff", "item", "channel", "channel"]


def test_opening_seconds_follow_the_hall_s_hours() -> None:
    from queue_server.config import Hours

    hours = Hours.model_validate({"rules": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                                             "sessions": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]}]})
    assert stats.opening_seconds(hours, DAY) == 7 * 3600  # a Tuesday
    assert stats.opening_seconds(hours, dt.date(2026, 12, 6)) == 0  # a Sunday
    assert stats.opening_seconds(None, DAY) == stats.DEFAULT_OPEN_S


@given(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)), st.integers(min_value=0, max_value=800))
def test_a_range_splits_into_whole_months_and_edge_days_covering_each_day_once(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    edges, months = stats.split_months(start, end)
    covered: list[dt.date] = []
    for low, high in edges:
        assert low <= high
        covered += stats.days_in(low, high)
    if months is not None:
        month = months[0]
        assert month.day == 1 and months[1].day == 1 and months[0] <= months[1]
        while month <= months[1]:
            following = stats.month_of(month + dt.timedelta(days=31))
            covered += stats.days_in(month, following - dt.timedelta(days=1))
            month = following
    assert sorted(covered) == stats.days_in(start, end)
    assert len(edges) <= 2
