"""Identity sessions: one identification step at a kiosk gives a short-lived, single-use session
that a ticket or a reservation check-in then consumes. Also the per-person limits (one waiting
ticket per queue, a daily cap, the reservation no-show block) and the automatic green channel."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from hall_common.personal_data import mask_id_number, mask_name, mask_phone

from ..config import Hall
from ..core.errors import Conflict, Invalid, NotFound
from ..core.model import Ticket, TicketStatus
from ..core.numbering import service_day
from ..runtime import Runtime
from ..services.principals import Principal
from ..storage import repository
from ..storage import schema as s
from ..storage.writer import WriteTx
from . import face, lutong, provincial
from . import tables as t
from .person import Person, checked_id_number, checked_name

SSCARD_DOWN_ZH = "社保卡信息核验服务暂时不可用，请使用其他方式"


@dataclasses.dataclass(frozen=True)
class Session:
    token_sha256: str
    method: str
    person_hash: str
    id_hash: str | None
    phone_hash: str | None
    phone_masked: str | None
    phone_enc: str | None
    holder_masked: str | None
    green_reason: str | None


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# -- identifying -----------------------------------------------------------------------------------


def method_allowed(hall: Hall, method: str) -> None:
    rules = hall.identification
    if method not in rules.allowed_methods or (method == "id_number" and not rules.allow_typed_id_number):
        raise Conflict(
            f"this hall does not accept identification by {method}",
            "本大厅未开通该身份核验方式，请使用其他方式",
            code="method_unavailable",
        )


async def identify(rt: Runtime, hall: Hall, who: Principal, body: Any) -> dict[str, Any]:
    """`body` is one of the api's Identify* models (validated shapes)."""
    method_allowed(hall, body.method)
    now = rt.now()
    settings = rt.config.server.identity
    audit: tuple[str, str, dict[str, Any]] | None = None
    if body.method == "lutong":
        person = await lutong.verify(settings, rt.keys, body.qr, now)
    elif body.method == "idcard":
        if body.birth_date is not None and body.birth_date != Person(id_number=body.id_number).birth:
            raise Invalid("birth_date does not match the identity number", "身份证信息不一致，请重新读卡")
        person = Person(id_number=body.id_number, name=body.name)
    elif body.method == "sscard":
        person = await _sscard(rt, body)
    elif body.method == "face":
        person, audit = await _face(rt, hall, body, now)
    elif body.method == "sms":
        person = await check_sms_code(rt, hall, body.phone, body.code)
    else:  # id_number, typed
        person = Person(id_number=body.id_number)
    return await open_session(rt, hall, who, body.method, person, audit)


async def _sscard(rt: Runtime, body: Any) -> Person:
    if body.id_number:  # second-generation cards: the chip holds the social security number
        return Person(id_number=body.id_number, name=body.name)
    resolver = rt.config.server.identity.sscard_provincial
    if resolver is None:
        raise Conflict(
            "this card does not reveal its holder and no resolver is configured",
            "该社保卡无法读取身份信息，请使用其他方式",
            code="sscard_unresolvable",
        )
    try:
        data = await provincial.call(resolver, {"card_id_code": body.card_id_code}, what="sscard platform", message_zh=SSCARD_DOWN_ZH)
    except provincial.Refused:
        raise Conflict("the platform does not know this card", "该社保卡无法识别，请使用其他方式", code="sscard_unresolvable") from None
    try:
        id_number = checked_id_number(data.get("id_number"), source="the sscard platform")
    except Invalid:
        raise provincial.VerifierUnavailable("sscard platform answered without an identity number", SSCARD_DOWN_ZH) from None
    return Person(id_number=id_number, name=checked_name(data.get("name")))


async def _face(rt: Runtime, hall: Hall, body: Any, now: dt.datetime) -> tuple[Person, tuple[str, str, dict[str, Any]]]:
    settings = rt.config.server.identity
    masked = mask_id_number(body.id_number)
    if settings.face == "provincial":
        try:
            person = await face.verify_provincial(settings, body.id_number, body.image_b64)
        except Conflict as refusal:
            await _audit(rt, hall.id, "kiosk", "face_verify", "face:provincial", {"id": masked, "result": refusal.code})
            raise
        return person, ("face_verify", "face:provincial", {"id": masked, "result": "match"})
    probe = await face.embed(body.image_b64)
    id_hash = rt.keys.match_hash("id", body.id_number)
    row = await rt.read(
        lambda conn: conn.execute(
            select(t.face_templates)
            .where(t.face_templates.c.hall_id == hall.id, t.face_templates.c.id_hash == id_hash)
            .where(t.face_templates.c.expires_at > now)
            .order_by(t.face_templates.c.created_at.desc())
        ).first()
    )
    if row is None:
        await _audit(rt, hall.id, "kiosk", "face_verify", "face:none", {"id": masked, "result": "not_enrolled"})
        raise Conflict(
            "no face template is enrolled for this person",
            "您尚未登记人脸，请使用其他方式，或到窗口登记",
            code="face_not_enrolled",
        )
    try:
        score = face.compare(face.unseal(rt.keys, row.template_enc), probe, settings.face_threshold)
    except Conflict:
        await _audit(rt, hall.id, "kiosk", "face_verify", f"face:{row.id}", {"id": masked, "result": "mismatch"})
        raise
    name = rt.keys.decrypt(row.name_enc) if row.name_enc else None
    detail = {"id": masked, "result": "match", "score": round(score, 3)}
    return Person(id_number=body.id_number, name=name), ("face_verify", f"face:{row.id}", detail)


async def _audit(rt: Runtime, hall_id: str, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
    await rt.write(lambda tx: repository.audit(tx.conn, hall_id, rt.now(), actor, action, target, detail))


async def open_session(
    rt: Runtime, hall: Hall, who: Principal, method: str, person: Person,
    audit: tuple[str, str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    settings = rt.config.server.identity
    rules = hall.identification
    token = secrets.token_urlsafe(24)
    id_hash = rt.keys.match_hash("id", person.id_number) if person.id_number else None
    phone_hash = rt.keys.match_hash("phone", person.phone) if person.phone else None
    person_hash = id_hash or phone_hash
    assert person_hash is not None

    def job(tx: WriteTx) -> tuple[dt.datetime, int | None, str | None]:
        now = rt.now()
        if person.once_key is not None:
            seen = tx.conn.execute(
                select(t.lutong_nonces.c.nonce_hash).where(t.lutong_nonces.c.nonce_hash == person.once_key)
            ).first()
            if seen is not None:
                raise lutong.used()
            try:
                with tx.conn.begin_nested():  # another server process may record it at the same instant
                    tx.conn.execute(
                        insert(t.lutong_nonces).values(
                            nonce_hash=person.once_key, hall_id=hall.id, seen_at=now, expires_at=person.once_until or now
                        )
                    )
            except IntegrityError:
                raise lutong.used() from None
        age = age_on(person.birth, service_day(now, hall.zone)) if person.birth else None
        green_reason = None
        if age is not None and age >= rules.green_age:
            green_reason = "age"
        elif id_hash is not None and id_hash in rules.green_ids:
            green_reason = "list"
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
            repository.audit(tx.conn, hall.id, now, who.label, audit[0], audit[1], audit[2])
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
        "priority": "green" if green_reason else None,
        "green_reason": green_reason,
        "reservations_today": reservations,
        "waiting_tickets": waiting,
    }


def _person_clause(id_hash: str | None, phone_hash: str | None):  # type: ignore[no-untyped-def]
    clauses = []
    if id_hash:
        clauses.append(s.reservations.c.id_hash == id_hash)
    if phone_hash:
        clauses.append(s.reservations.c.phone_hash == phone_hash)
    return or_(*clauses)


def _reservations_today(conn: Connection, hall: Hall, id_hash: str | None, phone_hash: str | None, today: dt.date) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(s.reservations)
        .where(s.reservations.c.hall_id == hall.id, s.reservations.c.service_day == today)
        .where(s.reservations.c.status != "cancelled", _person_clause(id_hash, phone_hash))
        .order_by(s.reservations.c.slot_start)
    ).all()
    return [
        {
            "id": r.id,
            "code": r.code,
            "queue": r.queue,
            "queue_name": (hall.queue(r.queue).name if hall.queue(r.queue) else r.queue),
            "slot_start": r.slot_start.isoformat(),
            "slot_end": r.slot_end.isoformat(),
            "status": r.status,
            "name": r.name_masked,
            "ticket_id": r.ticket_id,
        }
        for r in rows
    ]


# -- consuming a session (inside a writer job) -----------------------------------------------------


def consume(conn: Connection, hall_id: str, token: str, now: dt.datetime, used_for: str) -> Session:
    """Take the session for one use; 409 when unknown, expired or used. Inside the caller's
    transaction: a refusal later in the same job leaves the session unused."""
    row = conn.execute(
        select(t.identity_sessions).where(
            t.identity_sessions.c.token_sha256 == _sha(token), t.identity_sessions.c.hall_id == hall_id
        )
    ).first()
    if row is None:
        raise Conflict("unknown identity session", "身份核验已失效，请重新核验身份", code="identity_unknown")
    if row.used_at is not None:
        raise Conflict("the identity session was used already", "本次身份核验已使用，请重新核验身份", code="identity_used")
    if row.expires_at <= now:
        raise Conflict("the identity session has expired", "身份核验已超时，请重新核验身份", code="identity_expired")
    taken = conn.execute(
        update(t.identity_sessions)
        .where(t.identity_sessions.c.token_sha256 == row.token_sha256, t.identity_sessions.c.used_at.is_(None))
        .values(used_at=now, used_for=used_for)
    )
    if taken.rowcount != 1:  # another server process took it a moment ago
        raise Conflict("the identity session was used already", "本次身份核验已使用，请重新核验身份", code="identity_used")
    return Session(
        token_sha256=row.token_sha256,
        method=row.method,
        person_hash=row.person_hash,
        id_hash=row.id_hash,
        phone_hash=row.phone_hash,
        phone_masked=row.phone_masked,
        phone_enc=row.phone_enc,
        holder_masked=row.holder_masked,
        green_reason=row.green_reason,
    )


def reservation_clause(session: Session):  # type: ignore[no-untyped-def]
    return _person_clause(session.id_hash, session.phone_hash)


def existing_waiting(tx: WriteTx, hall_id: str, session: Session, queue: str) -> Ticket | None:
    """One waiting ticket per person and queue: the first one, to print again."""
    for ticket in sorted(tx.hall(hall_id).waiting(), key=lambda x: x.issued_at):
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
            code="person_daily_limit",
        )


def green_for(hall: Hall, session: Session | None, requested: bool) -> tuple[bool, str | None]:
    """The green channel of a ticket: automatic from the identity; a kiosk's bare request follows
    the hall's green_policy."""
    if session is not None and session.green_reason:
        return True, session.green_reason
    if not requested:
        return False, None
    if hall.green_policy == "granted":
        return True, "kiosk"
    if session is None:
        raise Conflict(
            "this hall grants the green channel only with an identity",
            "绿色通道需要先验证身份，或请工作人员协助",
            code="green_needs_identity",
        )
    raise Conflict(
        "the identity does not qualify for the green channel by itself",
        "您的身份信息不满足绿色通道自动条件，请取普通号，或请窗口工作人员为您确认",
        code="green_not_eligible",
    )


# -- reservation no-shows --------------------------------------------------------------------------

NO_SHOW_GRACE = dt.timedelta(minutes=30)


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
            code="reservation_blocked",
        )


# -- SMS codes -------------------------------------------------------------------------------------


def _code_hash(rt: Runtime, phone_hash: str, code: str) -> str:
    return rt.keys.match_hash("otp", f"{phone_hash}:{code}")


async def send_sms_code(rt: Runtime, hall: Hall, who: Principal, phone: str, sender: Any) -> dict[str, Any]:
    method_allowed(hall, "sms")
    settings = rt.config.server.identity
    phone_hash = rt.keys.match_hash("phone", phone)
    code = f"{secrets.randbelow(1_000_000):06d}"

    def job(tx: WriteTx) -> tuple[int, dt.datetime]:
        now = rt.now()
        since = now - dt.timedelta(seconds=settings.sms_window_s)
        otps = t.identity_otps.c
        by_number = tx.conn.execute(
            select(func.count()).where(otps.hall_id == hall.id, otps.phone_hash == phone_hash, otps.created_at > since)
        ).scalar_one()
        if by_number >= settings.sms_per_number:
            raise Conflict("too many codes sent to this number", "该号码获取验证码过于频繁，请稍后再试", code="sms_limit")
        by_device = tx.conn.execute(
            select(func.count()).where(otps.hall_id == hall.id, otps.device_id == who.id, otps.created_at > since)
        ).scalar_one()
        if by_device >= settings.sms_per_terminal:
            raise Conflict("too many codes sent from this terminal", "本机获取验证码过于频繁，请稍后再试或使用其他方式", code="sms_limit")
        expires = now + dt.timedelta(seconds=settings.sms_code_ttl_s)
        result = tx.conn.execute(
            insert(t.identity_otps).values(
                hall_id=hall.id, device_id=who.id, phone_hash=phone_hash,
                code_hash=_code_hash(rt, phone_hash, code), attempts=0, created_at=now, expires_at=expires,
            )
        )
        return int(result.inserted_primary_key[0]), expires

    otp_id, expires = await rt.write(job)
    minutes = max(1, settings.sms_code_ttl_s // 60)
    try:
        await sender.send(phone, f"您的取号验证码是{code}，{minutes}分钟内有效。【{hall.name}】", f"otp-{otp_id}")
    except Exception:  # noqa: BLE001 - any gateway failure means the citizen gets no code
        raise provincial.VerifierUnavailable("the SMS gateway did not take the message", "短信发送失败，请稍后再试或使用其他方式") from None
    return {"sent": True, "phone": mask_phone(phone), "expires_at": expires.isoformat()}


async def check_sms_code(rt: Runtime, hall: Hall, phone: str, code: str) -> Person:
    settings = rt.config.server.identity
    phone_hash = rt.keys.match_hash("phone", phone)

    def job(tx: WriteTx) -> tuple[str, int]:
        now = rt.now()
        otps = t.identity_otps.c
        row = tx.conn.execute(
            select(t.identity_otps)
            .where(otps.hall_id == hall.id, otps.phone_hash == phone_hash)
            .order_by(otps.created_at.desc(), otps.id.desc())
        ).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            return "expired", 0
        if row.attempts >= settings.sms_attempts:
            return "locked", 0
        # Conditional updates: several server processes over one database count every attempt.
        if secrets.compare_digest(row.code_hash, _code_hash(rt, phone_hash, code)):
            done = tx.conn.execute(
                update(t.identity_otps)
                .where(otps.id == row.id, otps.used_at.is_(None), otps.attempts < settings.sms_attempts)
                .values(used_at=now)
            )
            return ("ok", 0) if done.rowcount == 1 else ("expired", 0)
        tx.conn.execute(
            update(t.identity_otps)
            .where(otps.id == row.id, otps.attempts < settings.sms_attempts)
            .values(attempts=otps.attempts + 1)
        )
        attempts = tx.conn.execute(select(otps.attempts).where(otps.id == row.id)).scalar_one()
        return ("locked", 0) if attempts >= settings.sms_attempts else ("wrong", settings.sms_attempts - attempts)

    # The attempt is counted (committed) before the refusal is raised.
    outcome, left = await rt.write(job)
    if outcome == "ok":
        return Person(phone=phone)
    if outcome == "expired":
        raise Conflict("no valid code for this number", "验证码已失效，请重新获取", code="sms_code_expired")
    if outcome == "locked":
        raise Conflict("too many wrong codes", "验证码错误次数过多，请重新获取验证码", code="sms_locked")
    raise Conflict(f"wrong code; {left} attempts left", f"验证码不正确，还可以再试{left}次", code="sms_code_wrong")


# -- face templates (staff, with the citizen's consent) --------------------------------------------


async def enrol_face(
    rt: Runtime, hall: Hall, who: Principal, id_number: str, name: str | None, image_b64: str
) -> dict[str, Any]:
    vector = await face.embed(image_b64)
    settings = rt.config.server.identity
    id_hash = rt.keys.match_hash("id", id_number)
    template_id = uuid.uuid4().hex

    def job(tx: WriteTx) -> dict[str, Any]:
        now = rt.now()
        expires = now + dt.timedelta(days=settings.face_template_days)
        tx.conn.execute(
            delete(t.face_templates).where(t.face_templates.c.hall_id == hall.id, t.face_templates.c.id_hash == id_hash)
        )
        tx.conn.execute(
            insert(t.face_templates).values(
                id=template_id, hall_id=hall.id, id_hash=id_hash, id_masked=mask_id_number(id_number),
                holder_masked=mask_name(name) if name else None, name_enc=rt.keys.encrypt(name) if name else None,
                embedder=face.EMBEDDER, template_enc=face.seal(rt.keys, vector), enrolled_by=who.label,
                created_at=now, expires_at=expires,
            )
        )
        repository.audit(tx.conn, hall.id, now, who.label, "face_enrol", f"face:{template_id}", {"id": mask_id_number(id_number), "consent": True})
        return {
            "id": template_id, "id_number": mask_id_number(id_number), "holder": mask_name(name) if name else None,
            "created_at": now.isoformat(), "expires_at": expires.isoformat(), "enrolled_by": who.id,
        }

    return await rt.write(job)


async def withdraw_face(rt: Runtime, hall: Hall, who: Principal, id_number: str) -> dict[str, Any]:
    id_hash = rt.keys.match_hash("id", id_number)

    def job(tx: WriteTx) -> int:
        result = tx.conn.execute(
            delete(t.face_templates).where(t.face_templates.c.hall_id == hall.id, t.face_templates.c.id_hash == id_hash)
        )
        repository.audit(tx.conn, hall.id, rt.now(), who.label, "face_withdraw", "face:person", {"id": mask_id_number(id_number), "deleted": result.rowcount})
        return result.rowcount

    deleted = await rt.write(job)
    if not deleted:
        raise NotFound("no face template for this person", "没有该人员的人脸登记")
    return {"deleted": deleted, "id_number": mask_id_number(id_number)}


# -- tickets with an identity ----------------------------------------------------------------------


async def issue_identified(
    rt: Runtime, hall: Hall, *, queue: str, channel: str, item_code: str | None, green: bool,
    phone: str | None, identity: str,
) -> tuple[Ticket, bool]:
    """(ticket, created): a ticket for the person of an identity session, which it uses up. A
    person already waiting in the queue gets that ticket again (created False: a reprint)."""
    from ..core import engine
    from ..services.tickets import new_ticket_id

    if hall.queue(queue) is None:
        raise NotFound(f"no queue {queue!r} in this hall", f"本厅没有业务类别 {queue}")
    if channel == "reservation":
        raise Invalid("reservation tickets come from POST …/reservations/check-in", "预约请到“预约签到”办理")
    ticket_id = new_ticket_id()

    def job(tx: WriteTx) -> tuple[Ticket, bool]:
        state = tx.hall(hall.id)
        now = rt.now()
        session = consume(tx.conn, hall.id, identity, now, f"ticket:{ticket_id}")
        again = existing_waiting(tx, hall.id, session, queue)
        if again is not None:
            return again, False
        check_daily_cap(tx.conn, hall, session, service_day(now, hall.zone))
        is_green, green_reason = green_for(hall, session, green)
        sealed = rt.keys.encrypt(phone) if phone else session.phone_enc
        request = engine.IssueRequest(
            ticket_id=ticket_id,
            queue=queue,
            channel=channel,
            item_code=item_code,
            green=is_green,
            green_reason=green_reason,
            phone_hash=rt.keys.match_hash("phone", phone) if phone else session.phone_hash,
            phone_masked=mask_phone(phone) if phone else session.phone_masked,
            holder_masked=session.holder_masked,
            identity_hash=session.person_hash,
        )
        change = engine.issue(state, request, now)
        tx.commit_change(hall.id, change, phone_enc={ticket_id: sealed} if sealed else None)
        return change.result, True

    return await rt.write(job)
