"""The identity verbs the HTTP routes call, by name. Each lives in the module of its job:
methods.py (identify, by every method), sessions.py (identity sessions), limits.py (per-person
limits), green_channel.py, sms_codes.py, face_templates.py (enrolment and the face method), ticket_holder.py
and identified_ticket.py (what a session gives a ticket). Tickets are made by services/tickets.py alone."""

from __future__ import annotations

from ..config import Hall
from ..core.model import Ticket
from ..runtime import Runtime
from ..services import tickets
from .face_templates import enrol_face, withdraw_face
from .methods import SSCARD_DOWN_ZH, identify
from .sms_codes import send_sms_code

__all__ = ["SSCARD_DOWN_ZH", "enrol_face", "identify", "issue_identified", "send_sms_code", "withdraw_face"]


async def issue_identified(
    rt: Runtime, hall: Hall, *, queue: str, channel: str, item_code: str | None, green: bool,
    phone: str | None, identity: str,
) -> tuple[Ticket, bool]:
    """services.tickets.issue_identified, for the route that calls it here (api/tickets.py)."""
    return await tickets.issue_identified(
        rt, hall.id, queue=queue, channel=channel, identity=identity, item_code=item_code, green=green, phone=phone
    )
