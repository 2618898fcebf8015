"""POST …/tickets answers its usual request on a lean path (api/tickets.py) and everything else
through FastAPI's standard handling. Whichever path a request takes, the answer is the same:
`application/json` takes the lean path, `application/json; charset=utf-8` the standard one."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import HallClient
from tests.support.halls import token_for

LEAN = "application/json"
STANDARD = "application/json; charset=utf-8"


def post(hall: HallClient, content_type: str, body: bytes, headers: dict[str, str] | None = None, hall_id: str | None = None) -> httpx.Response:
    return hall.http.post(
        f"/api/v1/halls/{hall_id or hall.hall}/tickets",
        content=body,
        headers={"Content-Type": content_type, **(hall.kiosk if headers is None else headers)},
    )


def both(hall: HallClient, body: bytes, **options: Any) -> tuple[httpx.Response, httpx.Response]:
    return post(hall, LEAN, body, **options), post(hall, STANDARD, body, **options)


def test_issued_tickets_look_the_same_on_both_paths(hall: HallClient) -> None:
    lean, standard = both(hall, b'{"queue": "A", "channel": "walkin", "item_code": "ITEM-A-1"}')
    assert lean.status_code == standard.status_code == 201
    assert lean.headers["content-type"] == standard.headers["content-type"] == "application/json"
    one, two = lean.json(), standard.json()
    assert [one["number"], two["number"]] == ["A001", "A002"]
    assert one.keys() == two.keys()
    assert two["waiting_ahead"] == one["waiting_ahead"] + 1 == 1
    assert two["estimated_wait_s"] > one["estimated_wait_s"] > 0
    for key in one.keys() - {"id", "number", "issued_at", "waiting_ahead", "estimated_wait_s", "track_url", "phone_url"}:
        assert one[key] == two[key], key
    assert hall.http.get(one["track_url"]).json()["number"] == "A001"


def test_refusals_are_the_same_on_both_paths(hall: HallClient) -> None:
    display = {"Authorization": f"Bearer {token_for(hall.hall, 'screen-1')}"}
    cases: list[tuple[int, bytes, dict[str, Any]]] = [
        (401, b'{"queue": "A", "channel": "walkin"}', {"headers": {}}),
        (401, b'{"queue": "A", "channel": "walkin"}', {"headers": {"Authorization": "Bearer nope"}}),
        (401, b'{"queue": "A", "channel": "walkin"}', {"headers": {"Authorization": "Basic abc"}}),
        (403, b'{"queue": "A", "channel": "walkin"}', {"headers": display}),
        (403, b'{"queue": "A", "channel": "walkin"}', {"hall_id": "another-hall"}),
        (422, b'{"queue": "A", "channel": "walk', {}),
        (422, b'["queue", "A"]', {}),
        (422, b"", {}),
        (422, b'{"queue": "A", "channel": "carrier-pigeon"}', {}),
        (422, b'{"queue": "A", "channel": "walkin", "phone": "12345"}', {}),
        (422, b'{"queue": "A", "channel": "walkin", "unknown": 1}', {}),  # unknown fields are refused
        (422, b'{"queue": "A", "channel": "reservation"}', {}),
        (422, b'{"queue": "A", "channel": "lutong"}', {}),
        (422, b'{"queue": "B", "channel": "walkin", "item_code": "ITEM-A-1"}', {}),
        (404, b'{"queue": "Z", "channel": "walkin"}', {}),
    ]
    for status, body, options in cases:
        lean, standard = both(hall, body, **options)
        assert (lean.status_code, standard.status_code) == (status, status), (body, options, lean.text)
        assert lean.json() == standard.json(), (body, options)
        assert lean.json()["code"] and lean.json()["message_zh"]
    assert hall.queues()["A"]["waiting"] == 0, "no refused request issued a ticket"
