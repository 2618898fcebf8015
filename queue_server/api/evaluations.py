"""好差评 routes (docs/evaluation.md): evaluating a served ticket from the window's evaluator, a
kiosk or a phone; what the staff console and the evaluator show; 差评 cases; the manager's
figures; the provincial upload's state and dead letters. Thin: the work is in
queue_server/evaluation/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from hall_common.vocabulary import DeviceKind, EvaluationChannel, Role

from ..config import Hall
from ..core.errors import Invalid
from ..evaluation import cases as case_service
from ..evaluation import service, upload
from ..runtime import Runtime
from ..services.auth import Forbidden, Unauthorized
from ..services.principals import Principal
from .deps import bearer, get_runtime, require, the_hall, tokens, window_exists
from .evaluation_models import (
    CaseActionRequest,
    CaseDetailReply,
    CaseReply,
    EvaluatedReply,
    EvaluationReply,
    EvaluationRequest,
    EvaluationTicketReply,
    FiguresReply,
    ResendReply,
    UploadsReply,
    WindowEvaluatorReply,
)
from .replies import ERRORS

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["evaluations"], responses=ERRORS, lifespan=upload.lifespan)

STAFF = (Role.STAFF, Role.MANAGER)


async def maybe_principal(
    request: Request, hall: str, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal | None:
    """A token is optional here (a phone has none, only the slip's secret); one that is given
    must be valid and of this hall."""
    if credentials is None:
        return None
    found = await tokens(request).resolve(credentials.credentials)
    if found is None:
        raise Unauthorized("the token is unknown, revoked or expired", "令牌无效或已过期，请重新登录")
    if found.hall_id != hall:
        raise Forbidden("this token belongs to another hall", "该令牌不属于本服务厅")
    return found


def _channel(who: Principal | None) -> EvaluationChannel:
    if who is None:
        return EvaluationChannel.PHONE
    if who.kind == DeviceKind.EVALUATOR:
        return EvaluationChannel.WINDOW
    if who.kind == DeviceKind.KIOSK:
        return EvaluationChannel.KIOSK
    raise Forbidden("only the window's evaluator, a kiosk or the citizen's phone evaluates", "只有评价器、自助终端或市民手机可以评价")


async def _find(rt: Runtime, hall: Hall, who: Principal | None, *, ticket_id: str | None, k: str | None,
                link: str | None, number: str | None) -> service.Served:
    """A phone names its ticket by the slip's link (id and secret); a kiosk by link, number or
    id; the evaluator and staff by id."""
    if who is None and (ticket_id is None or not k):
        raise Unauthorized("a phone evaluates with the slip's link (ticket_id and k)", "请使用号票上的二维码链接评价")
    if who is not None and who.kind != DeviceKind.KIOSK and (link is not None or number is not None):
        raise Invalid("link and number are for kiosks; give ticket_id", "请提供号票")
    if [ticket_id, link, number].count(None) != 2:
        raise Invalid("give one of ticket_id, link or number", "请扫描号票二维码或输入号码")
    return await service.find(rt, hall, ticket_id=ticket_id, secret=k, number=number, link=link)


@router.get("/evaluations/ticket", response_model=EvaluationTicketReply,
            summary="The ticket an evaluation form is for: by ticket_id (+k), the slip's link, or today's number")
async def evaluation_ticket(
    ticket_id: str | None = Query(default=None, max_length=64), k: str | None = Query(default=None, max_length=64),
    link: str | None = Query(default=None, max_length=500), number: str | None = Query(default=None, max_length=12),
    who: Principal | None = Depends(maybe_principal), hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    served = await _find(rt, hall, who, ticket_id=ticket_id, k=k, link=link, number=number)
    return service.status(rt, hall, served)


@router.post("/evaluations", status_code=201, response_model=EvaluationReply,
             summary="Evaluate a served ticket (evaluator: window; kiosk; no token + k: phone)")
async def evaluate(
    body: EvaluationRequest, who: Principal | None = Depends(maybe_principal), hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    channel = _channel(who)
    served = await _find(rt, hall, who, ticket_id=body.ticket_id, k=body.k, link=body.link, number=body.number)
    source = who.label if who is not None else "phone"
    return await service.submit(rt, hall, served, channel=channel, source=source, level=body.level,
                                reasons=tuple(body.reasons), text=body.text, followup=body.followup)


@router.get("/evaluations/window/{window}", response_model=WindowEvaluatorReply,
            summary="The window evaluator's screen: who serves here, and the ticket just finished")
async def window_evaluator(
    window: str, hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime),
    who: Principal = Depends(require(DeviceKind.EVALUATOR, *STAFF)),
) -> dict[str, Any]:
    window_exists(hall, window)
    state = rt.store.view(hall.id).windows.get(window)
    served = await service.pending_at_window(rt, hall, window)
    configured = hall.window(window)
    return {
        "window": window,
        "window_name": configured.name if configured else window,
        "staff": state.staff.as_dict() if state and state.staff else None,
        "timeout_s": hall.evaluation.evaluator_timeout_s,
        "pending": service.status(rt, hall, served) if served else None,
    }


@router.get("/evaluations/evaluated", response_model=EvaluatedReply,
            summary="Staff console: whether each ticket was evaluated (first evaluation's level and channel)")
async def evaluated(
    tickets: str = Query(max_length=41 * 50, description="ticket ids, comma-separated (at most 50)"),
    hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime), who: Principal = Depends(require(*STAFF)),
) -> dict[str, Any]:
    ids = [t for t in tickets.split(",") if t]
    if not ids or len(ids) > 50 or any(len(t) > 40 for t in ids):
        raise Invalid("tickets: 1 to 50 ticket ids, comma-separated", "号票列表不正确")
    return {"tickets": await service.evaluated(rt, hall, ids)}


@router.get("/evaluations/figures", response_model=FiguresReply, response_model_by_alias=True,
            summary="好评率, 差评率, 实名差评整改率, overdue cases, median time to close; per hall, window, clerk, queue or item")
async def evaluation_figures(
    by: str = Query(default="hall", pattern="^(hall|window|clerk|queue|item)$"),
    day_from: dt.date | None = Query(default=None, alias="from"), day_to: dt.date | None = Query(default=None, alias="to"),
    hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime), who: Principal = Depends(require(Role.MANAGER)),
) -> dict[str, Any]:
    if day_from and day_to and day_to < day_from:
        raise Invalid("to is before from", "结束日期早于开始日期")
    return await case_service.hall_figures(rt, hall, by=by, day_from=day_from, day_to=day_to)


@router.get("/evaluations/uploads", response_model=UploadsReply,
            summary="The provincial upload: pending, sent, dead letters, lag")
async def uploads(
    hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime), who: Principal = Depends(require(Role.MANAGER)),
) -> dict[str, Any]:
    return await upload.overview(rt, hall)


@router.post("/evaluations/uploads/{upload_id}/resend", response_model=ResendReply, summary="Send a dead letter again")
async def resend(
    upload_id: int, hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime),
    who: Principal = Depends(require(Role.MANAGER)),
) -> dict[str, Any]:
    return await upload.resend(rt, hall, upload_id, who.label)


@router.get("/cases", response_model=list[CaseReply], summary="差评 cases: a lead's own, or all of the hall for a manager")
async def list_cases(
    state: str | None = Query(default=None, pattern="^(pending|verifying|rectifying|explained|replied|closed)$"),
    window: str | None = Query(default=None, max_length=32), overdue: bool | None = None,
    appeal: str | None = Query(default=None, pattern="^(none|requested|approved|refused)$"),
    limit: int = Query(default=200, ge=1, le=1000),
    hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime), who: Principal = Depends(require(*STAFF)),
) -> list[dict[str, Any]]:
    return await case_service.list_cases(rt, hall, who, state=state, window=window, overdue=overdue, appeal=appeal, limit=limit)


@router.get("/cases/{case_id}", response_model=CaseDetailReply, summary="One case, its evaluations and every step")
async def get_case(
    case_id: str, hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime),
    who: Principal = Depends(require(*STAFF)),
) -> dict[str, Any]:
    return await case_service.get_case(rt, hall, case_id[:40], who)


@router.post("/cases/{case_id}/actions", response_model=CaseReply, summary="A step of a case (核实, 回访, 整改, 反馈, 办结, 申诉)")
async def case_action(
    case_id: str, body: CaseActionRequest, hall: Hall = Depends(the_hall), rt: Runtime = Depends(get_runtime),
    who: Principal = Depends(require(*STAFF)),
) -> dict[str, Any]:
    return await case_service.act(rt, hall, case_id[:40], who, body.action, note=body.note, reached=body.reached,
                                  channel=body.channel, reason=body.reason)

