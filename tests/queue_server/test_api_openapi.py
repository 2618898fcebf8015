"""The API documents every answer (`/openapi.json`, `queue_server/api/replies.py`) and the stream
messages (`queue_server/api/stream_messages.py`); real answers and messages, captured over HTTP and
WebSocket by a tour of the whole API (api_tour.py), fit what is documented, with no undocumented
field anywhere."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest

from queue_server.api.stream_messages import HallMessage
from tests.identity.helpers import astronaut, jpeg
from tests.queue_server.api_tour import Exchange, Tour, take_tour
from tests.support.api import HallClient
from tests.support.servers import ServerProcess

# The contract's routes (CONTRACT.md) and the reply model of each success status it names.
CONTRACT_ROUTES: dict[tuple[str, str], dict[str, str | None]] = {
    ("GET", "/healthz"): {"200": "HealthzReply"},
    ("POST", "/api/v1/auth/login"): {"200": "LoginReply"},
    ("POST", "/api/v1/halls/{hall}/tickets"): {"201": "TicketReply", "200": "ReprintReply"},
    ("POST", "/api/v1/halls/{hall}/windows/{window}/call-next"): {"200": "TicketReply", "204": None},
    ("POST", "/api/v1/halls/{hall}/tickets/{ticket_id}/actions"): {"200": "TicketReply"},
    ("GET", "/api/v1/halls/{hall}/queues"): {"200": "QueueReply"},
    ("POST", "/api/v1/halls/{hall}/windows/{window}/pause"): {"200": "WindowReply"},
    ("POST", "/api/v1/halls/{hall}/windows/{window}/resume"): {"200": "WindowReply"},
    ("POST", "/api/v1/halls/{hall}/reservations"): {"201": "ReservationReply", "200": "ReservationReply"},
    ("DELETE", "/api/v1/halls/{hall}/reservations/{reservation_id}"): {"200": "ReservationReply"},
    ("POST", "/api/v1/halls/{hall}/reservations/check-in"): {"201": "TicketReply", "200": "TicketReply"},
    ("GET", "/api/v1/track/{ticket_id}"): {"200": "TrackReply"},
}
STREAM_TYPES = {"snapshot", "call", "ticket", "queue", "window"}
# Routes of the toured modules that the tour does not take: resending needs a dead letter, which
# needs an upload endpoint failing for many attempts (tests/evaluation/test_upload_failures.py).
# The manager console's and the simulator's routes have their own strict checks
# (tests/manage/test_manage_replies.py, tests/simulator/test_api_simulations.py).
NOT_TOURED = {("POST", "/api/v1/halls/{hall}/evaluations/uploads/{upload_id}/resend")}


def toured_routes() -> set[tuple[str, str]]:
    """Every route of the modules api_tour.py covers; a module added later joins the tour by
    being listed here (its routes then must all be taken)."""
    from fastapi.routing import APIRoute

    from queue_server.api import auth, devices, evaluations, halls, identity, reservations, tickets, track

    routes = {("GET", "/healthz")}
    for module in (auth, devices, evaluations, halls, identity, reservations, tickets, track):  # auth includes lockouts
        for route in module.router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                routes |= {(method, route.path) for method in route.methods}
    return routes - NOT_TOURED


@pytest.fixture(scope="module")
def tour(server: ServerProcess) -> Iterator[Tour]:
    client = HallClient(server, f"t{next(server.hall_ids):02d}")  # type: ignore[attr-defined]
    try:
        yield take_tour(client, jpeg(astronaut()))
    finally:
        client.close()


@pytest.fixture(scope="module")
def openapi(server: ServerProcess) -> dict[str, Any]:
    import httpx

    response = httpx.get(server.url + "/openapi.json", timeout=30)
    assert response.status_code == 200
    return response.json()


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every object that lists its properties closed to others: the models allow
    extra fields (the contract lets the server add some), a test wants them all documented."""
    schema = copy.deepcopy(schema)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties", True) is True:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def validator(root: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(strict({**schema, "components": root.get("components", {})}), validate_formats=True)


def problems(root: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator(root, schema).iter_errors(instance)]


def success_schema(response: dict[str, Any]) -> dict[str, Any] | None:
    return response.get("content", {}).get("application/json", {}).get("schema")


def model_name(schema: dict[str, Any] | None) -> str | None:
    """The component a response schema names: `{"$ref": …}` or an array of them."""
    if schema is None:
        return None
    if schema.get("type") == "array":
        schema = schema["items"]
    return schema.get("$ref", "").rsplit("/", 1)[-1] or None


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in openapi["paths"].items():
        if path.startswith("/api/") or path == "/healthz":
            for method, operation in methods.items():
                yield method.upper(), path, operation


def test_every_route_documents_its_replies_and_the_error_shape(openapi: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in operations(openapi):
        responses = operation["responses"]
        successes = {s: r for s, r in responses.items() if s.startswith("2")}
        # A JSON answer names its reply model; a file (say text/csv) names its media type.
        undocumented = [
            s for s, r in successes.items()
            if s != "204" and model_name(success_schema(r)) is None and not (set(r.get("content", {})) - {"application/json"})
        ]
        if not successes or undocumented:
            missing.append(f"{method} {path}: {sorted(responses)}")
        if path.startswith("/api/") and model_name(success_schema(responses.get("4XX", {}))) != "ErrorReply":
            missing.append(f"{method} {path}: no ErrorReply for 4XX")
    assert not missing, "routes without a reply model:\n" + "\n".join(missing)
    error = openapi["components"]["schemas"]["ErrorReply"]
    assert error["required"] == ["code", "message", "message_zh"]
    assert error["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode", "description": "what a client branches on"}
    assert {"not_found", "ticket_state", "window_busy", "invalid", "storage_unavailable"} <= set(
        openapi["components"]["schemas"]["ErrorCode"]["enum"]
    )


def test_contract_routes_name_their_reply_models(openapi: dict[str, Any]) -> None:
    for (method, path), statuses in CONTRACT_ROUTES.items():
        responses = openapi["paths"][path][method.lower()]["responses"]
        for status, name in statuses.items():
            assert status in responses, (method, path, status)
            assert model_name(success_schema(responses[status])) == name, (method, path, status)
    ticket = openapi["components"]["schemas"]["TicketReply"]
    assert {"id", "number", "queue", "channel", "status", "issued_at", "waiting_ahead", "estimated_wait_s", "track_url"} <= set(
        ticket["required"]
    )
    assert ticket["properties"]["status"] == {"$ref": "#/components/schemas/TicketStatus"}
    assert openapi["components"]["schemas"]["TicketStatus"]["enum"] == [
        "waiting", "called", "serving", "done", "missed", "cancelled", "expired",
    ]


def test_request_bodies_speak_the_vocabulary(openapi: dict[str, Any]) -> None:
    """Request words come from hall_common.vocabulary (the identify methods are spelled as
    literals, which a discriminated union needs: they must stay the vocabulary's)."""
    from pydantic import TypeAdapter

    from hall_common.vocabulary import IdentifyMethod, TicketAction
    from queue_server.api.identity import Identify

    assert set(TypeAdapter(Identify).json_schema()["discriminator"]["mapping"]) == set(IdentifyMethod)
    action = openapi["paths"]["/api/v1/halls/{hall}/tickets/{ticket_id}/actions"]["post"]["requestBody"]
    assert action["content"]["application/json"]["schema"]["properties"]["action"]["enum"] == list(TicketAction)
    assert "$defs" not in str(action)


def _documented(openapi: dict[str, Any], exchange: Exchange) -> dict[str, Any]:
    operation = openapi["paths"].get(exchange.route, {}).get(exchange.method.lower())
    if operation is None:  # a method the route does not have (405): the error shape
        return {"$ref": "#/components/schemas/ErrorReply"}
    responses = operation["responses"]
    status = str(exchange.status)
    response = responses.get(status) or responses[f"{status[0]}XX"]
    schema = success_schema(response)
    assert schema is not None, f"{exchange.method} {exchange.route} {status} documents no JSON body"
    return schema


def test_every_captured_reply_fits_its_documented_schema(tour: Tour, openapi: dict[str, Any]) -> None:
    seen = set()
    wrong = []
    for exchange in tour.exchanges:
        seen.add((exchange.method, exchange.route, str(exchange.status)))
        if exchange.status == 204:
            assert exchange.raw == b""
            continue
        found = problems(openapi, _documented(openapi, exchange), exchange.body)
        if found:
            wrong.append(f"{exchange.method} {exchange.route} {exchange.status}: {found[:3]}")
    assert not wrong, "\n".join(wrong)
    # The tour met every success status the contract names, and every route of its modules.
    for (method, path), statuses in CONTRACT_ROUTES.items():
        for status in statuses:
            assert (method, path, status) in seen, (method, path, status)
    exercised = {(m, r) for m, r, s in seen if s.startswith("2")}
    not_met = toured_routes() - exercised
    assert not not_met, f"routes the tour (api_tour.py) does not take: {sorted(not_met)}"
    assert {s for _, _, s in seen if s.startswith("4")} >= {"401", "403", "404", "405", "409", "422"}


def test_a_strict_schema_refuses_what_the_models_do_not_say(openapi: dict[str, Any], tour: Tour) -> None:
    ticket = next(e.body for e in tour.exchanges if e.route.endswith("/tickets") and e.status == 201)
    schema = {"$ref": "#/components/schemas/TicketReply"}
    assert problems(openapi, schema, ticket) == []
    assert problems(openapi, schema, {**ticket, "surprise": 1})  # an undocumented field
    assert problems(openapi, schema, {**ticket, "status": "lost"})  # a word outside the vocabulary
    assert problems(openapi, schema, {**ticket, "issued_at": "2026-11-23 09:00"})  # not ISO 8601 with offset
    assert problems(openapi, schema, {k: v for k, v in ticket.items() if k != "number"})


def test_stream_messages_fit_their_models(tour: Tour, openapi: dict[str, Any]) -> None:
    messages = validator({}, HallMessage.json_schema())
    for message in tour.hall_messages:
        assert messages.is_valid(message), (message, [e.message for e in messages.iter_errors(message)][:3])
        assert type(HallMessage.validate_python(message)).__name__.lower().startswith(message["type"])
    assert {m["type"] for m in tour.hall_messages} >= STREAM_TYPES
    last = tour.hall_messages[-1]
    assert last["type"] == "snapshot" and last["recent_calls"] and any(w["current"] for w in last["windows"])
    assert not messages.is_valid({**last, "seq": "7"})
    assert not messages.is_valid({"type": "call", "seq": 3})
    assert not messages.is_valid({"type": "queue", "seq": 3, "queue": "A", "waiting": 1, "phone": "13800000000"})
    track = {"$ref": "#/components/schemas/TrackReply"}
    assert tour.track_messages and all(problems(openapi, track, m) == [] for m in tour.track_messages)


def test_the_engine_s_messages_fit_too() -> None:
    """Messages a short test run does not meet (a new service day, its expiries), from the pure
    engine, and the snapshot of a busy hall."""
    from queue_server.core import engine, views
    from queue_server.core.model import StaffRef
    from tests.queue_server.core_builders import DAY, act, at, call, issue, make_hall, make_state, run

    state = make_state(make_hall(windows=[("W1", ["A"]), ("W2", ["A", "B"], "ordered")]))
    issue(state, "A", at(9))
    second = issue(state, "B", at(9, 1))
    called = call(state, "W1", at(9, 2), StaffRef("s01", "王芳"))
    assert called is not None
    act(state, called, "recall", at(9, 3))
    act(state, second, "transfer", at(9, 4), to_queue="A", to_window="W2")
    run(state, engine.set_paused(state, "W1", True, at(9, 5)))
    messages = [views.snapshot(state)]
    for change in (engine.roll_over(state, at(0, 5, day=DAY.replace(day=24))),):
        messages += [event.message() for event in change.events]
    kinds = [m["type"] for m in messages]
    assert kinds[:2] == ["snapshot", "day"] and "ticket" in kinds and "queue" in kinds
    strict_messages = validator({}, HallMessage.json_schema())
    for message in messages:
        assert strict_messages.is_valid(message), (message, [e.message for e in strict_messages.iter_errors(message)][:3])
