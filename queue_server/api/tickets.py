"""Issuing tickets, calling, staff actions and window controls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from hall_common.vocabulary import TERMINAL_STATUSES, DeviceKind, Priority, Role, TicketStatus

from ..config import Hall
from ..core import views
from ..core.errors import Invalid
from ..identity import service as identity_service
from ..runtime import Runtime
from ..security.request_limits import Limited
from ..services import tickets as ticket_service
from ..services.auth import Forbidden
from ..services.principals import Principal
from ..services.request_limits import limit_device
from .deps import (
    allowed_principal,
    existing_window,
    get_runtime,
    hall_principal,
    require,
    the_hall,
    window_actor,
)
from .replies import ERRORS, ReprintReply, TicketReply, WindowReply
from .schemas import ActionRequest, QueuesRequest, TicketRequest

# Statuses of today's live tickets (finished ones leave the hall's state).
_LIVE_STATUSES = "^(" + "|".join(s for s in TicketStatus if s not in TERMINAL_STATUSES) + ")$"

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["tickets"], responses=ERRORS)


async def _issue(rt: Runtime, hall: Hall, who: Principal, body: TicketRequest) -> tuple[dict[str, Any], int]:
    """(the ticket as the response shows it, the status: 201, or 200 for a reprint)."""
    await limit_device(rt, Limited.ISSUE, hall, who)
    if body.identity is not None:  # identified: single-use session, per-person limits, reprint
        ticket, created = await identity_service.issue_identified(
            rt, hall, queue=body.queue, channel=body.channel, item_code=body.item_code,
            green=body.priority is Priority.GREEN, phone=body.phone, identity=body.identity,
        )
        shown = ticket_service.ticket_json(rt, hall.id, ticket)
        return (shown, 201) if created else ({**shown, "reprint": True}, 200)
    ticket, ahead = await ticket_service.issue(
        rt,
        hall.id,
        queue=body.queue,
        channel=body.channel,
        item_code=body.item_code,
        green=body.priority is Priority.GREEN,
        phone=body.phone,
    )
    return ticket_service.ticket_json(rt, hall.id, ticket, ahead=ahead), 201


class _LeanIssueRoute(APIRoute):
    """Issuing is the hottest route (every kiosk, at opening time all at once), so its usual
    request is served straight from ASGI, without FastAPI's request handling (Request object,
    dependency resolution, body handling, response model): a kiosk token of the hall (the same
    checks, in the same order, as the dependencies), a known hall, an `application/json` body
    that parses (orjson) and validates as `TicketRequest` (pydantic, as FastAPI would),
    answered with orjson. Anything else (a missing or wrong token, another content type, a body
    that does not parse or validate) goes to the standard handling, with the body it was sent,
    and is answered exactly as on every other route. Errors raised while issuing (404, 409, 422
    from the service) reach the app's error handlers as usual."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            return await super().handle(scope, receive, send)
        messages: list[Message] = []
        while not messages or (messages[-1]["type"] == "http.request" and messages[-1].get("more_body")):
            messages.append(await receive())
        answer = None
        if messages[-1]["type"] == "http.request":
            answer = await _issue_lean(scope, b"".join(m.get("body", b"") for m in messages))
        if answer is None:  # the standard way, as if nothing had been read

            async def replay() -> Message:
                return messages.pop(0) if messages else await receive()

            return await super().handle(scope, replay, send)
        body, status = answer
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _issue_lean(scope: Scope, raw_body: bytes) -> tuple[bytes, int] | None:
    """(the response body, its status), or None for the standard way."""
    headers = Headers(scope=scope)
    if headers.get("content-type", "").lower() != "application/json":
        return None
    hall_id = scope["path_params"]["hall"]
    state = scope["app"].state
    who = await allowed_principal(state.tokens, headers.get("authorization"), hall_id, DeviceKind.KIOSK)
    if who is None:
        return None
    rt: Runtime = state.runtime
    hall = rt.config.hall(hall_id)
    if hall is None:
        return None
    try:
        raw = orjson.loads(raw_body)
        body = TicketRequest.model_validate(raw) if isinstance(raw, dict) else None
    except (orjson.JSONDecodeError, ValidationError):
        return None
    if body is None:
        return None
    shown, status = await _issue(rt, hall, who, body)
    return orjson.dumps(shown), status


async def issue_ticket(
    who: Principal = Depends(require(DeviceKind.KIOSK)),
    hall: Hall = Depends(the_hall),
    body: TicketRequest = Body(),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    shown, status = await _issue(rt, hall, who, body)
    return shown if status == 201 else JSONResponse(shown, status_code=status)  # type: ignore[return-value]


router.add_api_route(
    "/tickets", issue_ticket, methods=["POST"], status_code=201, summary="Issue a ticket (kiosk)",
    # Documents the lean path's answers too, which are built without the model (no per-request
    # pydantic serialisation there); tests check both paths against it.
    response_model=TicketReply,
    responses={200: {"model": ReprintReply, "description": "identified and already waiting: the same ticket"}},
    route_class_override=_LeanIssueRoute,
)


@router.get("/tickets/{ticket_id}", response_model=TicketReply, summary="A ticket of this hall (any token of the hall)")
async def get_ticket(
    ticket_id: str,
    who: Principal = Depends(hall_principal),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    ticket = await ticket_service.find_ticket(rt, hall.id, ticket_id)
    return ticket_service.ticket_json(rt, hall.id, ticket)


@router.get("/tickets", response_model=list[TicketReply], summary="Today's live tickets (staff and managers)")
async def list_tickets(
    status: str | None = Query(default=None, pattern=_LIVE_STATUSES),
    queue: str | None = Query(default=None, max_length=8),
    window: str | None = Query(default=None, max_length=32, description="called, served or missed at this window"),
    who: Principal = Depends(require(Role.STAFF, Role.MANAGER)),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> list[dict[str, Any]]:
    state = rt.store.view(hall.id)
    now = rt.now()
    result = []
    for ticket in sorted(state.tickets.values(), key=lambda t: t.issued_at):
        if status and ticket.status.value != status:
            continue
        if queue and ticket.queue != queue:
            continue
        if window and ticket.window != window:
            continue
        result.append(ticket_service.ticket_json(rt, hall.id, ticket, now))
    return result


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` (the vocabulary's enums) written in place: an
    OpenAPI body schema cannot carry definitions of its own."""
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        return [inline(value) for value in node] if isinstance(node, list) else node

    inlined: dict[str, Any] = inline(schema)
    return inlined


# The body is parsed in the route (the ticket's 404 and 403 come first), so it is documented here.
_ACTION_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inlined(ActionRequest.model_json_schema())}},
    }
}


@router.post(
    "/tickets/{ticket_id}/actions",
    response_model=TicketReply,
    summary="recall, start, finish, skip, requeue, transfer or cancel (staff)",
    openapi_extra=_ACTION_SCHEMA,
)
async def ticket_action(
    ticket_id: str,
    request: Request,
    who: Principal = Depends(require(Role.STAFF, Role.MANAGER)),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    # The ticket (404) and the actor's right to it (403) come before the body (422).
    ticket = await ticket_service.find_ticket(rt, hall.id, ticket_id)
    if not ticket_service.may_act_on(who, rt.store.view(hall.id), ticket):
        raise Forbidden("this ticket is not at your windows or in their queues", "该号票不在您的窗口或业务范围内")
    body = await _parse(request, ActionRequest)
    updated = await ticket_service.act(
        rt, hall.id, ticket, body.action, who, to_queue=body.queue, to_window=body.window, reason=body.reason
    )
    return ticket_service.ticket_json(rt, hall.id, updated)


async def _parse(request: Request, model: type[ActionRequest]) -> ActionRequest:
    try:
        raw = await request.json()
    except ValueError:
        raise Invalid("the body is not JSON", "请求内容不是有效的 JSON") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError(jsonable_encoder(exc.errors(include_input=False), custom_encoder={ValueError: str})) from None


# -- windows -------------------------------------------------------------------------------------


def _window_json(rt: Runtime, hall: Hall, window_id: str) -> dict[str, Any]:
    state = rt.store.view(hall.id)
    return views.window_view(state, state.windows[window_id])


@router.post(
    "/windows/{window}/call-next",
    response_model=TicketReply,
    summary="Call the window's best-ranked waiting ticket (staff)",
    responses={204: {"description": "nothing waits for this window"}},
)
async def call_next(
    window: str,
    who: Principal = Depends(window_actor),
    hall: Hall = Depends(the_hall),
    _window: str = Depends(existing_window),
    rt: Runtime = Depends(get_runtime),
) -> Any:
    ticket = await ticket_service.call_next(rt, hall.id, window, who)
    if ticket is None:
        return Response(status_code=204)
    return ticket_service.ticket_json(rt, hall.id, ticket)


WindowControl = Callable[[Runtime, str, str, Principal], Awaitable[None]]


def _window_control(path: str, summary: str, control: WindowControl) -> None:
    """The window controls share their shape: staff at the window, then the window, then act."""

    async def endpoint(
        window: str,
        who: Principal = Depends(window_actor),
        hall: Hall = Depends(the_hall),
        _window: str = Depends(existing_window),
        rt: Runtime = Depends(get_runtime),
    ) -> dict[str, Any]:
        await control(rt, hall.id, window, who)
        return _window_json(rt, hall, window)

    endpoint.__name__ = path.replace("-", "_")
    router.post(f"/windows/{{window}}/{path}", response_model=WindowReply, summary=summary)(endpoint)


_window_control("pause", "Pause the window (staff)", lambda rt, h, w, who: ticket_service.set_paused(rt, h, w, True, who))
_window_control("resume", "Resume the window (staff)", lambda rt, h, w, who: ticket_service.set_paused(rt, h, w, False, who))
_window_control("sign-in", "Start working at the window (staff)", ticket_service.sign_in)
_window_control("sign-out", "Leave the window (staff)", ticket_service.sign_out)


@router.put("/windows/{window}/queues", response_model=WindowReply, summary="Move a tidal window between queues (manager)")
async def set_queues(
    window: str,
    who: Principal = Depends(require(Role.MANAGER)),
    hall: Hall = Depends(the_hall),
    _window: str = Depends(existing_window),
    body: QueuesRequest = Body(),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    await ticket_service.set_queues(rt, hall.id, window, body.queues, body.policy, who)
    return _window_json(rt, hall, window)
