"""Per-person limits, decided inside the writer job that issues: one waiting ticket per person and
queue, a daily cap per hall, and the block after repeated reservation no-shows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from hall_common.vocabulary import ErrorCode

from ..config import Hall
from ..core.engine import HallState
from ..core.errors import Conflict
from ..core.model import Ticket
from ..storage import schema as s
from . import tables as t
from .sessions import Session

NO_SHOW_GRACE = dt.timedelta(minutes=30)


def existing_waiting(state: HallState, session: Session, queue: str) -> Ticket | None:
    """One waiting ticket per person and queue: the first one, to print again."""
    for ticket in sorted(state.waiting(), key=lambda x: x.issued_at):
        if ticket.identity_hash == session.person_hash and ticket.queue == queue:
            return ticket
    return None


def check_daily_cap(conn: Connection, hall: Hall, session: Session, day: dt.date) -> None:
    cap = hall.identification.max_tickets_per_person_per_day
    if cap is None:
        return
    taken = conn.execute(
        select(func.count())
        .select_from(s.tickets)
        .where(s.tickets.c.hall_id == hall.id, s.tickets.c.service_day == day)
        .where(s.tickets.c.identity_hash == session.person_hash)
    ).scalar_one()
    if taken >= cap:
        raise Conflict(
            f"this person has taken {taken} tickets today (limit {cap})",
            f"您今天已取号{taken}次，已达本大厅每日上限",
            code=ErrorCode.PERSON_DAILY_LIMIT,
        )


def record_no_shows(conn: Connection, now: dt.datetime, hall_id: str | None = None, id_hash: str | None = None) -> int:
    """Reservations not checked in by their slot's end + 30 minutes become no-shows (once)."""
    query = (
        select(s.reservations.c.id, s.reservations.c.hall_id, s.reservations.c.id_hash, s.reservations.c.slot_end)
        .where(s.reservations.c.status == "booked", s.reservations.c.slot_end < now - NO_SHOW_GRACE)
        .where(s.reservations.c.id.not_in(select(t.no_shows.c.reservation_id)))
    )
    if hall_id is not None:
        query = query.where(s.reservations.c.hall_id == hall_id)
    if id_hash is not None:
        query = query.where(s.reservations.c.id_hash == id_hash)
    recorded = 0
    for row in conn.execute(query).all():
        try:
            with conn.begin_nested():  # another server process may record the same one meanwhile
                conn.execute(
                    insert(t.no_shows).values(
                        reservation_id=row.id, hall_id=row.hall_id, id_hash=row.id_hash, slot_end=row.slot_end, recorded_at=now
                    )
                )
            recorded += 1
        except IntegrityError:
            pass
    return recorded


def check_no_show_block(conn: Connection, hall: Hall, id_hash: str, now: dt.datetime) -> None:
    rules = hall.identification
    if rules.no_show_limit <= 0:
        return  # no-shows are still recorded, by the retention task
    record_no_shows(conn, now, hall.id, id_hash)
    since = now - dt.timedelta(days=rules.no_show_window_days)
    ends = [
        r.slot_end
        for r in conn.execute(
            select(t.no_shows.c.slot_end)
            .where(t.no_shows.c.hall_id == hall.id, t.no_shows.c.id_hash == id_hash, t.no_shows.c.slot_end >= since)
            .order_by(t.no_shows.c.slot_end)
        )
    ]
    if len(ends) < rules.no_show_limit:
        return
    until = ends[-1] + dt.timedelta(days=rules.no_show_block_days)
    if until > now:
        local = until.astimezone(hall.zone)
        raise Conflict(
            f"{len(ends)} reservations missed recently; reservation check-in is blocked until {until.isoformat()}",
            f"您近期有{len(ends)}次预约未到，{local.month}月{local.day}日前不能预约签到，请取普通号",
            code=ErrorCode.RESERVATION_BLOCKED,
        )
