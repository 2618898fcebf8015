"""Small builders for the pure-core tests: halls, states, moments, and one-line commands that
apply their change (as storage would after a successful commit)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from typing import Any

from queue_server.config import Hall
from queue_server.core import engine
from queue_server.core.engine import Change, HallState, IssueRequest
from queue_server.core.model import StaffRef, Ticket

# CONTRACT §4's action table, written out from the contract: action → states it is allowed from.
CONTRACT_ACTIONS = {
    "recall": {"called", "serving"},
    "start": {"called"},
    "finish": {"called", "serving"},
    "skip": {"called"},
    "requeue": {"missed"},
    "transfer": {"waiting", "called", "serving"},
    "cancel": {"waiting", "called", "missed"},
}

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
DAY = dt.date(2026, 11, 23)  # a Monday


def at(hour: int, minute: int = 0, second: int = 0, day: dt.date = DAY) -> dt.datetime:
    """A moment on `day` in hall time (Asia/Shanghai)."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def make_hall(
    queues: list[str] | list[dict[str, Any]] = ("A", "B"),
    windows: list[tuple[str, list[str]] | tuple[str, list[str], str]] | None = None,
    **extra: Any,
) -> Hall:
    """A hall from short forms: queues as ids (or dicts), windows as (id, queues[, policy])."""
    queue_dicts = [q if isinstance(q, dict) else {"id": q, "name": f"业务{q}"} for q in queues]
    if windows is None:
        windows = [("W1", [queue_dicts[0]["id"]])]
    window_dicts = []
    for spec in windows:
        wid, wqueues, *rest = spec
        window = {"id": wid, "name": f"{wid}号窗口", "queues": list(wqueues)}
        if rest:
            window["policy"] = rest[0]
        window_dicts.append(window)
    data = {
        "id": "jn-test",
        "name": "测试政务服务中心",
        "timezone": "Asia/Shanghai",
        "queues": queue_dicts,
        "windows": window_dicts,
    }
    data.update(extra)
    return Hall.model_validate(data)


def make_state(hall: Hall | None = None, day: dt.date = DAY, seq: int = 0) -> HallState:
    return HallState(hall or make_hall(), day, seq)


_ids = itertools.count(1)


def new_id() -> str:
    return f"t{next(_ids)}"


def run(state: HallState, change: Change) -> Any:
    """Apply a change and return its result."""
    state.apply(change)
    return change.result


def issue(state: HallState, queue: str, now: dt.datetime, **kwargs: Any) -> Ticket:
    kwargs.setdefault("channel", "walkin")
    request = IssueRequest(ticket_id=kwargs.pop("ticket_id", None) or new_id(), queue=queue, **kwargs)
    return run(state, engine.issue(state, request, now))


def reserve(
    state: HallState,
    queue: str,
    now: dt.datetime,
    slot_start: dt.datetime,
    slot_end: dt.datetime | None = None,
    **kwargs: Any,
) -> Ticket:
    """A reservation check-in at `now` for the given slot."""
    return issue(
        state,
        queue,
        now,
        channel="reservation",
        slot_start=slot_start,
        slot_end=slot_end or slot_start + dt.timedelta(minutes=30),
        reservation_id=kwargs.pop("reservation_id", None) or new_id(),
        ignore_hours=True,
        **kwargs,
    )


def call(state: HallState, window: str, now: dt.datetime, staff: StaffRef | None = None) -> Ticket | None:
    return run(state, engine.call_next(state, window, now, staff))


def act(state: HallState, ticket: Ticket | str, action: str, now: dt.datetime, **kwargs: Any) -> Ticket:
    ticket_obj = live(state, ticket) if isinstance(ticket, str) else (state.tickets.get(ticket.id) or ticket)
    return run(state, engine.act(state, ticket_obj, action, now, **kwargs))


def live(state: HallState, ticket_id: str) -> Ticket:
    return state.tickets[ticket_id]


def fingerprint(state: HallState) -> tuple:
    """Everything a command could change; equal before and after a refused command."""
    return (
        state.seq,
        state.service_day,
        dict(state.tickets),
        dict(state.windows),
        dict(state.counters),
        dict(state.queue_calls),
        dict(state.waiting_counts),
        list(state.recent_calls),
    )


def recount_waiting(state: HallState) -> dict[str, int]:
    counts = {q.id: 0 for q in state.hall.queues}
    for ticket in state.waiting():
        counts[ticket.queue] = counts.get(ticket.queue, 0) + 1
    return counts
