"""Reading a hall: its hours, queues, windows, items (办事指南) and a window's waiting list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from hall_common.vocabulary import IdentifyMethod

from ..config import Hall, Item
from ..core import hours as hours_rules
from ..core import views
from ..core.errors import NotFound
from ..runtime import Runtime
from ..services.principals import Principal
from ..services.tickets import ticket_json
from .deps import get_runtime, hall_principal, the_hall, window_exists
from .replies import ERRORS, HallReply, ItemReply, QueueReply, WaitingReply, WindowDetailReply, WindowReply

# In `identification.methods`: social security cards are read, but only 2nd-generation ones
# reveal their holder without the province's resolver.
SSCARD_SECOND_GENERATION_ONLY = "sscard_second_generation_only"

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["halls"], responses=ERRORS)


def hall_info(rt: Runtime, hall: Hall) -> dict[str, Any]:
    now = rt.now()
    opening = hours_rules.next_opening(hall.hours, now, hall.zone)
    return {
        "id": hall.id,
        "name": hall.name,
        "name_en": hall.name_en,
        "timezone": hall.timezone,
        "address": hall.address,
        "supervision_phone": hall.supervision_phone,
        "notice": hall.notice,
        "green_policy": hall.green_policy,
        "service_day": rt.store.view(hall.id).service_day.isoformat(),
        "open_now": hours_rules.is_open(hall.hours, now, hall.zone),
        "next_opening": opening.isoformat() if opening else None,
        "always_open": hall.hours is None,
        "today_sessions": hours_rules.today_sessions(hall.hours, now, hall.zone),
        "now": now.isoformat(),
        "identification": identification_info(rt, hall),
    }


def identification_info(rt: Runtime, hall: Hall) -> dict[str, Any]:
    """What a kiosk needs to offer identification: the methods this hall accepts at
    POST …/identify and the queues whose tickets need an identity (docs/identity.md)."""
    rules = hall.identification
    methods: list[str] = [m for m in rules.allowed_methods if m != IdentifyMethod.ID_NUMBER or rules.allow_typed_id_number]
    if IdentifyMethod.SSCARD in methods and rt.config.server.identity.sscard_provincial is None:
        methods.append(SSCARD_SECOND_GENERATION_ONLY)  # 3rd-generation cards need a resolver
    return {
        "methods": methods,
        "required_queues": list(rules.required_queues),
        "green_age": rules.green_age,
        "lutong_verifier": rt.config.server.identity.lutong,
        "face_verifier": rt.config.server.identity.face,
    }


@router.get("", response_model=HallReply, summary="The hall: name, hours, whether tickets can be taken now")
async def get_hall(
    who: Principal = Depends(hall_principal), hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    return hall_info(rt, hall)


@router.get("/queues", response_model=list[QueueReply], summary="Queues with their waiting counts and estimated waits")
async def list_queues(
    who: Principal = Depends(hall_principal), hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime)
) -> list[dict[str, Any]]:
    return views.queue_summaries(rt.store.view(hall.id), rt.now())


@router.get("/windows", response_model=list[WindowReply], summary="Every window: status, queues, staff, current ticket")
async def list_windows(
    who: Principal = Depends(hall_principal), hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime)
) -> list[dict[str, Any]]:
    state = rt.store.view(hall.id)
    return [views.window_view(state, w) for w in state.windows.values()]


@router.get("/windows/{window}", response_model=WindowDetailReply, summary="One window")
async def get_window(
    window: str,
    who: Principal = Depends(hall_principal),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    window_exists(hall, window)
    state = rt.store.view(hall.id)
    body = views.window_view(state, state.windows[window])
    current = views.current_of(state, state.windows[window])
    body["current_ticket"] = ticket_json(rt, hall.id, current) if current else None
    return body


@router.get("/windows/{window}/waiting", response_model=WaitingReply, summary="The tickets this window would call, in order")
async def window_waiting(
    window: str,
    limit: int = Query(default=100, ge=1, le=1000),
    who: Principal = Depends(hall_principal),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    window_exists(hall, window)
    state = rt.store.view(hall.id)
    now = rt.now()
    ordered, total = views.waiting_page(state, state.windows[window], now, limit)
    return {
        "window": window,
        "total": total,
        "tickets": [_waiting_entry(state, t, now) for t in ordered],
    }


def _waiting_entry(state: Any, ticket: Any, now: Any) -> dict[str, Any]:
    item = state.hall.item(ticket.item_code) if ticket.item_code else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "queue": ticket.queue,
        "channel": ticket.channel,
        "priority": views.priority_label(ticket, now),
        "issued_at": ticket.issued_at.isoformat(),
        "item_name": item.name if item else None,
        "requeued": ticket.hold_until_calls is not None,
        "transferred_to_window": ticket.target_window,
        "holder": ticket.holder_masked,
    }


def item_json(item: Item, hall: Hall) -> dict[str, Any]:
    queue = hall.queue(item.queue)
    return {
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "queue": item.queue,
        "queue_name": queue.name if queue else item.queue,
        "guide": item.guide.model_dump(mode="json"),
    }


@router.get("/items", response_model=list[ItemReply], summary="Items (政务服务事项) with their guides; search by name")
async def list_items(
    q: str | None = Query(default=None, max_length=50, description="part of the item's name or code"),
    queue: str | None = Query(default=None, max_length=8),
    who: Principal = Depends(hall_principal),
    hall: Hall = Depends(the_hall),
) -> list[dict[str, Any]]:
    items = hall.items
    if queue:
        items = tuple(i for i in items if i.queue == queue)
    if q:
        needle = q.strip().lower()
        items = tuple(
            i for i in items if needle in i.name.lower() or needle in i.code.lower() or needle in i.name_en.lower()
        )
    return [item_json(i, hall) for i in items]


@router.get("/items/{code}", response_model=ItemReply, summary="One item and its guide")
async def get_item(
    code: str, who: Principal = Depends(hall_principal), hall: Hall = Depends(the_hall)
) -> dict[str, Any]:
    item = hall.item(code)
    if item is None:
        raise NotFound("no such item in this hall", "没有这个事项")
    return item_json(item, hall)
