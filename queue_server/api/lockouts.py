"""Login lock-outs: a manager sees those of their hall and lifts one (audited).

Mounted under /api/v1/auth by api/auth.py."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator
from starlette.requests import HTTPConnection

from ..core.errors import NotFound
from ..services.auth import Forbidden
from ..services.principals import Principal
from .deps import principal, tokens
from .schemas import RequestBody

router = APIRouter(prefix="/lockouts")


def client_address(request: HTTPConnection) -> str:
    """The caller's address: uvicorn replaces the peer by the X-Forwarded-For address only when
    the peer is a trusted proxy (`serve --forwarded-allow-ips`), so a client cannot pick it."""
    return request.client.host if request.client else "unknown"


class LockoutView(BaseModel):
    scope: Literal["account", "address"] = Field(description="a staff account or a client address")
    key: str = Field(description="the staff id or the address")
    failures: int = Field(description="failed logins that started the lock-out")
    retry_after_s: int = Field(description="seconds until it ends by itself")


class LockoutList(BaseModel):
    lockouts: list[LockoutView]


class LiftRequest(RequestBody):
    staff_id: str | None = Field(default=None, min_length=1, max_length=32)
    address: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one(self) -> LiftRequest:
        if (self.staff_id is None) == (self.address is None):
            raise ValueError("give exactly one of staff_id or address")
        return self


class LiftResult(BaseModel):
    lifted: bool
    scope: Literal["account", "address"]
    key: str


async def manager(who: Principal = Depends(principal)) -> Principal:
    if not who.is_manager:
        raise Forbidden("only a manager can see or lift login lock-outs", "只有管理员可以查看或解除登录锁定")
    return who


@router.get("", summary="Login lock-outs in force at the manager's hall", response_model=LockoutList)
async def list_lockouts(request: Request, who: Principal = Depends(manager)) -> LockoutList:
    found = tokens(request).lockouts(who.hall_id)
    return LockoutList(
        lockouts=[
            LockoutView(scope=lo.scope, key=lo.key, failures=lo.failures, retry_after_s=lo.retry_after_s)  # type: ignore[arg-type]
            for lo in found
        ]
    )


@router.post("/lift", summary="Lift a login lock-out of an account or address (manager, audited)",
             response_model=LiftResult)
async def lift(body: LiftRequest, request: Request, who: Principal = Depends(manager)) -> LiftResult:
    lifted = await tokens(request).lift(who, staff_id=body.staff_id, address=body.address)
    scope: Literal["account", "address"] = "account" if body.staff_id is not None else "address"
    key = body.staff_id if body.staff_id is not None else body.address
    if not lifted:
        raise NotFound(f"no login lock-out in force for {scope} {key}", "该账号或地址当前没有登录锁定")
    assert key is not None
    return LiftResult(lifted=True, scope=scope, key=key)
