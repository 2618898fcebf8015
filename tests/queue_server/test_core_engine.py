"""The hall engine, exhaustively: every action from every ticket state (CONTRACT §4 action table),
call-next refusals, issuing refusals, the service-day rollover, and the event bookkeeping."""

from __future__ import annotations

import datetime as dt

import pytest
from core_builders import (
    CONTRACT_ACTIONS,
    DAY,
    act,
    at,
    call,
    fingerprint,
    issue,
    make_hall,
    make_state,
    recount_waiting,
    run,
)

from queue_server.core import engine
from queue_server.core.engine import ACTIONS, HallState, IssueRequest
from queue_server.core.errors import Conflict, Invalid, NotFound
from queue_server.core.model import StaffRef, Ticket, TicketStatus

STATES = [s.value for s in TicketStatus]
# The contract's table plus the project's extension: staff confirm a green-channel reason at the
# window for a waiting ticket (it then ranks as green, keeping its effective time).
ALLOWED = {**CONTRACT_ACTIONS, "confirm_green": {"waiting"}}
TOMORROW = DAY + dt.timedelta(days=1)



def hall_ab():
    return make_hall(queues=["A", "B"], windows=[("W1", ["A"]), ("W2", ["A", "B"]), ("W3", ["B"])])


def ticket_in(status: str) -> tuple[HallState, Ticket, dt.datetime]:
    """A hall with one ticket of queue A in `status` (called at W1 when it was called), and the
    moment to act at."""
    state = make_state(hall_ab())
    ticket = issue(state, "A", at(9))
    now = at(9, 5)
    if status == "waiting":
        return state, ticket, now
    if status == "cancelled":
        return state, act(state, ticket, "cancel", now), now
    if status == "expired":
        change = engine.roll_over(state, at(8, day=TOMORROW))
        state.apply(change)
        return state, change.tickets[ticket.id], at(9, day=TOMORROW)
    called = call(state, "W1", at(9, 1))
    assert called is not None and called.id == ticket.id
    if status == "called":
        return state, called, now
    if status == "serving":
        return state, act(state, called, "start", at(9, 2)), now
    if status == "done":
        return state, act(state, called, "finish", at(9, 3)), now
    if status == "missed":
        return state, act(state, called, "skip", at(9, 3)), now
    raise AssertionError(status)


def test_the_table_covers_every_action() -> None:
    assert set(ALLOWED) == set(ACTIONS)


@pytest.mark.parametrize("status", STATES)
def test_fixtures_reach_every_state(status: str) -> None:
    state, ticket, _ = ticket_in(status)
    assert ticket.status.value == status
    assert (ticket.id in state.tickets) == (status in ("waiting", "called", "serving", "missed"))


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_action_table(action: str, status: str) -> None:
    """Every action from every state: allowed ones give the contract's result; the others are
    a Conflict naming the ticket's state and change nothing."""
    state, ticket, now = ticket_in(status)
    kwargs = {"transfer": {"to_queue": "B"}, "confirm_green": {"reason": "military"}}.get(action, {})
    if status not in ALLOWED[action]:
        before = fingerprint(state)
        with pytest.raises(Conflict) as refused:
            engine.act(state, ticket, action, now, **kwargs)
        assert refused.value.code == "ticket_state"
        assert status in refused.value.message
        assert refused.value.status == 409
        assert fingerprint(state) == before
        return

    seq_before = state.seq
    w1_before = state.windows["W1"]
    change = engine.act(state, ticket, action, now, **kwargs)
    result = run(state, change)
    assert [e.seq for e in change.events] == list(range(seq_before + 1, seq_before + 1 + len(change.events)))
    assert result.number == ticket.number and result.effective_at == ticket.effective_at
    others = [e for e in change.events if e.type != "queue"]
    assert len(others) == 1
    event = others[0]
    w1 = state.windows["W1"]

    if action == "recall":
        assert result.status is ticket.status and result.recalls == ticket.recalls + 1
        assert event.type == "call"
        assert {k: event.data[k] for k in ("number", "queue", "window", "window_name", "at", "recall")} == {
            "number": ticket.number,
            "queue": "A",
            "window": "W1",
            "window_name": "W1号窗口",
            "at": now.isoformat(),
            "recall": True,
        }
        assert w1 == w1_before and w1.current == ticket.id
        assert state.recent_calls[-1]["number"] == ticket.number
        return

    assert event.type == "ticket"
    # The contract's fields (the project may add more, e.g. target_window).
    assert {k: event.data[k] for k in ("number", "queue", "status", "window")} == {
        "number": ticket.number,
        "queue": result.queue,
        "status": result.status.value,
        # A waiting ticket (requeued, transferred) is at no window.
        "window": None if result.status is TicketStatus.WAITING else result.window,
    }
    expected_status = {
        "start": "serving",
        "finish": "done",
        "skip": "missed",
        "requeue": "waiting",
        "transfer": "waiting",
        "cancel": "cancelled",
        "confirm_green": "waiting",
    }[action]
    assert result.status.value == expected_status
    # Window release: the window is free after finish, skip, transfer and cancel of its ticket.
    if action == "confirm_green":
        assert result.green and result.green_reason == "staff:military"
    if action == "start":
        assert w1.current == ticket.id
    elif status in ("called", "serving"):
        assert w1.current is None
    else:
        assert w1 == w1_before
    # Live tickets stay in the state, final ones leave it.
    assert (result.id in state.tickets) == (expected_status in ("waiting", "serving", "missed", "called"))
    # Queue events follow the waiting counts.
    queue_events = {e.data["queue"]: e.data["waiting"] for e in change.events if e.type == "queue"}
    assert state.waiting_counts == recount_waiting(state)
    if action == "transfer":
        assert result.queue == "B" and result.target_window is None and result.window is None
        assert queue_events["B"] == 1
        if status == "waiting":
            assert queue_events["A"] == 0
    elif action == "requeue":
        assert queue_events == {"A": 1}
        assert result.hold_until_calls == state.queue_calls["A"] + engine.REQUEUE_HOLD_CALLS
    elif action == "cancel" and status == "waiting":
        assert queue_events == {"A": 0}
    else:
        assert queue_events == {}
    if action == "finish":
        assert change.durations == [("A", (now - ticket.called_at).total_seconds())]


@pytest.mark.parametrize("status", ["waiting", "called", "serving"])
def test_transfer_to_a_window_only_that_window_may_call(status: str) -> None:
    state, ticket, now = ticket_in(status)
    moved = act(state, ticket, "transfer", now, to_queue="B", to_window="W2")
    assert moved.status is TicketStatus.WAITING and moved.queue == "B" and moved.target_window == "W2"
    assert state.windows["W1"].current is None
    issue(state, "B", at(9, 6))  # a later ticket of B that any B window may take
    assert call(state, "W3", at(9, 7)).number == "B001"  # W3 serves B but may not take A001
    assert call(state, "W2", at(9, 8)).id == ticket.id


def test_transfer_keeps_effective_time_and_class() -> None:
    """A transferred ticket keeps its own effective time: it goes before tickets of the new queue
    issued after it."""
    state = make_state(hall_ab())
    early = issue(state, "A", at(9), green=False)
    issue(state, "B", at(9, 10))
    green = issue(state, "A", at(9, 20), green=True)
    act(state, early, "transfer", at(9, 30), to_queue="B")
    act(state, green, "transfer", at(9, 31), to_queue="B")
    order = []
    for minute in range(3):
        order.append(call(state, "W3", at(10, minute)))
        act(state, order[-1], "finish", at(10, minute, 30))
    assert [t.number for t in order] == ["A002", "A001", "B001"]


@pytest.mark.parametrize("status", STATES)
def test_transfer_body_errors_come_before_state(status: str) -> None:
    """422 (the body) before 409 (the state), whatever the ticket's state."""
    state, ticket, now = ticket_in(status)
    before = fingerprint(state)
    for kwargs in (
        {},
        {"to_queue": "Z"},
        {"to_queue": "B", "to_window": "W1"},  # W1 does not serve B
        {"to_queue": "B", "to_window": "W9"},
    ):
        with pytest.raises(Invalid):
            engine.act(state, ticket, "transfer", now, **kwargs)
    with pytest.raises(Invalid):
        engine.act(state, ticket, "finish", now, to_queue="B")
    with pytest.raises(Invalid):
        engine.act(state, ticket, "teleport", now)
    with pytest.raises(Invalid):
        engine.act(state, ticket, "confirm_green", now)  # no reason
    with pytest.raises(Invalid):
        engine.act(state, ticket, "confirm_green", now, reason="vip")
    with pytest.raises(Invalid):
        engine.act(state, ticket, "cancel", now, reason="military")
    assert fingerprint(state) == before


def test_requeue_is_held_back_until_two_other_calls() -> None:
    state = make_state(make_hall(queues=["A"], windows=[("W1", ["A"]), ("W2", ["A"])]))
    first = issue(state, "A", at(9))
    for minute in (1, 2, 3):
        issue(state, "A", at(9, minute))
    called = call(state, "W1", at(9, 5))
    assert called.id == first.id
    act(state, called, "skip", at(9, 6))
    requeued = act(state, called, "requeue", at(9, 7))
    assert requeued.status is TicketStatus.WAITING and requeued.effective_at == at(9)
    # Ranked first, but passed over for two calls of other A tickets (at any window).
    second = call(state, "W2", at(9, 8))
    assert second.number == "A002"
    third = call(state, "W1", at(9, 9))
    assert third.number == "A003"
    act(state, second, "finish", at(9, 10))
    assert call(state, "W2", at(9, 11)).id == first.id


def test_requeue_is_called_when_none_other_waits() -> None:
    state = make_state(make_hall(queues=["A", "B"], windows=[("W1", ["A", "B"])]))
    ticket = issue(state, "A", at(9))
    act(state, call(state, "W1", at(9, 1)), "skip", at(9, 2))
    act(state, ticket, "requeue", at(9, 3))
    issue(state, "B", at(9, 4))  # another queue's ticket does not hold it back
    again = call(state, "W1", at(9, 5))
    assert again.id == ticket.id and again.hold_until_calls is None


def test_requeue_hold_back_ignores_tickets_this_window_cannot_take() -> None:
    """Interpretation: "none other waits" means none other this window could call instead."""
    state = make_state(make_hall(queues=["A"], windows=[("W1", ["A"]), ("W2", ["A"])]))
    ticket = issue(state, "A", at(9))
    act(state, call(state, "W1", at(9, 1)), "skip", at(9, 2))
    act(state, ticket, "requeue", at(9, 3))
    other = issue(state, "A", at(9, 4))
    act(state, other, "transfer", at(9, 5), to_queue="A", to_window="W2")
    assert call(state, "W1", at(9, 6)).id == ticket.id


def test_transfer_clears_the_hold_back() -> None:
    state = make_state(make_hall(queues=["A", "B"], windows=[("W1", ["A", "B"])]))
    ticket = issue(state, "A", at(9))
    issue(state, "B", at(9, 1))
    act(state, call(state, "W1", at(9, 2)), "skip", at(9, 3))
    act(state, ticket, "requeue", at(9, 4))
    moved = act(state, ticket, "transfer", at(9, 5), to_queue="B")
    assert moved.hold_until_calls is None
    assert call(state, "W1", at(9, 6)).id == ticket.id  # earliest effective time in B


# -- call-next -------------------------------------------------------------------------------


def test_call_next_refusals_change_nothing() -> None:
    state = make_state(hall_ab())
    issue(state, "A", at(9))
    issue(state, "A", at(9))
    run(state, engine.set_paused(state, "W1", True, at(9, 1)))
    before = fingerprint(state)
    with pytest.raises(Conflict) as paused:
        engine.call_next(state, "W1", at(9, 2))
    assert paused.value.code == "window_paused"
    assert fingerprint(state) == before
    run(state, engine.set_paused(state, "W1", False, at(9, 3)))
    called = call(state, "W1", at(9, 4))
    for status in ("called", "serving"):
        if status == "serving":
            act(state, called, "start", at(9, 5))
        before = fingerprint(state)
        with pytest.raises(Conflict) as busy:
            engine.call_next(state, "W1", at(9, 6), StaffRef("s1", "王芳"))
        assert busy.value.code == "window_busy" and called.number in busy.value.message
        assert fingerprint(state) == before
    # A paused window keeps its current ticket.
    run(state, engine.set_paused(state, "W1", True, at(9, 7)))
    assert state.windows["W1"].current == called.id
    with pytest.raises(NotFound):
        engine.call_next(state, "W9", at(9, 8))


def test_call_next_with_nothing_waiting_is_none_and_changes_nothing() -> None:
    state = make_state(hall_ab())
    issue(state, "B", at(9))
    change = engine.call_next(state, "W1", at(9, 1))
    assert change.result is None and change.empty


def test_call_next_signs_the_caller_in_and_out_of_other_windows() -> None:
    state = make_state(hall_ab())
    issue(state, "A", at(9))
    staff = StaffRef("s1", "王芳")
    run(state, engine.sign_in(state, "W2", staff, at(9)))
    change = engine.call_next(state, "W1", at(9, 1), staff)
    run(state, change)
    assert state.windows["W1"].staff == staff and state.windows["W2"].staff is None
    assert [e.type for e in change.events] == ["window", "window", "call", "queue"]
    assert change.events[0].data["window"] == "W2" and change.events[0].data["status"] == "closed"
    assert change.events[1].data["window"] == "W1" and change.events[1].data["staff"] == staff.as_dict()


def test_two_windows_at_the_same_instant_get_different_tickets() -> None:
    state = make_state(hall_ab())
    issue(state, "A", at(9))
    issue(state, "A", at(9))
    first = call(state, "W1", at(9, 1))
    second = call(state, "W2", at(9, 1))
    assert first.id != second.id
    assert {first.number, second.number} == {"A001", "A002"}


def test_fifo_and_ordered_policies() -> None:
    hall = make_hall(queues=["A", "B"], windows=[("F", ["A", "B"], "fifo"), ("O", ["B", "A"], "ordered")])
    state = make_state(hall)
    a1 = issue(state, "A", at(9))
    b1 = issue(state, "B", at(9, 1))
    a2 = issue(state, "A", at(9, 2))
    assert call(state, "O", at(9, 3)).id == b1.id  # ordered: B first even though A001 is older
    assert call(state, "F", at(9, 4)).id == a1.id  # fifo: by rank across its queues
    act(state, a1, "finish", at(9, 5))
    act(state, b1, "finish", at(9, 5))
    assert call(state, "O", at(9, 6)).id == a2.id  # ordered falls through to A when B is empty


def test_rank_classes_on_call() -> None:
    state = make_state(make_hall(queues=["A"], windows=[("W1", ["A"])]))
    ordinary = issue(state, "A", at(8, 0))
    early = issue(state, "A", at(8, 1), channel="reservation", slot_start=at(10), slot_end=at(10, 30),
                  reservation_id="r1", ignore_hours=True)
    late = issue(state, "A", at(8, 2), channel="reservation", slot_start=at(7), slot_end=at(7, 30),
                 reservation_id="r2", ignore_hours=True)  # 32 minutes after its slot's end
    edge = issue(state, "A", at(8, 3), channel="reservation", slot_start=at(7, 3), slot_end=at(7, 33),
                 reservation_id="r3", ignore_hours=True)  # exactly 30 minutes after: still a reservation
    green = issue(state, "A", at(8, 4), green=True)
    order = []
    moment = at(9)
    for _ in range(5):
        ticket = call(state, "W1", moment)
        order.append(ticket.id)
        act(state, ticket, "finish", moment)
        moment = at(10) if len(order) == 2 else moment  # the early reservation's slot begins
    assert order == [green.id, edge.id, early.id, ordinary.id, late.id]


# -- issuing ---------------------------------------------------------------------------------


def test_issue_refusals() -> None:
    hall = make_hall(
        queues=[{"id": "A", "name": "企业开办", "daily_limit": 2}, {"id": "B", "name": "社保"}],
        windows=[("W1", ["A", "B"])],
        items=[{"code": "X1", "name": "企业设立登记", "queue": "A"}],
        hours={"rules": [{"days": ["mon", "tue", "wed", "thu", "fri"], "sessions": [["09:00", "17:00"]]}]},
    )
    state = make_state(hall)
    before = fingerprint(state)
    with pytest.raises(NotFound):
        engine.issue(state, IssueRequest("t", "Z", "walkin"), at(10))
    with pytest.raises(Invalid):
        engine.issue(state, IssueRequest("t", "A", "walkin", item_code="nope"), at(10))
    with pytest.raises(Invalid):
        engine.issue(state, IssueRequest("t", "B", "walkin", item_code="X1"), at(10))
    with pytest.raises(Conflict) as closed:
        engine.issue(state, IssueRequest("t", "A", "walkin"), at(8))
    assert closed.value.code == "closed" and "11-23 09:00" in closed.value.message
    assert fingerprint(state) == before
    # Reservations (and staff) may issue outside hours.
    early = issue(state, "A", at(8), ignore_hours=True, item_code="X1")
    assert early.number == "A001" and early.item_code == "X1"
    issue(state, "A", at(10))
    before = fingerprint(state)
    with pytest.raises(Conflict) as limit:
        engine.issue(state, IssueRequest("t", "A", "walkin"), at(10))
    assert limit.value.code == "daily_limit"
    assert fingerprint(state) == before
    assert issue(state, "B", at(10)).number == "B001"
    assert issue(state, "A", at(10, day=TOMORROW)).number == "A001"  # a new day, a new limit


def test_naive_moments_are_refused() -> None:
    state = make_state()
    with pytest.raises(ValueError):
        engine.issue(state, IssueRequest("t", "A", "walkin"), dt.datetime(2026, 11, 23, 9))


# -- the service day -------------------------------------------------------------------------


def test_rollover_expires_everything_unfinished_and_frees_windows() -> None:
    state = make_state(hall_ab(), seq=41)
    staff = StaffRef("s1", "王芳")
    run(state, engine.sign_in(state, "W1", staff, at(8)))
    waiting = issue(state, "A", at(9))
    called = issue(state, "A", at(9))
    serving = issue(state, "B", at(9))
    missed = issue(state, "A", at(9))
    done = issue(state, "B", at(9))
    # Arrange: called at W1; serving at W3; missed; done.
    assert call(state, "W1", at(9, 1)).id == waiting.id
    act(state, waiting, "transfer", at(9, 2), to_queue="A")  # back to waiting
    assert call(state, "W1", at(9, 3)).id == waiting.id
    act(state, waiting, "finish", at(9, 4))
    waiting = issue(state, "A", at(9, 5))
    assert call(state, "W1", at(9, 6)).id == called.id
    assert call(state, "W3", at(9, 6)).id == serving.id
    act(state, serving, "start", at(9, 7))
    assert call(state, "W2", at(9, 8)).id == missed.id
    act(state, missed, "skip", at(9, 9))
    assert call(state, "W2", at(9, 10)).id == done.id
    act(state, done, "finish", at(9, 11))
    seq = state.seq

    change = engine.issue(state, IssueRequest("fresh", "A", "walkin"), at(0, 0, 1, day=TOMORROW))
    run(state, change)
    assert change.new_day == TOMORROW
    assert change.result.number == "A001" and change.result.service_day == TOMORROW
    expired = {t.id: t for t in change.tickets.values() if t.status is TicketStatus.EXPIRED}
    assert set(expired) == {waiting.id, called.id, serving.id, missed.id}
    assert [e.seq for e in change.events] == list(range(seq + 1, seq + 1 + len(change.events)))
    assert sorted(e.data["number"] for e in change.events if e.type == "ticket") == sorted(
        t.number for t in expired.values()
    )
    # A had one waiting yesterday and has one (the fresh ticket) now: its count did not change,
    # so no queue event; B had none waiting either way.
    assert {e.data["queue"]: e.data["waiting"] for e in change.events if e.type == "queue"} == {}
    assert list(state.tickets) == ["fresh"]
    assert all(w.current is None for w in state.windows.values())
    assert state.windows["W1"].staff == staff  # staff stay signed in
    assert state.waiting_counts == {"A": 1, "B": 0} == recount_waiting(state)
    assert state.counters == {"A": 1} and state.queue_calls == {}
    assert list(state.recent_calls) == []
    # Yesterday's tickets can no longer be acted on.
    with pytest.raises(Conflict) as refused:
        engine.act(state, expired[missed.id], "requeue", at(9, day=TOMORROW))
    assert "expired" in refused.value.message


def test_rollover_timer_and_actions_on_yesterdays_tickets() -> None:
    state = make_state(hall_ab())
    ticket = issue(state, "A", at(9))
    called = call(state, "W1", at(9, 1))
    # An action arriving after midnight, before the timer ran: refused as expired; nothing changes.
    before = fingerprint(state)
    with pytest.raises(Conflict) as refused:
        engine.act(state, called, "finish", at(0, 1, day=TOMORROW))
    assert "expired" in refused.value.message
    assert fingerprint(state) == before
    change = engine.roll_over(state, at(0, 0, day=TOMORROW))
    run(state, change)
    assert change.new_day == TOMORROW and state.service_day == TOMORROW
    assert change.tickets[ticket.id].status is TicketStatus.EXPIRED
    assert {e.data["queue"]: e.data["waiting"] for e in change.events if e.type == "queue"} == {}
    # A second timer tick is a no-op.
    assert engine.roll_over(state, at(0, 1, day=TOMORROW)).empty
    # The same day again (a clock step back) does not roll anything.
    assert engine.roll_over(state, at(23, 0)).empty


def test_rollover_of_waiting_tickets_emits_zero_counts() -> None:
    state = make_state(hall_ab())
    issue(state, "A", at(9))
    issue(state, "B", at(9))
    change = engine.roll_over(state, at(0, 0, day=TOMORROW))
    run(state, change)
    assert {e.data["queue"]: e.data["waiting"] for e in change.events if e.type == "queue"} == {"A": 0, "B": 0}
    assert state.waiting_counts == {"A": 0, "B": 0}


# -- windows ---------------------------------------------------------------------------------


def test_window_commands_and_events() -> None:
    state = make_state(hall_ab())
    change = engine.set_paused(state, "W1", True, at(9))
    run(state, change)
    assert [e.type for e in change.events] == ["window"]
    data = change.events[0].data
    assert {"window", "status", "queues", "staff"} <= set(data)
    assert data["window"] == "W1" and data["status"] == "closed"  # paused but nobody signed in
    assert engine.set_paused(state, "W1", True, at(9)).empty  # already paused
    run(state, engine.sign_in(state, "W1", StaffRef("s1", "王芳"), at(9)))
    assert state.windows["W1"].status == "paused"
    run(state, engine.set_paused(state, "W1", False, at(9)))
    assert state.windows["W1"].status == "open"
    change = engine.set_queues(state, "W1", ["B", "A"], at(9), "ordered")
    run(state, change)
    assert change.events[0].data["queues"] == ["B", "A"] and state.windows["W1"].policy == "ordered"
    assert engine.set_queues(state, "W1", ["B", "A"], at(9)).empty
    for bad in ([], ["A", "A"], ["Z"]):
        with pytest.raises(Invalid):
            engine.set_queues(state, "W1", bad, at(9))
    with pytest.raises(Invalid):
        engine.set_queues(state, "W1", ["A"], at(9), "random")
    change = engine.sign_out(state, "W1", at(9), staff_id="other")
    assert change.empty
    run(state, engine.sign_out(state, "W1", at(9)))
    assert state.windows["W1"].status == "closed"
    run(state, engine.sign_in(state, "W2", StaffRef("s1", "王芳"), at(9)))
    run(state, engine.sign_in(state, "W3", StaffRef("s1", "王芳"), at(9)))
    assert state.windows["W2"].staff is None and state.windows["W3"].staff is not None
    run(state, engine.sign_out_everywhere(state, "s1", at(9)))
    assert all(w.staff is None for w in state.windows.values())
