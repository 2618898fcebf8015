"""Reading and writing rows: hall state in and out, tickets, events. Every function takes an open
connection inside the caller's transaction; none commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..config import Hall
from ..core.engine import Change, HallState
from ..core.estimates import HISTORY
from ..core.model import StaffRef, Ticket, TicketStatus, WindowState
from . import schema as s
from .rollups import Rollups

ACTIVE = (
    TicketStatus.WAITING.value,
    TicketStatus.CALLED.value,
    TicketStatus.SERVING.value,
    TicketStatus.MISSED.value,
)
_TICKET_FIELDS = [c.name for c in s.tickets.columns if c.name not in ("hall_id", "phone_enc")]


def ticket_from_row(row: Any) -> Ticket:
    data = {name: getattr(row, name) for name in _TICKET_FIELDS}
    data["status"] = TicketStatus(data["status"])
    return Ticket(**data)


def ticket_to_row(hall_id: str, ticket: Ticket) -> dict[str, Any]:
    row = {name: getattr(ticket, name) for name in _TICKET_FIELDS}
    row["status"] = ticket.status.value
    row["hall_id"] = hall_id
    return row


# -- hall state ----------------------------------------------------------------------------------


_HALL_VERSION = select(s.hall_state.c.last_seq, s.hall_state.c.service_day).where(
    s.hall_state.c.hall_id == bindparam("b_hall")
)
_HALL_VERSION_LOCKED = _HALL_VERSION.with_for_update()


def hall_version(conn: Connection, hall_id: str, *, lock: bool) -> tuple[int, dt.date] | None:
    # On PostgreSQL every write of a hall locks its row first: writes of one hall are
    # serialised across processes, in one fixed order (hall row, then the rest).
    locked = lock and conn.dialect.name == "postgresql"
    row = conn.execute(_HALL_VERSION_LOCKED if locked else _HALL_VERSION, {"b_hall": hall_id}).first()
    return (row.last_seq, row.service_day) if row else None


def ensure_hall(conn: Connection, hall: Hall, today: dt.date) -> None:
    """First start for this hall: create its state row and its windows from the config."""
    if hall_version(conn, hall.id, lock=False) is None:
        conn.execute(insert(s.hall_state).values(hall_id=hall.id, last_seq=0, service_day=today))
    known = set(conn.execute(select(s.windows.c.window_id).where(s.windows.c.hall_id == hall.id)).scalars())
    for window in hall.windows:
        if window.id not in known:
            conn.execute(
                insert(s.windows).values(
                    hall_id=hall.id,
                    window_id=window.id,
                    queues=list(window.queues),
                    policy=window.policy,
                    paused=False,
                    staff_id=None,
                    staff_name=None,
                    current_ticket=None,
                )
            )


def load_hall_state(conn: Connection, hall: Hall) -> HallState:
    version = hall_version(conn, hall.id, lock=False)
    assert version is not None, "ensure_hall first"
    last_seq, day = version
    state = HallState(hall, day, last_seq)
    queue_ids = {q.id for q in hall.queues}
    for row in conn.execute(select(s.windows).where(s.windows.c.hall_id == hall.id)):
        config = hall.window(row.window_id)
        if config is None:
            continue  # removed from the config: no longer served
        # Run-time changes (tidal moves) win over the file, minus queues the file no longer has.
        queues = tuple(q for q in row.queues if q in queue_ids) or tuple(config.queues)
        state.windows[row.window_id] = WindowState(
            id=row.window_id,
            name=config.name,
            queues=queues,
            policy=row.policy,
            paused=row.paused,
            staff=StaffRef(row.staff_id, row.staff_name) if row.staff_id else None,
            current=row.current_ticket,
        )
    rows = conn.execute(
        select(s.tickets)
        .where(s.tickets.c.hall_id == hall.id, s.tickets.c.status.in_(ACTIVE))
        .order_by(s.tickets.c.effective_at, s.tickets.c.seq)
    )
    for row in rows:
        state.add_loaded(ticket_from_row(row))
    for row in conn.execute(
        select(s.counters).where(s.counters.c.hall_id == hall.id, s.counters.c.service_day == day)
    ):
        state.counters[row.queue] = row.last_seq
        state.queue_calls[row.queue] = row.calls
    calls = conn.execute(
        select(s.events.c.data, s.events.c.created_at)
        .where(s.events.c.hall_id == hall.id, s.events.c.type == "call")
        .order_by(s.events.c.seq.desc())
        .limit(state.recent_calls.maxlen or 10)
    ).all()
    for data, created_at in reversed(calls):
        if created_at.astimezone(hall.zone).date() == day:  # hall screens start each day empty
            state.note_call(data)
    for queue in hall.queues:
        durations = conn.execute(
            select(s.tickets.c.called_at, s.tickets.c.finished_at)
            .where(
                s.tickets.c.hall_id == hall.id,
                s.tickets.c.queue == queue.id,
                s.tickets.c.status == TicketStatus.DONE.value,
                s.tickets.c.called_at.is_not(None),
            )
            .order_by(s.tickets.c.finished_at.desc())
            .limit(HISTORY)
        ).all()
        state.durations.extend(
            queue.id, [(r.finished_at - r.called_at).total_seconds() for r in reversed(durations)]
        )
    return state


# Statements built once: parameters come at execution, so SQLAlchemy compiles each only once
# (building `.values(...)` per call cost more than the write itself).
_INSERT_TICKET = s.tickets.insert()
_UPDATE_TICKET = s.tickets.update().where(s.tickets.c.id == bindparam("b_id"))
_UPDATE_WINDOW = s.windows.update().where(
    s.windows.c.hall_id == bindparam("b_hall"), s.windows.c.window_id == bindparam("b_window")
)
_INSERT_EVENT = s.events.insert()
_UPDATE_HALL = s.hall_state.update().where(s.hall_state.c.hall_id == bindparam("b_hall"))
_UPSERT_COUNTER: dict[str, Any] = {}  # per dialect


def _upsert_counter(conn: Connection) -> Any:
    """INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL both have it): one statement for
    a counter whether or not its day's row exists yet."""
    name = conn.dialect.name
    statement = _UPSERT_COUNTER.get(name)
    if statement is None:
        dialect_insert = sqlite_insert if name == "sqlite" else postgresql_insert
        base = dialect_insert(s.counters)
        statement = base.on_conflict_do_update(
            index_elements=[s.counters.c.hall_id, s.counters.c.service_day, s.counters.c.queue],
            set_={"last_seq": base.excluded.last_seq, "calls": base.excluded.calls},
        )
        _UPSERT_COUNTER[name] = statement
    return statement


class PendingWrites:
    """Rows of engine changes not yet written. `add` turns a change into rows against the state
    it was decided on (before `state.apply`); `flush` writes everything added so far with one
    executemany per table, later rows of the same ticket, window, counter or hall replacing
    earlier ones. The writer keeps one per job and one per batch: a batch of N tickets costs a
    handful of statements instead of N times as many."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self._tickets: dict[str, tuple[dict[str, Any], bool]] = {}  # id → (row, created)
        self._windows: dict[tuple[str, str], dict[str, Any]] = {}
        self._counters: dict[tuple[str, dt.date, str], dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._halls: dict[str, dict[str, Any]] = {}
        self._rollups = Rollups()  # 统计分析 rows (storage/rollups.py)
        self.hall_ids: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.hall_ids)

    def add(self, state: HallState, change: Change, *, phone_enc: dict[str, str] | None = None) -> None:
        hall_id = state.hall.id
        day = change.new_day or state.service_day
        self.hall_ids.add(hall_id)
        self._rollups.add_change(state, change)
        for ticket in change.tickets.values():
            row = ticket_to_row(hall_id, ticket)
            if ticket.id in change.created:
                row["phone_enc"] = (phone_enc or {}).get(ticket.id)
            self._put_ticket(ticket.id, row, ticket.id in change.created)
        for window in change.windows.values():
            self._windows[(hall_id, window.id)] = {
                "b_hall": hall_id,
                "b_window": window.id,
                "queues": list(window.queues),
                "policy": window.policy,
                "paused": window.paused,
                "staff_id": window.staff.id if window.staff else None,
                "staff_name": window.staff.name if window.staff else None,
                "current_ticket": window.current,
            }
        for queue in set(change.counters) | set(change.queue_calls):
            last_seq = change.counters.get(queue, 0 if change.new_day else state.counters.get(queue, 0))
            calls = change.queue_calls.get(queue, 0 if change.new_day else state.queue_calls.get(queue, 0))
            self._counters[(hall_id, day, queue)] = {
                "hall_id": hall_id, "service_day": day, "queue": queue, "last_seq": last_seq, "calls": calls,
            }
        self._events.extend(
            {"hall_id": hall_id, "seq": e.seq, "type": e.type, "data": e.data, "created_at": e.at}
            for e in change.events
        )
        if change.events or change.new_day:
            last_seq = change.events[-1].seq if change.events else state.seq
            self._halls[hall_id] = {"b_hall": hall_id, "last_seq": last_seq, "service_day": day}

    def _put_ticket(self, ticket_id: str, row: dict[str, Any], created: bool) -> None:
        earlier = self._tickets.get(ticket_id)
        if earlier is not None and earlier[1]:  # created in this lot: insert it as it is now
            self._tickets[ticket_id] = ({**row, "phone_enc": earlier[0]["phone_enc"]}, True)
        else:
            self._tickets[ticket_id] = (row, created)

    def absorb(self, other: PendingWrites) -> None:
        """Take a finished job's rows (added after everything already here)."""
        for ticket_id, (row, created) in other._tickets.items():
            self._put_ticket(ticket_id, row, created)
        self._windows.update(other._windows)
        self._counters.update(other._counters)
        self._events.extend(other._events)
        self._halls.update(other._halls)
        self._rollups.absorb(other._rollups)
        self.hall_ids |= other.hall_ids

    def flush(self, conn: Connection) -> None:
        if not self:
            return
        inserts = [row for row, created in self._tickets.values() if created]
        updates = [{**row, "b_id": row["id"]} for row, created in self._tickets.values() if not created]
        for statement, rows in (
            (_INSERT_TICKET, inserts),
            (_UPDATE_TICKET, updates),
            (_UPDATE_WINDOW, list(self._windows.values())),
            (_upsert_counter(conn) if self._counters else None, list(self._counters.values())),
            (_INSERT_EVENT, self._events),
            (_UPDATE_HALL, list(self._halls.values())),
        ):
            if rows:
                conn.execute(statement, rows)
        self._rollups.flush(conn)
        self._clear()


def persist(conn: Connection, state: HallState, change: Change, *, phone_enc: dict[str, str] | None = None) -> None:
    """Write a change the engine decided (not yet applied to `state`) at once."""
    pending = PendingWrites()
    pending.add(state, change, phone_enc=phone_enc)
    pending.flush(conn)


def load_ticket(conn: Connection, hall_id: str, ticket_id: str) -> Ticket | None:
    row = conn.execute(select(s.tickets).where(s.tickets.c.id == ticket_id, s.tickets.c.hall_id == hall_id)).first()
    return ticket_from_row(row) if row else None


def load_ticket_any_hall(conn: Connection, ticket_id: str) -> tuple[str, Ticket] | None:
    row = conn.execute(select(s.tickets).where(s.tickets.c.id == ticket_id)).first()
    return (row.hall_id, ticket_from_row(row)) if row else None


def events_since(conn: Connection, hall_id: str, after_seq: int, limit: int) -> list[tuple[int, str, dict, dt.datetime]]:
    rows = conn.execute(
        select(s.events.c.seq, s.events.c.type, s.events.c.data, s.events.c.created_at)
        .where(s.events.c.hall_id == hall_id, s.events.c.seq > after_seq)
        .order_by(s.events.c.seq)
        .limit(limit)
    )
    return [(r.seq, r.type, r.data, r.created_at) for r in rows]


def last_events(conn: Connection, hall_id: str, count: int) -> list[tuple[int, str, dict, dt.datetime]]:
    rows = conn.execute(
        select(s.events.c.seq, s.events.c.type, s.events.c.data, s.events.c.created_at)
        .where(s.events.c.hall_id == hall_id)
        .order_by(s.events.c.seq.desc())
        .limit(count)
    ).all()
    return [(r.seq, r.type, r.data, r.created_at) for r in reversed(rows)]


def prune_events(conn: Connection, hall_id: str, keep: int) -> None:
    newest = conn.execute(select(func.max(s.events.c.seq)).where(s.events.c.hall_id == hall_id)).scalar()
    if newest is not None and newest > keep:
        conn.execute(delete(s.events).where(and_(s.events.c.hall_id == hall_id, s.events.c.seq <= newest - keep)))


def audit(conn: Connection, hall_id: str, at: dt.datetime, actor: str, action: str, target: str, detail: dict) -> None:
    conn.execute(insert(s.audit_log).values(hall_id=hall_id, at=at, actor=actor, action=action, target=target, detail=detail))


