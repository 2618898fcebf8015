"""Reading and writing rows: hall state in and out, tickets, events. Every function takes an open
connection inside the caller's transaction; none commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select

from ..config import Hall
from ..core.engine import Change, HallState
from ..core.estimates import HISTORY
from ..core.model import StaffRef, Ticket, TicketStatus, WindowState
from . import schema as s

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
_UPDATE_COUNTER = s.counters.update().where(
    s.counters.c.hall_id == bindparam("b_hall"),
    s.counters.c.service_day == bindparam("b_day"),
    s.counters.c.queue == bindparam("b_queue"),
)
_INSERT_COUNTER = s.counters.insert()
_INSERT_EVENT = s.events.insert()
_UPDATE_HALL = s.hall_state.update().where(s.hall_state.c.hall_id == bindparam("b_hall"))


def persist(conn: Connection, state: HallState, change: Change, *, phone_enc: dict[str, str] | None = None) -> None:
    """Write a change the engine decided (not yet applied to `state`)."""
    hall_id = state.hall.id
    day = change.new_day or state.service_day
    for ticket in change.tickets.values():
        row = ticket_to_row(hall_id, ticket)
        if ticket.id in change.created:
            row["phone_enc"] = (phone_enc or {}).get(ticket.id)
            conn.execute(_INSERT_TICKET, row)
        else:
            row["b_id"] = ticket.id
            conn.execute(_UPDATE_TICKET, row)
    for window in change.windows.values():
        conn.execute(
            _UPDATE_WINDOW,
            {
                "b_hall": hall_id,
                "b_window": window.id,
                "queues": list(window.queues),
                "policy": window.policy,
                "paused": window.paused,
                "staff_id": window.staff.id if window.staff else None,
                "staff_name": window.staff.name if window.staff else None,
                "current_ticket": window.current,
            },
        )
    touched = set(change.counters) | set(change.queue_calls)
    for queue in sorted(touched):
        last_seq = change.counters.get(queue, 0 if change.new_day else state.counters.get(queue, 0))
        calls = change.queue_calls.get(queue, 0 if change.new_day else state.queue_calls.get(queue, 0))
        key = {"b_hall": hall_id, "b_day": day, "b_queue": queue}
        updated = conn.execute(_UPDATE_COUNTER, {**key, "last_seq": last_seq, "calls": calls})
        if updated.rowcount == 0:
            conn.execute(
                _INSERT_COUNTER,
                {"hall_id": hall_id, "service_day": day, "queue": queue, "last_seq": last_seq, "calls": calls},
            )
    if change.events:
        conn.execute(
            _INSERT_EVENT,
            [
                {"hall_id": hall_id, "seq": e.seq, "type": e.type, "data": e.data, "created_at": e.at}
                for e in change.events
            ],
        )
    if change.events or change.new_day:
        last_seq = change.events[-1].seq if change.events else state.seq
        conn.execute(_UPDATE_HALL, {"b_hall": hall_id, "last_seq": last_seq, "service_day": day})


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


def tickets_of_day(conn: Connection, hall_id: str, day: dt.date, statuses: Iterable[str] | None = None) -> list[Ticket]:
    query = select(s.tickets).where(s.tickets.c.hall_id == hall_id, s.tickets.c.service_day == day)
    if statuses is not None:
        query = query.where(s.tickets.c.status.in_(list(statuses)))
    return [ticket_from_row(r) for r in conn.execute(query.order_by(s.tickets.c.issued_at))]
