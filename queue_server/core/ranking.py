"""Which waiting ticket comes first (CONTRACT §4 "Rank" and call-next)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from hall_common.vocabulary import WindowPolicy

from .model import RESERVATION_GRACE, Ticket, TicketClass, TicketStatus, WindowState
from .numbering import number_sort_key


def ticket_class(ticket: Ticket, now: dt.datetime) -> TicketClass:
    if ticket.green:
        return TicketClass.GREEN
    if (
        ticket.slot_start is not None
        and ticket.slot_end is not None
        and ticket.slot_start <= now
        and ticket.issued_at <= ticket.slot_end + RESERVATION_GRACE
    ):
        return TicketClass.RESERVATION
    return TicketClass.ORDINARY


def rank_key(ticket: Ticket, now: dt.datetime) -> tuple[int, dt.datetime, tuple[str, int]]:
    return (ticket_class(ticket, now), ticket.effective_at, number_sort_key(ticket.number))


def waiting_ahead(ticket: Ticket, queue_waiting: Iterable[Ticket], now: dt.datetime) -> int:
    """Waiting tickets of the ticket's queue ranked before it."""
    mine = rank_key(ticket, now)
    return sum(
        1
        for other in queue_waiting
        if other.id != ticket.id
        and other.status is TicketStatus.WAITING
        and other.queue == ticket.queue
        and rank_key(other, now) < mine
    )


def callable_by(ticket: Ticket, window: WindowState) -> bool:
    if ticket.status is not TicketStatus.WAITING:
        return False
    if ticket.target_window is not None:
        return ticket.target_window == window.id
    return ticket.queue in window.queues


def is_held(ticket: Ticket, queue_calls: Mapping[str, int]) -> bool:
    return ticket.hold_until_calls is not None and queue_calls.get(ticket.queue, 0) < ticket.hold_until_calls


def callable_now(
    window: WindowState, waiting: Iterable[Ticket], queue_calls: Mapping[str, int]
) -> list[Ticket]:
    """The window's candidates, minus requeued tickets still held back. A held ticket is passed
    over only while another, unheld ticket of its queue waits for this window."""
    candidates = [t for t in waiting if callable_by(t, window)]
    queues_with_unheld = {t.queue for t in candidates if not is_held(t, queue_calls)}
    return [t for t in candidates if not is_held(t, queue_calls) or t.queue not in queues_with_unheld]


def call_order_key(window: WindowState, ticket: Ticket, now: dt.datetime) -> tuple:
    """fifo: rank across all the window's queues. ordered: the first listed queue with a
    candidate wins; tickets sent to this window by name from a queue it does not list come first,
    since a colleague sent them here on purpose."""
    if window.policy == WindowPolicy.ORDERED:
        group = window.queues.index(ticket.queue) if ticket.queue in window.queues else -1
        return (group, rank_key(ticket, now))
    return (0, rank_key(ticket, now))


def select_next(
    window: WindowState,
    waiting: Iterable[Ticket],
    queue_calls: Mapping[str, int],
    now: dt.datetime,
) -> Ticket | None:
    candidates = callable_now(window, waiting, queue_calls)
    if not candidates:
        return None
    return min(candidates, key=lambda t: call_order_key(window, t, now))


def call_order(
    window: WindowState,
    waiting: Iterable[Ticket],
    queue_calls: Mapping[str, int],
    now: dt.datetime,
    limit: int | None = None,
) -> list[Ticket]:
    """The window's waiting list in the order it would call them if nothing else changed (the
    first `limit` of them): each pick counts as a call of its queue, so held tickets come back in
    when they would. Sorted once; only requeued tickets need the step-by-step replay."""
    remaining = sorted(
        (t for t in waiting if callable_by(t, window)), key=lambda t: call_order_key(window, t, now)
    )
    wanted = len(remaining) if limit is None else min(limit, len(remaining))
    if not any(t.hold_until_calls is not None for t in remaining):
        return remaining[:wanted]
    calls = dict(queue_calls)
    ordered: list[Ticket] = []
    while len(ordered) < wanted:
        unheld_queues = {t.queue for t in remaining if not is_held(t, calls)}
        index = next(
            i for i, t in enumerate(remaining) if not is_held(t, calls) or t.queue not in unheld_queues
        )
        chosen = remaining.pop(index)
        ordered.append(chosen)
        calls[chosen.queue] = calls.get(chosen.queue, 0) + 1
    return ordered
