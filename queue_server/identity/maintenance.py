"""Retention: identity data is purged once it is no longer needed (a background task of the
server, and `python -m queue_server purge --config FILE`). Also records reservation no-shows."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import Connection, delete, update

from ..config import Config
from ..storage import schema as s
from . import tables as t
from .limits import record_no_shows

log = logging.getLogger("queue_server.identity")


def purge(conn: Connection, config: Config, now: dt.datetime) -> dict[str, int]:
    """Delete or blank what the retention rules say; returns counts by kind (no personal data)."""
    settings = config.server.identity
    cutoff = now - dt.timedelta(days=settings.retention_days)
    counts = {"no_shows_recorded": record_no_shows(conn, now)}
    counts["sessions"] = conn.execute(delete(t.identity_sessions).where(t.identity_sessions.c.created_at < cutoff)).rowcount
    counts["sms_codes"] = conn.execute(delete(t.identity_otps).where(t.identity_otps.c.created_at < cutoff)).rowcount
    counts["lutong_nonces"] = conn.execute(delete(t.lutong_nonces).where(t.lutong_nonces.c.expires_at < now)).rowcount
    counts["face_templates"] = conn.execute(delete(t.face_templates).where(t.face_templates.c.expires_at < now)).rowcount
    counts["reservations"] = conn.execute(
        update(s.reservations)
        .where(s.reservations.c.slot_end < cutoff)
        .where((s.reservations.c.name_enc.is_not(None)) | (s.reservations.c.phone_enc.is_not(None)))
        .values(name_enc=None, phone_enc=None)
    ).rowcount
    counts["ticket_phones"] = conn.execute(
        update(s.tickets).where(s.tickets.c.issued_at < cutoff, s.tickets.c.phone_enc.is_not(None)).values(phone_enc=None)
    ).rowcount
    for hall in config.halls:
        keep_from = now - dt.timedelta(days=max(hall.identification.no_show_window_days, settings.retention_days))
        counts["no_shows"] = counts.get("no_shows", 0) + conn.execute(
            delete(t.no_shows).where(t.no_shows.c.hall_id == hall.id, t.no_shows.c.slot_end < keep_from)
        ).rowcount
    known = [h.id for h in config.halls]
    counts["no_shows"] += conn.execute(delete(t.no_shows).where(t.no_shows.c.hall_id.not_in(known))).rowcount
    return counts


async def run_periodically(rt) -> None:  # type: ignore[no-untyped-def]
    """The server's background duty: purge at start, then every purge_interval_s."""
    interval = rt.config.server.identity.purge_interval_s
    while True:
        try:
            counts = await rt.write(lambda tx: purge(tx.conn, rt.config, rt.now()))
            if any(counts.values()):
                log.info("identity retention: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
        except Exception:
            log.exception("identity purge failed; trying again later")
        await asyncio.sleep(interval)
