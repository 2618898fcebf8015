"""Device health reports (kiosks, displays) and the managers' view of them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from hall_common.vocabulary import DeviceKind, Role

from ..config import Hall
from ..runtime import Runtime
from ..services import devices as device_service
from ..services.principals import Principal
from .deps import get_runtime, require, the_hall
from .replies import ERRORS, DeviceReply, HealthReply
from .schemas import HealthReport

router = APIRouter(prefix="/api/v1/halls/{hall}/devices", tags=["devices"], responses=ERRORS)


@router.post("/health", response_model=HealthReply, summary="Report this device's health (kiosk, display)")
async def report_health(
    who: Principal = Depends(require(DeviceKind.KIOSK, DeviceKind.DISPLAY)),
    hall: Hall = Depends(the_hall),
    body: HealthReport = Body(),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    components = [c.model_dump() for c in body.components]
    return await device_service.report(rt, who, components, body.app)


@router.get("", response_model=list[DeviceReply], summary="Every device of the hall and its last report (manager)")
async def list_devices(
    who: Principal = Depends(require(Role.MANAGER)),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> list[dict[str, Any]]:
    return await device_service.list_devices(rt, hall.id)
