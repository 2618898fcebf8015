"""A recorded day of a hall, rebuilt from its own history: who came when (tickets), each call of
each ticket and the staff action that ended it (the audit log: finish, skip, requeue, transfer,
cancel), the calls in their order (call events), and when each window was staffed, paused or moved
(window events). From it: the day's arrivals, each ticket's recorded visits (for replaying the day
with its own service times), the plan the hall actually ran (`infer_plan`) and the recorded waits
to measure predictions against.

The events table keeps only a hall's latest events (`event_retention`); when a day's events are
gone, calls are known only from each ticket's last `called_at`, and the visits before a transfer or
a requeue have no known start (the replay draws those from the model). `complete` says which.
Pure: the rows come from storage (adapters/history.py) as plain values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hall_common.vocabulary import Channel, TicketStatus

from ..config import Hall
from .behaviour import Replay, Sampler
from .clock import DAY_S, US
from .day import Arrival, Day, Visit, VisitEnd
from .plan import Move, Plan, Span, WindowPlan

_PREFIX = re.compile(r"^([A-Z]{1,2})\d{3,}$")
_ENDS = {"finish": VisitEnd.FINISH, "skip": VisitEnd.SKIP, "transfer": VisitEnd.TRANSFER, "cancel": VisitEnd.CANCEL}


# -- rows, as storage gives them (times already in microseconds after the day's midnight) --------


@dataclasses.dataclass(frozen=True, slots=True)
class TicketRow:
    id: str
    number: str
    queue: str  # where it is now (after transfers)
    status: str
    channel: str
    green: bool
    item_code: str | None
    issued_at: int
    called_at: int | None  # its last call
    finished_at: int | None
    window: str | None  # where it was last called
    slot_start: int | None = None
    slot_end: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ActionRow:
    at: int
    ticket_id: str
    action: str
    detail: Mapping[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class CallRow:
    at: int
    number: str
    window: str


@dataclasses.dataclass(frozen=True, slots=True)
class WindowRow:
    at: int
    window: str
    staffed: bool
    paused: bool
    queues: tuple[str, ...]
    policy: str


# -- the rebuilt day ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedVisit:
    window: str | None
    queue: str  # the queue the ticket waited in when called
    called_at: int | None  # None: not known any more (events pruned)
    ended_at: int
    end: VisitEnd
    to_queue: str | None = None
    to_window: str | None = None
    requeued_at: int | None = None

    def visit(self) -> Visit | None:
        if self.called_at is None:
            return None
        back = None if self.requeued_at is None else self.requeued_at - self.ended_at
        return Visit(self.ended_at - self.called_at, self.end, self.to_queue, self.to_window, back)


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedTicket:
    arrival: Arrival
    number: str
    status: str
    visits: tuple[RecordedVisit, ...]
    first_call: int | None
    first_window: str | None
    left_waiting_at: int | None  # cancelled before ever being called

    @property
    def wait_us(self) -> int | None:
        return None if self.first_call is None else self.first_call - self.arrival.at


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedCall:
    at: int
    ticket_id: str
    number: str
    window: str


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedDay:
    date: dt.date
    hall: str
    tickets: tuple[RecordedTicket, ...]  # in issue order
    calls: tuple[RecordedCall, ...]  # in call order (empty when the events are gone)
    windows: tuple[WindowRow, ...]  # window changes of the day, with the state at midnight first
    complete: bool  # every call of the day is known

    def day(self) -> Day:
        return Day(self.date, tuple(t.arrival for t in self.tickets), f"recorded {self.date.isoformat()}")

    def replay(self, fallback: Sampler, turnaround_us: int | None = None) -> Replay:
        """People as recorded: each ticket's own visits and leaving time."""
        visits = {t.arrival.ticket_id: tuple(v.visit() for v in t.visits) for t in self.tickets}
        patience = {
            t.arrival.ticket_id: t.left_waiting_at - t.arrival.at for t in self.tickets if t.left_waiting_at is not None
        }
        return Replay(visits, patience, fallback, turnaround_us)


def original_queue(number: str, fallback: str) -> str:
    """The queue a ticket was issued in: its number's prefix (a transfer keeps the number)."""
    match = _PREFIX.match(number)
    return match.group(1) if match else fallback


def build_day(
    date: dt.date,
    hall: Hall,
    tickets: Sequence[TicketRow],
    actions: Sequence[ActionRow],
    calls: Sequence[CallRow],
    windows: Sequence[WindowRow],
    *,
    complete: bool,
) -> RecordedDay:
    by_ticket: dict[str, list[ActionRow]] = {}
    for action in actions:
        by_ticket.setdefault(action.ticket_id, []).append(action)
    by_number: dict[str, list[CallRow]] = {}
    for call in calls:
        by_number.setdefault(call.number, []).append(call)
    queues = {q.id for q in hall.queues}
    rebuilt = []
    for row in sorted(tickets, key=lambda r: (r.issued_at, r.number)):
        queue = original_queue(row.number, row.queue)
        if queue not in queues:
            continue  # a queue since removed from the configuration
        arrival = Arrival(
            row.id, queue, row.issued_at, row.channel, row.green, row.item_code, row.slot_start, row.slot_end
        )
        own_calls = by_number.get(row.number, []) if complete else []
        rebuilt.append(_ticket(arrival, row, by_ticket.get(row.id, []), own_calls, complete))
    ids = {t.number: t.arrival.ticket_id for t in rebuilt}
    ordered_calls = tuple(
        RecordedCall(c.at, ids[c.number], c.number, c.window) for c in calls if c.number in ids
    ) if complete else ()
    return RecordedDay(date, hall.id, tuple(rebuilt), ordered_calls, tuple(windows), complete)


def _ticket(
    arrival: Arrival, row: TicketRow, actions: list[ActionRow], calls: list[CallRow], complete: bool
) -> RecordedTicket:
    """A ticket's visits: each call, paired with the staff action that ended it."""
    queue = arrival.queue
    visits: list[RecordedVisit] = []
    left_at: int | None = None
    pending: CallRow | None = None
    # At one moment actions come first: a visit ends, then the window (or another) calls.
    timeline: list[tuple[int, int, CallRow | ActionRow]] = [(c.at, 1, c) for c in calls]
    timeline += [(a.at, 0, a) for a in actions]
    timeline.sort(key=lambda item: (item[0], item[1]))
    enders = [a for a in actions if a.action in _ENDS]
    for at, _, item in timeline:
        if isinstance(item, CallRow):
            pending = item
            continue
        action = item.action
        if action == "requeue":
            if visits and visits[-1].end is VisitEnd.SKIP:
                visits[-1] = dataclasses.replace(visits[-1], requeued_at=at)
            continue
        if action not in _ENDS:
            continue  # start, recall, confirm_green
        called = pending is not None or not complete
        if action in ("transfer", "cancel") and not called:
            if action == "cancel" and not visits:
                left_at = at  # left while waiting, never called
            elif action == "transfer":
                queue = str(item.detail.get("queue") or queue)  # moved while waiting
            continue
        if action == "cancel" and not complete and row.called_at is None and not visits:
            left_at = at  # never called (its row has no call): left while waiting
            continue
        call_at = pending.at if pending is not None else None
        window: str | None = pending.window if pending is not None else None
        if call_at is None and item is enders[-1] and row.called_at is not None and row.called_at <= at:
            call_at, window = row.called_at, row.window  # the last call is in the ticket's row
        to_queue = str(item.detail["queue"]) if action == "transfer" and item.detail.get("queue") else None
        to_window = item.detail.get("window") if action == "transfer" else None
        visits.append(RecordedVisit(window, queue, call_at, at, _ENDS[action], to_queue, to_window))
        if to_queue:
            queue = to_queue
        pending = None
    if not actions and row.called_at is not None and row.finished_at is not None:
        end = VisitEnd.SKIP if row.status == TicketStatus.MISSED.value else VisitEnd.FINISH
        visits.append(RecordedVisit(row.window, queue, row.called_at, row.finished_at, end))
    first_call: int | None
    first_window: str | None
    if calls:
        first_call, first_window = calls[0].at, calls[0].window
    elif len(visits) == 1 and visits[0].called_at is not None:
        first_call, first_window = visits[0].called_at, visits[0].window
    elif not visits and row.called_at is not None:  # called, not ended that day
        first_call, first_window = row.called_at, row.window
    else:
        first_call, first_window = None, None
    return RecordedTicket(arrival, row.number, row.status, tuple(visits), first_call, first_window, left_at)


# -- the plan the hall ran -----------------------------------------------------------------------


def infer_plan(day: RecordedDay, hall: Hall, name: str | None = None) -> Plan:
    """Each window's shifts (signed in), breaks (paused while signed in) and tidal moves, from
    the day's window changes, to whole seconds; windows in the hall's configured order. A window
    still signed in at the day's end works until the last recorded moment of the day."""
    last_moment = max(
        [t.arrival.at for t in day.tickets]
        + [v.ended_at for t in day.tickets for v in t.visits]
        + [w.at for w in day.windows]
        + [0]
    )
    day_end = min(DAY_S, -(-last_moment // US) + 1)
    if not day.complete:
        return _plan_from_visits(day, hall, day_end, name)
    rows: dict[str, list[WindowRow]] = {}
    for row in day.windows:
        rows.setdefault(row.window, []).append(row)
    planned = []
    for window in hall.windows:
        entry = _window_plan(window.id, sorted(rows.get(window.id, []), key=lambda r: r.at), day_end)
        if entry is not None:
            planned.append(entry)
    return Plan(name or f"as run on {day.date.isoformat()}", tuple(planned))


def _plan_from_visits(day: RecordedDay, hall: Hall, day_end: int, name: str | None) -> Plan:
    """Without the day's window events: each window staffed from its first call to its last
    visit's end, serving its configured queues (breaks and tidal moves are not known)."""
    spans: dict[str, list[int]] = {}
    for ticket in day.tickets:
        for visit in ticket.visits:
            if visit.window and visit.called_at is not None:
                span = spans.setdefault(visit.window, [visit.called_at, visit.ended_at])
                span[0], span[1] = min(span[0], visit.called_at), max(span[1], visit.ended_at)
    planned = []
    for window in hall.windows:
        if window.id in spans:
            start, end = spans[window.id][0] // US, min(day_end, -(-spans[window.id][1] // US))
            if end > start:
                planned.append(WindowPlan(window.id, (Span(start, end),)))
    return Plan(name or f"as run on {day.date.isoformat()} (from its calls)", tuple(planned))


def _window_plan(window_id: str, rows: list[WindowRow], day_end: int) -> WindowPlan | None:
    shifts: list[Span] = []
    breaks: list[Span] = []
    moves: list[Move] = []
    first_queues: tuple[str, ...] | None = None
    first_policy: str | None = None
    current: tuple[tuple[str, ...], str] | None = None
    shift_start: int | None = None
    pause_start: int | None = None

    def second(moment: int) -> int:
        return min(max(moment // US, 0), day_end)

    for row in rows:
        at = second(row.at)
        if row.staffed and shift_start is None:
            shift_start = at
            if first_queues is None:
                first_queues, first_policy = row.queues, row.policy
            elif (row.queues, row.policy) != current:
                moves.append(Move(at, row.queues, row.policy))
            current = (row.queues, row.policy)
            pause_start = at if row.paused else None
        elif not row.staffed and shift_start is not None:
            end = pause_start if pause_start is not None else at  # paused until signed out
            if end > shift_start:
                shifts.append(Span(shift_start, end))
            shift_start = pause_start = None
            current = (row.queues, row.policy)
        elif shift_start is not None:
            if row.paused and pause_start is None:
                pause_start = at
            elif not row.paused and pause_start is not None:
                if at > pause_start:
                    breaks.append(Span(pause_start, at))
                pause_start = None
            if (row.queues, row.policy) != current:
                moves.append(Move(at, row.queues, row.policy))
                current = (row.queues, row.policy)
        else:
            current = (row.queues, row.policy)
            if first_queues is None:
                first_queues, first_policy = row.queues, row.policy
    if shift_start is not None:
        end = pause_start if pause_start is not None else day_end
        if end > shift_start:
            shifts.append(Span(shift_start, end))
    if not shifts:
        return None
    breaks = [b for b in breaks if any(s.start <= b.start and b.end <= s.end for s in shifts)]
    kept = _distinct_moves(m for m in moves if shifts[0].start <= m.at < shifts[-1].end)
    return WindowPlan(window_id, tuple(shifts), tuple(breaks), first_queues, first_policy, kept)


def _distinct_moves(moves: Any) -> tuple[Move, ...]:
    """One move per second (the last one of that second wins)."""
    by_second: dict[int, Move] = {}
    for move in moves:
        by_second[move.at] = move
    return tuple(by_second[at] for at in sorted(by_second))


def recorded_channel(value: str) -> str:
    """Channels the engine takes (anything unknown replays as a walk-in)."""
    return value if value in {c.value for c in Channel} else Channel.WALKIN.value
