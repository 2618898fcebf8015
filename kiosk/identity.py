"""Identification at the kiosk as plain data, with no I/O: what each device read or typed value
becomes in the server's one identification step (POST …/identify, docs/identity.md), which kiosk
way maps to which ticket channel. (The server's answer, the identity session, is read in
kiosk.replies.) The kiosk never parses a 鲁通码 and never decides who a person is: it hands over
what it captured and shows the masked answer."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from hall_common.vocabulary import Channel, ErrorCode

# Kiosk way → the contract's ticket channel (an ID card is a card; CONTRACT.md §3).
TICKET_CHANNEL = {"lutong": Channel.LUTONG, "card": Channel.CARD, "idcard": Channel.CARD, "face": Channel.FACE,
                  "nocard": Channel.NOCARD}

# Server refusals that leave the citizen on the keypad to type again (the rest end on a message).
RETYPE_CODES = frozenset({ErrorCode.SMS_CODE_WRONG})


def idcard_fields(card: Any) -> dict[str, Any]:
    """An 二代身份证 read (hardware.cards.IdCardIdentity) → the `idcard` method's fields. Only what
    the server needs; the photo, address and the rest stay on the kiosk and are dropped."""
    fields: dict[str, Any] = {"id_number": str(card.id_number), "name": str(card.name)}
    birth = getattr(card, "birth_date", None)
    if isinstance(birth, dt.date):
        fields["birth_date"] = birth.isoformat()
    return fields


def sscard_fields(card: Any) -> dict[str, Any]:
    """A social security card read (hardware.cards.SocialSecurityCard) → the `sscard` method's
    fields. A 3rd-generation card withholds the person: only its identification code goes, and the
    server resolves it or says to use another way; nothing is guessed here."""
    fields: dict[str, Any] = {"card_id_code": str(card.card_id_code)}
    number = getattr(card, "social_security_number", None)
    if number and "social_security_number" not in (getattr(card, "withheld_fields", ()) or ()):
        fields["id_number"] = str(number)
    name = getattr(card, "name", None)
    if name and "name" not in (getattr(card, "withheld_fields", ()) or ()):
        fields["name"] = str(name)
    return fields


def face_fields(id_number: str, jpeg: bytes) -> dict[str, Any]:
    return {"id_number": id_number, "image_b64": base64.b64encode(jpeg).decode("ascii")}


def encode_jpeg(image: Any, *, max_side: int = 800, quality: int = 90) -> bytes:
    """A BGR frame → JPEG bytes, scaled down so the longer side is at most `max_side` (a face
    check needs no more, and the upload stays small)."""
    import cv2

    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale < 1.0:
        image = cv2.resize(image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", image, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    if not ok:
        raise ValueError("the frame could not be encoded")
    return data.tobytes()
