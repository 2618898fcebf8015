"""The manager's window controls that the ticket service has no verb for: pausing with a reason
and signing a clerk out, each one engine decision committed once with its audit row. (Resuming
and moving a tidal window are the ticket service's own `set_paused` and `set_queues`.)"""

from __future__ import annotations

import re

from hall_common.personal_data import scrub

from ..core import engine
from ..core.errors import Conflict, Invalid
from ..core.model import StaffRef
from ..runtime import Runtime
from ..services.principals import Principal
from ..storage import repository
from ..storage.writer import WriteTx
from .live import PAUSE_ACTION, PauseInfo

REASON_MAX = 60
SIGN_OUT_ACTION = "sign_out"


def clean_reason(text: str) -> str:
    """One line of at most REASON_MAX characters; what looks like a phone or identity number is
    masked (a reason is shown on the console and kept in the audit log)."""
    reason = re.sub(r"\s+", " ", text or "").strip()
    if not reason:
        raise Invalid("a pause needs a reason", "请选择或填写暂停原因")
    if len(reason) > REASON_MAX:
        raise Invalid(f"a reason has at most {REASON_MAX} characters", f"暂停原因不能超过 {REASON_MAX} 个字")
    return scrub(reason)


async def pause(rt: Runtime, hall_id: str, window_id: str, reason: str, principal: Principal) -> PauseInfo:
    reason = clean_reason(reason)

    def job(tx: WriteTx) -> PauseInfo:
        now = rt.now()
        state = tx.hall(hall_id)
        window = state.windows[window_id]
        if window.staff is None:
            raise Conflict(f"nobody works at window {window_id}", "该窗口无人签到，无需暂停", code="window_closed")
        if window.paused:
            raise Conflict(f"window {window_id} is paused already", "该窗口已暂停", code="window_paused")
        tx.commit_change(hall_id, engine.set_paused(state, window_id, True, now))
        repository.audit(tx.conn, hall_id, now, principal.label, PAUSE_ACTION, f"window:{window_id}", {"reason": reason})
        return PauseInfo(now, reason, principal.label)

    return await rt.write(job)


async def sign_out(rt: Runtime, hall_id: str, window_id: str, principal: Principal) -> StaffRef:
    """Sign whoever works at the window out of it (their login stays valid: they may sign in
    again, here or elsewhere). The ticket at the window, if any, stays there."""

    def job(tx: WriteTx) -> StaffRef:
        now = rt.now()
        state = tx.hall(hall_id)
        staff = state.windows[window_id].staff
        if staff is None:
            raise Conflict(f"nobody works at window {window_id}", "该窗口无人签到", code="window_closed")
        tx.commit_change(hall_id, engine.sign_out(state, window_id, now, staff.id))
        detail = {"staff": staff.id, "name": staff.name}
        repository.audit(tx.conn, hall_id, now, principal.label, SIGN_OUT_ACTION, f"window:{window_id}", detail)
        return staff

    return await rt.write(job)
