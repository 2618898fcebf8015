"""Who may use the manager's console, as a matrix: every manager route (read from the server's
own OpenAPI document, so a new one cannot be forgotten), the page and its assets, and the alert
stream, against no token (401), a clerk, each device kind and another hall's manager (403); the
hall's manager passes. A refused request changes nothing: the hall's windows and its audit log are
the same afterwards."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.api import HallClient
from tests.support.halls import STAFF_PASSWORD, token_for

PAGES = ["/manage?hall={hall}", "/manage/assets/core.js?hall={hall}", "/manage/assets/manage.css?hall={hall}"]
# A body each route would accept from a manager (so a refusal is the token's fault, not the body's).
BODIES: dict[str, Any] = {
    "tidal-preview": {"queues": ["A", "C"]},
    "pause": {"reason": "午休"},
    "ack": {"note": ""},
}


def manager_routes(hall: HallClient) -> list[tuple[str, str]]:
    paths = hall.http.get("/openapi.json").json()["paths"]
    found = []
    for path, methods in paths.items():
        if "/manage" not in path:
            continue
        for method in methods:
            concrete = path.replace("{hall}", hall.hall).replace("{window}", "W01").replace("{alert_id}", "1")
            found.append((method.upper(), concrete))
    return found


def call(hall: HallClient, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    body = next((b for key, b in BODIES.items() if path.rstrip("/").endswith(key)), None)
    return hall.http.request(method, path, json=body, headers=headers)


def other_manager(hall: HallClient) -> dict[str, str]:
    response = hall.http.post("/api/v1/auth/login", json={"hall": "other", "staff_id": "m01", "password": STAFF_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def picture(hall: HallClient) -> tuple[Any, Any]:
    windows = hall.http.get(hall.path("/windows"), headers=hall.display).json()
    audit = hall.http.get(hall.path("/manage/audit?limit=500"), headers=hall.manager).json()["rows"]
    return windows, [r for r in audit if not r["action"].startswith("alert_")]


def test_every_manager_route_and_page_refuses_everyone_but_the_hall_s_manager(hall: HallClient) -> None:
    routes = manager_routes(hall)
    assert len(routes) >= 13, routes
    assert ("GET", f"/api/v1/halls/{hall.hall}/manage/audit.csv") in routes
    for statistics in ("/statistics", "/statistics/export"):  # 统计分析
        assert ("GET", f"/api/v1/halls/{hall.hall}/manage{statistics}") in routes
    hall.issue("A")
    hall.call("W01")  # s01 at W01 with a ticket: a pause or a sign-out would change something
    before = picture(hall)
    refused = {
        "clerk": (hall.staff("s01"), 403),
        "kiosk": (hall.kiosk, 403),
        "display": (hall.display, 403),
        "integration": (hall.platform, 403),
        "other hall's manager": (other_manager(hall), 403),
        "no token": ({}, 401),
        "unknown token": ({"Authorization": "Bearer not-a-token"}, 401),
    }
    wrong = []
    for who, (headers, status) in refused.items():
        for method, path in routes:
            response = call(hall, method, path, headers)
            if response.status_code != status or response.json()["code"] not in ("forbidden", "unauthorized"):
                wrong.append(f"{who}: {method} {path} → {response.status_code}")
        for page in PAGES:
            if who == "no token":
                continue  # without a token the page is its own login form (below)
            response = hall.http.get(page.format(hall=hall.hall), headers=headers)
            if response.status_code != status:
                wrong.append(f"{who}: GET {page} → {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert picture(hall) == before  # nothing changed

    # The hall's manager passes every check (what follows the checks may still refuse).
    for method, path in routes:
        response = call(hall, method, path, hall.manager)
        assert response.status_code not in (401, 403), (method, path, response.text)
    for page in PAGES:
        assert hall.http.get(page.format(hall=hall.hall), headers=hall.manager).status_code == 200


def test_the_page_without_a_token_is_the_login_form_served_locally(hall: HallClient) -> None:
    response = hall.http.get(f"/manage?hall={hall.hall}")
    assert response.status_code == 200
    assert "管理人员登录" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert not re.search(r"""(src|href)=["']https?://""", response.text)  # nothing from outside
    for asset in re.findall(r"""(?:src|href)="(/[^"]+)\"""", response.text):
        assert hall.http.get(asset).status_code == 200, asset
    assert hall.http.get("/manage/assets/..%2Froutes.py").status_code == 404
    assert hall.http.get("/manage/", follow_redirects=False).status_code == 308


def test_the_order_of_checks_401_then_403_then_404_then_422(hall: HallClient) -> None:
    path = hall.path("/manage/windows/W99/pause")
    assert hall.http.post(path, json={}).status_code == 401
    assert hall.http.post(path, json={}, headers=hall.staff("s01")).status_code == 403
    assert hall.http.post(path, json={}, headers=hall.manager).status_code == 404
    assert hall.http.post(hall.path("/manage/windows/W01/pause"), json={"reason": 5}, headers=hall.manager).status_code == 422
    assert hall.http.get("/api/v1/halls/nowhere/manage/live", headers=hall.manager).status_code == 403


@pytest.mark.parametrize("who", ["clerk", "display", "other", "none", "manager"])
def test_the_alert_stream_is_for_the_hall_s_manager(hall: HallClient, who: str) -> None:
    tokens = {
        "clerk": hall.staff("s01")["Authorization"].split()[1],
        "display": token_for(hall.hall, "screen-1"),
        "other": other_manager(hall)["Authorization"].split()[1],
        "none": "",
        "manager": hall.manager["Authorization"].split()[1],
    }
    url = f"{hall.server.ws_url}/api/v1/halls/{hall.hall}/manage/stream?token={tokens[who]}"
    with connect(url, open_timeout=10) as ws:
        if who == "manager":
            first = ws.recv(timeout=10)
            assert '"type":"alerts"' in str(first)
            return
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == (4401 if who == "none" else 4403)
