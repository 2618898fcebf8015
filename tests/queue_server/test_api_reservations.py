"""Reservations and check-in (CONTRACT §5)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from tests.support.api import HallClient

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ID_NUMBER = "370102199001011231"  # a valid GB 11643 number (check digit 1)


def _slot(days: int = 0, start_hour_offset: float = -1.0, minutes: int = 30) -> tuple[str, str]:
    """A slot relative to now in the hall's zone, kept within that day."""
    now = dt.datetime.now(SHANGHAI)
    day = now.date() + dt.timedelta(days=days)
    start = dt.datetime.combine(day, dt.time(0, 0), SHANGHAI)
    if days == 0:
        start = max(start, now + dt.timedelta(hours=start_hour_offset))
        start = min(start, dt.datetime.combine(day, dt.time(23, 0), SHANGHAI))
    else:
        start = start + dt.timedelta(hours=9)
    end = start + dt.timedelta(minutes=minutes)
    if days == 0 and start <= now:
        end = max(end, now + dt.timedelta(minutes=10))  # a slot under way, not one long past
    return start.isoformat(), end.isoformat()


def _book(hall: HallClient, external_id: str, *, days: int = 0, offset: float = -1.0, expect: int = 201, **extra: str) -> dict:
    start, end = _slot(days, offset)
    body = {"queue": "A", "slot_start": start, "slot_end": end, "name": "张三", "id_number": ID_NUMBER,
            "phone": "13800000000", "external_id": external_id, **extra}
    response = hall.http.post(hall.path("/reservations"), json=body, headers=hall.platform)
    assert response.status_code == expect, response.text
    return response.json()


def test_create_is_idempotent_and_masked(hall: HallClient) -> None:
    created = _book(hall, "ext-1")
    assert 6 <= len(created["code"]) <= 10 and created["code"].isalnum() and created["code"].upper() == created["code"]
    assert created["name"] == "张*" and created["id_number"] == "3701**********1231" and created["phone"] == "138****0000"
    again = _book(hall, "ext-1", expect=200)
    assert again["id"] == created["id"] and again["code"] == created["code"]
    other = _book(hall, "ext-2")
    assert other["code"] != created["code"]


def test_bad_reservations_are_422(hall: HallClient) -> None:
    start, end = _slot()
    base = {"queue": "A", "slot_start": start, "slot_end": end, "name": "张三", "id_number": ID_NUMBER, "external_id": "bad"}
    for change in (
        {"id_number": "370102199001011232"},  # wrong check digit
        {"id_number": "12345"},
        {"slot_start": start[:19]},  # no offset
        {"slot_end": start},  # not after the start
        {"phone": "999"},
    ):
        response = hall.http.post(hall.path("/reservations"), json={**base, **change}, headers=hall.platform)
        assert response.status_code == 422, (change, response.text)
        assert ID_NUMBER not in response.text and "370102199001011232" not in response.text
    unknown = hall.http.post(hall.path("/reservations"), json={**base, "queue": "Z"}, headers=hall.platform)
    assert unknown.status_code == 404


def test_check_in_by_code_twice_gives_the_same_ticket(hall: HallClient) -> None:
    reservation = _book(hall, "ext-code")
    walkin = hall.issue("A")
    first = hall.http.post(hall.path("/reservations/check-in"), json={"code": reservation["code"]}, headers=hall.kiosk)
    assert first.status_code == 201, first.text
    ticket = first.json()
    assert ticket["channel"] == "reservation" and ticket["queue"] == "A"
    assert ticket["priority"] == "reservation" and ticket["waiting_ahead"] == 0  # ahead of the walk-in
    assert hall.ticket(walkin["id"])["waiting_ahead"] == 1
    second = hall.http.post(hall.path("/reservations/check-in"), json={"code": reservation["code"].lower()}, headers=hall.kiosk)
    assert second.status_code == 200 and second.json()["id"] == ticket["id"]
    assert hall.http.delete(hall.path(f"/reservations/{reservation['id']}"), headers=hall.platform).status_code == 409


def test_check_in_by_id_number_takes_the_earliest_open_slot(hall: HallClient) -> None:
    early = _book(hall, "ext-early", offset=-2)
    late = _book(hall, "ext-late", offset=+0.5)
    one = hall.http.post(hall.path("/reservations/check-in"), json={"id_number": ID_NUMBER}, headers=hall.kiosk)
    assert one.status_code == 201 and one.json()["reservation_id"] == early["id"]
    two = hall.http.post(hall.path("/reservations/check-in"), json={"id_number": ID_NUMBER}, headers=hall.kiosk)
    assert two.status_code == 201 and two.json()["reservation_id"] == late["id"]


def test_other_day_cancelled_and_unknown(hall: HallClient) -> None:
    tomorrow = _book(hall, "ext-tomorrow", days=1)
    response = hall.http.post(hall.path("/reservations/check-in"), json={"code": tomorrow["code"]}, headers=hall.kiosk)
    assert response.status_code == 409 and response.json()["message_zh"]
    cancelled = _book(hall, "ext-cancel")
    assert hall.http.delete(hall.path(f"/reservations/{cancelled['id']}"), headers=hall.platform).status_code in (200, 204)
    response = hall.http.post(hall.path("/reservations/check-in"), json={"code": cancelled["code"]}, headers=hall.kiosk)
    assert response.status_code == 409
    assert hall.http.post(hall.path("/reservations/check-in"), json={"code": "ZZZZZZ"}, headers=hall.kiosk).status_code == 404
    assert hall.http.post(hall.path("/reservations/check-in"), json={}, headers=hall.kiosk).status_code == 422
    assert hall.http.delete(hall.path("/reservations/nope"), headers=hall.platform).status_code == 404
    assert hall.queues()["A"]["waiting"] == 0
