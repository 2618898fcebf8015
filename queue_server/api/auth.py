"""Staff login and logout."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from ..services import tickets as ticket_service
from ..services.principals import Principal
from .deps import principal, runtime, tokens
from .lockouts import client_address
from .lockouts import router as lockouts_router
from .replies import ERRORS, LoginReply, MeReply, OkReply
from .schemas import LoginRequest

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=ERRORS)
router.include_router(lockouts_router)  # GET /lockouts, POST /lockouts/lift (manager)


@router.post("/login", response_model=LoginReply, summary="Staff login → a bearer token (12 h unless configured)")
async def login(body: LoginRequest, request: Request) -> dict[str, Any]:
    return await tokens(request).login(body.hall, body.staff_id, body.password, client_address(request))


@router.post("/logout", response_model=OkReply, summary="End this staff token and leave any window")
async def logout(request: Request, who: Principal = Depends(principal)) -> dict[str, Any]:
    if who.is_staff:
        await ticket_service.sign_out_everywhere(runtime(request), who.hall_id, who.id)
        await tokens(request).logout(who)
    return {"ok": True}


@router.get("/me", response_model=MeReply, summary="Who this token is")
async def me(request: Request, who: Principal = Depends(principal)) -> dict[str, Any]:
    hall = runtime(request).config.hall(who.hall_id)
    assert hall is not None
    windows = [w.id for w in hall.windows] if who.is_manager else list(who.windows)
    return {
        "hall": {"id": hall.id, "name": hall.name},
        "kind": who.kind,
        "id": who.id,
        "name": who.name,
        "windows": windows,
    }
