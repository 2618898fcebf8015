"""Identification at the kiosk as plain data, with no I/O: what each device read or typed value
becomes in the server's one identification step (POST …/identify, docs/identity.md), which kiosk
way maps to which server method and ticket channel, and how the server's identity session is read
back for the screens. The kiosk never parses a 鲁通码 and never decides who a person is: it hands
over what it captured and shows the masked answer."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Kiosk way → the contract's ticket channel (an ID card is a card; CONTRACT.md §3).
TICKET_CHANNEL = {"lutong": "lutong", "card": "card", "idcard": "card", "face": "face", "nocard": "nocard"}

# Server refusals that leave the citizen on the keypad to type again (the rest end on a message).
RETYPE_CODES = frozenset({"sms_code_wrong"})


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


@dataclass(frozen=True)
class Reservation:
    code: str
    queue: str
    queue_name: str
    slot_start: str
    slot_end: str
    status: str
    ticket_id: str | None

    @property
    def open(self) -> bool:
        """Not checked in yet: a check-in with the identity takes the earliest open one."""
        return self.status == "booked" and not self.ticket_id


@dataclass(frozen=True)
class IdentitySession:
    """The server's answer to one identification: masked values only, plus the opaque token that
    a ticket or a check-in uses up."""

    token: str
    method: str
    holder: str
    id_number: str
    phone: str
    age: int | None
    priority: str
    green_reason: str
    reservations: tuple[Reservation, ...] = field(default_factory=tuple)
    waiting: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (queue, number)

    @property
    def green(self) -> bool:
        return self.priority == "green"

    @property
    def open_reservations(self) -> list[Reservation]:
        return [r for r in self.reservations if r.open]

    def waiting_number(self, queue: str | None) -> str | None:
        return next((number for q, number in self.waiting if q == queue), None)


def _text(value: Any, limit: int = 64) -> str:
    return str(value)[:limit] if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def read_session(body: Any) -> IdentitySession | None:
    """The identify answer, checked; None when it is not what docs/identity.md says."""
    if not isinstance(body, dict) or not isinstance(body.get("identity"), str) or not body["identity"]:
        return None
    reservations = []
    for r in body.get("reservations_today") or []:
        if isinstance(r, dict) and isinstance(r.get("code"), str):
            reservations.append(Reservation(
                code=_text(r.get("code")), queue=_text(r.get("queue")), queue_name=_text(r.get("queue_name")),
                slot_start=_text(r.get("slot_start")), slot_end=_text(r.get("slot_end")),
                status=_text(r.get("status")), ticket_id=_text(r.get("ticket_id")) or None))
    waiting = tuple((_text(w.get("queue")), _text(w.get("number"))) for w in body.get("waiting_tickets") or []
                    if isinstance(w, dict))
    age = body.get("age")
    return IdentitySession(
        token=body["identity"][:128], method=_text(body.get("method")), holder=_text(body.get("holder")),
        id_number=_text(body.get("id_number")), phone=_text(body.get("phone")),
        age=age if isinstance(age, int) and not isinstance(age, bool) else None,
        priority=_text(body.get("priority")) or "normal", green_reason=_text(body.get("green_reason")),
        reservations=tuple(sorted(reservations, key=lambda r: r.slot_start)), waiting=waiting)
