"""Every manager route's real reply fits the model `/openapi.json` documents for it, with no field
left undocumented (the strict check of tests/queue_server/test_api_openapi.py), and so does the
alert stream's message."""

from __future__ import annotations

import json
from typing import Any

from websockets.sync.client import connect

from tests.manage.test_manage_api import wait_for
from tests.queue_server.test_api_openapi import problems, success_schema
from tests.support.api import HallClient


def documented(openapi: dict[str, Any], method: str, route: str, status: int) -> dict[str, Any]:
    schema = success_schema(openapi["paths"][route][method.lower()]["responses"][str(status)])
    assert schema is not None, (method, route, status)
    return schema


def test_every_manager_reply_fits_its_documented_model(hall: HallClient) -> None:
    openapi = hall.http.get("/openapi.json").json()
    ticket = hall.issue("A")
    for _ in range(4):
        hall.issue("A")
    hall.call("W01", expect=200)
    hall.act(ticket["id"], "start")
    hall.call("W03", staff="s02", expect=204)
    report = {"components": [{"name": "printer", "level": "warning", "message_zh": "纸将尽", "message_en": "Paper low"}], "app": {"version": "1"}}
    assert hall.http.post(hall.path("/devices/health"), json=report, headers=hall.kiosk).status_code == 200
    booked = hall.http.post(hall.path("/reservations"), headers=hall.platform, json={
        "queue": "B", "slot_start": "2030-01-02T09:00:00+08:00", "slot_end": "2030-01-02T09:30:00+08:00",
        "name": "张三", "id_number": "370102199001011231", "phone": "13800000000", "external_id": "r-1",
    })
    assert booked.status_code == 201
    alert = wait_for(lambda: hall.http.get(hall.path("/manage/alerts"), headers=hall.manager).json()["alerts"])[0]

    h = "/api/v1/halls/{hall}/manage"
    exchanges = [
        ("GET", h + "/context", "/context", None),
        ("GET", h + "/live", "/live", None),
        ("POST", h + "/windows/{window}/tidal-preview", "/windows/W01/tidal-preview", {"queues": ["C", "A"], "policy": "ordered"}),
        ("POST", h + "/windows/{window}/pause", "/windows/W03/pause", {"reason": "午休"}),
        ("POST", h + "/alerts/{alert_id}/ack", f"/alerts/{alert['id']}/ack", {"note": "已处理"}),
        ("GET", h + "/alerts", "/alerts", None),
        ("POST", h + "/windows/{window}/sign-out", "/windows/W03/sign-out", None),
        ("GET", h + "/devices", "/devices", None),
        ("GET", h + "/audit", "/audit?limit=3", None),
        ("GET", h + "/reservations", "/reservations?day=2030-01-02", None),
    ]
    wrong = []
    for method, route, path, body in exchanges:
        response = hall.http.request(method, hall.path("/manage" + path), json=body, headers=hall.manager)
        assert response.status_code == 200, (path, response.text)
        found = problems(openapi, documented(openapi, method, route, 200), response.json())
        if found:
            wrong.append(f"{method} {path}: {found[:3]}")
    assert not wrong, "\n".join(wrong)
    live = hall.http.get(hall.path("/manage/live"), headers=hall.manager).json()
    assert any(w["current"] for w in live["windows"]) and any(w["pause"] is None for w in live["windows"])

    token = hall.manager["Authorization"].split()[1]
    with connect(f"{hall.server.ws_url}/api/v1/halls/{hall.hall}/manage/stream?token={token}", open_timeout=10) as ws:
        message = json.loads(ws.recv(timeout=10))
    assert message["alerts"][0]["acknowledged"]["note"] == "已处理"
    assert problems(openapi, {"$ref": "#/components/schemas/AlertsReply"}, message) == []
