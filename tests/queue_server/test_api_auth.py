"""Authentication, roles and the order of checks (CONTRACT §3)."""

from __future__ import annotations

import httpx

from tests.support.api import HallClient
from tests.support.halls import STAFF_PASSWORD, token_for


def test_login_and_logout(hall: HallClient) -> None:
    bad = hall.http.post("/api/v1/auth/login", json={"hall": hall.hall, "staff_id": "s01", "password": "nope"})
    assert bad.status_code == 401 and bad.json()["message_zh"]
    nobody = hall.http.post("/api/v1/auth/login", json={"hall": hall.hall, "staff_id": "zz", "password": STAFF_PASSWORD})
    assert nobody.status_code == 401
    good = hall.http.post("/api/v1/auth/login", json={"hall": hall.hall, "staff_id": "s01", "password": STAFF_PASSWORD})
    assert good.status_code == 200
    body = good.json()
    assert body["token"] and body["expires_at"].endswith("+00:00")
    headers = {"Authorization": f"Bearer {body['token']}"}
    me = hall.http.get("/api/v1/auth/me", headers=headers).json()
    assert me["kind"] == "staff" and me["windows"] == ["W01", "W02"]
    assert hall.http.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert hall.http.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_order_of_checks(hall: HallClient) -> None:
    path = hall.path("/tickets")
    bad_body = {"queue": "A", "channel": "nope"}
    assert hall.http.post(path, json=bad_body).status_code == 401
    assert hall.http.post(path, json=bad_body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    # A display may read but not issue: 403 even with a bad body.
    assert hall.http.post(path, json=bad_body, headers=hall.display).status_code == 403
    # Unknown queue in a valid body: 404; a valid token but bad body: 422.
    assert hall.http.post(path, json={"queue": "Z", "channel": "walkin"}, headers=hall.kiosk).status_code == 404
    assert hall.http.post(path, json=bad_body, headers=hall.kiosk).status_code == 422
    # Window actions: 403 (not my window) before 404 (no such window) before 409.
    assert hall.http.post(hall.path("/windows/W99/call-next"), headers=hall.staff()).status_code == 403
    assert hall.http.post(hall.path("/windows/W99/call-next"), headers=hall.manager).status_code == 404
    # Ticket actions: unknown ticket 404 even with a bad body.
    response = hall.http.post(hall.path("/tickets/nope/actions"), json={"action": "fly"}, headers=hall.staff())
    assert response.status_code == 404
    ticket = hall.issue("A")
    response = hall.http.post(hall.path(f"/tickets/{ticket['id']}/actions"), json={"action": "fly"}, headers=hall.staff())
    assert response.status_code == 422
    response = hall.http.post(hall.path(f"/tickets/{ticket['id']}/actions"), json={"action": "finish"}, headers=hall.staff())
    assert response.status_code == 409 and "waiting" in response.json()["message"]


def test_tokens_of_one_hall_are_worthless_in_another(server) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url) as http:
        foreign = {"Authorization": f"Bearer {token_for('t01', 'kiosk-1')}"}
        response = http.post("/api/v1/halls/t02/tickets", json={"queue": "A", "channel": "walkin"}, headers=foreign)
        assert response.status_code in (401, 403)
        assert http.get("/api/v1/halls/t02/queues", headers=foreign).status_code in (401, 403)


def test_roles(hall: HallClient) -> None:
    reservation = {
        "queue": "A", "slot_start": "2030-01-01T09:00:00+08:00", "slot_end": "2030-01-01T09:30:00+08:00",
        "name": "张三", "id_number": "370102199001011231", "external_id": "r-role",
    }
    assert hall.http.post(hall.path("/reservations"), json=reservation, headers=hall.kiosk).status_code == 403
    assert hall.http.post(hall.path("/reservations"), json=reservation, headers=hall.platform).status_code == 201
    assert hall.http.post(hall.path("/tickets"), json={"queue": "A", "channel": "walkin"}, headers=hall.platform).status_code == 403
    assert hall.http.get(hall.path("/devices"), headers=hall.staff()).status_code == 403
    assert hall.http.get(hall.path("/devices"), headers=hall.manager).status_code == 200
    for headers in (hall.kiosk, hall.display, hall.platform, hall.staff()):
        assert hall.http.get(hall.path("/queues"), headers=headers).status_code == 200


def test_staff_sign_in_and_out(hall: HallClient) -> None:
    response = hall.http.post(hall.path("/windows/W02/sign-in"), headers=hall.staff())
    assert response.status_code == 200
    assert response.json()["staff"] == {"id": "s01", "name": "王芳"} and response.json()["status"] == "open"
    # Signing in elsewhere leaves the first window.
    hall.http.post(hall.path("/windows/W01/sign-in"), headers=hall.staff())
    windows = {w["id"]: w for w in hall.http.get(hall.path("/windows"), headers=hall.display).json()}
    assert windows["W02"]["status"] == "closed" and windows["W01"]["staff"]["id"] == "s01"
    out = hall.http.post(hall.path("/windows/W01/sign-out"), headers=hall.staff())
    assert out.json()["status"] == "closed"


def test_device_health_reports(hall: HallClient) -> None:
    report = {
        "components": [
            {"name": "printer", "level": "warning", "message_zh": "纸将用尽", "message_en": "paper near end"},
            {"name": "camera", "level": "ok"},
        ],
        "app": {"version": "1.0"},
    }
    response = hall.http.post(hall.path("/devices/health"), json=report, headers=hall.kiosk)
    assert response.status_code == 200 and response.json()["level"] == "warning"
    bad = {"components": [{"name": "printer", "level": "on fire"}]}
    assert hall.http.post(hall.path("/devices/health"), json=bad, headers=hall.kiosk).status_code == 422
    assert hall.http.post(hall.path("/devices/health"), json=report, headers=hall.platform).status_code == 403
    devices = {d["id"]: d for d in hall.http.get(hall.path("/devices"), headers=hall.manager).json()}
    assert devices["kiosk-1"]["status"] == "reporting" and devices["kiosk-1"]["level"] == "warning"
    assert devices["screen-1"]["status"] == "never_reported"
    assert "platform" not in devices
