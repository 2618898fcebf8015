"""Writing a simulated day into a hall's database the way the server itself would have: every
ticket issued, called, finished, skipped, requeued, transferred or cancelled, every window signed
in, paused or moved, through the server's own services (`services.tickets`) and single writer,
with their audit rows and events, on a clock the recorder moves. It makes history with a known
truth: for the simulator's accuracy figures (bench/bench_simulator.py), its property tests, and a
demo hall that has none (`python -m queue_server simulate seed-history`).

The recorder follows the staff rules written in `simulator.py`'s docstring, but on purpose not
its code: at every moment it asks *every* free window, in order, to call (the simulator only asks
the windows that may have something to call), so a recorded day replayed by the simulator under
its own plan and service times must give the same calls in the same order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
from collections.abc import Callable
from typing import cast

from hall_common.vocabulary import Channel

from ...config import Hall
from ...core.errors import CoreError, Invalid
from ...core.model import Ticket, TicketStatus
from ...identity.green_channel import green_for
from ...identity.ticket_holder import TicketHolder
from ...runtime import Runtime
from ...services import tickets as ticket_service
from ...services.principals import Principal
from ...storage.writer import WriteTx
from ..behaviour import Behaviour
from ..clock import US, midnight
from ..day import Arrival, Day, Visit, VisitEnd
from ..plan import Plan
from ..simulator import sim_staff


class SimClock:
    """The Runtime's clock, moved by the recorder."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclasses.dataclass
class _Window:
    id: str
    principal: Principal
    on_shift: bool = False
    closing: bool = False
    paused: bool = False
    current: str | None = None
    ready_at: int | None = None  # between two citizens: may call again from then
    free_since: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedSummary:
    date: dt.date
    issued: int
    refused: int
    calls: int


async def record_day(
    rt: Runtime,
    clock: SimClock,
    hall: Hall,
    plan: Plan,
    day: Day,
    behaviour: Behaviour,
    *,
    progress: Callable[[float], None] | None = None,
) -> RecordedSummary:
    """Run `day` in the hall of `rt` (whose clock is `clock`) under `plan`, with `behaviour`
    deciding every visit (it knows tickets by their arrival's id; the server gives its own)."""
    return await _Recorder(rt, clock, hall, plan, day, behaviour).run(progress)


class _Recorder:
    def __init__(self, rt: Runtime, clock: SimClock, hall: Hall, plan: Plan, day: Day, behaviour: Behaviour):
        self.rt, self.clock, self.hall, self.plan, self.day, self.behaviour = rt, clock, hall, plan, day, behaviour
        self.base = midnight(day.date, hall.zone)
        self.manager = Principal(hall.id, "manager", "sim-manager", "模拟排班")
        self.windows = [_Window(w.window, _staff_principal(hall, w.window)) for w in plan.windows]
        self.agenda: list[tuple[int, int, int, int, object]] = []  # (at, class, key, kind, payload)
        self.index_of: dict[str, int] = {}  # the server's ticket id → its arrival's index
        self.called_once: set[str] = set()
        self.turns: dict[str, int] = {}
        self.refused = 0
        self.calls = 0
        self.turnaround = behaviour.turnaround_us()

    def push(self, at: int, cls: int, key: int, kind: int, payload: object) -> None:
        heapq.heappush(self.agenda, (at, cls, key, kind, payload))

    def ticket(self, ticket_id: str) -> Ticket | None:
        return self.rt.store.view(self.hall.id).tickets.get(ticket_id)

    async def run(self, progress: Callable[[float], None] | None) -> RecordedSummary:
        for i, entry in enumerate(self.plan.windows):
            moments: list[tuple[int, int, object]] = [(entry.opens, 0, None), (entry.closes, 4, None)]
            for pause in entry.pauses():
                moments += [(pause.start, 3, None), (pause.end, 2, None)]
            moments += [(move.at, 1, move) for move in entry.moves]
            for sub, (second, kind, payload) in enumerate(sorted(moments, key=lambda m: (m[0], m[1]))):
                self.push(second * US, 0, i * 4096 + sub, kind, payload)
        for index, arrival in enumerate(self.day.arrivals):
            self.push(arrival.at, 3, index, 9, arrival)
        last = max(self.plan.closes * US, 1)
        while self.agenda:
            us = self.agenda[0][0]
            self.clock.now = self.base + dt.timedelta(microseconds=us)
            while self.agenda and self.agenda[0][0] == us:
                _, cls, key, kind, payload = heapq.heappop(self.agenda)
                if cls == 0:
                    await self.plan_event(key // 4096, kind, payload, us)
                elif cls == 1:
                    await self.window_event(key, kind, payload, us)
                elif cls == 2:
                    await self.ticket_event(kind, payload)  # type: ignore[arg-type]
                else:
                    await self.arrive(key, payload, us)  # type: ignore[arg-type]
            await self.every_free_window_calls(us)
            if progress is not None:
                progress(min(us / last, 1.0))
        return RecordedSummary(self.day.date, len(self.index_of), self.refused, self.calls)

    async def plan_event(self, i: int, kind: int, payload: object, us: int) -> None:
        rt, hall, window, entry = self.rt, self.hall, self.windows[i], self.plan.windows[i]
        if kind == 0:  # the first shift starts
            if entry.queues is not None or entry.policy is not None:
                queues = list(entry.queues or rt.store.view(hall.id).windows[window.id].queues)
                await ticket_service.set_queues(rt, hall.id, window.id, queues, entry.policy, self.manager)
            await ticket_service.sign_in(rt, hall.id, window.id, window.principal)
            window.on_shift, window.free_since = True, us
        elif kind == 1:  # a tidal move
            move = payload
            await ticket_service.set_queues(rt, hall.id, window.id, list(move.queues), move.policy, self.manager)  # type: ignore[attr-defined]
        elif kind == 2:  # a pause ends
            await ticket_service.set_paused(rt, hall.id, window.id, False, window.principal)
            window.paused = False
            if window.current is None:
                window.free_since = us
        elif kind == 3:  # a pause starts
            await ticket_service.set_paused(rt, hall.id, window.id, True, window.principal)
            window.paused, window.ready_at = True, None
        else:  # the last shift ends
            window.on_shift, window.closing, window.ready_at = False, True, None
            if window.current is None:
                await ticket_service.sign_out(rt, hall.id, window.id, window.principal)

    async def window_event(self, i: int, kind: int, payload: object, us: int) -> None:
        window = self.windows[i]
        if kind == 6:  # the turnaround is over
            if window.ready_at == us:
                window.ready_at, window.free_since = None, us
            return
        ticket_id, visit = cast(tuple[str, Visit], payload)
        await self.end_visit(window, ticket_id, visit, us)
        window.current = None
        if window.closing:
            await ticket_service.sign_out(self.rt, self.hall.id, window.id, window.principal)
        elif window.paused:
            pass  # free again when the pause ends
        elif self.turnaround:
            window.ready_at = us + self.turnaround
            self.push(us + self.turnaround, 1, i, 6, None)
        else:
            window.free_since = us

    async def end_visit(self, window: _Window, ticket_id: str, visit: Visit, us: int) -> None:
        rt, hall = self.rt, self.hall
        current = rt.store.view(hall.id).tickets[ticket_id]
        if visit.end is VisitEnd.FINISH:
            await ticket_service.act(rt, hall.id, current, "finish", window.principal)
        elif visit.end is VisitEnd.SKIP:
            await ticket_service.act(rt, hall.id, current, "skip", window.principal)
            if visit.requeue_after_us is not None:
                self.push(us + visit.requeue_after_us, 2, self.index_of[ticket_id] * 2 + 1, 8, ticket_id)
        elif visit.end is VisitEnd.TRANSFER:
            to_queue = visit.to_queue or current.queue
            try:
                await ticket_service.act(
                    rt, hall.id, current, "transfer", self.manager, to_queue=to_queue, to_window=visit.to_window
                )
            except Invalid:  # that window does not serve the queue (now): to the queue
                await ticket_service.act(rt, hall.id, current, "transfer", self.manager, to_queue=to_queue)
        else:
            await ticket_service.act(rt, hall.id, current, "cancel", window.principal)

    async def ticket_event(self, kind: int, ticket_id: str) -> None:
        current = self.ticket(ticket_id)
        if current is None:
            return
        if kind == 7 and current.status is TicketStatus.WAITING and ticket_id not in self.called_once:
            await ticket_service.act(self.rt, self.hall.id, current, "cancel", self.manager)  # left, never called
        elif kind == 8 and current.status is TicketStatus.MISSED:
            await ticket_service.act(self.rt, self.hall.id, current, "requeue", self.manager)  # came back

    async def arrive(self, index: int, arrival: Arrival, us: int) -> None:
        try:
            issued = await self.issue(arrival)
        except CoreError:  # closed for tickets, the daily limit, the green policy
            self.refused += 1
            return
        self.index_of[issued.id] = index
        patience = self.behaviour.patience_us(arrival)
        if patience is not None:
            self.push(us + patience, 2, index * 2, 7, issued.id)

    async def issue(self, arrival: Arrival) -> Ticket:
        rt, hall = self.rt, self.hall
        if arrival.slot_start is None or arrival.slot_end is None:
            ticket, _ = await ticket_service.issue(
                rt, hall.id, queue=arrival.queue, channel=arrival.channel, item_code=arrival.item_code,
                green=arrival.green,
            )
            return ticket
        # A checked-in reservation: made the way the check-in makes its ticket.
        slot = ticket_service.Slot(
            f"sim-{arrival.ticket_id}",
            self.base + dt.timedelta(microseconds=arrival.slot_start),
            self.base + dt.timedelta(microseconds=arrival.slot_end),
        )
        holder = TicketHolder(green_reason=green_for(hall, arrival.green, identified=False))

        def job(tx: WriteTx) -> Ticket:
            change = ticket_service.issue_in(
                tx, hall.id, rt.now(), queue=arrival.queue, channel=Channel.RESERVATION, holder=holder,
                item_code=arrival.item_code, slot=slot,
            )
            made: Ticket = change.result
            return made

        return await rt.write(job)

    async def every_free_window_calls(self, us: int) -> None:
        """Every free window asks for its next citizen, the one free the longest first."""
        free = [
            (w.free_since, i)
            for i, w in enumerate(self.windows)
            if w.on_shift and not w.paused and w.current is None and w.ready_at is None
        ]
        for _, i in sorted(free):
            window = self.windows[i]
            called = await ticket_service.call_next(self.rt, self.hall.id, window.id, window.principal)
            if called is None:
                continue
            self.calls += 1
            window.current = called.id
            self.called_once.add(called.id)
            turn = self.turns.get(called.id, 0)
            self.turns[called.id] = turn + 1
            arrival = self.day.arrivals[self.index_of[called.id]]
            visit = self.behaviour.visit(arrival.ticket_id, turn, called.queue, called.item_code)
            self.push(us + visit.duration_us, 1, i, 5, (called.id, visit))


def _staff_principal(hall: Hall, window_id: str) -> Principal:
    staff = sim_staff(hall, window_id)
    return Principal(hall.id, "staff", staff.id, staff.name, windows=(window_id,))
