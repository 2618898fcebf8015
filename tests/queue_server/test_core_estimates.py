"""The waiting-time model (core/estimates.py): trimmed mean of recent services, capacity of the
windows that serve a queue, idle windows, and the cases with nothing to base an estimate on."""

from __future__ import annotations

import statistics

import pytest
from core_builders import act, at, call, issue, make_hall, make_state, run
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.core import engine, views
from queue_server.core.estimates import (
    HISTORY,
    MAX_DURATION_S,
    MIN_DURATION_S,
    DurationHistory,
    estimate_wait_s,
    queue_capacity,
    trimmed_mean,
)
from queue_server.core.model import StaffRef


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([300], 300),
        ([100, 200, 300, 400], 250),  # under 5 samples: plain mean
        ([10, 100, 100, 100, 9000], 100),  # 5 to 9: one cut at each end
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], 5),
        (list(range(1, 11)), 5.5),  # 10 to 19: one each end
        (list(range(1, 20)), 10),
        (list(range(1, 21)), 10.5),  # 20: two each end
    ],
)
def test_trimmed_mean(values: list[float], expected: float | None) -> None:
    assert trimmed_mean(values) == expected


@given(st.lists(st.floats(min_value=MIN_DURATION_S, max_value=MAX_DURATION_S), min_size=1, max_size=HISTORY))
@settings(max_examples=200, deadline=None)
def test_trimmed_mean_bounds_and_order_independence(values: list[float]) -> None:
    mean = trimmed_mean(values)
    assert min(values) - 1e-6 <= mean <= max(values) + 1e-6
    assert trimmed_mean(list(reversed(values))) == pytest.approx(mean)
    if len(values) >= 5:  # one outlier cannot move it past the untrimmed middle values
        kept = sorted(values)[1:-1]
        assert min(kept) - 1e-6 <= mean <= max(kept) + 1e-6


def test_history_keeps_the_last_plausible_durations_per_queue() -> None:
    history = DurationHistory()
    history.record("A", MIN_DURATION_S - 0.1)  # a mis-click
    history.record("A", MAX_DURATION_S + 1)  # left open over lunch
    assert history.mean("A") is None
    history.extend("A", [MIN_DURATION_S, MAX_DURATION_S])
    assert history.mean("A") == (MIN_DURATION_S + MAX_DURATION_S) / 2
    history.extend("A", [600.0] * HISTORY)  # the two old ones fall out
    assert history.mean("A") == 600.0
    assert history.mean("B") is None
    copy = history.copy()
    copy.extend("A", [60.0] * 5)  # more than the trim cuts away
    assert history.mean("A") == 600.0 and copy.mean("A") < 600.0


def test_capacity_with_multi_queue_windows() -> None:
    windows = [
        (("A",), True),  # 1
        (("A", "B"), True),  # 1/2
        (("A", "B", "C", "D"), True),  # 1/4
        (("B",), True),
        (("A",), False),  # closed or paused: not counted while others are open
    ]
    assert queue_capacity("A", windows) == pytest.approx(1.75)
    assert queue_capacity("B", windows) == pytest.approx(1.75)
    assert queue_capacity("C", windows) == pytest.approx(0.25)
    assert queue_capacity("Z", windows) == 0


def test_capacity_before_anyone_opens_counts_every_window() -> None:
    windows = [(("A",), False), (("A", "B"), False)]
    assert queue_capacity("A", windows) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("ahead", "mean", "capacity", "idle", "expected"),
    [
        (0, None, 1.0, 0, None),  # no history, no default
        (3, 300.0, 0.0, 0, None),  # no window serves the queue
        (0, None, 1.0, 1, None),  # an idle window, but nothing to base an estimate on
        (0, 300.0, 1.0, 1, 0),  # an idle window takes it at once
        (1, 300.0, 2.0, 2, 0),
        (2, 300.0, 2.0, 2, 375),  # 300 · 2.5 / 2
        (0, 300.0, 1.0, 0, 150),  # half a service still running
        (4, 300.0, 1.0, 0, 1350),
        (4, 300.0, 0.5, 0, 2700),  # a window shared with another queue gives half its time
        (1, 100.0, 3.0, 0, 50),
        (0, 1.0, 3.0, 0, 0),  # rounds to whole seconds
    ],
)
def test_estimate_wait(ahead: int, mean: float | None, capacity: float, idle: int, expected: int | None) -> None:
    assert estimate_wait_s(ahead, mean, capacity, idle) == expected


@given(
    ahead=st.integers(0, 500),
    mean=st.floats(min_value=MIN_DURATION_S, max_value=MAX_DURATION_S),
    capacity=st.floats(min_value=0.05, max_value=50),
)
@settings(max_examples=200, deadline=None)
def test_estimate_grows_with_the_queue_and_shrinks_with_windows(ahead: int, mean: float, capacity: float) -> None:
    here = estimate_wait_s(ahead, mean, capacity)
    assert isinstance(here, int) and here >= 0
    assert estimate_wait_s(ahead + 1, mean, capacity) >= here
    assert estimate_wait_s(ahead, mean, capacity * 2) <= here


# -- through the hall state --------------------------------------------------------------------


def test_estimates_from_the_state() -> None:
    hall = make_hall(
        queues=[{"id": "A", "name": "企业开办", "default_service_s": 600}, {"id": "B", "name": "社保"}],
        windows=[("W1", ["A"]), ("W2", ["A", "B"])],
    )
    state = make_state(hall)
    tickets = [issue(state, "A", at(9, m)) for m in range(4)]
    b_ticket = issue(state, "B", at(9, 5))
    # Nobody signed in: every serving window counts (capacity 1.5); the default service time.
    assert views.mean_service_s(state, "A") == 600.0
    assert views.ticket_position(state, tickets[2], at(9, 10)) == (2, round(600 * 2.5 / 1.5))
    # B has no history and no default: nothing to base it on.
    assert views.ticket_position(state, b_ticket, at(9, 10)) == (0, None)
    # W1 opens and is idle: the first ticket goes at once, only W1 counts (capacity 1).
    run(state, engine.sign_in(state, "W1", StaffRef("s1", "王芳"), at(9, 10)))
    assert views.ticket_position(state, tickets[0], at(9, 10)) == (0, 0)
    assert views.ticket_position(state, tickets[1], at(9, 10)) == (1, 900)
    # W1 busy: no idle window left.
    called = call(state, "W1", at(9, 11))
    assert views.ticket_position(state, tickets[1], at(9, 11)) == (0, 300)
    # History replaces the default: two services of 120 s.
    act(state, called, "finish", at(9, 13))
    act(state, call(state, "W1", at(9, 13)), "finish", at(9, 15))
    assert views.mean_service_s(state, "A") == 120.0
    assert views.ticket_position(state, tickets[3], at(9, 15)) == (1, 180)
    # A paused window is not open.
    run(state, engine.set_paused(state, "W1", True, at(9, 16)))
    assert views.ticket_position(state, tickets[3], at(9, 16)) == (1, round(120 * 1.5 / 1.5))
    # Not waiting any more: (0, None).
    run(state, engine.set_paused(state, "W1", False, at(9, 17)))
    called = call(state, "W1", at(9, 17))
    assert views.ticket_position(state, called, at(9, 17)) == (0, None)
    summaries = {s["id"]: s for s in views.queue_summaries(state, at(9, 17))}
    assert summaries["A"]["waiting"] == 1 and summaries["A"]["estimated_wait_s"] == 180
    assert summaries["A"]["windows"] == ["W1", "W2"] and summaries["A"]["open_windows"] == 1
    assert summaries["B"]["estimated_wait_s"] is None and summaries["B"]["issued_today"] == 1


def test_only_plausible_durations_reach_the_history() -> None:
    state = make_state(make_hall(queues=["A"], windows=[("W1", ["A"])]))
    for _ in range(3):
        issue(state, "A", at(9))
    act(state, call(state, "W1", at(9, 1)), "finish", at(9, 1, 2))  # a 2-second mis-click
    act(state, call(state, "W1", at(9, 2)), "finish", at(9, 7))
    assert views.mean_service_s(state, "A") == 300.0
    assert statistics.mean([300.0]) == state.durations.mean("A")
