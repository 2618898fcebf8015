"""A tour of the whole HTTP API over real HTTP, capturing every answer: one request or more for
each route (every success status it has, and every error status a client meets), the hall stream's
messages and a tracking stream's, for tests that check them against the OpenAPI document and the
message models."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.sync.client import connect

from tests.support.api import HallClient

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ID_NUMBER = "370102199001011231"  # a valid GB 11643 number
OTHER_ID = "370102198507040019"


@dataclass(frozen=True)
class Exchange:
    """One request and its answer; `route` is the OpenAPI path template."""

    method: str
    route: str
    status: int
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw) if self.raw else None


@dataclass
class Tour:
    exchanges: list[Exchange] = field(default_factory=list)
    hall_messages: list[dict[str, Any]] = field(default_factory=list)
    track_messages: list[dict[str, Any]] = field(default_factory=list)


class _Recorder:
    def __init__(self, hall: HallClient, tour: Tour):
        self.hall = hall
        self.tour = tour

    def __call__(
        self, method: str, route: str, expect: int, headers: dict[str, str] | None = None, json: Any = None,
        params: dict[str, str] | None = None, **path: str,
    ) -> Any:
        url = route.replace("{hall}", self.hall.hall)
        for name, value in path.items():
            url = url.replace("{" + name + "}", value)
        response: httpx.Response = self.hall.http.request(method, url, headers=headers, json=json, params=params)
        assert response.status_code == expect, (method, url, response.status_code, response.text)
        self.tour.exchanges.append(Exchange(method, route, response.status_code, response.content))
        return response.json() if response.content else None


def _slot() -> tuple[str, str]:
    """A slot under way today in the hall's zone."""
    now = dt.datetime.now(SHANGHAI)
    start = max(now - dt.timedelta(minutes=10), dt.datetime.combine(now.date(), dt.time(0, 0), SHANGHAI))
    return start.isoformat(), (now + dt.timedelta(minutes=20)).isoformat()


def take_tour(hall: HallClient, face_image_b64: str) -> Tour:
    """Every route of the API at least once, with the hall stream and a tracking stream open."""
    tour = Tour()
    call = _Recorder(hall, tour)
    h = "/api/v1/halls/{hall}"
    with connect(hall.stream_url()) as stream:
        tour.hall_messages.append(json.loads(stream.recv(timeout=10)))
        login = call("POST", "/api/v1/auth/login", 200, json={"hall": hall.hall, "staff_id": "s02", "password": "pass-1234"})
        staff = {"Authorization": f"Bearer {login['token']}"}
        call("GET", "/api/v1/auth/me", 200, staff)
        call("GET", "/api/v1/auth/me", 200, hall.kiosk)
        # reads of the hall
        call("GET", h, 200, hall.kiosk)
        call("GET", h + "/queues", 200, hall.display)
        call("GET", h + "/items", 200, hall.kiosk)
        call("GET", h + "/items/{code}", 200, hall.kiosk, code="ITEM-A-1")
        # tickets, calls and actions
        first = call("POST", h + "/tickets", 201, hall.kiosk, {"queue": "A", "channel": "walkin", "item_code": "ITEM-A-1", "phone": "13812345678"})
        green = call("POST", h + "/tickets", 201, hall.kiosk, {"queue": "A", "channel": "walkin", "priority": "green"})
        with connect(hall.server.ws_url + first["track_url"].replace("?", "/stream?")) as track:
            tour.track_messages.append(json.loads(track.recv(timeout=10)))
            secret = {"k": first["track_url"].split("k=")[1]}
            call("GET", "/api/v1/track/{ticket_id}", 200, params=secret, ticket_id=first["id"])
            call("GET", h + "/tickets/{ticket_id}", 200, hall.display, ticket_id=first["id"])
            call("GET", h + "/tickets", 200, staff)
            call("GET", h + "/windows/{window}/waiting", 200, staff, window="W04")
            call("POST", h + "/windows/{window}/sign-in", 200, staff, window="W04")
            called = call("POST", h + "/windows/{window}/call-next", 200, staff, window="W04")
            assert called["number"] == green["number"]
            call("POST", h + "/windows/{window}/call-next", 409, staff, window="W04")  # busy
            call("POST", h + "/tickets/{ticket_id}/actions", 200, staff, {"action": "recall"}, ticket_id=green["id"])
            call("POST", h + "/tickets/{ticket_id}/actions", 200, staff, {"action": "start"}, ticket_id=green["id"])
            call("GET", h + "/windows/{window}", 200, hall.display, window="W04")
            call("POST", h + "/tickets/{ticket_id}/actions", 200, staff, {"action": "finish"}, ticket_id=green["id"])
            transfer = {"action": "transfer", "queue": "C", "window": "W03"}
            call("POST", h + "/tickets/{ticket_id}/actions", 200, staff, transfer, ticket_id=first["id"])
            call("POST", h + "/windows/{window}/call-next", 204, staff, window="W04")  # W03's now
            for _ in range(5):
                message = json.loads(track.recv(timeout=10))
                tour.track_messages.append(message)
                if message["queue"] == "C":
                    break
        call("POST", h + "/windows/{window}/pause", 200, staff, window="W04")
        call("POST", h + "/windows/{window}/call-next", 409, staff, window="W04")  # paused
        call("POST", h + "/windows/{window}/resume", 200, staff, window="W04")
        call("PUT", h + "/windows/{window}/queues", 200, hall.manager, {"queues": ["A", "B"], "policy": "fifo"}, window="W04")
        call("POST", h + "/windows/{window}/sign-out", 200, staff, window="W04")
        call("GET", h + "/windows", 200, hall.display)
        # reservations
        start, end = _slot()
        booking = {"queue": "B", "slot_start": start, "slot_end": end, "name": "张三", "id_number": ID_NUMBER,
                   "phone": "13800000000", "external_id": "tour-1"}
        reservation = call("POST", h + "/reservations", 201, hall.platform, booking)
        call("POST", h + "/reservations", 200, hall.platform, booking)
        call("GET", h + "/reservations", 200, hall.platform)
        call("GET", h + "/reservations/{reservation_id}", 200, hall.manager, reservation_id=reservation["id"])
        call("POST", h + "/reservations/check-in", 201, hall.kiosk, {"code": reservation["code"]})
        call("POST", h + "/reservations/check-in", 200, hall.kiosk, {"code": reservation["code"]})
        call("DELETE", h + "/reservations/{reservation_id}", 409, hall.platform, reservation_id=reservation["id"])
        other = call("POST", h + "/reservations", 201, hall.platform, {**booking, "external_id": "tour-2", "id_number": OTHER_ID})
        call("DELETE", h + "/reservations/{reservation_id}", 200, hall.platform, reservation_id=other["id"])
        # identification and identified tickets
        card = {"method": "idcard", "id_number": ID_NUMBER, "name": "张三"}
        identity = call("POST", h + "/identify", 200, hall.kiosk, card)
        call("POST", h + "/tickets", 201, hall.kiosk, {"queue": "A", "channel": "card", "identity": identity["identity"]})
        again = call("POST", h + "/identify", 200, hall.kiosk, card)
        call("POST", h + "/tickets", 200, hall.kiosk, {"queue": "A", "channel": "card", "identity": again["identity"]})
        call("POST", h + "/tickets", 409, hall.kiosk, {"queue": "A", "channel": "card", "identity": again["identity"]})
        call("POST", h + "/identify/sms-code", 200, hall.kiosk, {"phone": "13800000000"})
        enrolment = {"id_number": OTHER_ID, "name": "钱十一", "image_b64": face_image_b64, "consent": True}
        call("POST", h + "/identity/face-templates", 201, staff, enrolment)
        call("POST", h + "/identity/face-templates/withdraw", 200, staff, {"id_number": OTHER_ID})
        # devices
        report = {"components": [{"name": "printer", "level": "warning", "message_zh": "纸将用完", "message_en": "Paper low"}],
                  "app": {"version": "1.0"}}
        call("POST", h + "/devices/health", 200, hall.kiosk, report)
        call("GET", h + "/devices", 200, hall.manager)
        # refusals, one of each kind
        call("GET", h + "/queues", 401, {})
        call("POST", h + "/tickets", 403, hall.display, {"queue": "A", "channel": "walkin"})
        call("GET", h + "/tickets/{ticket_id}", 404, hall.kiosk, ticket_id="no-such-ticket")
        call("POST", h + "/tickets", 422, hall.kiosk, {"queue": "A", "channel": "carrier-pigeon"})
        call("PUT", h + "/tickets", 405, hall.kiosk, {})
        _evaluations(call, hall, staff, green)
        _lockouts(call, hall)
        call("POST", "/api/v1/auth/logout", 200, staff)
        call("GET", "/healthz", 200)
        while True:  # the events of all the above, until the stream is quiet
            try:
                tour.hall_messages.append(json.loads(stream.recv(timeout=1)))
            except TimeoutError:
                break
    # A snapshot with recent calls, staff and a current ticket.
    assert hall.http.post(hall.path("/windows/W03/call-next"), headers=hall.staff("s02")).status_code == 200
    with connect(hall.stream_url()) as stream:
        tour.hall_messages.append(json.loads(stream.recv(timeout=10)))
    return tour


def _evaluations(call: _Recorder, hall: HallClient, staff: dict[str, str], served: dict[str, Any]) -> None:
    """好差评: the kiosk evaluates the ticket W04 finished (a 差评, so a case opens), the window's
    evaluator and the staff console read it, the manager's figures, upload and the case."""
    h = "/api/v1/halls/{hall}"
    call("GET", h + "/evaluations/ticket", 200, hall.kiosk, params={"number": served["number"]})
    bad = {"number": served["number"], "level": 1, "reasons": ["态度不好"], "text": "跑了三次，电话13812345678"}
    made = call("POST", h + "/evaluations", 201, hall.kiosk, bad)
    call("POST", h + "/evaluations", 409, hall.kiosk, bad)  # one evaluation per ticket
    call("POST", h + "/evaluations", 422, hall.kiosk, {**bad, "level": 6})
    call("GET", h + "/evaluations/window/{window}", 200, staff, window="W04")
    call("GET", h + "/evaluations/evaluated", 200, staff, params={"tickets": served["id"]})
    call("GET", h + "/evaluations/figures", 200, hall.manager, params={"by": "window"})
    call("GET", h + "/evaluations/uploads", 200, hall.manager)
    call("GET", h + "/cases", 200, hall.manager)
    call("GET", h + "/cases/{case_id}", 200, hall.manager, case_id=made["case_id"])
    call("POST", h + "/cases/{case_id}/actions", 200, hall.manager, {"action": "verify"}, case_id=made["case_id"])
    call("POST", h + "/cases/{case_id}/actions", 409, hall.manager, {"action": "verify"}, case_id=made["case_id"])


def _lockouts(call: _Recorder, hall: HallClient) -> None:
    """Five wrong passwords lock s01 (the default account rule: the fifth still answers 401, the
    next 429); the manager sees and lifts the lock."""
    wrong = {"hall": hall.hall, "staff_id": "s01", "password": "not-the-password"}
    for _ in range(5):
        call("POST", "/api/v1/auth/login", 401, json=wrong)
    call("POST", "/api/v1/auth/login", 429, json=wrong)  # locked, whatever the password
    call("GET", "/api/v1/auth/lockouts", 200, hall.manager)
    call("POST", "/api/v1/auth/lockouts/lift", 200, hall.manager, {"staff_id": "s01"})
    call("POST", "/api/v1/auth/lockouts/lift", 404, hall.manager, {"staff_id": "s01"})
