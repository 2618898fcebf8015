"""The kiosk's identification data (kiosk/identity.py): what each device read becomes in the request,
and the server's identity session read back defensively (kiosk/replies.py). The flows end to end are in
tests/identity/test_kiosk_identity.py."""

from __future__ import annotations

import base64
import dataclasses

import cv2
import numpy as np
import pytest

from hardware.cards.idcard_sim import sample_identity
from hardware.cards.sscard_sim import sample_card
from kiosk.identity import TICKET_CHANNEL, encode_jpeg, face_fields, idcard_fields, sscard_fields
from kiosk.replies import IdentitySession, ReplyError


def test_id_card_sends_only_number_name_and_birth_date() -> None:
    card = sample_identity()
    fields = idcard_fields(card)
    assert fields == {"id_number": card.id_number, "name": card.name, "birth_date": "1985-03-12"}


def test_second_generation_social_security_card_names_the_person() -> None:
    fields = sscard_fields(sample_card(2))
    assert fields == {"card_id_code": "370100D15600000500A1B2C3D4E5F6A7", "id_number": "370102199001011231",
                      "name": "张三"}


def test_third_generation_card_sends_its_code_only() -> None:
    assert sscard_fields(sample_card(3)) == {"card_id_code": "370100D15600000500A1B2C3D4E5F6A7"}
    # Even a value present but listed as withheld is not sent: never guess.
    odd = dataclasses.replace(sample_card(3), name="某人")
    assert "name" not in sscard_fields(odd)


def test_face_image_is_a_small_jpeg() -> None:
    frame = np.full((1080, 1920, 3), 128, np.uint8)
    data = encode_jpeg(frame)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (450, 800, 3)
    fields = face_fields("370102198503120011", data)
    assert base64.b64decode(fields["image_b64"]) == data and fields["id_number"] == "370102198503120011"


def test_every_way_maps_to_a_contract_channel() -> None:
    assert set(TICKET_CHANNEL.values()) <= {"walkin", "nocard", "lutong", "face", "card", "reservation"}
    assert TICKET_CHANNEL["idcard"] == "card"


def test_identity_session_is_read_defensively() -> None:
    body = {"identity": "t" * 32, "method": "sms", "holder": None, "id_number": None, "phone": "139****0001",
            "age": True, "priority": "green", "green_reason": "age",
            "reservations_today": [
                {"code": "LATE0001", "queue": "A", "queue_name": "企业开办", "slot_start": "2026-11-22T06:00:00+00:00",
                 "slot_end": "2026-11-22T06:30:00+00:00", "status": "booked", "ticket_id": None},
                {"code": "EARLY001", "queue": "B", "queue_name": "社保", "slot_start": "2026-11-22T05:00:00+00:00",
                 "slot_end": "2026-11-22T05:30:00+00:00", "status": "checked_in", "ticket_id": "x1"},
                "not a reservation", {"no": "code"}],
            "waiting_tickets": [{"queue": "A", "number": "A012"}, 7]}
    session = IdentitySession.from_json(body)
    assert session.green and session.phone == "139****0001"
    assert session.age is None and session.holder == ""  # a bool is not an age; None is no name
    assert [r.code for r in session.reservations] == ["EARLY001", "LATE0001"]  # slot order
    assert [r.code for r in session.open_reservations] == ["LATE0001"]
    assert session.waiting == (("A", "A012"),)


@pytest.mark.parametrize("body", [None, [], {}, {"identity": ""}, {"identity": 5}, "text"])
def test_an_answer_without_a_session_is_refused(body: object) -> None:
    with pytest.raises(ReplyError):
        IdentitySession.from_json(body)
