"""Random interleavings of every hall command against an independent model of CONTRACT §4.

The model below is written from the contract text, not from the core: it keeps its own record of
each ticket (number, class inputs, issue time, queue, target window, requeue hold-back), its own
window table and its own reference choice of the ticket a window calls next. After every step the
engine's state must agree with it, and the engine's invariants must hold:

- numbers are unique per service day and count 001, 002, … per queue;
- a ticket is current at no more than one window, and a window's current ticket is called or
  serving at that window;
- `state.waiting_counts` equals a recount, and every queue event carries the new count;
- event sequence numbers go up by exactly one;
- illegal commands raise and leave the state exactly as it was;
- a new service day expires everything that is not final, frees the windows and restarts at 001.

Contract interpretations made by the reference (each is also what the core does):

- "checked-in reservations whose slot has begun (slot_start ≤ now)": `now` is the moment of the
  call (or of the ranking), so a reservation checked in early moves up when its slot begins; a
  check-in more than 30 minutes after slot_end (strictly more) ranks as an ordinary ticket for good.
- Hold-back: a requeued ticket is passed over by a window while its queue has had fewer than two
  calls of other tickets since the requeue AND another not-held ticket of its queue waits that this
  window could call ("or none other waits" = none other this window could take instead; two held
  tickets alone do not block each other). A transfer clears the hold-back (the transferred ticket
  is a fresh waiting ticket of its new queue, with its number, class and effective time).
- `ordered`: the first listed queue with a callable ticket wins; a ticket sent to the window by name
  from a queue the window no longer lists (after a tidal change) comes before all its queues.
- A ticket sent to a window by name is callable by that window only, whatever queues it serves,
  until it is transferred again: being called there does not undo it, so a ticket skipped and
  requeued there goes back to that same window.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from typing import Any

from core_builders import CONTRACT_ACTIONS, DAY, SHANGHAI, at, fingerprint, make_hall, recount_waiting
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from queue_server.core import engine, views
from queue_server.core.engine import Change, HallState, IssueRequest
from queue_server.core.errors import Conflict, Invalid
from queue_server.core.model import StaffRef, Ticket, TicketStatus
from queue_server.core.ranking import select_next

QUEUES = ("A", "B", "C")
C_LIMIT = 9
WINDOWS = {
    "W1": (("A", "B"), "fifo"),
    "W2": (("B", "A"), "ordered"),
    "W3": (("A", "C"), "ordered"),
    "W4": (("C",), "fifo"),
}
STAFF = {sid: StaffRef(sid, name) for sid, name in (("s1", "王芳"), ("s2", "李强"), ("s3", "张敏"))}
GRACE = dt.timedelta(minutes=30)
HOLD_CALLS = 2
FINAL = {"done", "cancelled", "expired"}
# The contract's table plus the project's confirm_green (staff confirm a green reason).
ALLOWED = {**CONTRACT_ACTIONS, "confirm_green": {"waiting"}}


def build_hall():
    return make_hall(
        queues=[
            {"id": "A", "name": "企业开办"},
            {"id": "B", "name": "社保医保"},
            {"id": "C", "name": "不动产", "daily_limit": C_LIMIT},
        ],
        windows=[(wid, list(qs), policy) for wid, (qs, policy) in WINDOWS.items()],
    )


HALL = build_hall()


# -- the reference model -------------------------------------------------------------------------


@dataclasses.dataclass
class MTicket:
    id: str
    number: str
    queue: str
    issued: dt.datetime  # the effective time: the issue (check-in) time, kept for good
    green: bool
    slot: tuple[dt.datetime, dt.datetime] | None
    status: str = "waiting"
    window: str | None = None  # the window it is current at (called/serving)
    target: str | None = None  # transferred to this window by name
    hold: int | None = None  # requeued: calls of other tickets of its queue since


@dataclasses.dataclass
class MWindow:
    queues: tuple[str, ...]
    policy: str
    paused: bool = False
    staff: str | None = None
    current: str | None = None


@dataclasses.dataclass
class Model:
    day: dt.date
    counters: dict[str, int]
    tickets: dict[str, MTicket]
    windows: dict[str, MWindow]

    def prepared(self, now: dt.datetime) -> tuple[Model, list[str]]:
        """The model as a command at `now` sees it: on a new service day, a rolled-over copy
        (and the ids it expired)."""
        today = now.astimezone(SHANGHAI).date()
        if today <= self.day:
            return self, []
        rolled = copy.deepcopy(self)
        rolled.day = today
        rolled.counters = {}
        expired = []
        for ticket in rolled.tickets.values():
            if ticket.status not in FINAL:
                ticket.status = "expired"
                ticket.window = None
                ticket.hold = None
                expired.append(ticket.id)
        for window in rolled.windows.values():
            window.current = None
        return rolled, expired

    def live(self) -> list[MTicket]:
        return [t for t in self.tickets.values() if t.status not in FINAL]

    def note_call(self, called: MTicket, window_id: str) -> None:
        for other in self.tickets.values():
            if other.status == "waiting" and other.hold is not None and other.queue == called.queue:
                other.hold += 1
        called.status = "called"
        called.window = window_id
        called.hold = None
        self.windows[window_id].current = called.id


def ref_class(ticket: MTicket, now: dt.datetime) -> int:
    """0 green, 1 checked-in reservation whose slot has begun, 2 everyone else."""
    if ticket.green:
        return 0
    if ticket.slot is not None:
        start, end = ticket.slot
        if start <= now and ticket.issued - end <= GRACE:
            return 1
    return 2


def ref_number_key(number: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Z]+)([0-9]+)", number)
    assert match, number
    return match.group(1), int(match.group(2))


def ref_rank(ticket: MTicket, now: dt.datetime) -> tuple:
    return (ref_class(ticket, now), ticket.issued, ref_number_key(ticket.number))


def ref_candidates(window_id: str, window: MWindow, tickets: list[MTicket]) -> list[MTicket]:
    return [
        t
        for t in tickets
        if t.status == "waiting" and (t.target == window_id if t.target else t.queue in window.queues)
    ]


def ref_select(
    window_id: str, window: MWindow, tickets: list[MTicket], now: dt.datetime, holds: dict[str, int | None]
) -> MTicket | None:
    candidates = ref_candidates(window_id, window, tickets)

    def held(t: MTicket) -> bool:
        return holds.get(t.id) is not None and holds[t.id] < HOLD_CALLS

    eligible = [
        t for t in candidates if not held(t) or not any(o.queue == t.queue and not held(o) for o in candidates)
    ]
    if not eligible:
        return None
    if window.policy == "fifo":
        return min(eligible, key=lambda t: ref_rank(t, now))
    by_name_elsewhere = [t for t in eligible if t.queue not in window.queues]
    if by_name_elsewhere:
        return min(by_name_elsewhere, key=lambda t: ref_rank(t, now))
    for queue in window.queues:
        group = [t for t in eligible if t.queue == queue]
        if group:
            return min(group, key=lambda t: ref_rank(t, now))
    raise AssertionError("an eligible ticket outside every group")


def ref_call_order(window_id: str, window: MWindow, tickets: list[MTicket], now: dt.datetime) -> list[str]:
    remaining = ref_candidates(window_id, window, tickets)
    holds = {t.id: t.hold for t in remaining}
    order = []
    while remaining:
        chosen = ref_select(window_id, window, remaining, now, holds)
        assert chosen is not None
        order.append(chosen.id)
        remaining.remove(chosen)
        for other in remaining:
            if holds.get(other.id) is not None and other.queue == chosen.queue:
                holds[other.id] += 1
    return order



# -- the machine ---------------------------------------------------------------------------------


class HallMachine(RuleBasedStateMachine):
    @initialize(start_hour=st.sampled_from([0, 8, 9, 12, 23]))
    def start(self, start_hour: int) -> None:
        self.state = HallState(HALL, DAY)
        self.applied = fingerprint(self.state)
        self.now = at(start_hour)
        self.model = Model(
            day=DAY,
            counters={},
            tickets={},
            windows={wid: MWindow(qs, policy) for wid, (qs, policy) in WINDOWS.items()},
        )
        self.known: dict[str, Ticket] = {}  # the last engine version of every ticket ever seen
        self.numbers_by_day: dict[dt.date, set[str]] = {}
        self.next_id = 0
        self.calls = 0

    # -- helpers ---------------------------------------------------------------------------------
    def commit(self, change: Change, model: Model, expired: list[str]) -> None:
        """Check the change's bookkeeping, apply it, and adopt the model it was computed from."""
        # Commands only compute: nothing touched the state since the last apply.
        assert fingerprint(self.state) == self.applied, "a command changed the state before apply"
        seq_before = self.state.seq
        counts_before = dict(self.state.waiting_counts)
        assert [e.seq for e in change.events] == list(
            range(seq_before + 1, seq_before + 1 + len(change.events))
        ), "event seqs must go up by one"
        if expired:
            assert change.new_day == model.day
            expired_events = [e for e in change.events if e.type == "ticket" and e.data["status"] == "expired"]
            assert sorted(e.data["number"] for e in expired_events) == sorted(
                model.tickets[i].number for i in expired
            )
            for tid in expired:
                assert change.tickets[tid].status is TicketStatus.EXPIRED
        self.state.apply(change)
        self.applied = fingerprint(self.state)
        for ticket in change.tickets.values():
            self.known[ticket.id] = ticket
        self.model = model
        if change.events:
            assert self.state.seq == change.events[-1].seq
        else:
            assert self.state.seq == seq_before
        # Queue events: every queue whose count moved has one, carrying the new count.
        last_queue_event = {e.data["queue"]: e.data["waiting"] for e in change.events if e.type == "queue"}
        for queue in QUEUES:
            if self.state.waiting_counts[queue] != counts_before[queue]:
                assert queue in last_queue_event, f"no queue event for {queue}"
            if queue in last_queue_event:
                assert last_queue_event[queue] == self.state.waiting_counts[queue]

    def refused(self, fn: Any, error: type[Exception], *args: Any, **kwargs: Any) -> Exception:
        before = fingerprint(self.state)
        try:
            fn(self.state, *args, **kwargs)
        except error as exc:
            assert fingerprint(self.state) == before, "a refused command changed the state"
            return exc
        raise AssertionError(f"{fn.__name__} should have raised {error.__name__}")

    def _issue(self, queue: str, channel: str, green: bool, slot: tuple | None) -> None:
        model, expired = self.model.prepared(self.now)
        self.next_id += 1
        tid = f"t{self.next_id}"
        request = IssueRequest(
            ticket_id=tid,
            queue=queue,
            channel=channel,
            green=green,
            slot_start=slot[0] if slot else None,
            slot_end=slot[1] if slot else None,
            reservation_id=f"r{self.next_id}" if slot else None,
            ignore_hours=slot is not None,
        )
        seq = model.counters.get(queue, 0) + 1
        if queue == "C" and seq > C_LIMIT:
            exc = self.refused(engine.issue, Conflict, request, self.now)
            assert exc.code == "daily_limit"
            return
        change = engine.issue(self.state, request, self.now)
        ticket = change.result
        if change.ahead is not None:  # the engine's position of the new ticket, ranked at issue
            new = MTicket(tid, ticket.number, queue, self.now, green, slot)
            mine = ref_rank(new, self.now)
            expected = sum(
                1 for t in model.live() if t.status == "waiting" and t.queue == queue and ref_rank(t, self.now) < mine
            )
            assert change.ahead == expected, f"{ticket.number} issued with {change.ahead} ahead, not {expected}"
        assert ticket.id == tid and ticket.status is TicketStatus.WAITING
        assert ticket.number == f"{queue}{seq:03d}"
        assert ticket.service_day == model.day
        assert ticket.issued_at == ticket.effective_at == self.now
        numbers = self.numbers_by_day.setdefault(model.day, set())
        assert ticket.number not in numbers, f"{ticket.number} issued twice on {model.day}"
        numbers.add(ticket.number)
        model.counters[queue] = seq
        model.tickets[tid] = MTicket(tid, ticket.number, queue, self.now, green, slot)
        self.commit(change, model, expired)

    # -- rules: issuing --------------------------------------------------------------------------
    @rule(
        queue=st.sampled_from(QUEUES),
        channel=st.sampled_from(["walkin", "nocard", "lutong", "face", "card"]),
        count=st.integers(1, 3),
    )
    def issue_walkin(self, queue: str, channel: str, count: int) -> None:
        for _ in range(count):  # several at the same instant: ties go by number
            self._issue(queue, channel, False, None)

    @rule(queue=st.sampled_from(QUEUES))
    def issue_green(self, queue: str) -> None:
        self._issue(queue, "walkin", True, None)

    @rule(
        queue=st.sampled_from(QUEUES),
        kind=st.sampled_from(["begun", "not_begun", "late"]),
        minutes=st.one_of(st.sampled_from([0, 30, 59, 60]), st.integers(min_value=0, max_value=60)),
    )
    def check_in(self, queue: str, kind: str, minutes: int) -> None:
        """A reservation check-in: its slot begun (up to the 30-minute grace after its end,
        inclusive), not begun yet, or checked in more than 30 minutes after the slot's end."""
        length = dt.timedelta(minutes=30)
        if kind == "begun":
            start = self.now - dt.timedelta(minutes=minutes)  # now ≤ end + 30 min
        elif kind == "not_begun":
            start = self.now + dt.timedelta(minutes=minutes + 1)
        else:
            start = self.now - length - GRACE - dt.timedelta(minutes=minutes + 1)
        self._issue(queue, "reservation", False, (start, start + length))

    # -- rules: calling --------------------------------------------------------------------------
    @rule(window=st.sampled_from(sorted(WINDOWS)), staff=st.sampled_from([None, *STAFF]))
    def call_next(self, window: str, staff: str | None) -> None:
        model, expired = self.model.prepared(self.now)
        mwindow = model.windows[window]
        staff_ref = STAFF[staff] if staff else None
        if mwindow.paused:
            exc = self.refused(engine.call_next, Conflict, window, self.now, staff_ref)
            assert exc.code == "window_paused"
            return
        if mwindow.current is not None:
            exc = self.refused(engine.call_next, Conflict, window, self.now, staff_ref)
            assert exc.code == "window_busy"
            return
        expected = ref_select(
            window, mwindow, model.live(), self.now, {t.id: t.hold for t in model.live()}
        )
        change = engine.call_next(self.state, window, self.now, staff_ref)
        called = change.result
        if expected is None:
            assert called is None, f"{window} called {called.number} but nothing should be callable"
        else:
            assert called is not None, f"{window} called nothing; expected {expected.number}"
            assert called.id == expected.id, (
                f"{window} called {called.number}, the reference says {expected.number}"
            )
            assert called.status is TicketStatus.CALLED and called.window == window
            calls = [e for e in change.events if e.type == "call"]
            assert len(calls) == 1
            assert calls[0].data["number"] == called.number and calls[0].data["window"] == window
            assert calls[0].data["recall"] is False
            model.note_call(model.tickets[called.id], window)
            self.calls += 1
        if staff is not None:
            self._model_sign_in(model, window, staff)
        self.commit(change, model, expired)

    # -- rules: actions --------------------------------------------------------------------------
    @precondition(lambda self: self.model.tickets)
    @rule(
        data=st.data(),
        action=st.sampled_from(sorted(ALLOWED)),
        prefer=st.sampled_from(["current", "missed", "any"]),
    )
    def act(self, data: st.DataObject, action: str, prefer: str) -> None:
        model, expired = self.model.prepared(self.now)
        pools = {
            "current": sorted(w.current for w in model.windows.values() if w.current),
            "missed": sorted(t.id for t in model.tickets.values() if t.status == "missed"),
        }
        pool = pools.get(prefer) or sorted(model.tickets)
        tid = data.draw(st.sampled_from(pool), label="ticket")
        kwargs: dict[str, Any] = {}
        if action == "confirm_green":
            kwargs["reason"] = data.draw(st.sampled_from(["military", "disability", "pregnancy", "other"]))
        if action == "transfer":
            kwargs["to_queue"] = data.draw(st.sampled_from(QUEUES), label="to_queue")
            kwargs["to_window"] = data.draw(st.sampled_from([None, *sorted(WINDOWS)]), label="to_window")
        self._act(model, expired, tid, action, kwargs)

    # Random actions mostly hit tickets in the wrong state; these rules keep windows moving and
    # make skips and requeues (the hold-back) common.
    @rule(window=st.sampled_from(sorted(WINDOWS)), action=st.sampled_from(["skip", "finish", "start"]))
    def act_at(self, window: str, action: str) -> None:
        model, expired = self.model.prepared(self.now)
        if model.windows[window].current is not None:
            self._act(model, expired, model.windows[window].current, action, {})

    @precondition(lambda self: any(t.status == "missed" for t in self.model.tickets.values()))
    @rule(data=st.data(), newcomers=st.integers(0, 2))
    def requeue_missed(self, data: st.DataObject, newcomers: int) -> None:
        """Requeue a missed ticket, then (so that the hold-back matters) others join its queue."""
        model, expired = self.model.prepared(self.now)
        # Chosen before a pending rollover on purpose: the engine must refuse an expired ticket.
        missed = sorted(t.id for t in self.model.tickets.values() if t.status == "missed")
        tid = data.draw(st.sampled_from(missed), label="missed")
        self._act(model, expired, tid, "requeue", {})
        for _ in range(newcomers):
            self._issue(self.model.tickets[tid].queue, "walkin", False, None)

    def _act(self, model: Model, expired: list[str], tid: str, action: str, kwargs: dict[str, Any]) -> None:
        mticket = model.tickets[tid]
        ticket_obj = self.state.tickets.get(tid) or self.known[tid]
        if action == "transfer":
            if kwargs["to_window"] and kwargs["to_queue"] not in model.windows[kwargs["to_window"]].queues:
                # 422 comes before the ticket's state (409).
                self.refused(engine.act, Invalid, ticket_obj, action, self.now, **kwargs)
                return
        if mticket.status not in ALLOWED[action]:
            exc = self.refused(engine.act, Conflict, ticket_obj, action, self.now, **kwargs)
            assert exc.code == "ticket_state"
            assert mticket.status in exc.message, exc.message
            return
        change = engine.act(self.state, ticket_obj, action, self.now, **kwargs)
        result: Ticket = change.result
        holder = mticket.window
        if action == "recall":
            calls = [e for e in change.events if e.type == "call"]
            assert len(calls) == 1 and calls[0].data["recall"] is True
            assert calls[0].data["window"] == holder and calls[0].data["number"] == mticket.number
        else:
            tickets = [e for e in change.events if e.type == "ticket" and e.data["number"] == mticket.number]
            assert tickets and tickets[-1].data["status"] == result.status.value
        release = False
        if action == "start":
            mticket.status = "serving"
        elif action == "finish":
            mticket.status, release = "done", True
        elif action == "skip":
            mticket.status, release = "missed", True
        elif action == "requeue":
            mticket.status, mticket.hold = "waiting", 0
        elif action == "transfer":
            release = mticket.window is not None
            mticket.status = "waiting"
            mticket.queue = kwargs["to_queue"]
            mticket.target = kwargs["to_window"]
            mticket.hold = None
        elif action == "cancel":
            mticket.status, release = "cancelled", mticket.window is not None
        elif action == "confirm_green":
            mticket.green = True
        if release:
            assert holder is not None
            assert model.windows[holder].current == tid
            model.windows[holder].current = None
            mticket.window = None
            released = change.windows.get(holder)
            assert released is not None and released.current is None, "the window was not released"
        else:
            assert all(w.current != tid for w in change.windows.values()) or action == "recall"
        assert result.status.value == mticket.status
        assert result.number == mticket.number
        assert result.effective_at == mticket.issued, "the effective time must never change"
        self.commit(change, model, expired)

    # -- rules: windows --------------------------------------------------------------------------
    @rule(window=st.sampled_from(sorted(WINDOWS)), paused=st.booleans())
    def pause_or_resume(self, window: str, paused: bool) -> None:
        model, expired = self.model.prepared(self.now)
        change = engine.set_paused(self.state, window, paused, self.now)
        was = model.windows[window].paused
        model.windows[window].paused = paused
        window_events = [e for e in change.events if e.type == "window"]
        assert len(window_events) == (0 if was == paused else 1)
        self.commit(change, model, expired)

    @rule(
        window=st.sampled_from(sorted(WINDOWS)),
        queues=st.lists(st.sampled_from(QUEUES), min_size=1, max_size=3, unique=True),
        policy=st.sampled_from([None, "fifo", "ordered"]),
    )
    def tidal(self, window: str, queues: list[str], policy: str | None) -> None:
        model, expired = self.model.prepared(self.now)
        change = engine.set_queues(self.state, window, queues, self.now, policy)
        mwindow = model.windows[window]
        mwindow.queues = tuple(queues)
        mwindow.policy = policy or mwindow.policy
        assert change.result.queues == tuple(queues)
        self.commit(change, model, expired)

    def _model_sign_in(self, model: Model, window: str, staff: str) -> None:
        for other in model.windows.values():
            if other.staff == staff:
                other.staff = None
        model.windows[window].staff = staff

    @rule(window=st.sampled_from(sorted(WINDOWS)), staff=st.sampled_from(sorted(STAFF)))
    def sign_in(self, window: str, staff: str) -> None:
        model, expired = self.model.prepared(self.now)
        change = engine.sign_in(self.state, window, STAFF[staff], self.now)
        self._model_sign_in(model, window, staff)
        self.commit(change, model, expired)

    @rule(window=st.sampled_from(sorted(WINDOWS)))
    def sign_out(self, window: str) -> None:
        model, expired = self.model.prepared(self.now)
        change = engine.sign_out(self.state, window, self.now)
        model.windows[window].staff = None
        self.commit(change, model, expired)

    # -- rules: time -----------------------------------------------------------------------------
    @rule(minutes=st.sampled_from([0, 0, 1, 2, 5, 15, 30, 31, 45, 90]))
    def advance(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)

    @rule(hour=st.sampled_from([0, 7, 9, 13]), explicit=st.booleans(), dice=st.integers(0, 5))
    def next_day(self, hour: int, explicit: bool, dice: int) -> None:
        """Jump into the next service day (one draw in six, so days fill up first); the rollover
        happens with the next command, or now when the midnight timer fires (`engine.roll_over`)."""
        if dice:
            return
        tomorrow = self.now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
        self.now = at(hour, day=tomorrow)
        if explicit:
            model, expired = self.model.prepared(self.now)
            change = engine.roll_over(self.state, self.now)
            assert change.new_day == tomorrow
            self.commit(change, model, expired)

    # -- invariants ------------------------------------------------------------------------------
    @invariant()
    def windows_hold_at_most_one_ticket_each(self) -> None:
        holders: dict[str, str] = {}
        for wid, window in self.state.windows.items():
            if window.current is None:
                continue
            assert window.current not in holders, f"{window.current} is current at {holders[window.current]} and {wid}"
            holders[window.current] = wid
            ticket = self.state.tickets[window.current]
            assert ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
            assert ticket.window == wid
        for ticket in self.state.tickets.values():
            if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING):
                assert holders.get(ticket.id) == ticket.window, f"{ticket.number} is {ticket.status.value} nowhere"

    @invariant()
    def waiting_counts_match_a_recount(self) -> None:
        assert self.state.waiting_counts == recount_waiting(self.state)

    @invariant()
    def numbers_unique_today(self) -> None:
        numbers = [t.number for t in self.state.tickets.values()]
        assert len(numbers) == len(set(numbers))
        for ticket in self.state.tickets.values():
            assert ticket.service_day == self.state.service_day, "a ticket of another day is still live"

    @invariant()
    def engine_agrees_with_model(self) -> None:
        model = self.model
        assert self.state.service_day == model.day
        assert {q: self.state.counters.get(q, 0) for q in QUEUES} == {q: model.counters.get(q, 0) for q in QUEUES}
        live = {t.id: t for t in model.live()}
        assert set(self.state.tickets) == set(live)
        for tid, mticket in live.items():
            ticket = self.state.tickets[tid]
            assert ticket.status.value == mticket.status
            assert ticket.queue == mticket.queue
            assert ticket.number == mticket.number
            assert ticket.target_window == mticket.target
            assert ticket.effective_at == mticket.issued
        for tid, mticket in model.tickets.items():
            if mticket.status in FINAL:
                assert self.known[tid].status.value == mticket.status
        for wid, mwindow in model.windows.items():
            window = self.state.windows[wid]
            assert window.queues == mwindow.queues
            assert window.policy == mwindow.policy
            assert window.paused == mwindow.paused
            assert (window.staff.id if window.staff else None) == mwindow.staff
            assert window.current == mwindow.current

    @invariant()
    def waiting_lists_follow_the_reference(self) -> None:
        """The staff console's list (views.waiting_page) is the order calls would take."""
        if self.model.day != self.now.astimezone(SHANGHAI).date():
            return  # the rollover has not happened yet; the list is of a day that is over
        for wid, mwindow in self.model.windows.items():
            window = self.state.windows[wid]
            everyone, _ = views.waiting_page(self.state, window, self.now, len(self.state.tickets) + 1)
            engine_order = [t.id for t in everyone]
            reference = ref_call_order(wid, mwindow, self.model.live(), self.now)
            assert engine_order == reference, wid
            # What call-next would pick now, window by window (busy or paused ones included).
            chosen = select_next(window, self.state.waiting(), self.state.queue_calls, self.now)
            assert (chosen.id if chosen else None) == (reference[0] if reference else None), wid
            page, total = views.waiting_page(self.state, window, self.now, 2)
            assert ([t.id for t in page], total) == (reference[:2], len(reference)), wid

    @invariant()
    def positions_follow_the_reference(self) -> None:
        """waiting_ahead (CONTRACT §4): waiting tickets of the same queue ranked before it."""
        if self.model.day != self.now.astimezone(SHANGHAI).date():
            return
        live = self.model.live()
        for mticket in live:
            ahead, _ = views.ticket_position(self.state, self.state.tickets[mticket.id], self.now)
            if mticket.status != "waiting":
                assert ahead == 0
                continue
            mine = ref_rank(mticket, self.now)
            expected = sum(
                1
                for other in live
                if other.status == "waiting" and other.queue == mticket.queue and ref_rank(other, self.now) < mine
            )
            assert ahead == expected, f"{mticket.number}: {ahead} ahead, the reference says {expected}"

    @invariant()
    def reloaded_and_cloned_states_answer_alike(self) -> None:
        """Storage rebuilds a state with add_loaded (tickets in effective-time order) and readers
        use clones: both must give the same counts, positions and next issue as the live state."""
        if self.model.day != self.now.astimezone(SHANGHAI).date():
            return
        reloaded = HallState(HALL, self.state.service_day, self.state.seq)
        reloaded.windows = dict(self.state.windows)
        for ticket in sorted(self.state.tickets.values(), key=lambda t: (t.effective_at, t.seq)):
            reloaded.add_loaded(ticket)
        reloaded.counters = dict(self.state.counters)
        reloaded.queue_calls = dict(self.state.queue_calls)
        reloaded.durations = self.state.durations.copy()  # storage reloads the recent services too
        clone = self.state.clone()
        assert clone.waiting_counts == self.state.waiting_counts
        assert clone.latest_waiting == self.state.latest_waiting
        for other in (reloaded,):
            assert other.waiting_counts == self.state.waiting_counts
            for ticket in self.state.waiting():
                assert views.ticket_position(other, ticket, self.now) == views.ticket_position(
                    self.state, ticket, self.now
                )
            for queue in QUEUES:
                if queue == "C" and self.model.counters.get("C", 0) >= C_LIMIT:
                    continue
                probe = IssueRequest(ticket_id="probe", queue=queue, channel="walkin")
                mine = engine.issue(self.state, probe, self.now)
                theirs = engine.issue(other, probe, self.now)
                assert (theirs.ahead, theirs.result.number) == (mine.ahead, mine.result.number)
        before = fingerprint(self.state)
        clone.apply(engine.issue(clone, IssueRequest("probe", "A", "walkin"), self.now))
        assert fingerprint(self.state) == before, "a clone shares state with the original"

    @invariant()
    def snapshot_agrees(self) -> None:
        snap = views.snapshot(self.state)
        assert snap["seq"] == self.state.seq
        assert {q["id"]: q["waiting"] for q in snap["queues"]} == recount_waiting(self.state)
        for entry in snap["windows"]:
            mwindow = self.model.windows[entry["id"]]
            if mwindow.current is None:
                assert entry["current"] is None
            else:
                mticket = self.model.tickets[mwindow.current]
                assert entry["current"] == {"number": mticket.number, "status": mticket.status}


HallMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestHallMachine = HallMachine.TestCase
