"""Issuing tickets (every ticket is made by `issue_in`: walk-in, identified, checked-in), calling
them and the staff actions, plus windows (pause, tidal, sign-in)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from hall_common.vocabulary import IDENTIFIED_CHANNELS, Channel, ErrorCode

from ..config import Hall
from ..core import engine, views
from ..core.errors import Invalid, NotFound
from ..core.model import Ticket, TicketStatus
from ..identity import identified_ticket
from ..identity.green_channel import green_for
from ..identity.ticket_holder import TicketHolder
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


@dataclasses.dataclass(frozen=True, slots=True)
class Slot:
    """The reservation a checked-in ticket comes from: its class applies from the slot's start."""

    reservation_id: str
    start: dt.datetime
    end: dt.datetime


def issue_in(
    tx: WriteTx,
    hall_id: str,
    now: dt.datetime,
    *,
    queue: str,
    channel: str,
    holder: TicketHolder,
    item_code: str | None = None,
    slot: Slot | None = None,
    ticket_id: str | None = None,
) -> engine.Change:
    """The one place a ticket is made, inside the caller's writer job: the engine decides (number,
    rank, opening hours, the queue's limit), the change commits with the job and is published after
    it. A reservation's check-in (`slot`) works at any hour of its day."""
    request = engine.IssueRequest(
        ticket_id=ticket_id or new_ticket_id(),
        queue=queue,
        channel=channel,
        item_code=item_code,
        green=holder.green_reason is not None,
        green_reason=holder.green_reason,
        phone_hash=holder.phone_hash,
        phone_masked=holder.phone_masked,
        holder_masked=holder.holder_masked,
        identity_hash=holder.identity_hash,
        reservation_id=slot.reservation_id if slot else None,
        slot_start=slot.start if slot else None,
        slot_end=slot.end if slot else None,
        ignore_hours=slot is not None,
    )
    change = engine.issue(tx.hall(hall_id), request, now)
    tx.commit_change(hall_id, change, phone_enc={request.ticket_id: holder.phone_enc} if holder.phone_enc else None)
    return change


def _known_queue(hall: Hall, queue: str) -> None:
    if hall.queue(queue) is None:
        raise NotFound(f"no queue {queue!r} in this hall", f"本厅没有业务类别 {queue}")


def _not_reservation(channel: str) -> None:
    if channel == Channel.RESERVATION:
        raise Invalid("reservation tickets come from POST …/reservations/check-in", "预约请到“预约签到”办理")


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
    """A ticket without an identity: (the ticket, how many waited ahead of it when it was issued)."""
    hall = rt.config.hall(hall_id)
    assert hall is not None
    _known_queue(hall, queue)
    if channel in IDENTIFIED_CHANNELS or queue in hall.identification.required_queues:
        raise Invalid(
            f"channel {channel} and queue {queue} need an identity session (POST …/identify)",
            "请先核验身份（鲁通码、身份证、社保卡、人脸或手机号）再取号",
            code=ErrorCode.IDENTITY_REQUIRED,
        )
    _not_reservation(channel)
    # Sealed here, not in the writer's job: the writer is the one thread every ticket waits for.
    holder = TicketHolder(green_reason=green_for(hall, green, identified=False)).with_phone(rt.keys, phone)

    def job(tx: WriteTx) -> tuple[Ticket, int | None]:
        change = issue_in(tx, hall_id, rt.now(), queue=queue, channel=channel, holder=holder, item_code=item_code)
        return change.result, change.ahead

    return await rt.write(job)


async def issue_identified(
    rt: Runtime,
    hall_id: str,
    *,
    queue: str,
    channel: str,
    identity: str,
    item_code: str | None = None,
    green: bool = False,
    phone: str | None = None,
) -> tuple[Ticket, bool]:
    """A ticket for the person of an identity session, which it uses up: (the ticket, created).
    A person already waiting in the queue gets that ticket again (created False: a reprint)."""
    hall = rt.config.hall(hall_id)
    assert hall is not None
    _known_queue(hall, queue)
    _not_reservation(channel)
    ticket_id = new_ticket_id()

    def job(tx: WriteTx) -> tuple[Ticket, bool]:
        now = rt.now()
        resolved = identified_ticket.resolve(
            tx, hall, identity, now, queue=queue, green=green, used_for=f"ticket:{ticket_id}"
        )
        if isinstance(resolved, Ticket):
            return resolved, False
        holder = resolved.with_phone(rt.keys, phone)
        change = issue_in(tx, hall_id, now, queue=queue, channel=channel, holder=holder, item_code=item_code, ticket_id=ticket_id)
        return change.result, True

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
        acted: Ticket = change.result
        return acted

    return await rt.write(job)


async def call_next(rt: Runtime, hall_id: str, window_id: str, principal: Principal) -> Ticket | None:
    def job(tx: WriteTx) -> Ticket | None:
        state = tx.hall(hall_id)
        change = engine.call_next(state, window_id, rt.now(), principal.staff_ref)
        tx.commit_change(hall_id, change)
        called: Ticket | None = change.result
        return called

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
