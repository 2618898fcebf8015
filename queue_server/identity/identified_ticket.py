"""What an identity session gives the ticket it is used for, decided inside the issuing job
(services/tickets.py makes the ticket; this only resolves the person and applies their limits)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..config import Hall
from ..core.model import Ticket
from ..core.numbering import service_day
from ..storage.writer import WriteTx
from . import green_channel, limits
from .sessions import consume
from .ticket_holder import TicketHolder


def resolve(
    tx: WriteTx, hall: Hall, identity: str, now: dt.datetime, *, queue: str, green: bool, used_for: str
) -> TicketHolder | Ticket:
    """Uses up the identity session and applies the per-person limits. Returns the holder of the
    new ticket, or the ticket this person already waits with in `queue` (one per person and queue:
    the kiosk prints it again)."""
    session = consume(tx.conn, hall.id, identity, now, used_for)
    waiting = limits.existing_waiting(tx.hall(hall.id), session, queue)
    if waiting is not None:
        return waiting
    limits.check_daily_cap(tx.conn, hall, session, service_day(now, hall.zone))
    reason = green_channel.green_for(hall, green, identified=True, automatic=session.holder.green_reason)
    return dataclasses.replace(session.holder, green_reason=reason)
