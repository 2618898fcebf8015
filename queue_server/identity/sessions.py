"""Identity sessions: one identification at a kiosk opens a short-lived, single-use session that a
ticket or a reservation check-in then consumes, inside its own writer job."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Connection, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from hall_common.personal_data import mask_id_number, mask_name, mask_phone
from hall_common.vocabulary import ErrorCode, Priority

from ..config import Hall
from ..core.errors import Conflict
from ..core.model import TicketStatus
from ..core.numbering import service_day
from ..runtime import Runtime
from ..services.principals import Principal
from ..storage import repository
from ..storage import schema as s
from ..storage.writer import WriteTx
from . import green_channel, lutong
from . import tables as t
from .person import Person
from .ticket_holder import TicketHolder


class AuditNote(NamedTuple):
    """An audit row written with the session (how a face check went)."""

    action: str
    target: str
    detail: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Session:
    """A consumed session: what a ticket or a check-in may know of the person."""

    method: str
    id_hash: str | None
    phone_hash: str | None
    holder: TicketHolder  # identity_hash: the person (id hash, or phone hash for SMS)

    @property
    def person_hash(self) -> str:
        assert self.holder.identity_hash is not None
        return self.holder.identity_hash


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


async def open_session(
    rt: Runtime, hall: Hall, who: Principal, method: str, person: Person, audit: AuditNote | None = None
) -> dict[str, Any]:
    """Stores a new session for `person` and answers the kiosk: the token, the person masked, the
    green channel, today's reservations and waiting tickets."""
    settings = rt.config.server.identity
    token = secrets.token_urlsafe(24)
    id_hash = rt.keys.match_hash("id", person.id_number) if person.id_number else None
    phone_hash = rt.keys.match_hash("phone", person.phone) if person.phone else None
    person_hash = id_hash or phone_hash
    assert person_hash is not None

    def job(tx: WriteTx) -> tuple[dt.datetime, int | None, str | None]:
        now = rt.now()
        if person.once_key is not None:
            _remember_once(tx.conn, hall.id, person.once_key, person.once_until or now, now)
        age = age_on(person.birth, service_day(now, hall.zone)) if person.birth else None
        green_reason = green_channel.automatic_reason(hall.identification, age, id_hash)
        expires = now + dt.timedelta(seconds=settings.session_ttl_s)
        tx.conn.execute(
            insert(t.identity_sessions).values(
                token_sha256=_sha(token),
                hall_id=hall.id,
                device_id=who.id,
                method=method,
                person_hash=person_hash,
                id_hash=id_hash,
                id_masked=mask_id_number(person.id_number) if person.id_number else None,
                phone_hash=phone_hash,
                phone_masked=mask_phone(person.phone) if person.phone else None,
                phone_enc=rt.keys.encrypt(person.phone) if person.phone else None,
                holder_masked=mask_name(person.name) if person.name else None,
                age=age,
                green_reason=green_reason,
                created_at=now,
                expires_at=expires,
            )
        )
        if audit is not None:
            repository.audit(tx.conn, hall.id, now, who.label, audit.action, audit.target, audit.detail)
        return expires, age, green_reason

    expires, age, green_reason = await rt.write(job)
    today = service_day(rt.now(), hall.zone)
    reservations = await rt.read(lambda conn: _reservations_today(conn, hall, id_hash, phone_hash, today))
    state = rt.store.view(hall.id)
    waiting = [
        {"id": x.id, "number": x.number, "queue": x.queue}
        for x in sorted(state.tickets.values(), key=lambda x: x.issued_at)
        if x.identity_hash == person_hash and x.status is TicketStatus.WAITING
    ]
    return {
        "identity": token,
        "expires_at": expires.isoformat(),
        "method": method,
        "holder": mask_name(person.name) if person.name else None,
        "id_number": mask_id_number(person.id_number) if person.id_number else None,
        "phone": mask_phone(person.phone) if person.phone else None,
        "age": age,
        "priority": Priority.GREEN if green_reason else None,
        "green_reason": green_reason,
        "reservations_today": reservations,
        "waiting_tickets": waiting,
    }


def _remember_once(conn: Connection, hall_id: str, once_key: str, until: dt.datetime, now: dt.datetime) -> None:
    """A code that may be shown once (鲁通码): refused when seen before, remembered until `until`."""
    seen = conn.execute(select(t.lutong_nonces.c.nonce_hash).where(t.lutong_nonces.c.nonce_hash == once_key)).first()
    if seen is not None:
        raise lutong.used()
    try:
        with conn.begin_nested():  # another server process may record it at the same instant
            conn.execute(insert(t.lutong_nonces).values(nonce_hash=once_key, hall_id=hall_id, seen_at=now, expires_at=until))
    except IntegrityError:
        raise lutong.used() from None


def person_clause(id_hash: str | None, phone_hash: str | None) -> ColumnElement[bool]:
    """Reservations of this person: by identity number or by phone."""
    clauses = []
    if id_hash:
        clauses.append(s.reservations.c.id_hash == id_hash)
    if phone_hash:
        clauses.append(s.reservations.c.phone_hash == phone_hash)
    return or_(*clauses)


def reservation_clause(session: Session) -> ColumnElement[bool]:
    return person_clause(session.id_hash, session.phone_hash)


def _reservations_today(
    conn: Connection, hall: Hall, id_hash: str | None, phone_hash: str | None, today: dt.date
) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(s.reservations)
        .where(s.reservations.c.hall_id == hall.id, s.reservations.c.service_day == today)
        .where(s.reservations.c.status != "cancelled", person_clause(id_hash, phone_hash))
        .order_by(s.reservations.c.slot_start)
    ).all()
    return [
        {
            "id": r.id,
            "code": r.code,
            "queue": r.queue,
            "queue_name": _queue_name(hall, r.queue),
            "slot_start": r.slot_start.isoformat(),
            "slot_end": r.slot_end.isoformat(),
            "status": r.status,
            "name": r.name_masked,
            "ticket_id": r.ticket_id,
        }
        for r in rows
    ]


def _queue_name(hall: Hall, queue_id: str) -> str:
    queue = hall.queue(queue_id)
    return queue.name if queue else queue_id


def consume(conn: Connection, hall_id: str, token: str, now: dt.datetime, used_for: str) -> Session:
    """Take the session for one use; 409 when unknown, expired or used. Inside the caller's
    transaction: a refusal later in the same job leaves the session unused."""
    row = conn.execute(
        select(t.identity_sessions).where(
            t.identity_sessions.c.token_sha256 == _sha(token), t.identity_sessions.c.hall_id == hall_id
        )
    ).first()
    if row is None:
        raise Conflict("unknown identity session", "身份核验已失效，请重新核验身份", code=ErrorCode.IDENTITY_UNKNOWN)
    if row.used_at is not None:
        raise _used()
    if row.expires_at <= now:
        raise Conflict("the identity session has expired", "身份核验已超时，请重新核验身份", code=ErrorCode.IDENTITY_EXPIRED)
    taken = conn.execute(
        update(t.identity_sessions)
        .where(t.identity_sessions.c.token_sha256 == row.token_sha256, t.identity_sessions.c.used_at.is_(None))
        .values(used_at=now, used_for=used_for)
    )
    if taken.rowcount != 1:  # another server process took it a moment ago
        raise _used()
    holder = TicketHolder(
        identity_hash=row.person_hash,
        holder_masked=row.holder_masked,
        phone_hash=row.phone_hash,
        phone_masked=row.phone_masked,
        phone_enc=row.phone_enc,
        green_reason=row.green_reason,
    )
    return Session(method=row.method, id_hash=row.id_hash, phone_hash=row.phone_hash, holder=holder)


def _used() -> Conflict:
    return Conflict("the identity session was used already", "本次身份核验已使用，请重新核验身份", code=ErrorCode.IDENTITY_USED)
