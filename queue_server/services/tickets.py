"""Issuing tickets, calling them and the staff actions, plus windows (pause, tidal, sign-in)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from hall_common.personal_data import mask_phone

from ..core import engine, views
from ..core.errors import Conflict, Invalid, NotFound
from ..core.model import Ticket, TicketStatus
from ..runtime import Runtime
from ..storage import repository
from ..storage.writer import WriteTx
from .principals import Principal


def new_ticket_id() -> str:
    return uuid.uuid4().hex


def track_path(rt: Runtime, ticket_id: str) -> str:
    return f"/api/v1/track/{ticket_id}?k={rt.keys.track_secret(ticket_id)}"


def absolute(rt: Runtime, hall_id: str, path: str) -> str:
    hall = rt.config.hall(hall_id)
    base = (hall.public_url if hall else None) or ""
    return base.rstrip("/") + path


def ticket_json(
    rt: Runtime, hall_id: str, ticket: Ticket, now: dt.datetime | None = None, *, ahead: int | None = None
) -> dict[str, Any]:
    """A ticket as every API response shows it: masked, with its position when waiting (`ahead`
    when the caller knows it, as the issuing does)."""
    now = now or rt.now()
    state = rt.store.view(hall_id)
    live = state.tickets.get(ticket.id)
    if live is not None:
        ticket = live
    if live is None or ticket.status is not TicketStatus.WAITING:
        ahead, estimate = 0, None
    elif ahead is not None:
        estimate = views.queue_estimate(state, ticket.queue, ahead)
    else:
        ahead, estimate = views.ticket_position(state, ticket, now)
    hall = state.hall
    queue = hall.queue(ticket.queue)
    window = state.windows.get(ticket.window) if ticket.window else None
    item = hall.item(ticket.item_code) if ticket.item_code else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "queue": ticket.queue,
        "queue_name": queue.name if queue else ticket.queue,
        "channel": ticket.channel,
        "status": ticket.status.value,
        "issued_at": ticket.issued_at.isoformat(),
        "service_day": ticket.service_day.isoformat(),
        "waiting_ahead": ahead,
        "estimated_wait_s": estimate,
        "track_url": absolute(rt, hall_id, track_path(rt, ticket.id)),
        "phone_url": absolute(rt, hall_id, f"/t/{ticket.id}?k={rt.keys.track_secret(ticket.id)}"),
        "window": ticket.window if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING) else None,
        "window_name": window.name
        if window and ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        else None,
        "last_window": ticket.window,
        "target_window": ticket.target_window,
        "item_code": ticket.item_code,
        "item_name": item.name if item else None,
        "priority": views.priority_label(ticket, now),
        "green": ticket.green,
        "reservation_id": ticket.reservation_id,
        "slot_start": ticket.slot_start.isoformat() if ticket.slot_start else None,
        "slot_end": ticket.slot_end.isoformat() if ticket.slot_end else None,
        "phone": ticket.phone_masked,
        "holder": ticket.holder_masked,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "recalls": ticket.recalls,
        "hall": hall_id,
        "hall_name": hall.name,
    }


async def issue(
    rt: Runtime,
    hall_id: str,
    *,
    queue: str,
    channel: str,
    item_code: str | None = None,
    green: bool = False,
    phone: str | None = None,
) -> tuple[Ticket, int | None]:
    """(the ticket, how many waited ahead of it when it was issued)."""
    hall = rt.config.hall(hall_id)
    assert hall is not None
    if hall.queue(queue) is None:
        raise NotFound(f"no queue {queue!r} in this hall", f"本厅没有业务类别 {queue}")
    if channel in ("lutong", "face", "card", "nocard") or queue in hall.identification.required_queues:
        # Identified channels and queues need an identity session (identity/service.py issues those).
        raise Invalid(
            f"channel {channel} and queue {queue} need an identity session (POST …/identify)",
            "请先核验身份（鲁通码、身份证、社保卡、人脸或手机号）再取号",
            code="identity_required",
        )
    if channel == "reservation":
        raise Invalid(
            "reservation tickets come from POST …/reservations/check-in",
            "预约请到“预约签到”办理",
        )
    if green and hall.green_policy == "identity":
        raise Conflict(
            "this hall grants the green channel only with an identity",
            "绿色通道需要先验证身份，或请工作人员协助",
            code="green_needs_identity",
        )
    phone_hash = phone_masked = phone_enc = None
    if phone:
        phone_hash = rt.keys.match_hash("phone", phone)
        phone_masked = mask_phone(phone)
        phone_enc = rt.keys.encrypt(phone)  # kept for silent-call SMS, purged with the ticket
    request = engine.IssueRequest(
        ticket_id=new_ticket_id(),
        queue=queue,
        channel=channel,
        item_code=item_code,
        green=green,
        green_reason="kiosk" if green else None,
        phone_hash=phone_hash,
        phone_masked=phone_masked,
    )

    def job(tx: WriteTx) -> tuple[Ticket, int | None]:
        state = tx.hall(hall_id)
        change = engine.issue(state, request, rt.now())
        tx.commit_change(hall_id, change, phone_enc={request.ticket_id: phone_enc} if phone_enc else None)
        return change.result, change.ahead

    return await rt.write(job)


async def find_ticket(rt: Runtime, hall_id: str, ticket_id: str) -> Ticket:
    """Live tickets from memory; finished ones from the database."""
    live = rt.store.view(hall_id).tickets.get(ticket_id)
    if live is not None:
        return live
    stored = await rt.read(lambda conn: repository.load_ticket(conn, hall_id, ticket_id))
    if stored is None:
        raise NotFound("no such ticket in this hall", "没有这张号票")
    return stored


def may_act_on(principal: Principal, state: engine.HallState, ticket: Ticket) -> bool:
    """Staff act on tickets called at their windows or waiting in their windows' queues;
    managers on any ticket of their hall."""
    if principal.is_manager:
        return True
    if not principal.is_staff:
        return False
    if ticket.window in principal.windows:
        return True
    if ticket.status is TicketStatus.WAITING:
        if ticket.target_window is not None:
            return ticket.target_window in principal.windows
        return any(
            ticket.queue in state.windows[w].queues for w in principal.windows if w in state.windows
        )
    return False


async def act(
    rt: Runtime,
    hall_id: str,
    ticket: Ticket,
    action: str,
    principal: Principal,
    *,
    to_queue: str | None = None,
    to_window: str | None = None,
    reason: str | None = None,
) -> Ticket:
    def job(tx: WriteTx) -> Ticket:
        state = tx.hall(hall_id)
        now = rt.now()
        change = engine.act(state, ticket, action, now, to_queue=to_queue, to_window=to_window, reason=reason)
        tx.commit_change(hall_id, change)
        detail: dict[str, Any] = {"number": change.result.number, "status": change.result.status.value}
        if action == "transfer":
            detail.update(queue=to_queue, window=to_window)
        if action == "confirm_green":
            detail.update(reason=reason)
        repository.audit(tx.conn, hall_id, now, principal.label, action, f"ticket:{ticket.id}", detail)
        return change.result

    return await rt.write(job)


async def call_next(rt: Runtime, hall_id: str, window_id: str, principal: Principal) -> Ticket | None:
    def job(tx: WriteTx) -> Ticket | None:
        state = tx.hall(hall_id)
        change = engine.call_next(state, window_id, rt.now(), principal.staff_ref)
        tx.commit_change(hall_id, change)
        return change.result

    return await rt.write(job)


async def set_paused(rt: Runtime, hall_id: str, window_id: str, paused: bool, principal: Principal) -> None:
    def job(tx: WriteTx) -> None:
        now = rt.now()
        change = engine.set_paused(tx.hall(hall_id), window_id, paused, now)
        tx.commit_change(hall_id, change)
        if not change.empty:
            action = "pause" if paused else "resume"
            repository.audit(tx.conn, hall_id, now, principal.label, action, f"window:{window_id}", {})

    await rt.write(job)


async def set_queues(
    rt: Runtime, hall_id: str, window_id: str, queues: list[str], policy: str | None, principal: Principal
) -> None:
    def job(tx: WriteTx) -> None:
        now = rt.now()
        change = engine.set_queues(tx.hall(hall_id), window_id, queues, now, policy)
        tx.commit_change(hall_id, change)
        if not change.empty:
            detail = {"queues": queues, "policy": policy}
            repository.audit(tx.conn, hall_id, now, principal.label, "tidal", f"window:{window_id}", detail)

    await rt.write(job)


async def sign_in(rt: Runtime, hall_id: str, window_id: str, principal: Principal) -> None:
    staff = principal.staff_ref
    assert staff is not None

    def job(tx: WriteTx) -> None:
        tx.commit_change(hall_id, engine.sign_in(tx.hall(hall_id), window_id, staff, rt.now()))

    await rt.write(job)


async def sign_out(rt: Runtime, hall_id: str, window_id: str, principal: Principal) -> None:
    # Staff sign themselves out; a manager may close any window.
    only = None if principal.is_manager else principal.id

    def job(tx: WriteTx) -> None:
        tx.commit_change(hall_id, engine.sign_out(tx.hall(hall_id), window_id, rt.now(), only))

    await rt.write(job)


async def sign_out_everywhere(rt: Runtime, hall_id: str, staff_id: str) -> None:
    def job(tx: WriteTx) -> None:
        tx.commit_change(hall_id, engine.sign_out_everywhere(tx.hall(hall_id), staff_id, rt.now()))

    await rt.write(job)


async def roll_over_all(rt: Runtime) -> None:
    """The midnight timer: each hall whose service day changed expires yesterday's tickets."""
    for hall in rt.config.halls:
        hall_id = hall.id

        def job(tx: WriteTx, hall_id: str = hall_id) -> None:
            tx.commit_change(hall_id, engine.roll_over(tx.hall(hall_id), rt.now()))

        await rt.write(job)
