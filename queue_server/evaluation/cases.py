"""差评 cases: listing, one case with its history (the audit rows), a step of the case (one writer
job: the core's decision, the case row, its audit row, the upload record when it is final), and
the manager's figures."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, select, update

from hall_common.vocabulary import AppealState, CaseState

from ..config import Hall
from ..core import evaluation as core
from ..core.errors import NotFound
from ..core.evaluation_figures import CaseRow, EvaluationRow, figures
from ..runtime import Runtime
from ..services.principals import Principal
from ..storage import repository
from ..storage import schema as s
from ..storage.writer import WriteTx
from . import records
from .service import evaluation_json, published
from .tables import evaluation_cases, evaluations

GROUPS = ("hall", "window", "clerk", "queue", "item")


def case_json(row: Any, now: dt.datetime) -> dict[str, Any]:
    state = CaseState(row.state)
    return {
        "id": row.id,
        "ticket_id": row.ticket_id,
        "evaluation_id": row.evaluation_id,
        "number": row.number,
        "level": row.level,
        "level_name": core.level_name(row.level),
        "real_name": row.real_name,
        "queue": row.queue,
        "item_code": row.item_code,
        "window": row.window,
        "clerk_id": row.clerk_id,
        "lead": row.lead,
        "state": state.value,
        "state_name": core.STATE_NAMES[state][0],
        "appeal": row.appeal,
        "appealed_by": row.appealed_by,
        "opened_at": row.opened_at.isoformat(),
        "deadline": row.deadline.isoformat(),
        "overdue": state is not CaseState.CLOSED and now > row.deadline,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "result": row.result,
    }


def _visible(principal: Principal) -> Any:
    """Managers see every case of the hall; a lead the cases assigned to them."""
    c = evaluation_cases
    return None if principal.is_manager else c.c.lead == principal.id


async def list_cases(
    rt: Runtime, hall: Hall, principal: Principal, *, state: str | None, window: str | None, overdue: bool | None,
    appeal: str | None, limit: int,
) -> list[dict[str, Any]]:
    now = rt.now()
    c = evaluation_cases

    def read(conn: Connection) -> list[dict[str, Any]]:
        query = select(c).where(c.c.hall_id == hall.id)
        visible = _visible(principal)
        if visible is not None:
            query = query.where(visible)
        if state:
            query = query.where(c.c.state == state)
        if window:
            query = query.where(c.c.window == window)
        if appeal:
            query = query.where(c.c.appeal == appeal)
        if overdue is not None:
            late = (c.c.state != CaseState.CLOSED.value) & (c.c.deadline < now)
            query = query.where(late if overdue else ~late)
        rows = conn.execute(query.order_by(c.c.opened_at.desc()).limit(limit))
        return [case_json(r, now) for r in rows]

    return await rt.read(read)


def _load(conn: Connection, hall: Hall, case_id: str, principal: Principal) -> Any:
    c = evaluation_cases
    query = select(c).where(c.c.hall_id == hall.id, c.c.id == case_id)
    visible = _visible(principal)
    if visible is not None:
        query = query.where(visible)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("no such case", "没有这个差评工单")
    return row


def _history(conn: Connection, hall_id: str, row: Any) -> list[dict[str, Any]]:
    a = s.audit_log
    rows = conn.execute(
        select(a).where(a.c.hall_id == hall_id, a.c.target.in_([f"case:{row.id}", f"ticket:{row.ticket_id}"]),
                        a.c.at >= row.opened_at - dt.timedelta(days=1)).order_by(a.c.id)
    )
    return [{"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "detail": r.detail}
            for r in rows if r.target.startswith("case:") or r.action == "evaluate"]


async def get_case(rt: Runtime, hall: Hall, case_id: str, principal: Principal) -> dict[str, Any]:
    now = rt.now()

    def read(conn: Connection) -> dict[str, Any]:
        row = _load(conn, hall, case_id, principal)
        ev = conn.execute(select(evaluations).where(evaluations.c.ticket_id == row.ticket_id).order_by(evaluations.c.created_at))
        view = core.CaseView(CaseState(row.state), AppealState(row.appeal), row.lead, row.appealed_by)
        actions = core.available_actions(view, core.Actor(principal.id, principal.is_manager))
        return {**case_json(row, now), "evaluations": [evaluation_json(e) for e in ev], "history": _history(conn, hall.id, row),
                "actions": actions}

    return await rt.read(read)


async def act(
    rt: Runtime, hall: Hall, case_id: str, principal: Principal, action: str, *, note: str, reached: bool | None,
    channel: str | None, reason: str | None,
) -> dict[str, Any]:
    def job(tx: WriteTx) -> dict[str, Any]:
        now = rt.now()
        row = _load(tx.conn, hall, case_id, principal)
        change = core.act_on_case(
            core.CaseView(CaseState(row.state), AppealState(row.appeal), row.lead, row.appealed_by), action,
            core.Actor(principal.id, principal.is_manager), note=note, reached=reached, channel=channel, reason=reason,
        )
        values: dict[str, Any] = {"state": change.state.value, "appeal": change.appeal.value,
                                  "appealed_by": change.appealed_by, "updated_at": now}
        if action in ("rectify", "explain") and change.detail.get("note"):
            values["result"] = change.detail["note"]
        final = change.state is CaseState.CLOSED
        if final:
            values["closed_at"] = now
        tx.conn.execute(update(evaluation_cases).where(evaluation_cases.c.id == row.id).values(**values))
        repository.audit(tx.conn, hall.id, now, principal.label, f"case_{action}", f"case:{row.id}", change.detail)
        case = {**row._asdict(), **values}
        if final:
            records.enqueue_case(tx, hall, case, now)
        return case_json(SimpleNamespace(**case), now)

    result = await rt.write(job)
    published()
    return result


def _period(hall: Hall, day_from: dt.date | None, day_to: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(day_from, dt.time(0), hall.zone) if day_from else None
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(0), hall.zone) if day_to else None
    return start, end


async def hall_figures(
    rt: Runtime, hall: Hall, *, by: str, day_from: dt.date | None, day_to: dt.date | None,
) -> dict[str, Any]:
    """好评率, 差评率, 实名差评整改率, overdue and median time to close, for the hall and per group
    (`by`: window, clerk, queue or item) over the period (the hall's local days, inclusive)."""
    now = rt.now()
    start, end = _period(hall, day_from, day_to)

    def read(conn: Connection) -> dict[str, Any]:
        e, c = evaluations, evaluation_cases
        eq = select(e.c.ticket_id, e.c.level, e.c.real_name, e.c.kind, e.c.window, e.c.clerk_id, e.c.queue, e.c.item_code).where(e.c.hall_id == hall.id)
        cq = select(c).where(c.c.hall_id == hall.id)
        if start:
            eq, cq = eq.where(e.c.created_at >= start), cq.where(c.c.opened_at >= start)
        if end:
            eq, cq = eq.where(e.c.created_at < end), cq.where(c.c.opened_at < end)
        cases = list(conn.execute(cq))
        excluded = {r.ticket_id for r in cases if r.appeal == AppealState.APPROVED.value}
        evs = list(conn.execute(eq))
        return {"evaluations": evs, "cases": cases, "excluded": excluded}

    data = await rt.read(read)
    column = {"hall": None, "window": "window", "clerk": "clerk_id", "queue": "queue", "item": "item_code"}[by]
    groups: dict[str | None, tuple[list[EvaluationRow], list[CaseRow]]] = {}
    for r in data["evaluations"]:
        key = getattr(r, column) if column else hall.id
        groups.setdefault(key, ([], []))[0].append(
            EvaluationRow(level=r.level, real_name=r.real_name, excluded=r.ticket_id in data["excluded"], first=r.kind == "first"))
    for r in data["cases"]:
        key = getattr(r, column) if column else hall.id
        groups.setdefault(key, ([], []))[1].append(CaseRow(
            state=CaseState(r.state), real_name=r.real_name, excluded=r.appeal == AppealState.APPROVED.value,
            opened_at=r.opened_at, deadline=r.deadline, closed_at=r.closed_at))
    all_evs = [row for evs, _ in groups.values() for row in evs]
    all_cases = [row for _, cs in groups.values() for row in cs]
    return {
        "hall": hall.id,
        "from": day_from.isoformat() if day_from else None,
        "to": day_to.isoformat() if day_to else None,
        "by": by,
        "total": figures(all_evs, all_cases, now).as_dict(),
        "groups": [{"key": key, **figures(evs, cs, now).as_dict()} for key, (evs, cs) in sorted(groups.items(), key=lambda kv: str(kv[0]))],
    }
