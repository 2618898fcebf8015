"""Identification at kiosks (POST …/identify, …/identify/sms-code) and face templates enrolled
at windows (staff). docs/identity.md describes every method, answer and refusal."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Request
from pydantic import Field, field_validator

from hall_common.vocabulary import DeviceKind, Role

from ..config import Hall
from ..identity import maintenance, sms
from ..identity import service as identity_service
from ..runtime import Runtime
from ..security.request_limits import Limited
from ..services.principals import Principal
from ..services.request_limits import limit_device
from .deps import require, runtime, the_hall
from .replies import ERRORS, FaceTemplateReply, FaceWithdrawalReply, IdentityReply, SmsCodeReply
from .schemas import PHONE, RequestBody, _valid_id_number

IdNumber = Annotated[str, Field(min_length=1, max_length=32)]
IMAGE_MAX = 8 * 1024 * 1024


class _IdBody(RequestBody):
    @field_validator("id_number", check_fields=False)
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return None if value is None else _valid_id_number(value)


class ByLutong(RequestBody):
    method: Literal["lutong"]
    qr: str = Field(min_length=1, max_length=4096, description="the raw text of the scanned 鲁通码")


class ByIdCard(_IdBody):
    method: Literal["idcard"]
    id_number: IdNumber
    name: str = Field(min_length=1, max_length=50)
    birth_date: dt.date | None = None


class BySsCard(_IdBody):
    method: Literal["sscard"]
    card_id_code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9]+$")
    id_number: IdNumber | None = None
    name: str | None = Field(default=None, min_length=1, max_length=50)


class ByFace(_IdBody):
    method: Literal["face"]
    id_number: IdNumber
    image_b64: str = Field(min_length=16, max_length=IMAGE_MAX, description="JPEG/PNG, base64; never stored")


class BySms(RequestBody):
    method: Literal["sms"]
    phone: str = Field(pattern=PHONE)
    code: str = Field(pattern=r"^\d{6}$")


class ByIdNumber(_IdBody):
    method: Literal["id_number"]
    id_number: IdNumber


Identify = Annotated[ByLutong | ByIdCard | BySsCard | ByFace | BySms | ByIdNumber, Field(discriminator="method")]


class SmsCodeRequest(RequestBody):
    phone: str = Field(pattern=PHONE)


class FaceEnrolment(_IdBody):
    id_number: IdNumber
    name: str | None = Field(default=None, min_length=1, max_length=50)
    image_b64: str = Field(min_length=16, max_length=IMAGE_MAX)
    consent: Literal[True] = Field(description="the citizen agreed, at the window, to face pickup")


class FaceWithdrawal(_IdBody):
    id_number: IdNumber


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The SMS sender for codes and the retention duty live as long as the server."""
    rt: Runtime = app.state.runtime
    sender = sms.sender_for(rt.config.server)
    app.state.identity_sender = sender
    purge = asyncio.create_task(maintenance.run_periodically(rt))
    try:
        yield
    finally:
        purge.cancel()
        close = getattr(sender, "close", None)
        if close is not None:
            await close()


router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["identity"], lifespan=lifespan, responses=ERRORS)


@router.post("/identify", response_model=IdentityReply, summary="Identify a citizen → a single-use identity session (kiosk)")
async def identify(
    # Annotated keeps the union's discriminator (a `= Body()` default replaced it): a refusal
    # names the fields of the method sent, not of every method.
    body: Annotated[Identify, Body()],
    who: Principal = Depends(require(DeviceKind.KIOSK)),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    await limit_device(rt, Limited.IDENTIFY, hall, who)
    return await identity_service.identify(rt, hall, who, body)


@router.post("/identify/sms-code", response_model=SmsCodeReply, summary="Send a 6-digit code to a phone (kiosk)")
async def sms_code(
    request: Request,
    who: Principal = Depends(require(DeviceKind.KIOSK)),
    hall: Hall = Depends(the_hall),
    body: SmsCodeRequest = Body(),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    await limit_device(rt, Limited.IDENTIFY, hall, who)
    return await identity_service.send_sms_code(rt, hall, who, body.phone, request.app.state.identity_sender)


@router.post(
    "/identity/face-templates", status_code=201, response_model=FaceTemplateReply,
    summary="Enrol a citizen's face with consent (staff)",
)
async def enrol_face(
    who: Principal = Depends(require(Role.STAFF, Role.MANAGER)),
    hall: Hall = Depends(the_hall),
    body: FaceEnrolment = Body(),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await identity_service.enrol_face(rt, hall, who, body.id_number, body.name, body.image_b64)


@router.post("/identity/face-templates/withdraw", response_model=FaceWithdrawalReply, summary="Delete a citizen's face template (staff)")
async def withdraw_face(
    who: Principal = Depends(require(Role.STAFF, Role.MANAGER)),
    hall: Hall = Depends(the_hall),
    body: FaceWithdrawal = Body(),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await identity_service.withdraw_face(rt, hall, who, body.id_number)
