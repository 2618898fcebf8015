"""The simulator: one day of a hall under a plan, run by the production queue engine itself
(`core.engine`: issue, call_next, act, set_queues, set_paused, sign_in/out over a `HallState`), so
ordering, the green channel, reservations, transfers and requeue holds are the hall's own rules,
not a second model of them. This module only decides *when* things happen: when citizens come,
when staff are at their windows, when a window calls, how long a visit takes (behaviour.py).

How staff behave (the simulator's one assumption about people at windows):
- A staffed window that is free calls the next ticket at once (after the model's turnaround);
  a window with nothing to call waits and calls as soon as a ticket it may take is waiting.
- At each moment events happen in this order: plan changes (shift starts, tidal moves, pauses
  ending and starting, shift ends; by the plan's window order), then visits ending at windows (by
  window order), then citizens coming back or leaving (by ticket), then new tickets (by issue
  order); then every free window with something to call calls, the one free the longest first
  (ties: the plan's window order).
- Breaks and the gaps between shifts pause the window (set_paused): the citizen at the window is
  served to the end. After its last shift a window serves its current citizen and signs out.

Pure: no clock, no files; the same inputs and seed give the same result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
from collections.abc import Callable
from typing import Literal

from ..config import Hall, Hours, HoursRule, Session
from ..core import engine
from ..core.errors import Conflict, Invalid
from ..core.model import StaffRef, Ticket, TicketStatus
from .behaviour import Behaviour
from .clock import DAY_S, US, midnight
from .day import Arrival, Day, Visit, VisitEnd
from .plan import Plan, WindowPlan
from .problems import Collector

# Event classes, in the order they happen at one moment (see the module's docstring).
_PLAN, _WINDOW, _TICKET, _ARRIVAL = 0, 1, 2, 3
# Plan event kinds, in the order they happen at one moment for one window.
_SHIFT_START, _MOVE, _RESUME, _PAUSE, _SHIFT_END = range(5)
# Other kinds.
_VISIT_END, _READY, _ABANDON, _REQUEUE, _ISSUE = range(5, 10)
_ALL_DAYS: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = (
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
)
PROGRESS_EVERY = 4096  # events between two progress reports
MIN_REST_US = 30 * US  # a live start: a service already longer than drawn still takes this long


IssueWatcher = Callable[[engine.HallState, Ticket, dt.datetime], None]


def sim_staff(hall: Hall, window_id: str) -> StaffRef:
    """The person the simulator signs in at a window (the same for every plan and recorder)."""
    window = hall.window(window_id)
    return StaffRef(f"sim-{window_id}", window.name if window else window_id)


@dataclasses.dataclass(frozen=True, slots=True)
class CallRecord:
    at: int  # microseconds after midnight
    ticket_id: str
    number: str
    window: str
    queue: str  # the queue it waited in when called


@dataclasses.dataclass(frozen=True, slots=True)
class TicketResult:
    ticket_id: str
    number: str | None  # None: refused
    queue: str  # where it was issued
    issued_at: int
    first_call: int | None
    first_window: str | None
    status: str  # the ticket's status when the day ended; "refused" when it was never issued
    refused: str | None = None  # the engine's reason code (closed, daily_limit)
    green: bool = False

    @property
    def wait_us(self) -> int | None:
        return None if self.first_call is None else self.first_call - self.issued_at


@dataclasses.dataclass(frozen=True, slots=True)
class WindowUse:
    window: str
    staffed_us: int  # on shift, minus pauses
    busy_us: int  # a ticket called or in service, while staffed
    overtime_us: int  # serving the last citizen past the shift's end, or into a break
    calls: int

    @property
    def utilisation(self) -> float:
        return self.busy_us / self.staffed_us if self.staffed_us else 0.0


@dataclasses.dataclass(frozen=True, slots=True)
class SimResult:
    date: dt.date
    plan: str
    source: str
    opens: int  # the plan's first shift start, seconds after midnight
    closes: int  # its last shift end
    tickets: tuple[TicketResult, ...]  # in issue order
    calls: tuple[CallRecord, ...]  # in call order
    windows: tuple[WindowUse, ...]
    waiting_peak: dict[str, tuple[int, ...]]  # queue → the most waiting during each hour (24)
    waiting_at_end: dict[str, tuple[int, ...]]  # queue → waiting at the end of each hour (24)


@dataclasses.dataclass(frozen=True, slots=True)
class LiveStart:
    """Start from a hall as it is (a copy of its live state: the simulator changes it) at `at_s`
    seconds after midnight of its service day, instead of an empty hall at midnight: the rest of
    today, for a tidal move's preview (live.py). Its waiting tickets wait on; the tickets at
    windows finish after the rest of a service drawn for them."""

    state: engine.HallState
    at_s: int


def check_day(day: Day, hall: Hall, start: LiveStart | None = None) -> None:
    """Arrivals the engine can take: known queues and items, times within the day, unique ids."""
    check = Collector(None)
    if start is not None:
        if day.date != start.state.service_day:
            check.add(("date",), f"the hall's service day is {start.state.service_day}, not {day.date}")
        if any(a.at < start.at_s * US for a in day.arrivals):
            check.add(("arrivals",), "arrivals before the start")
    elif not day.arrivals:
        check.add(("arrivals",), "the day has no arrivals: nothing to simulate (an empty day)")
    queues = {q.id for q in hall.queues}
    seen: set[str] = set()
    for index, arrival in enumerate(day.arrivals):
        where = ("arrivals", index)
        if arrival.queue not in queues:
            check.add(where, f"ticket {arrival.ticket_id}: hall {hall.id} has no queue {arrival.queue!r}")
        if arrival.item_code is not None:
            item = hall.item(arrival.item_code)
            if item is None or item.queue != arrival.queue:
                check.add(where, f"ticket {arrival.ticket_id}: no item {arrival.item_code!r} in queue {arrival.queue}")
        if not 0 <= arrival.at < DAY_S * US:
            check.add(where, f"ticket {arrival.ticket_id}: taken outside the day")
        if arrival.ticket_id in seen:
            check.add(where, f"ticket id {arrival.ticket_id} twice")
        seen.add(arrival.ticket_id)
        if len(check.problems) >= 20:
            break
    check.raise_if_any(f"day {day.date}")


def hall_for_plan(hall: Hall, plan: Plan) -> Hall:
    """The hall with the plan's ticket-taking hours (extended or shortened) instead of its own."""
    if plan.issuing is None:
        return hall
    sessions = tuple(
        Session(start=_time_of(s.start), end=_time_of(s.end)) for s in plan.issuing.sessions
    )
    hours = Hours(
        rules=(HoursRule(name="plan", days=_ALL_DAYS, sessions=sessions),),
        last_ticket_minutes_before_end=plan.issuing.last_ticket_minutes_before_end,
    )
    return hall.model_copy(update={"hours": hours})


def _staffed_spans(window: WindowPlan) -> list[tuple[int, int]]:
    """The window's shifts minus its pauses, in microseconds."""
    spans = []
    for shift in window.shifts:
        start = shift.start
        for pause in window.breaks:
            if shift.start <= pause.start < shift.end:
                spans.append((start * US, pause.start * US))
                start = pause.end
        spans.append((start * US, shift.end * US))
    return [(a, b) for a, b in spans if b > a]


def _time_of(seconds: int) -> dt.time:
    return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def simulate(
    hall: Hall,
    plan: Plan,
    day: Day,
    behaviour: Behaviour,
    *,
    progress: Callable[[float], None] | None = None,
    start: LiveStart | None = None,
    on_issue: IssueWatcher | None = None,
) -> SimResult:
    """Run the day (or the rest of it from `start`). Raises InputError (nothing run) for
    arrivals the hall cannot take. `on_issue` sees the hall right after each ticket is issued
    (bench/bench_estimates.py reads the estimate a kiosk would print)."""
    check_day(day, hall, start)
    return _Run(hall_for_plan(hall, plan), plan, day, behaviour, progress, start, on_issue).run()


class _Run:
    def __init__(
        self,
        hall: Hall,
        plan: Plan,
        day: Day,
        behaviour: Behaviour,
        progress: Callable[[float], None] | None,
        start: LiveStart | None = None,
        on_issue: IssueWatcher | None = None,
    ):
        self.hall = hall
        self.plan = plan
        self.day = day
        self.behaviour = behaviour
        self.progress = progress
        self.base = midnight(day.date, hall.zone)
        self.last_us = DAY_S * US - 1  # the engine's day ends at midnight: nothing happens later
        self.start = start
        self.on_issue = on_issue
        self.state = start.state if start is not None else engine.HallState(hall, day.date)
        self.turnaround = behaviour.turnaround_us()
        self.ids = [w.window for w in plan.windows]
        self.index = {w: i for i, w in enumerate(self.ids)}
        count = len(self.ids)
        self.staff = [sim_staff(hall, w) for w in self.ids]
        self.on_shift = [False] * count
        self.closing = [False] * count
        self.paused = [False] * count
        self.ready_at = [-1] * count  # a window between two citizens: when it may call again
        self.current: list[str | None] = [None] * count
        self.visit_start = [0] * count
        self.ready_since = [0] * count
        self.busy_us = [0] * count  # serving while staffed
        self.overtime_us = [0] * count  # serving past a shift's end or into a break
        self.staffed = [_staffed_spans(w) for w in plan.windows]
        self.calls_at = [0] * count
        self.targeted = [0] * count  # waiting tickets transferred to the window by name
        self.idle: set[int] = set()
        self.idle_by_queue: dict[str, set[int]] = {q.id: set() for q in hall.queues}
        self.heap: list[tuple[int, int, int, int, object]] = []
        self.arrival_index = {a.ticket_id: i for i, a in enumerate(day.arrivals)}
        self.turns: dict[str, int] = {}
        self.first_call: dict[str, tuple[int, str]] = {}
        self.final: dict[str, str] = {}
        self.numbers: dict[str, str] = {}
        self.refused: dict[str, str] = {}
        self.targets: dict[str, int] = {}  # ticket → the window it was transferred to by name
        self.calls: list[CallRecord] = []
        queues = [q.id for q in hall.queues]
        self.peak = {q: [0] * 24 for q in queues}
        self.at_end = {q: [0] * 24 for q in queues}
        self.hour = 0
        # what the moment being processed changed, for its calls
        self.newly_idle: set[int] = set()
        self.touched: set[str] = set()
        self.touched_windows: set[int] = set()
        self.carried: list[Ticket] = []  # waiting when a live start began
        if start is not None:  # the hours before a live start are not simulated
            self.hour = min(start.at_s // 3600, 23)
            for queue, peaks in self.peak.items():
                peaks[self.hour] = self.state.waiting_counts.get(queue, 0)

    # -- set-up --------------------------------------------------------------------------------
    def _schedule_plan(self) -> None:
        for i, window in enumerate(self.plan.windows):
            events: list[tuple[int, int, object]] = [(window.opens, _SHIFT_START, None)]
            for pause in window.pauses():
                events.append((pause.start, _PAUSE, None))
                events.append((pause.end, _RESUME, None))
            events.extend((move.at, _MOVE, move) for move in window.moves)
            events.append((window.closes, _SHIFT_END, None))
            events.sort(key=lambda e: (e[0], e[1]))
            for sub, (second, kind, payload) in enumerate(events):
                self._push(second * US, _PLAN, i * 4096 + sub, kind, payload)
        for index, arrival in enumerate(self.day.arrivals):
            self._push(arrival.at, _ARRIVAL, index, _ISSUE, arrival)
        if self.start is not None:
            self._take_over(self.start.at_s * US)

    def _take_over(self, at: int) -> None:
        """A live start: the tickets at windows end after the rest of their service; the waiting
        ones are counted with the day's."""
        for ticket in sorted(self.state.tickets.values(), key=lambda t: (t.effective_at, t.number)):
            if ticket.status is TicketStatus.WAITING:
                self.carried.append(ticket)
                if ticket.target_window in self.index:
                    self.targeted[self.index[ticket.target_window]] += 1
                    self.targets[ticket.id] = self.index[ticket.target_window]
        for i, window_id in enumerate(self.ids):
            ticket_id = self.state.windows[window_id].current
            busy = self.state.tickets.get(ticket_id) if ticket_id else None
            if busy is None or busy.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
                continue
            ticket = busy
            visit = self.behaviour.visit(ticket.id, 0, ticket.queue, ticket.item_code)
            elapsed = (self.base + dt.timedelta(microseconds=at) - (ticket.called_at or self.base)) // dt.timedelta(
                microseconds=1
            )
            left = max(visit.duration_us - elapsed, MIN_REST_US)
            self.current[i] = ticket.id
            self.visit_start[i] = at
            self.turns[ticket.id] = 1
            self._push(at + left, _WINDOW, i, _VISIT_END, (ticket.id, dataclasses.replace(visit, duration_us=left)))

    def _push(self, at: int, cls: int, key: int, kind: int, payload: object) -> None:
        heapq.heappush(self.heap, (at, cls, key, kind, payload))

    # -- the loop --------------------------------------------------------------------------------
    def run(self) -> SimResult:
        self._schedule_plan()
        heap = self.heap
        handled = 0
        closes_us = max(self.plan.closes * US, 1)
        while heap:
            at = heap[0][0]
            now = self.base + dt.timedelta(microseconds=min(at, self.last_us))
            self._note_hours(at)
            while heap and heap[0][0] == at:
                _, _, key, kind, payload = heapq.heappop(heap)
                self._handle(kind, key, payload, at, now)
                handled += 1
            self._calls(at, now)
            if self.progress is not None and handled >= PROGRESS_EVERY:
                handled = 0
                self.progress(min(at / closes_us, 1.0))
        self._note_hours(DAY_S * US)
        if self.progress is not None:
            self.progress(1.0)
        return self._result()

    def _handle(self, kind: int, key: int, payload: object, at: int, now: dt.datetime) -> None:
        if kind == _ISSUE:
            self._issue(payload, at, now)  # type: ignore[arg-type]
        elif kind == _VISIT_END:
            self._visit_end(key, payload, at, now)  # type: ignore[arg-type]
        elif kind == _READY:
            self._ready(key, at)
        elif kind == _ABANDON:
            self._abandon(payload, now)  # type: ignore[arg-type]
        elif kind == _REQUEUE:
            self._requeue(payload, now)  # type: ignore[arg-type]
        else:
            self._plan_event(kind, key // 4096, payload, at, now)

    def _apply(self, change: engine.Change) -> engine.Change:
        self.state.apply(change)
        hour = self.hour
        for event in change.events:
            if event.type == "queue":
                peaks = self.peak[event.data["queue"]]
                if event.data["waiting"] > peaks[hour]:
                    peaks[hour] = event.data["waiting"]
        return change

    def _note_hours(self, at: int) -> None:
        hour = min(at // (3600 * US), 24)
        while self.hour < hour:
            for queue, counts in self.at_end.items():
                counts[self.hour] = self.state.waiting_counts.get(queue, 0)
            self.hour += 1
            if self.hour < 24:
                for queue, peaks in self.peak.items():
                    peaks[self.hour] = self.state.waiting_counts.get(queue, 0)
        self.hour = min(self.hour, 23)

    # -- windows -----------------------------------------------------------------------------
    def _window_queues(self, i: int) -> tuple[str, ...]:
        return self.state.windows[self.ids[i]].queues

    def _make_idle(self, i: int, at: int) -> None:
        self.ready_since[i] = at
        self.idle.add(i)
        for queue in self._window_queues(i):
            self.idle_by_queue[queue].add(i)
        self.newly_idle.add(i)

    def _not_idle(self, i: int) -> None:
        if i in self.idle:
            self.idle.discard(i)
            for queue in self._window_queues(i):
                self.idle_by_queue[queue].discard(i)
        self.newly_idle.discard(i)

    def _has_work(self, i: int) -> bool:
        if self.targeted[i]:
            return True
        counts = self.state.waiting_counts
        return any(counts.get(q, 0) for q in self._window_queues(i))

    def _plan_event(self, kind: int, i: int, payload: object, at: int, now: dt.datetime) -> None:
        window_id = self.ids[i]
        window = self.plan.windows[i]
        if kind == _SHIFT_START:
            if window.queues is not None or window.policy is not None:
                queues = list(window.queues or self.state.windows[window_id].queues)
                self._apply(engine.set_queues(self.state, window_id, queues, now, window.policy))
            self._apply(engine.sign_in(self.state, window_id, self.staff[i], now))
            self.on_shift[i] = True
            if self.current[i] is None:
                self._make_idle(i, at)
        elif kind == _MOVE:
            was_idle = i in self.idle
            self._not_idle(i)
            move = payload
            self._apply(engine.set_queues(self.state, window_id, list(move.queues), now, move.policy))  # type: ignore[attr-defined]
            if was_idle:
                self._make_idle(i, self.ready_since[i])
        elif kind == _PAUSE:
            self._apply(engine.set_paused(self.state, window_id, True, now))
            self.paused[i] = True
            self.ready_at[i] = -1
            self._not_idle(i)
        elif kind == _RESUME:
            self._apply(engine.set_paused(self.state, window_id, False, now))
            self.paused[i] = False
            if self.current[i] is None:
                self._make_idle(i, at)
        else:  # _SHIFT_END
            self.on_shift[i] = False
            self.closing[i] = True
            self.ready_at[i] = -1
            self._not_idle(i)
            if self.current[i] is None:
                self._apply(engine.sign_out(self.state, window_id, now))

    def _ready(self, i: int, at: int) -> None:
        if self.ready_at[i] == at:  # not a turnaround a pause or the shift's end cut short
            self.ready_at[i] = -1
            self._make_idle(i, at)

    def _window_free(self, i: int, at: int, now: dt.datetime) -> None:
        start = self.visit_start[i]
        inside = sum(max(0, min(at, end) - max(start, begin)) for begin, end in self.staffed[i])
        self.busy_us[i] += inside
        self.overtime_us[i] += at - start - inside
        self.current[i] = None
        if self.closing[i]:
            self._apply(engine.sign_out(self.state, self.ids[i], now))
        elif self.paused[i]:
            pass  # ready again when the pause ends
        elif self.turnaround:
            self.ready_at[i] = at + self.turnaround
            self._push(at + self.turnaround, _WINDOW, i, _READY, None)
        else:
            self._make_idle(i, at)

    # -- tickets -----------------------------------------------------------------------------
    def _issue(self, arrival: Arrival, at: int, now: dt.datetime) -> None:
        base = self.base
        request = engine.IssueRequest(
            ticket_id=arrival.ticket_id,
            queue=arrival.queue,
            channel=arrival.channel,
            item_code=arrival.item_code,
            green=arrival.green,
            slot_start=base + dt.timedelta(microseconds=arrival.slot_start) if arrival.slot_start is not None else None,
            slot_end=base + dt.timedelta(microseconds=arrival.slot_end) if arrival.slot_end is not None else None,
            # As the server does: a reservation is checked in at any hour of its day.
            ignore_hours=arrival.slot_start is not None,
        )
        try:
            ticket = self._apply(engine.issue(self.state, request, now)).result
        except Conflict as refusal:  # the hall closed for tickets, the queue's daily limit
            self.refused[arrival.ticket_id] = refusal.code
            return
        self.numbers[ticket.id] = ticket.number
        self.touched.add(arrival.queue)
        if self.on_issue is not None:
            self.on_issue(self.state, ticket, now)
        patience = self.behaviour.patience_us(arrival)
        if patience is not None:
            self._push(at + patience, _TICKET, self.arrival_index[arrival.ticket_id] * 2, _ABANDON, arrival.ticket_id)

    def _calls(self, at: int, now: dt.datetime) -> None:
        candidates = self.newly_idle
        for queue in self.touched:
            candidates |= self.idle_by_queue[queue]
        candidates |= self.touched_windows
        if candidates:
            idle = self.idle
            since = self.ready_since
            for i in sorted((c for c in candidates if c in idle), key=lambda c: (since[c], c)):
                if self._has_work(i):
                    self._call(i, at, now)
        self.newly_idle = set()
        self.touched = set()
        self.touched_windows = set()

    def _call(self, i: int, at: int, now: dt.datetime) -> None:
        window_id = self.ids[i]
        called = self._apply(engine.call_next(self.state, window_id, now)).result
        if called is None:
            return
        self._not_idle(i)
        self.current[i] = called.id
        self.visit_start[i] = at
        self.calls_at[i] += 1
        if self.targets.pop(called.id, None) is not None:
            self.targeted[i] -= 1
        self.calls.append(CallRecord(at, called.id, called.number, window_id, called.queue))
        self.first_call.setdefault(called.id, (at, window_id))
        turn = self.turns.get(called.id, 0)
        self.turns[called.id] = turn + 1
        visit = self.behaviour.visit(called.id, turn, called.queue, called.item_code)
        self._push(at + visit.duration_us, _WINDOW, i, _VISIT_END, (called.id, visit))

    def _visit_end(self, i: int, payload: tuple[str, Visit], at: int, now: dt.datetime) -> None:
        ticket_id, visit = payload
        ticket = self.state.tickets[ticket_id]
        state = self.state
        if visit.end is VisitEnd.FINISH:
            self._apply(engine.act(state, ticket, "finish", now))
            self.final[ticket_id] = TicketStatus.DONE.value
        elif visit.end is VisitEnd.SKIP:
            self._apply(engine.act(state, ticket, "skip", now))
            if visit.requeue_after_us is not None:
                key = self.arrival_index[ticket_id] * 2 + 1
                self._push(at + visit.requeue_after_us, _TICKET, key, _REQUEUE, ticket_id)
        elif visit.end is VisitEnd.TRANSFER:
            self._transfer(ticket, visit, now)
        else:
            self._apply(engine.act(state, ticket, "cancel", now))
            self.final[ticket_id] = TicketStatus.CANCELLED.value
        self._window_free(i, at, now)

    def _transfer(self, ticket: Ticket, visit: Visit, now: dt.datetime) -> None:
        to_queue = visit.to_queue or ticket.queue
        to_window = visit.to_window if visit.to_window in self.state.windows else None
        try:
            self._apply(engine.act(self.state, ticket, "transfer", now, to_queue=to_queue, to_window=to_window))
        except Invalid:  # under this plan that window does not serve the queue: to the queue
            to_window = None
            self._apply(engine.act(self.state, ticket, "transfer", now, to_queue=to_queue))
        self.touched.add(to_queue)
        if to_window in self.index:  # a window the plan staffs (else nobody calls it)
            target = self.index[to_window]
            self.targeted[target] += 1
            self.targets[ticket.id] = target
            self.touched_windows.add(target)

    def _abandon(self, ticket_id: str, now: dt.datetime) -> None:
        ticket = self.state.tickets.get(ticket_id)
        if ticket is not None and ticket.status is TicketStatus.WAITING and ticket_id not in self.turns:
            self._apply(engine.act(self.state, ticket, "cancel", now))
            self.final[ticket_id] = TicketStatus.CANCELLED.value

    def _requeue(self, ticket_id: str, now: dt.datetime) -> None:
        ticket = self.state.tickets.get(ticket_id)
        if ticket is not None and ticket.status is TicketStatus.MISSED:
            self._apply(engine.act(self.state, ticket, "requeue", now))
            self.touched.add(ticket.queue)

    # -- the result --------------------------------------------------------------------------
    def _result(self) -> SimResult:
        tickets = []
        live = self.state.tickets
        base = self.base
        carried = [
            Arrival(t.id, t.queue, (t.issued_at - base) // dt.timedelta(microseconds=1), t.channel, t.green)
            for t in self.carried
        ]
        for ticket in self.carried:
            self.numbers[ticket.id] = ticket.number
        for arrival in carried + list(self.day.arrivals):
            tid = arrival.ticket_id
            first = self.first_call.get(tid)
            if tid in self.refused:
                status = "refused"
            elif tid in live:
                status = live[tid].status.value
            else:
                status = self.final.get(tid, TicketStatus.DONE.value)
            tickets.append(
                TicketResult(
                    tid,
                    self.numbers.get(tid),
                    arrival.queue,
                    arrival.at,
                    first[0] if first else None,
                    first[1] if first else None,
                    status,
                    self.refused.get(tid),
                    arrival.green,
                )
            )
        windows = tuple(
            WindowUse(w.window, w.staffed_seconds() * US, self.busy_us[i], self.overtime_us[i], self.calls_at[i])
            for i, w in enumerate(self.plan.windows)
        )
        return SimResult(
            self.day.date,
            self.plan.name,
            self.day.source,
            self.plan.opens,
            self.plan.closes,
            tuple(tickets),
            tuple(self.calls),
            windows,
            {q: tuple(v) for q, v in self.peak.items()},
            {q: tuple(v) for q, v in self.at_end.items()},
        )
