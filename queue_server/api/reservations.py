"""Reservations (integration) and check-in (kiosk)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from hall_common.vocabulary import DeviceKind, Role

from ..config import Hall
from ..core.numbering import service_day
from ..runtime import Runtime
from ..services import reservations as reservation_service
from ..services.principals import Principal
from ..services.tickets import ticket_json
from .deps import get_runtime, require, the_hall
from .replies import ERRORS, ReservationReply, TicketReply
from .schemas import CheckInRequest, ReservationRequest

router = APIRouter(prefix="/api/v1/halls/{hall}/reservations", tags=["reservations"], responses=ERRORS)


@router.post(
    "",
    status_code=201,
    response_model=ReservationReply,
    summary="Create a reservation (integration); the same external_id again returns it (200)",
    responses={200: {"model": ReservationReply, "description": "already imported: returned unchanged"}},
)
async def create_reservation(
    who: Principal = Depends(require(DeviceKind.INTEGRATION)),
    hall: Hall = Depends(the_hall),
    body: ReservationRequest = Body(),
    rt: Runtime = Depends(get_runtime),
) -> Any:
    reservation, created = await reservation_service.create(
        rt,
        hall.id,
        reservation_service.NewReservation(
            queue=body.queue,
            slot_start=body.slot_start,
            slot_end=body.slot_end,
            name=body.name,
            id_number=body.id_number,
            phone=body.phone,
            external_id=body.external_id,
        ),
    )
    return JSONResponse(reservation, status_code=201 if created else 200)


@router.post(
    "/check-in",
    status_code=201,
    response_model=TicketReply,
    summary="Check in by code or identity number (kiosk) → a reservation ticket",
    responses={200: {"model": TicketReply, "description": "already checked in: the same ticket"}},
)
async def check_in(
    who: Principal = Depends(require(DeviceKind.KIOSK)),
    hall: Hall = Depends(the_hall),
    body: CheckInRequest = Body(),
    rt: Runtime = Depends(get_runtime),
) -> Any:
    ticket, created = await reservation_service.check_in(
        rt, hall.id, code=body.code, id_number=body.id_number, identity=body.identity
    )
    return JSONResponse(ticket_json(rt, hall.id, ticket), status_code=201 if created else 200)


@router.get("", response_model=list[ReservationReply], summary="A day's reservations, masked (manager, integration)")
async def list_reservations(
    day: dt.date | None = Query(default=None, description="YYYY-MM-DD; today by default"),
    who: Principal = Depends(require(Role.MANAGER, DeviceKind.INTEGRATION)),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> list[dict[str, Any]]:
    return await reservation_service.list_for_day(rt, hall.id, day or service_day(rt.now(), hall.zone))


@router.get("/{reservation_id}", response_model=ReservationReply, summary="One reservation, masked (integration, manager)")
async def get_reservation(
    reservation_id: str,
    who: Principal = Depends(require(DeviceKind.INTEGRATION, Role.MANAGER)),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    return await reservation_service.get(rt, hall.id, reservation_id)


@router.delete("/{reservation_id}", response_model=ReservationReply, summary="Cancel a reservation (integration); checked-in: 409")
async def cancel_reservation(
    reservation_id: str,
    who: Principal = Depends(require(DeviceKind.INTEGRATION)),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    return await reservation_service.cancel(rt, hall.id, reservation_id)
