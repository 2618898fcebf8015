"""Reading a hall's recorded days from its database (SQLite or PostgreSQL): the tickets of a service
day, the audit rows of their staff actions, the day's call and window events (while the events
table still keeps them), turned into plain rows for `record.build_day`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from ...config import Hall
from ...storage import schema as s
from ..clock import midnight, to_us
from ..record import ActionRow, CallRow, RecordedDay, TicketRow, WindowRow, build_day, recorded_channel

_TICKET_ACTIONS = ("start", "finish", "skip", "requeue", "transfer", "cancel")


def service_days(conn: Connection, hall_id: str) -> list[dt.date]:
    """Days with tickets, oldest first."""
    rows = conn.execute(
        select(s.tickets.c.service_day).where(s.tickets.c.hall_id == hall_id).distinct().order_by(s.tickets.c.service_day)
    )
    return [row.service_day for row in rows]


def ticket_counts(conn: Connection, hall_id: str, days: Sequence[dt.date]) -> dict[dt.date, int]:
    """Tickets per service day, for these days (a cheap look before reading them)."""
    if not days:
        return {}
    rows = conn.execute(
        select(s.tickets.c.service_day, func.count())
        .where(s.tickets.c.hall_id == hall_id, s.tickets.c.service_day.in_(list(days)))
        .group_by(s.tickets.c.service_day)
    )
    return {row[0]: row[1] for row in rows}


def read_days(url: str, hall: Hall, days: Sequence[dt.date]) -> list[RecordedDay]:
    """The days from the database at `url`, on a connection of this process's own."""
    from ...storage.database import open_engine

    engine = open_engine(url, durability="normal", writer=False)
    try:
        with engine.connect() as conn:
            return load_days(conn, hall, days)
    finally:
        engine.dispose()


def load_day(conn: Connection, hall: Hall, day: dt.date) -> RecordedDay:
    base = midnight(day, hall.zone)
    end = base + dt.timedelta(days=1)

    def us(moment: dt.datetime | None) -> int | None:
        return None if moment is None else to_us(moment, base)

    tickets = [
        TicketRow(
            id=row.id,
            number=row.number,
            queue=row.queue,
            status=row.status,
            channel=recorded_channel(row.channel),
            green=bool(row.green),
            item_code=row.item_code if row.item_code and hall.item(row.item_code) else None,
            issued_at=to_us(row.issued_at, base),
            called_at=us(row.called_at),
            finished_at=us(row.finished_at),
            window=row.window,
            slot_start=us(row.slot_start),
            slot_end=us(row.slot_end),
        )
        for row in conn.execute(
            select(s.tickets).where(s.tickets.c.hall_id == hall.id, s.tickets.c.service_day == day)
        )
    ]
    ids = {t.id for t in tickets}
    actions = [
        ActionRow(to_us(row.at, base), row.target.removeprefix("ticket:"), row.action, row.detail or {})
        for row in conn.execute(
            select(s.audit_log)
            .where(
                s.audit_log.c.hall_id == hall.id,
                s.audit_log.c.at >= base,
                s.audit_log.c.at < end,
                s.audit_log.c.action.in_(_TICKET_ACTIONS),
            )
            .order_by(s.audit_log.c.at, s.audit_log.c.id)
        )
        if row.target.removeprefix("ticket:") in ids
    ]
    complete = _events_complete(conn, hall.id, base)
    calls: list[CallRow] = []
    windows: list[WindowRow] = []
    if complete:
        windows = _state_at_midnight(conn, hall, base)
        for row in conn.execute(
            select(s.events.c.type, s.events.c.data, s.events.c.created_at)
            .where(
                s.events.c.hall_id == hall.id,
                s.events.c.created_at >= base,
                s.events.c.created_at < end,
                s.events.c.type.in_(("call", "window")),
            )
            .order_by(s.events.c.seq)
        ):
            at = to_us(row.created_at, base)
            if row.type == "call":
                if not row.data.get("recall"):
                    calls.append(CallRow(at, row.data["number"], row.data["window"]))
            elif hall.window(row.data.get("window", "")) is not None:
                windows.append(_window_row(at, row.data))
    return build_day(day, hall, tickets, actions, calls, windows, complete=complete)


def load_days(conn: Connection, hall: Hall, days: Sequence[dt.date]) -> list[RecordedDay]:
    return [load_day(conn, hall, day) for day in days]


def _window_row(at: int, data: dict[str, Any]) -> WindowRow:
    return WindowRow(
        at,
        data["window"],
        data.get("staff") is not None,
        data.get("status") == "paused",
        tuple(data.get("queues") or ()),
        data.get("policy") or "fifo",
    )


def _events_complete(conn: Connection, hall_id: str, base: dt.datetime) -> bool:
    """The day's events are all kept when nothing was ever pruned, or when older events are."""
    oldest = conn.execute(select(func.min(s.events.c.seq)).where(s.events.c.hall_id == hall_id)).scalar()
    if oldest is None:
        return False
    if oldest == 1:
        return True
    older = conn.execute(
        select(s.events.c.seq).where(s.events.c.hall_id == hall_id, s.events.c.created_at < base).limit(1)
    ).first()
    return older is not None


def _state_at_midnight(conn: Connection, hall: Hall, base: dt.datetime) -> list[WindowRow]:
    """Each window as it was when the day began (its last change before), at time 0."""
    rows = []
    for window in hall.windows:
        last = conn.execute(
            select(s.events.c.data)
            .where(
                s.events.c.hall_id == hall.id,
                s.events.c.type == "window",
                s.events.c.created_at < base,
                s.events.c.data["window"].as_string() == window.id,
            )
            .order_by(s.events.c.seq.desc())
            .limit(1)
        ).first()
        if last is not None:
            rows.append(_window_row(0, last.data))
    return rows
