"""`POST …/identify`: each identification method asks its verifier who the citizen is, then one
identity session is opened for that person (sessions.py)."""

from __future__ import annotations

from typing import Any

from hall_common.vocabulary import ErrorCode, IdentifyMethod

from ..config import Hall
from ..core.errors import Conflict, Invalid
from ..runtime import Runtime
from ..services.principals import Principal
from . import face_templates, lutong, provincial
from .person import Person, checked_id_number, checked_name, method_allowed
from .sessions import AuditNote, open_session
from .sms_codes import check_sms_code

SSCARD_DOWN_ZH = "社保卡信息核验服务暂时不可用，请使用其他方式"


async def identify(rt: Runtime, hall: Hall, who: Principal, body: Any) -> dict[str, Any]:
    """`body` is one of the api's Identify* models (validated shapes)."""
    method_allowed(hall, body.method)
    audit: AuditNote | None = None
    if body.method == IdentifyMethod.LUTONG:
        person = await lutong.verify(rt.config.server.identity, rt.keys, body.qr, rt.now())
    elif body.method == IdentifyMethod.IDCARD:
        if body.birth_date is not None and body.birth_date != Person(id_number=body.id_number).birth:
            raise Invalid("birth_date does not match the identity number", "身份证信息不一致，请重新读卡")
        person = Person(id_number=body.id_number, name=body.name)
    elif body.method == IdentifyMethod.SSCARD:
        person = await _sscard_holder(rt, body.card_id_code, body.id_number, body.name)
    elif body.method == IdentifyMethod.FACE:
        person, audit = await face_templates.identify_by_face(rt, hall, body.id_number, body.image_b64, rt.now())
    elif body.method == IdentifyMethod.SMS:
        person = await check_sms_code(rt, hall, body.phone, body.code)
    else:  # IdentifyMethod.ID_NUMBER, typed
        person = Person(id_number=body.id_number)
    return await open_session(rt, hall, who, body.method, person, audit)


async def _sscard_holder(rt: Runtime, card_id_code: str, id_number: str | None, name: str | None) -> Person:
    if id_number:  # second-generation cards: the chip holds the social security number
        return Person(id_number=id_number, name=name)
    resolver = rt.config.server.identity.sscard_provincial
    if resolver is None:
        raise Conflict(
            "this card does not reveal its holder and no resolver is configured",
            "该社保卡无法读取身份信息，请使用其他方式",
            code=ErrorCode.SSCARD_UNRESOLVABLE,
        )
    try:
        data = await provincial.call(resolver, {"card_id_code": card_id_code}, what="sscard platform", message_zh=SSCARD_DOWN_ZH)
    except provincial.Refused:
        raise Conflict(
            "the platform does not know this card", "该社保卡无法识别，请使用其他方式", code=ErrorCode.SSCARD_UNRESOLVABLE
        ) from None
    try:
        found = checked_id_number(data.get("id_number"), source="the sscard platform")
    except Invalid:
        raise provincial.VerifierUnavailable("sscard platform answered without an identity number", SSCARD_DOWN_ZH) from None
    return Person(id_number=found, name=checked_name(data.get("name")))
