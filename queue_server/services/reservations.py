"""Reservations from the provincial platform: idempotent import, cancellation, check-in."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hall_common.id_numbers import normalise_id_number
from hall_common.personal_data import mask_id_number, mask_name, mask_phone
from hall_common.vocabulary import Channel, ErrorCode

from ..core.errors import Conflict, Invalid, NotFound
from ..core.model import Ticket
from ..core.numbering import service_day
from ..identity import limits, sessions
from ..identity.ticket_holder import TicketHolder
from ..runtime import Runtime
from ..storage import repository
from ..storage import schema as s
from ..storage.writer import WriteTx
from .tickets import Slot, issue_in

# No 0/O, 1/I/L: codes are read aloud and typed on kiosks.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


@dataclass(frozen=True)
class NewReservation:
    queue: str
    slot_start: dt.datetime
    slot_end: dt.datetime
    name: str
    id_number: str
    phone: str | None
    external_id: str


def reservation_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "external_id": row.external_id,
        "queue": row.queue,
        "slot_start": row.slot_start.isoformat(),
        "slot_end": row.slot_end.isoformat(),
        "service_day": row.service_day.isoformat(),
        "name": row.name_masked,
        "id_number": row.id_masked,
        "phone": row.phone_masked,
        "status": row.status,
        "ticket_id": row.ticket_id,
    }


def _row(conn: Connection, hall_id: str, **where: Any) -> Any:
    query = select(s.reservations).where(s.reservations.c.hall_id == hall_id)
    for key, value in where.items():
        query = query.where(getattr(s.reservations.c, key) == value)
    return conn.execute(query).first()


async def create(rt: Runtime, hall_id: str, new: NewReservation) -> tuple[dict[str, Any], bool]:
    """(reservation, created); the same external_id again returns the existing one unchanged."""
    hall = rt.config.hall(hall_id)
    assert hall is not None
    if hall.queue(new.queue) is None:
        raise NotFound(f"no queue {new.queue!r} in this hall", f"本厅没有业务类别 {new.queue}")
    if new.slot_end <= new.slot_start:
        raise Invalid("slot_end must be after slot_start", "预约时段结束时间须晚于开始时间")
    if new.slot_end - new.slot_start > dt.timedelta(hours=12):
        raise Invalid("a slot lasts at most 12 hours", "预约时段过长")
    id_number = normalise_id_number(new.id_number)
    now = rt.now()
    day = service_day(new.slot_start, hall.zone)

    def job(tx: WriteTx) -> tuple[dict[str, Any], bool]:
        existing = _row(tx.conn, hall_id, external_id=new.external_id)
        if existing is not None:
            return reservation_json(existing), False
        if day < service_day(now, hall.zone):
            raise Invalid("the slot is on a day that has passed", "预约日期已过")
        code = _free_code(tx.conn, hall_id)
        reservation_id = uuid.uuid4().hex
        tx.conn.execute(
            insert(s.reservations).values(
                id=reservation_id,
                hall_id=hall_id,
                external_id=new.external_id,
                code=code,
                queue=new.queue,
                slot_start=new.slot_start,
                slot_end=new.slot_end,
                service_day=day,
                name_masked=mask_name(new.name),
                name_enc=rt.keys.encrypt(new.name),
                id_hash=rt.keys.match_hash("id", id_number),
                id_masked=mask_id_number(id_number),
                phone_hash=rt.keys.match_hash("phone", new.phone) if new.phone else None,
                phone_masked=mask_phone(new.phone) if new.phone else None,
                phone_enc=rt.keys.encrypt(new.phone) if new.phone else None,
                status="booked",
                ticket_id=None,
                created_at=now,
                updated_at=now,
            )
        )
        return reservation_json(_row(tx.conn, hall_id, id=reservation_id)), True

    return await rt.write(job)


def _free_code(conn: Connection, hall_id: str) -> str:
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if _row(conn, hall_id, code=code) is None:
            return code
    raise RuntimeError("could not find a free reservation code")


async def get(rt: Runtime, hall_id: str, reservation_id: str) -> dict[str, Any]:
    row = await rt.read(lambda conn: _row(conn, hall_id, id=reservation_id))
    if row is None:
        raise NotFound("no such reservation in this hall", "没有这条预约")
    return reservation_json(row)


async def cancel(rt: Runtime, hall_id: str, reservation_id: str) -> dict[str, Any]:
    def job(tx: WriteTx) -> dict[str, Any]:
        row = _row(tx.conn, hall_id, id=reservation_id)
        if row is None:
            raise NotFound("no such reservation in this hall", "没有这条预约")
        if row.status == "checked_in":
            raise Conflict(
                "the reservation is checked in; cancel its ticket instead",
                "该预约已签到取号，不能取消",
                code=ErrorCode.RESERVATION_CHECKED_IN,
            )
        if row.status != "cancelled":
            tx.conn.execute(
                update(s.reservations)
                .where(s.reservations.c.id == reservation_id)
                .values(status="cancelled", updated_at=rt.now())
            )
        return reservation_json(_row(tx.conn, hall_id, id=reservation_id))

    return await rt.write(job)


async def check_in(
    rt: Runtime, hall_id: str, *, code: str | None = None, id_number: str | None = None, identity: str | None = None
) -> tuple[Ticket, bool]:
    """(ticket, created): a second check-in of the same reservation returns the same ticket.
    With an identity session, the person's reservations are found by identity number or phone."""
    hall = rt.config.hall(hall_id)
    assert hall is not None
    id_hash = rt.keys.match_hash("id", normalise_id_number(id_number)) if id_number else None

    def job(tx: WriteTx) -> tuple[Ticket, bool]:
        now = rt.now()
        today = service_day(now, hall.zone)
        session = sessions.consume(tx.conn, hall_id, identity, now, "check-in") if identity else None
        if code is not None:
            row = _row(tx.conn, hall_id, code=code.strip().upper())
            if row is None:
                raise NotFound("no reservation with this code", "没有找到该预约码对应的预约")
        else:
            rows = tx.conn.execute(
                select(s.reservations)
                .where(s.reservations.c.hall_id == hall_id)
                .where(sessions.reservation_clause(session) if session else s.reservations.c.id_hash == id_hash)
                .order_by(s.reservations.c.slot_start)
            ).all()
            if not rows:
                raise NotFound("no reservation for this person", "没有找到您的预约")
            todays = [r for r in rows if r.service_day == today and r.status != "cancelled"]
            booked = [r for r in todays if r.status == "booked"]
            row = (booked or todays)[0] if (booked or todays) else _explain_choice(list(rows), today)
        if row.status == "cancelled":
            raise Conflict("the reservation was cancelled", "该预约已取消", code=ErrorCode.RESERVATION_CANCELLED)
        if row.service_day != today:
            raise Conflict(
                f"the reservation is for {row.service_day.isoformat()}, not today",
                f"您的预约日期是{row.service_day.month}月{row.service_day.day}日，不是今天",
                code=ErrorCode.RESERVATION_OTHER_DAY,
            )
        if row.status == "checked_in" and row.ticket_id:
            ticket = repository.load_ticket(tx.conn, hall_id, row.ticket_id)
            if ticket is not None:
                return tx.hall(hall_id).tickets.get(ticket.id, ticket), False
        limits.check_no_show_block(tx.conn, hall, row.id_hash, now)
        holder = TicketHolder(
            identity_hash=row.id_hash,
            holder_masked=row.name_masked,
            phone_hash=row.phone_hash,
            phone_masked=row.phone_masked,
            phone_enc=row.phone_enc,
            green_reason=session.holder.green_reason if session else None,  # e.g. 70 or older, known from the identity
        )
        slot = Slot(row.id, row.slot_start, row.slot_end)
        change = issue_in(tx, hall_id, now, queue=row.queue, channel=Channel.RESERVATION, holder=holder, slot=slot)
        tx.conn.execute(
            update(s.reservations)
            .where(s.reservations.c.id == row.id)
            .values(status="checked_in", ticket_id=change.result.id, updated_at=now)
        )
        return change.result, True

    return await rt.write(job)


def _explain_choice(rows: list[Any], today: dt.date) -> Any:
    """No usable reservation today: the most telling one to explain (a future one first)."""
    live = [r for r in rows if r.status != "cancelled"]
    future = [r for r in live if r.service_day > today]
    return (future or live or rows)[0]


async def list_for_day(rt: Runtime, hall_id: str, day: dt.date) -> list[dict[str, Any]]:
    def read(conn: Connection) -> list[dict[str, Any]]:
        rows = conn.execute(
            select(s.reservations)
            .where(s.reservations.c.hall_id == hall_id, s.reservations.c.service_day == day)
            .order_by(s.reservations.c.slot_start)
        )
        return [reservation_json(r) for r in rows]

    return await rt.read(read)
