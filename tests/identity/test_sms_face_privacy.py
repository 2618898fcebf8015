"""SMS codes (limits and lock-out), face verification against templates enrolled at a window and
through the provincial service, the retention job, and no personal data on the hall stream."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import uuid

import sqlalchemy
from websockets.sync.client import connect

from tests.identity.helpers import altered, astronaut, db, grace_hopper, identify, jpeg, person_id, refused, take
from tests.support.servers import REPO
from tests.support.slots import later_today

FACE_ID = person_id("19650720", 345)


def last_code(platform, phone: str) -> str:
    message = [m for m in platform.sms if m["phone"] == phone][-1]
    return re.search(r"\d{6}", message["text"]).group(0)


def send_code(hall, phone: str):  # type: ignore[no-untyped-def]
    return hall.http.post(hall.path("/identify/sms-code"), json={"phone": phone}, headers=hall.kiosk)


def test_sms_code_to_ticket_with_lock_out_and_limits(platform, hall):
    phone = "139" + str(uuid.uuid4().int)[:8]
    sent = send_code(hall, phone)
    assert sent.status_code == 200 and sent.json()["phone"] == phone[:3] + "****" + phone[-4:]
    code = last_code(platform, phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        body = refused(hall.http.post(hall.path("/identify"), json={"method": "sms", "phone": phone, "code": wrong}, headers=hall.kiosk), 409, "sms_code_wrong")
        assert str(left) in body["message_zh"]
    refused(hall.http.post(hall.path("/identify"), json={"method": "sms", "phone": phone, "code": wrong}, headers=hall.kiosk), 409, "sms_locked")
    # Locked: even the right code no longer works; a new code does.
    refused(hall.http.post(hall.path("/identify"), json={"method": "sms", "phone": phone, "code": code}, headers=hall.kiosk), 409, "sms_locked")
    assert send_code(hall, phone).status_code == 200
    session = identify(hall, method="sms", phone=phone, code=last_code(platform, phone))
    assert session["phone"] == phone[:3] + "****" + phone[-4:] and session["id_number"] is None
    ticket = take(hall, channel="nocard", identity=session["identity"])
    assert ticket["phone"] == phone[:3] + "****" + phone[-4:]
    # A used code is gone; three codes per number per window, then a pause.
    refused(hall.http.post(hall.path("/identify"), json={"method": "sms", "phone": phone, "code": last_code(platform, phone)}, headers=hall.kiosk), 409, "sms_code_expired")
    assert send_code(hall, phone).status_code == 200
    refused(send_code(hall, phone), 409, "sms_limit")
    refused(hall.http.post(hall.path("/identify/sms-code"), json={"phone": "12345"}, headers=hall.kiosk), 422, "invalid")


def test_face_enrolment_match_mismatch_and_withdrawal(hall, id_server):
    enrol = hall.http.post(
        hall.path("/identity/face-templates"),
        json={"id_number": FACE_ID, "name": "钱十一", "image_b64": jpeg(astronaut()), "consent": True},
        headers=hall.staff(),
    )
    assert enrol.status_code == 201, enrol.text
    assert enrol.json()["id_number"] == FACE_ID[:4] + "*" * 10 + FACE_ID[-4:]
    no_consent = hall.http.post(hall.path("/identity/face-templates"), json={"id_number": FACE_ID, "image_b64": jpeg(astronaut())}, headers=hall.staff())
    refused(no_consent, 422, "invalid")
    kiosk_enrol = hall.http.post(hall.path("/identity/face-templates"), json={"id_number": FACE_ID, "image_b64": jpeg(astronaut()), "consent": True}, headers=hall.kiosk)
    assert kiosk_enrol.status_code == 403
    post = lambda image, who=FACE_ID: hall.http.post(hall.path("/identify"), json={"method": "face", "id_number": who, "image_b64": image}, headers=hall.kiosk)  # noqa: E731
    same_person = post(jpeg(altered(astronaut())))
    assert same_person.status_code == 200, same_person.text
    assert same_person.json()["holder"] == "钱*"
    ticket = take(hall, channel="face", identity=same_person.json()["identity"])
    assert ticket["channel"] == "face" and ticket["holder"] == "钱*"
    refused(post(jpeg(grace_hopper())), 409, "face_mismatch")
    refused(post(jpeg(astronaut()), who=person_id("19650720", 346)), 409, "face_not_enrolled")
    refused(post("bm90IGFuIGltYWdlIGF0IGFsbA=="), 422, "face_image_invalid")
    refused(post("%%%% not base64 %%%%"), 422, "face_image_invalid")
    blank = jpeg((astronaut() * 0 + 128).astype("uint8"))
    refused(post(blank), 422, "face_not_found")
    withdrawn = hall.http.post(hall.path("/identity/face-templates/withdraw"), json={"id_number": FACE_ID}, headers=hall.staff())
    assert withdrawn.status_code == 200 and withdrawn.json()["deleted"] == 1
    refused(post(jpeg(astronaut())), 409, "face_not_enrolled")
    # Every use is audited (masked), and no image is kept anywhere.
    from queue_server.identity import tables
    from queue_server.storage import schema

    engine = db(id_server)
    with engine.connect() as conn:
        audit = conn.execute(
            sqlalchemy.select(schema.audit_log.c.action, schema.audit_log.c.detail)
            .where(schema.audit_log.c.hall_id == hall.hall, schema.audit_log.c.action.like("face%"))
        ).all()
    engine.dispose()
    template_columns = [column.name for column in tables.face_templates.columns]
    results = [detail.get("result") for action, detail in audit if action == "face_verify"]
    assert results.count("match") == 1 and "mismatch" in results and "not_enrolled" in results
    assert {"face_enrol", "face_withdraw"} <= {action for action, _ in audit}
    assert all(FACE_ID not in json.dumps(detail) for _, detail in audit)
    assert not any("image" in column for column in template_columns)


def test_provincial_face(platform, prov_hall):
    post = lambda: prov_hall.http.post(prov_hall.path("/identify"), json={"method": "face", "id_number": FACE_ID, "image_b64": jpeg(astronaut())}, headers=prov_hall.kiosk)  # noqa: E731
    platform.mode["/face"] = "ok"
    platform.answers["/face"] = lambda body: {"match": True, "score": 0.93, "name": "钱十一"}
    assert post().json()["holder"] == "钱*"
    platform.answers["/face"] = lambda body: {"match": False, "score": 0.2}
    refused(post(), 409, "face_mismatch")
    platform.answers["/face"] = lambda body: {"score": "high"}
    refused(post(), 503, "verifier_unavailable")
    platform.mode["/face"] = ("refuse", 2001)
    refused(post(), 409, "face_not_enrolled")
    platform.mode["/face"] = "timeout"
    refused(post(), 503, "verifier_unavailable")
    platform.mode["/face"] = "ok"


def test_stream_shows_no_personal_data(platform, hall):
    person, name, phone = person_id("19480229", 919), "欧阳明", "13912345678"
    with connect(hall.stream_url()) as ws:
        snapshot = json.loads(ws.recv(timeout=5))
        assert snapshot["type"] == "snapshot"
        session = identify(hall, method="idcard", id_number=person, name=name)
        ticket = take(hall, channel="card", phone=phone, identity=session["identity"])
        assert ticket["green"] and ticket["holder"] == "欧*"
        hall.act(ticket["id"], "confirm_green", reason="disability")
        called = hall.call(expect=200).json()
        assert called["id"] == ticket["id"]
        messages = [ws.recv(timeout=5) for _ in range(4)]
    text = "".join(messages)
    assert ticket["number"] in text
    for secret in (person, person[:6], person[-4:] + '"', name, "欧*", "欧**", phone, phone[-4:]):
        assert secret not in text, secret


def test_purge_command(id_server, hall):
    from queue_server.identity import tables

    identify(hall, method="id_number", id_number=person_id("19700101", 111))
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    engine = db(id_server)
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.update(tables.identity_sessions)
            .where(tables.identity_sessions.c.hall_id == hall.hall)
            .values(created_at=long_ago)
        )
        conn.execute(
            sqlalchemy.insert(tables.face_templates).values(
                id=f"old-{hall.hall}", hall_id=hall.hall, id_hash="h", id_masked="3701**********0000",
                embedder="lbp", template_enc="x", enrolled_by="staff:s01", created_at=long_ago, expires_at=long_ago,
            )
        )
    command = [sys.executable, "-m", "queue_server", "purge", "--config", str(id_server.config), "--data-dir", str(id_server.data_dir)]
    if id_server.database_url:
        command += ["--database", id_server.database_url]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "sessions: " in result.stdout and "face_templates: " in result.stdout
    with engine.connect() as conn:
        sessions = conn.execute(
            sqlalchemy.select(sqlalchemy.func.count()).where(tables.identity_sessions.c.hall_id == hall.hall)
        ).scalar_one()
        templates = conn.execute(
            sqlalchemy.select(sqlalchemy.func.count()).where(tables.face_templates.c.id == f"old-{hall.hall}")
        ).scalar_one()
    engine.dispose()
    assert sessions == 0 and templates == 0


def test_sms_identity_finds_reservations_by_phone(platform, hall):
    phone = "137" + str(uuid.uuid4().int)[:8]
    start = later_today(dt.timedelta(minutes=20))
    reservation = hall.http.post(hall.path("/reservations"), headers=hall.platform, json={
        "queue": "B", "slot_start": start.isoformat(), "slot_end": (start + dt.timedelta(minutes=30)).isoformat(),
        "name": "褚十二", "id_number": person_id("19900101", 777), "phone": phone, "external_id": f"sms-{phone}",
    }).json()
    assert send_code(hall, phone).status_code == 200
    session = identify(hall, method="sms", phone=phone, code=last_code(platform, phone))
    assert [r["id"] for r in session["reservations_today"]] == [reservation["id"]]
    response = hall.http.post(hall.path("/reservations/check-in"), json={"identity": session["identity"]}, headers=hall.kiosk)
    assert response.status_code == 201, response.text
    assert response.json()["reservation_id"] == reservation["id"] and response.json()["holder"] == "褚*"
