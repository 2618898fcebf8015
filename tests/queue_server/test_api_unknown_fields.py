"""Every write endpoint refuses a field it does not know (422 naming it, in English and Chinese)
and changes nothing: a client that believes it sent something learns that the server did not
take it. The routes are read from the server's own OpenAPI document, so a new one is covered."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import HallClient


def _write_routes(openapi: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            if path.startswith("/api/") and "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method.upper(), path))
    return sorted(found)


def test_every_write_endpoint_refuses_an_unknown_field(hall: HallClient) -> None:
    openapi = hall.http.get("/openapi.json").json()
    routes = _write_routes(openapi)
    assert {("POST", "/api/v1/halls/{hall}/tickets"), ("POST", "/api/v1/halls/{hall}/tickets/{ticket_id}/actions"),
            ("POST", "/api/v1/halls/{hall}/reservations"), ("POST", "/api/v1/auth/login"),
            ("POST", "/api/v1/halls/{hall}/evaluations"), ("POST", "/api/v1/halls/{hall}/identify")} <= set(routes), routes
    ticket = hall.issue("A")
    before = hall.queues()["A"]["waiting"]
    values = {"hall": hall.hall, "window": "W01", "ticket_id": ticket["id"], "reservation_id": "r-none",
              "case_id": "c-none", "alert_id": "1", "upload_id": "1"}
    tokens = {"manager": hall.manager, "staff": hall.staff("s01"), "kiosk": hall.kiosk, "platform": hall.platform,
              "none": {}}
    wrong = []
    for method, route in routes:
        url = route
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        body: dict[str, Any] = {"surprise_field": 1}
        if route.endswith("/identify"):  # one body per method: the method picks the fields
            body["method"] = "sms"
        answers: dict[str, httpx.Response] = {}
        for who, headers in tokens.items():
            answers[who] = hall.http.request(method, url, headers=headers, json=body)
        refused = [r for r in answers.values() if r.status_code == 422]
        accepted = [who for who, r in answers.items() if r.status_code < 300]
        if accepted:
            wrong.append(f"{method} {route}: accepted for {accepted}")
        elif not refused:
            wrong.append(f"{method} {route}: never 422 ({ {w: r.status_code for w, r in answers.items()} })")
        else:
            body = refused[0].json()
            if "surprise_field" not in body["message"] or "surprise_field" not in body["message_zh"]:
                wrong.append(f"{method} {route}: the 422 does not name the field: {body}")
    assert not wrong, "\n".join(wrong)
    assert hall.queues()["A"]["waiting"] == before


def test_a_ticket_request_with_an_identity_number_is_refused_not_issued_anonymously(hall: HallClient) -> None:
    """The case the issue names: `id_number` is no field of a ticket request (an identity comes as
    an identification session); ignoring it issued an anonymous walk-in."""
    before = hall.queues()["A"]["waiting"]
    answer = hall.http.post(hall.path("/tickets"), headers=hall.kiosk,
                            json={"queue": "A", "channel": "walkin", "id_number": "370102199001011231"})
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["message"] == "unknown field(s), nothing was done: id_number"
    assert body["message_zh"] == "请求中有无法识别的字段（未作任何处理）：id_number"
    assert body["errors"] == [{"field": "id_number", "problem": "unknown field: the server does not take it"}]
    assert "370102199001011231" not in answer.text  # the number is not echoed back
    assert hall.queues()["A"]["waiting"] == before
    # A well-formed request still works, and a bad value is still named as before.
    assert hall.http.post(hall.path("/tickets"), headers=hall.kiosk, json={"queue": "A", "channel": "walkin"}).status_code == 201
    bad = hall.http.post(hall.path("/tickets"), headers=hall.kiosk, json={"queue": "A", "channel": "pigeon"}).json()
    assert bad["message"].startswith("channel:") and bad["message_zh"] == "请求内容不正确"
