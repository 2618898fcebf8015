"""The hall engine: one hall's live state and the commands that change it.

Each command reads a `HallState`, decides, and returns a `Change` (tickets and windows to write,
counters, events with their sequence numbers) without touching the state. The storage layer
persists the change in a transaction and only then calls `state.apply(change)`, so a failed write
leaves the state as it was and the next command in a batch sees exactly what was committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import deque
from collections.abc import Iterator
from typing import Any

from hall_common.vocabulary import ErrorCode, EventType, GreenReason, TicketAction, WindowPolicy

from ..config import Hall
from . import hours as hours_rules
from .errors import Conflict, Invalid, NotFound
from .estimates import DurationHistory
from .model import TERMINAL, StaffRef, Ticket, TicketClass, TicketStatus, WindowState
from .numbering import format_number, service_day
from .ranking import select_next, ticket_class, waiting_ahead

RECENT_CALLS = 10

ACTIONS = tuple(TicketAction)
# Green channel reasons only staff can confirm at the window (age and lists come from identity).
GREEN_REASONS = tuple(GreenReason)
_ALLOWED_FROM: dict[str, frozenset[TicketStatus]] = {
    TicketAction.RECALL: frozenset({TicketStatus.CALLED, TicketStatus.SERVING}),
    TicketAction.START: frozenset({TicketStatus.CALLED}),
    TicketAction.FINISH: frozenset({TicketStatus.CALLED, TicketStatus.SERVING}),
    TicketAction.SKIP: frozenset({TicketStatus.CALLED}),
    TicketAction.REQUEUE: frozenset({TicketStatus.MISSED}),
    TicketAction.TRANSFER: frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING}),
    TicketAction.CANCEL: frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.MISSED}),
    TicketAction.CONFIRM_GREEN: frozenset({TicketStatus.WAITING}),
}
_STATUS_ZH = {
    TicketStatus.WAITING: "等候中",
    TicketStatus.CALLED: "已叫号",
    TicketStatus.SERVING: "办理中",
    TicketStatus.DONE: "已办结",
    TicketStatus.MISSED: "已过号",
    TicketStatus.CANCELLED: "已取消",
    TicketStatus.EXPIRED: "已过期",
}
# Requeued tickets wait until this many other tickets of their queue have been called.
REQUEUE_HOLD_CALLS = 2


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    seq: int
    type: str
    at: dt.datetime
    data: dict[str, Any]

    def message(self) -> dict[str, Any]:
        return {"type": self.type, "seq": self.seq, **self.data}


@dataclasses.dataclass(slots=True)
class Change:
    tickets: dict[str, Ticket] = dataclasses.field(default_factory=dict)  # upserts by id
    created: set[str] = dataclasses.field(default_factory=set)  # ids among `tickets` that are new
    windows: dict[str, WindowState] = dataclasses.field(default_factory=dict)
    counters: dict[str, int] = dataclasses.field(default_factory=dict)  # queue → last seq today
    queue_calls: dict[str, int] = dataclasses.field(default_factory=dict)
    events: list[Event] = dataclasses.field(default_factory=list)
    durations: list[tuple[str, float]] = dataclasses.field(default_factory=list)
    new_day: dt.date | None = None  # the service day rolled over to this one
    result: Any = None
    ahead: int | None = None  # for an issued ticket: waiting tickets of its queue ranked before it

    @property
    def empty(self) -> bool:
        return not (self.tickets or self.windows or self.counters or self.events or self.new_day)


@dataclasses.dataclass(frozen=True, slots=True)
class IssueRequest:
    ticket_id: str
    queue: str
    channel: str
    item_code: str | None = None
    green: bool = False
    green_reason: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    holder_masked: str | None = None
    identity_hash: str | None = None
    reservation_id: str | None = None
    slot_start: dt.datetime | None = None
    slot_end: dt.datetime | None = None
    # Reservations and staff-issued tickets may be issued outside opening hours.
    ignore_hours: bool = False


class HallState:
    """Everything live about one hall's current service day. Tickets that reached a final state
    leave `tickets` (storage keeps them); missed ones stay, since they may be requeued."""

    def __init__(self, hall: Hall, day: dt.date, seq: int = 0):
        self.hall = hall
        self.service_day = day
        self.seq = seq
        self.tickets: dict[str, Ticket] = {}
        self.windows: dict[str, WindowState] = {
            w.id: WindowState(w.id, w.name, tuple(w.queues), w.policy) for w in hall.windows
        }
        self.counters: dict[str, int] = {}
        self.queue_calls: dict[str, int] = {}
        self.recent_calls: deque[dict[str, Any]] = deque(maxlen=RECENT_CALLS)  # oldest first
        self.durations = DurationHistory()
        self.waiting_counts: dict[str, int] = {q.id: 0 for q in hall.queues}
        # Waiting tickets that gave a phone, per queue: silent-call texts look only when some do.
        self.phone_waiting: dict[str, int] = {}
        # Per queue, the waiting ticket with the latest effective time: every other waiting
        # ticket of its queue ranks before it when it is ordinary (see views.ticket_position).
        self.latest_waiting: dict[str, tuple[dt.datetime, str, bool]] = {}  # (time, id, strictly latest)

    # -- reading -------------------------------------------------------------------------------
    def waiting(self) -> Iterator[Ticket]:
        return (t for t in self.tickets.values() if t.status is TicketStatus.WAITING)

    def queue_waiting(self, queue: str) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.status is TicketStatus.WAITING and t.queue == queue]

    def clone(self) -> HallState:
        """A copy for readers; tickets and windows are immutable, so shallow copies suffice."""
        other = HallState.__new__(HallState)
        other.hall = self.hall
        other.service_day = self.service_day
        other.seq = self.seq
        other.tickets = dict(self.tickets)
        other.windows = dict(self.windows)
        other.counters = dict(self.counters)
        other.queue_calls = dict(self.queue_calls)
        other.recent_calls = deque(self.recent_calls, maxlen=RECENT_CALLS)
        other.durations = self.durations.copy()
        other.waiting_counts = dict(self.waiting_counts)
        other.phone_waiting = dict(self.phone_waiting)
        other.latest_waiting = dict(self.latest_waiting)
        return other

    def _note_latest(self, ticket: Ticket) -> None:
        latest = self.latest_waiting.get(ticket.queue)
        if latest is None or ticket.effective_at > latest[0]:
            self.latest_waiting[ticket.queue] = (ticket.effective_at, ticket.id, True)
        elif ticket.effective_at == latest[0]:  # a tie: no fast answer for either
            self.latest_waiting[ticket.queue] = (ticket.effective_at, ticket.id, False)

    def note_call(self, call: dict[str, Any]) -> None:
        """Remember a call for the screens; a recall moves its number back to the top instead
        of listing it twice."""
        for earlier in [c for c in self.recent_calls if c["number"] == call["number"]]:
            self.recent_calls.remove(earlier)
        self.recent_calls.append({k: call[k] for k in ("number", "window", "window_name", "at")})

    def add_loaded(self, ticket: Ticket) -> None:
        """A live ticket read back from storage (tickets must come in effective-time order)."""
        self.tickets[ticket.id] = ticket
        if ticket.status is TicketStatus.WAITING:
            self._count_waiting(ticket, +1)
            self._note_latest(ticket)

    def _count_waiting(self, ticket: Ticket, delta: int) -> None:
        self.waiting_counts[ticket.queue] = self.waiting_counts.get(ticket.queue, 0) + delta
        if ticket.phone_hash:
            self.phone_waiting[ticket.queue] = self.phone_waiting.get(ticket.queue, 0) + delta

    # -- writing (only from storage, once the change is written) -------------------------------
    def apply(self, change: Change) -> None:
        if change.new_day is not None:
            self.service_day = change.new_day
            self.counters = {}
            self.queue_calls = {}
            self.recent_calls.clear()
        for ticket in change.tickets.values():
            old = self.tickets.get(ticket.id)
            if old is not None and old.status is TicketStatus.WAITING:
                self._count_waiting(old, -1)
            if ticket.status is TicketStatus.WAITING:
                self._count_waiting(ticket, +1)
                self._note_latest(ticket)
            if ticket.status in TERMINAL:
                self.tickets.pop(ticket.id, None)
            else:
                self.tickets[ticket.id] = ticket
        self.windows.update(change.windows)
        self.counters.update(change.counters)
        self.queue_calls.update(change.queue_calls)
        for queue, seconds in change.durations:
            self.durations.record(queue, seconds)
        for event in change.events:
            if event.type == EventType.CALL:
                self.note_call(event.data)
        if change.events:
            self.seq = change.events[-1].seq


class _Draft:
    """A change being built: reads see the draft over the state."""

    def __init__(self, state: HallState, now: dt.datetime):
        if now.tzinfo is None:
            raise ValueError("the engine needs aware datetimes")
        self.state = state
        self.now = now
        self.change = Change()
        self.day = state.service_day
        self.waiting_delta: dict[str, int] = {}
        today = service_day(now, state.hall.zone)
        if today > state.service_day:
            self._roll_over(today)

    def _roll_over(self, today: dt.date) -> None:
        """A new service day: yesterday's unfinished tickets expire, windows are free, numbering
        restarts. Staff stay signed in (a night shift in a 24-hour zone goes on)."""
        self.change.new_day = today
        self.day = today
        # Screens start the day afresh on this (the expiries and window changes follow).
        self.emit(EventType.DAY, service_day=today.isoformat())
        for ticket in list(self.state.tickets.values()):
            if ticket.status not in TERMINAL:
                self.put_ticket(ticket.replace(status=TicketStatus.EXPIRED, finished_at=self.now))
                self.emit_ticket(self.change.tickets[ticket.id])
        for window in self.state.windows.values():
            if window.current is not None:
                self.put_window(window.replace(current=None))

    # reads
    def ticket(self, ticket_id: str) -> Ticket | None:
        if ticket_id in self.change.tickets:
            return self.change.tickets[ticket_id]
        if self.change.new_day is not None:
            return None  # everything from before the rollover is expired and in the draft
        return self.state.tickets.get(ticket_id)

    def window(self, window_id: str) -> WindowState:
        window = self.change.windows.get(window_id) or self.state.windows.get(window_id)
        if window is None:
            raise NotFound(f"no window {window_id!r} in this hall", f"本厅没有窗口 {window_id}")
        return window

    def counter(self, queue: str) -> int:
        if queue in self.change.counters:
            return self.change.counters[queue]
        return 0 if self.change.new_day is not None else self.state.counters.get(queue, 0)

    def calls(self, queue: str) -> int:
        if queue in self.change.queue_calls:
            return self.change.queue_calls[queue]
        return 0 if self.change.new_day is not None else self.state.queue_calls.get(queue, 0)

    def waiting(self) -> list[Ticket]:
        merged = dict(self.state.tickets)
        merged.update(self.change.tickets)
        return [t for t in merged.values() if t.status is TicketStatus.WAITING]

    def queue_calls_view(self) -> dict[str, int]:
        return {q.id: self.calls(q.id) for q in self.state.hall.queues}

    # writes
    def put_ticket(self, ticket: Ticket) -> None:
        old = self.ticket(ticket.id)
        if old is None and self.change.new_day is not None:
            old = self.state.tickets.get(ticket.id)
        if old is not None and old.status is TicketStatus.WAITING:
            self.waiting_delta[old.queue] = self.waiting_delta.get(old.queue, 0) - 1
        if ticket.status is TicketStatus.WAITING:
            self.waiting_delta[ticket.queue] = self.waiting_delta.get(ticket.queue, 0) + 1
        self.change.tickets[ticket.id] = ticket

    def put_window(self, window: WindowState) -> None:
        self.change.windows[window.id] = window

    def emit(self, type_: str, **data: Any) -> None:
        seq = self.state.seq + len(self.change.events) + 1
        self.change.events.append(Event(seq, type_, self.now, data))

    def emit_ticket(self, ticket: Ticket) -> None:
        self.emit(
            EventType.TICKET,
            number=ticket.number,
            queue=ticket.queue,
            status=ticket.status.value,
            # A waiting ticket is at no window, even one requeued after a skip there.
            window=None if ticket.status is TicketStatus.WAITING else ticket.window,
            target_window=ticket.target_window,
        )

    def emit_window(self, window: WindowState) -> None:
        self.emit(
            EventType.WINDOW,
            window=window.id,
            name=window.name,
            status=window.status,
            queues=list(window.queues),
            policy=window.policy,
            staff=window.staff.as_dict() if window.staff else None,
        )

    def finish(self, result: Any = None) -> Change:
        for queue, delta in sorted(self.waiting_delta.items()):
            if delta:
                waiting = self.state.waiting_counts.get(queue, 0) + delta
                if self.change.new_day is not None:
                    waiting = sum(1 for t in self.waiting() if t.queue == queue)
                self.emit(EventType.QUEUE, queue=queue, waiting=waiting)
        self.change.result = result
        return self.change


def _conflict_state(ticket: Ticket, action: str) -> Conflict:
    allowed = ", ".join(sorted(s.value for s in _ALLOWED_FROM[action]))
    return Conflict(
        f"ticket {ticket.number} is {ticket.status.value}; {action} needs {allowed}",
        f"号票 {ticket.number} {_STATUS_ZH[ticket.status]}，不能执行此操作",
        code=ErrorCode.TICKET_STATE,
    )


# -- commands ------------------------------------------------------------------------------------


def roll_over(state: HallState, now: dt.datetime) -> Change:
    """Only the day change (a timer calls it at midnight so screens reset on their own)."""
    return _Draft(state, now).finish()


def issue(state: HallState, request: IssueRequest, now: dt.datetime) -> Change:
    draft = _Draft(state, now)
    hall = state.hall
    queue = hall.queue(request.queue)
    if queue is None:
        raise NotFound(f"no queue {request.queue!r} in this hall", f"本厅没有业务类别 {request.queue}")
    if request.item_code is not None:
        item = hall.item(request.item_code)
        if item is None:
            raise Invalid(f"unknown item code {request.item_code!r}", "没有这个事项")
        if item.queue != queue.id:
            raise Invalid(
                f"item {request.item_code} belongs to queue {item.queue}, not {queue.id}",
                "所选事项不属于该业务类别",
            )
    if not request.ignore_hours and not hours_rules.is_open(hall.hours, now, hall.zone):
        opening = hours_rules.next_opening(hall.hours, now, hall.zone)
        when = opening.astimezone(hall.zone).strftime("%m-%d %H:%M") if opening else ""
        raise Conflict(
            f"the hall is closed for new tickets; next opening {when or 'not scheduled'}",
            f"现在不在取号时间，下次开放时间：{when}" if when else "现在不在取号时间",
            code=ErrorCode.CLOSED,
        )
    seq = draft.counter(queue.id) + 1
    if queue.daily_limit is not None and seq > queue.daily_limit:
        raise Conflict(
            f"queue {queue.id} has issued its {queue.daily_limit} tickets for today",
            f"{queue.name}今日号源已取完",
            code=ErrorCode.DAILY_LIMIT,
        )
    ticket = Ticket(
        id=request.ticket_id,
        number=format_number(queue.id, seq),
        queue=queue.id,
        seq=seq,
        service_day=draft.day,
        channel=request.channel,
        status=TicketStatus.WAITING,
        issued_at=now,
        effective_at=now,
        green=request.green,
        green_reason=request.green_reason,
        item_code=request.item_code,
        slot_start=request.slot_start,
        slot_end=request.slot_end,
        reservation_id=request.reservation_id,
        phone_hash=request.phone_hash,
        phone_masked=request.phone_masked,
        holder_masked=request.holder_masked,
        identity_hash=request.identity_hash,
    )
    draft.change.ahead = _ahead_at_issue(draft, ticket, now)
    draft.change.counters[queue.id] = seq
    draft.change.created.add(ticket.id)
    draft.put_ticket(ticket)
    return draft.finish(ticket)


def _ahead_at_issue(draft: _Draft, ticket: Ticket, now: dt.datetime) -> int:
    """Position of a ticket about to be issued. The usual case, an ordinary ticket later than
    every waiting one of its queue, has everyone ahead: counted, not ranked."""
    queue = ticket.queue
    latest = draft.state.latest_waiting.get(queue) if draft.change.new_day is None else None
    if not draft.change.tickets and ticket_class(ticket, now) is TicketClass.ORDINARY and (
        latest is None or latest[0] < ticket.effective_at
    ):
        return draft.state.waiting_counts.get(queue, 0)
    return waiting_ahead(ticket, (t for t in draft.waiting() if t.queue == queue), now)


def call_next(
    state: HallState, window_id: str, now: dt.datetime, staff: StaffRef | None = None
) -> Change:
    """Result: the called ticket, or None when nothing waits for this window."""
    draft = _Draft(state, now)
    window = draft.window(window_id)
    if window.paused:
        raise Conflict(f"window {window.id} is paused", "窗口已暂停服务，请先恢复", code=ErrorCode.WINDOW_PAUSED)
    if window.current is not None:
        current = draft.ticket(window.current)
        if current is not None and current.status in (TicketStatus.CALLED, TicketStatus.SERVING):
            raise Conflict(
                f"window {window.id} already has {current.number} {current.status.value}",
                f"窗口当前号 {current.number} 尚未办结或过号",
                code=ErrorCode.WINDOW_BUSY,
            )
    if staff is not None and window.staff != staff:
        window = _sign_in(draft, window, staff)
    chosen = select_next(window, draft.waiting(), draft.queue_calls_view(), now)
    if chosen is None:
        return draft.finish(None)
    called = chosen.replace(
        status=TicketStatus.CALLED, window=window.id, called_at=now, hold_until_calls=None
    )
    draft.put_ticket(called)
    draft.change.queue_calls[chosen.queue] = draft.calls(chosen.queue) + 1
    draft.put_window(window.replace(current=called.id))
    _emit_call(draft, called, window, recall=False)
    return draft.finish(called)


def _emit_call(draft: _Draft, ticket: Ticket, window: WindowState, *, recall: bool) -> None:
    draft.emit(
        EventType.CALL,
        number=ticket.number,
        queue=ticket.queue,
        window=window.id,
        window_name=window.name,
        at=draft.now.isoformat(),
        recall=recall,
    )


def act(
    state: HallState,
    ticket: Ticket,
    action: str,
    now: dt.datetime,
    *,
    to_queue: str | None = None,
    to_window: str | None = None,
    reason: str | None = None,
) -> Change:
    """Apply a staff action to `ticket` (from the state, or loaded from storage when it has
    left the state). Body problems (422) are checked before the ticket's state (409)."""
    draft = _Draft(state, now)
    current = draft.ticket(ticket.id)
    if current is None:
        # Not live: final, or from a day that has rolled over (expired by this very draft).
        current = ticket if ticket.status in TERMINAL else ticket.replace(status=TicketStatus.EXPIRED)
    if action not in _ALLOWED_FROM:
        raise Invalid(f"unknown action {action!r}; one of {', '.join(ACTIONS)}", "未知操作")
    target_window: WindowState | None = None
    if action == TicketAction.TRANSFER:
        hall = state.hall
        if not to_queue:
            raise Invalid("transfer needs a target queue", "转移需要指定业务类别")
        if hall.queue(to_queue) is None:
            raise Invalid(f"no queue {to_queue!r} to transfer to", f"没有业务类别 {to_queue}")
        if to_window is not None:
            target_window = draft.window(to_window) if to_window in state.windows else None
            if target_window is None:
                raise Invalid(f"no window {to_window!r} to transfer to", f"没有窗口 {to_window}")
            if to_queue not in target_window.queues:
                raise Invalid(
                    f"window {to_window} does not serve queue {to_queue}",
                    "目标窗口不办理该业务类别",
                )
    elif to_queue is not None or to_window is not None:
        raise Invalid(f"{action} takes no queue or window", "该操作不需要指定业务类别或窗口")
    if action == TicketAction.CONFIRM_GREEN and reason not in GREEN_REASONS:
        raise Invalid(f"confirm_green needs a reason: {', '.join(GREEN_REASONS)}", "请选择绿色通道的原因")
    if action != TicketAction.CONFIRM_GREEN and reason is not None:
        raise Invalid(f"{action} takes no reason", "该操作不需要原因")
    if current.status not in _ALLOWED_FROM[action]:
        raise _conflict_state(current, action)

    window = draft.window(current.window) if current.window in state.windows else None
    holds_window = window is not None and window.current == current.id

    def release() -> None:
        if holds_window:
            assert window is not None
            draft.put_window(window.replace(current=None))

    if action == TicketAction.RECALL:
        updated = current.replace(recalls=current.recalls + 1)
        draft.put_ticket(updated)
        assert window is not None
        _emit_call(draft, updated, window, recall=True)
        return draft.finish(updated)
    if action == TicketAction.START:
        updated = current.replace(status=TicketStatus.SERVING, started_at=now)
    elif action == TicketAction.FINISH:
        updated = current.replace(status=TicketStatus.DONE, finished_at=now)
        if current.called_at is not None:
            seconds = (now - current.called_at).total_seconds()
            draft.change.durations.append((current.queue, seconds))
        release()
    elif action == TicketAction.SKIP:
        updated = current.replace(status=TicketStatus.MISSED, finished_at=now)
        release()
    elif action == TicketAction.REQUEUE:
        updated = current.replace(
            status=TicketStatus.WAITING,
            hold_until_calls=draft.calls(current.queue) + REQUEUE_HOLD_CALLS,
            finished_at=None,
        )
    elif action == TicketAction.TRANSFER:
        assert to_queue is not None
        updated = current.replace(
            status=TicketStatus.WAITING,
            queue=to_queue,
            target_window=to_window,
            window=None,
            hold_until_calls=None,
            called_at=None,
            started_at=None,
        )
        release()
    elif action == TicketAction.CONFIRM_GREEN:
        updated = current.replace(green=True, green_reason=f"staff:{reason}")
    else:  # cancel
        updated = current.replace(status=TicketStatus.CANCELLED, finished_at=now)
        if current.status is not TicketStatus.MISSED:
            release()
    draft.put_ticket(updated)
    draft.emit_ticket(updated)
    return draft.finish(updated)


def set_paused(state: HallState, window_id: str, paused: bool, now: dt.datetime) -> Change:
    draft = _Draft(state, now)
    window = draft.window(window_id)
    if window.paused != paused:
        window = window.replace(paused=paused)
        draft.put_window(window)
        draft.emit_window(window)
    return draft.finish(window)


def set_queues(
    state: HallState, window_id: str, queues: list[str], now: dt.datetime, policy: str | None = None
) -> Change:
    """潮汐窗口: a manager moves a window between queues at run time."""
    draft = _Draft(state, now)
    window = draft.window(window_id)
    if not queues:
        raise Invalid("a window serves at least one queue", "窗口至少办理一个业务类别")
    if len(set(queues)) != len(queues):
        raise Invalid("a queue is listed twice", "业务类别重复")
    for queue in queues:
        if state.hall.queue(queue) is None:
            raise Invalid(f"no queue {queue!r} in this hall", f"没有业务类别 {queue}")
    if policy is not None and policy not in tuple(WindowPolicy):
        raise Invalid("policy is 'fifo' or 'ordered'", "叫号策略只能是 fifo 或 ordered")
    updated = window.replace(queues=tuple(queues), policy=policy or window.policy)
    if updated != window:
        draft.put_window(updated)
        draft.emit_window(updated)
    return draft.finish(updated)


def _sign_in(draft: _Draft, window: WindowState, staff: StaffRef) -> WindowState:
    # One person works at one window: leaving another window signs them out there.
    for other_id in draft.state.windows:
        other = draft.window(other_id)
        if other.id != window.id and other.staff is not None and other.staff.id == staff.id:
            other = other.replace(staff=None)
            draft.put_window(other)
            draft.emit_window(other)
    signed = window.replace(staff=staff)
    draft.put_window(signed)
    draft.emit_window(signed)
    return signed


def sign_in(state: HallState, window_id: str, staff: StaffRef, now: dt.datetime) -> Change:
    draft = _Draft(state, now)
    window = draft.window(window_id)
    if window.staff != staff:
        window = _sign_in(draft, window, staff)
    return draft.finish(window)


def sign_out(state: HallState, window_id: str, now: dt.datetime, staff_id: str | None = None) -> Change:
    """Sign out whoever is at the window (or only `staff_id`, when given)."""
    draft = _Draft(state, now)
    window = draft.window(window_id)
    if window.staff is not None and (staff_id is None or window.staff.id == staff_id):
        window = window.replace(staff=None)
        draft.put_window(window)
        draft.emit_window(window)
    return draft.finish(window)


def sign_out_everywhere(state: HallState, staff_id: str, now: dt.datetime) -> Change:
    draft = _Draft(state, now)
    for window_id in state.windows:
        window = draft.window(window_id)
        if window.staff is not None and window.staff.id == staff_id:
            window = window.replace(staff=None)
            draft.put_window(window)
            draft.emit_window(window)
    return draft.finish(None)
