"""Read models computed from a hall's state: positions, estimates, the stream snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hall_common.vocabulary import EventType, RankClass, WindowStatus

from .engine import HallState
from .estimates import estimate_wait_s, queue_capacity
from .model import Ticket, TicketClass, TicketStatus, WindowState
from .ranking import call_order, callable_by, ticket_class, waiting_ahead


def mean_service_s(state: HallState, queue_id: str) -> float | None:
    mean = state.durations.mean(queue_id)
    if mean is None:
        queue = state.hall.queue(queue_id)
        if queue is not None and queue.default_service_s is not None:
            return float(queue.default_service_s)
    return mean


def queue_estimate(state: HallState, queue_id: str, ahead: int) -> int | None:
    windows = list(state.windows.values())
    capacity = queue_capacity(queue_id, ((w.queues, w.status is WindowStatus.OPEN) for w in windows))
    idle = sum(1 for w in windows if queue_id in w.queues and w.status is WindowStatus.OPEN and w.current is None)
    return estimate_wait_s(ahead, mean_service_s(state, queue_id), capacity, idle)


def ticket_position(state: HallState, ticket: Ticket, now: dt.datetime) -> tuple[int, int | None]:
    """(waiting_ahead, estimated_wait_s) for a ticket; (0, None) once it is no longer waiting."""
    if ticket.status is not TicketStatus.WAITING:
        return 0, None
    latest = state.latest_waiting.get(ticket.queue)
    if latest is not None and latest[1] == ticket.id and latest[2] and ticket_class(ticket, now) is TicketClass.ORDINARY:
        # The newest ordinary ticket (the usual walk-in): everyone else waiting is ahead. Saves
        # ranking the whole queue on every ticket issued.
        ahead = state.waiting_counts.get(ticket.queue, 0) - 1
    else:
        ahead = waiting_ahead(ticket, state.queue_waiting(ticket.queue), now)
    return ahead, queue_estimate(state, ticket.queue, ahead)


def queue_summaries(state: HallState, now: dt.datetime) -> list[dict[str, Any]]:
    result = []
    for queue in state.hall.queues:
        waiting = state.waiting_counts.get(queue.id, 0)
        result.append(
            {
                "id": queue.id,
                "name": queue.name,
                "name_en": queue.name_en,
                "waiting": waiting,
                # What a ticket taken now would wait: everyone waiting is ahead of it.
                "estimated_wait_s": queue_estimate(state, queue.id, waiting),
                "windows": [w.id for w in state.windows.values() if queue.id in w.queues],
                "open_windows": sum(
                    1 for w in state.windows.values() if queue.id in w.queues and w.status is WindowStatus.OPEN
                ),
                "kiosk_visible": queue.kiosk_visible,
                "daily_limit": queue.daily_limit,
                "issued_today": state.counters.get(queue.id, 0),
            }
        )
    return result


def current_of(state: HallState, window: WindowState) -> Ticket | None:
    return state.tickets.get(window.current) if window.current else None


def window_view(state: HallState, window: WindowState) -> dict[str, Any]:
    current = current_of(state, window)
    config = state.hall.window(window.id)
    return {
        "id": window.id,
        "name": window.name,
        "status": window.status,
        "paused": window.paused,
        "queues": list(window.queues),
        "policy": window.policy,
        "tags": list(config.tags) if config else [],
        "staff": window.staff.as_dict() if window.staff else None,
        "current": {"number": current.number, "status": current.status.value, "id": current.id}
        if current
        else None,
    }


def waiting_page(
    state: HallState, window: WindowState, now: dt.datetime, limit: int
) -> tuple[list[Ticket], int]:
    """(the first `limit` tickets in calling order, how many wait for this window in all)."""
    waiting = [t for t in state.waiting() if callable_by(t, window)]
    return call_order(window, waiting, state.queue_calls, now, limit), len(waiting)


def snapshot(state: HallState) -> dict[str, Any]:
    """The stream's first message (CONTRACT §7), `seq` being the last event it includes."""
    windows = []
    for window in state.windows.values():
        current = current_of(state, window)
        windows.append(
            {
                "id": window.id,
                "name": window.name,
                "status": window.status,
                "queues": list(window.queues),
                "staff": window.staff.as_dict() if window.staff else None,
                "current": {"number": current.number, "status": current.status.value} if current else None,
            }
        )
    return {
        "type": EventType.SNAPSHOT,
        "seq": state.seq,
        "hall": {"id": state.hall.id, "name": state.hall.name, "notice": state.hall.notice},
        "service_day": state.service_day.isoformat(),
        "windows": windows,
        "queues": [
            {"id": q.id, "name": q.name, "waiting": state.waiting_counts.get(q.id, 0)}
            for q in state.hall.queues
        ],
        "recent_calls": list(reversed(state.recent_calls)),
    }


def priority_label(ticket: Ticket, now: dt.datetime) -> RankClass:
    return RankClass[ticket_class(ticket, now).name]
