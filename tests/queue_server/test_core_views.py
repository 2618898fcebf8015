"""Read models: waiting_ahead, a window's calling order, and the stream snapshot (CONTRACT §7)."""

from __future__ import annotations

import datetime as dt

from core_builders import act, at, call, issue, make_hall, make_state, reserve, run

from queue_server.core import engine, views
from queue_server.core.engine import RECENT_CALLS
from queue_server.core.model import StaffRef


def hall():
    return make_hall(
        queues=["A", "B"],
        windows=[("W1", ["A", "B"], "fifo"), ("W2", ["B", "A"], "ordered"), ("W3", ["B"])],
        notice="请保持安静",
    )


def test_waiting_ahead_counts_the_same_queue_ranked_before() -> None:
    state = make_state(hall())
    a1 = issue(state, "A", at(9))
    b1 = issue(state, "B", at(9, 1))
    a2 = issue(state, "A", at(9, 2))
    green = issue(state, "A", at(9, 3), green=True)
    booked = reserve(state, "A", at(9, 4), slot_start=at(9, 30))  # slot not begun yet
    ahead = {t.number: views.ticket_position(state, t, at(9, 10))[0] for t in (a1, b1, a2, green, booked)}
    assert ahead == {"A001": 1, "B001": 0, "A002": 2, "A003": 0, "A004": 3}
    # Once the slot begins the reservation ranks after green, before the ordinary tickets.
    ahead = {t.number: views.ticket_position(state, t, at(9, 30))[0] for t in (a1, a2, green, booked)}
    assert ahead == {"A001": 2, "A002": 3, "A003": 0, "A004": 1}


def test_the_issue_change_carries_the_new_tickets_position() -> None:
    state = make_state(hall())
    issue(state, "A", at(9))
    issue(state, "A", at(9, 1), green=True)
    change = engine.issue(state, engine.IssueRequest("late", "A", "walkin"), at(9, 2))
    assert change.ahead == 2
    run(state, change)
    change = engine.issue(state, engine.IssueRequest("green2", "A", "walkin", green=True), at(9, 3))
    assert change.ahead == 1


def _waiting(state, window, now):  # type: ignore[no-untyped-def]
    """Every ticket waiting for `window`, in calling order (the staff console's list, unpaged)."""
    return views.waiting_page(state, window, now, len(state.tickets) + 1)[0]


def test_waiting_lists_per_window() -> None:
    state = make_state(hall())
    a1 = issue(state, "A", at(9))
    b1 = issue(state, "B", at(9, 1))
    a2 = issue(state, "A", at(9, 2))
    b2 = issue(state, "B", at(9, 3), green=True)
    lists = {wid: [t.number for t in _waiting(state, w, at(9, 5))] for wid, w in state.windows.items()}
    assert lists == {
        "W1": ["B002", "A001", "B001", "A002"],  # fifo: green first, then by time
        "W2": ["B002", "B001", "A001", "A002"],  # ordered: B before A
        "W3": ["B002", "B001"],
    }
    page, total = views.waiting_page(state, state.windows["W1"], at(9, 5), 2)
    assert [t.number for t in page] == ["B002", "A001"] and total == 4
    # A ticket sent to W3 by name shows only there.
    act(state, a1, "transfer", at(9, 6), to_queue="B", to_window="W3")
    assert [t.number for t in _waiting(state, state.windows["W1"], at(9, 6))] == ["B002", "B001", "A002"]
    assert [t.number for t in _waiting(state, state.windows["W3"], at(9, 6))] == ["B002", "A001", "B001"]
    assert {a2.id, b1.id, b2.id} <= set(state.tickets)


def test_waiting_list_places_a_requeued_ticket_where_it_would_be_called() -> None:
    state = make_state(make_hall(queues=["A"], windows=[("W1", ["A"])]))
    first = issue(state, "A", at(9))
    for minute in (1, 2, 3):
        issue(state, "A", at(9, minute))
    act(state, call(state, "W1", at(9, 4)), "skip", at(9, 5))
    act(state, first, "requeue", at(9, 6))
    order = [t.number for t in _waiting(state, state.windows["W1"], at(9, 7))]
    assert order == ["A002", "A003", "A001", "A004"]
    page, total = views.waiting_page(state, state.windows["W1"], at(9, 7), 3)
    assert [t.number for t in page] == order[:3] and total == 4


def test_snapshot_has_exactly_the_contract_shape() -> None:
    state = make_state(hall(), seq=7)
    staff = StaffRef("s01", "王芳")
    run(state, engine.sign_in(state, "W1", staff, at(8, 55)))
    run(state, engine.sign_in(state, "W2", StaffRef("s02", "李强"), at(8, 55)))
    run(state, engine.set_paused(state, "W2", True, at(8, 56)))
    for minute in range(3):
        issue(state, "A", at(9, minute))
    issue(state, "B", at(9, 3))
    called = call(state, "W1", at(9, 5))
    act(state, called, "start", at(9, 6))
    snap = views.snapshot(state)
    contract_keys = {"type", "seq", "windows", "queues", "recent_calls"}
    assert contract_keys <= set(snap)
    assert set(snap) - contract_keys <= {"hall", "service_day"}  # the project's additions
    assert snap["type"] == "snapshot" and snap["seq"] == state.seq
    for window in snap["windows"]:
        assert set(window) == {"id", "name", "status", "queues", "staff", "current"}
    assert snap["windows"] == [
        {
            "id": "W1",
            "name": "W1号窗口",
            "status": "open",
            "queues": ["A", "B"],
            "staff": {"id": "s01", "name": "王芳"},
            "current": {"number": "A001", "status": "serving"},
        },
        {
            "id": "W2",
            "name": "W2号窗口",
            "status": "paused",
            "queues": ["B", "A"],
            "staff": {"id": "s02", "name": "李强"},
            "current": None,
        },
        {"id": "W3", "name": "W3号窗口", "status": "closed", "queues": ["B"], "staff": None, "current": None},
    ]
    assert snap["queues"] == [{"id": "A", "name": "业务A", "waiting": 2}, {"id": "B", "name": "业务B", "waiting": 1}]
    assert snap["recent_calls"] == [
        {"number": "A001", "window": "W1", "window_name": "W1号窗口", "at": at(9, 5).isoformat()}
    ]
    assert dt.datetime.fromisoformat(snap["recent_calls"][0]["at"]).utcoffset() is not None
    assert snap["service_day"] == "2026-11-23"
    assert snap["hall"]["notice"] == "请保持安静"


def test_recent_calls_newest_first_and_bounded() -> None:
    state = make_state(make_hall(queues=["A"], windows=[("W1", ["A"])]))
    for minute in range(RECENT_CALLS + 3):
        issue(state, "A", at(9, minute))
    for minute in range(RECENT_CALLS + 2):
        act(state, call(state, "W1", at(10, minute)), "finish", at(10, minute, 30))
    called = call(state, "W1", at(10, 50))
    act(state, called, "recall", at(10, 51))
    recent = views.snapshot(state)["recent_calls"]
    assert len(recent) == RECENT_CALLS
    # A recall moves its number back to the top rather than listing it twice.
    assert [c["number"] for c in recent[:3]] == ["A013", "A012", "A011"]
    assert recent[0]["at"] == at(10, 51).isoformat()


def test_window_view_and_priority_labels() -> None:
    state = make_state(hall())
    green = issue(state, "A", at(9), green=True)
    booked = reserve(state, "A", at(9), slot_start=at(8, 50))
    plain = issue(state, "A", at(9))
    assert [views.priority_label(t, at(9, 1)) for t in (green, booked, plain)] == ["green", "reservation", "ordinary"]
    called = call(state, "W1", at(9, 1))
    view = views.window_view(state, state.windows["W1"])
    assert view["current"] == {"number": called.number, "status": "called", "id": called.id}
    assert view["status"] == "closed" and view["paused"] is False and view["policy"] == "fifo"
