"""Face pickup (人脸取号) by 1:1 verification: templates enrolled at a window with the citizen's
consent (and withdrawn on request), and the face method of `POST …/identify` that checks a kiosk's
photo against the person's template, or asks the provincial platform. Every check is audited."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, insert, select

from hall_common.personal_data import mask_id_number, mask_name
from hall_common.vocabulary import ErrorCode

from ..config import Hall
from ..core.errors import Conflict, NotFound
from ..runtime import Runtime
from ..services.principals import Principal
from ..storage import repository
from ..storage.writer import WriteTx
from . import face
from . import tables as t
from .person import Person
from .sessions import AuditNote

VERIFY = "face_verify"  # the audit action of every check


async def identify_by_face(rt: Runtime, hall: Hall, id_number: str, image_b64: str, now: dt.datetime
                           ) -> tuple[Person, AuditNote]:
    """The person, and the audit note of the match for the session; a refusal is audited here."""
    settings = rt.config.server.identity
    masked = mask_id_number(id_number)
    if settings.face == "provincial":
        try:
            person = await face.verify_provincial(settings, id_number, image_b64)
        except Conflict as refusal:
            await _audit(rt, hall.id, "face:provincial", {"id": masked, "result": refusal.code})
            raise
        return person, AuditNote(VERIFY, "face:provincial", {"id": masked, "result": "match"})
    probe = await face.embed(image_b64)
    id_hash = rt.keys.match_hash("id", id_number)
    row = await rt.read(
        lambda conn: conn.execute(
            select(t.face_templates)
            .where(t.face_templates.c.hall_id == hall.id, t.face_templates.c.id_hash == id_hash)
            .where(t.face_templates.c.expires_at > now)
            .order_by(t.face_templates.c.created_at.desc())
        ).first()
    )
    if row is None:
        await _audit(rt, hall.id, "face:none", {"id": masked, "result": "not_enrolled"})
        raise Conflict(
            "no face template is enrolled for this person",
            "您尚未登记人脸，请使用其他方式，或到窗口登记",
            code=ErrorCode.FACE_NOT_ENROLLED,
        )
    try:
        score = face.compare(face.unseal(rt.keys, row.template_enc), probe, settings.face_threshold)
    except Conflict:
        await _audit(rt, hall.id, f"face:{row.id}", {"id": masked, "result": "mismatch"})
        raise
    name = rt.keys.decrypt(row.name_enc) if row.name_enc else None
    detail = {"id": masked, "result": "match", "score": round(score, 3)}
    return Person(id_number=id_number, name=name), AuditNote(VERIFY, f"face:{row.id}", detail)


async def _audit(rt: Runtime, hall_id: str, target: str, detail: dict[str, Any]) -> None:
    """A refused check, on its own: no session is opened to carry it."""
    await rt.write(lambda tx: repository.audit(tx.conn, hall_id, rt.now(), "kiosk", VERIFY, target, detail))


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
        return int(result.rowcount)

    deleted = await rt.write(job)
    if not deleted:
        raise NotFound("no face template for this person", "没有该人员的人脸登记")
    return {"deleted": deleted, "id_number": mask_id_number(id_number)}
