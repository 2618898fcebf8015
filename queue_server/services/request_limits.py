"""Applies the request-rate limits (security/request_limits.py): a device's issuing and
identification, audited once when a device starts being refused; the public tracking routes by
client address, logged (they belong to no hall until the ticket is found)."""

from __future__ import annotations

import logging

from ..config import Hall
from ..runtime import Runtime
from ..security.request_limits import Limited, Refusal
from ..storage import repository
from ..storage.writer import WriteTx
from .principals import Principal

log = logging.getLogger("queue_server.limits")


async def limit_device(rt: Runtime, what: Limited, hall: Hall, who: Principal) -> None:
    """Raises 429 `rate_limited` when this device is beyond its rate for `what`."""
    device = next((d for d in hall.devices if d.id == who.id), None)
    rate = None
    if device is not None:
        rate = device.issue_rate if what is Limited.ISSUE else device.identify_rate
    refusal = rt.request_limits.take(what, f"{hall.id}/{who.id}", rate)
    if refusal is None:
        return
    if refusal.started:
        await _audit(rt, hall, who, refusal)
    raise refusal.error()


def limit_address(rt: Runtime, what: Limited, address: str) -> None:
    refusal = rt.request_limits.take(what, address)
    if refusal is None:
        return
    if refusal.started:
        log.warning("rate limit: %s from %s beyond %d in %d s", what.value, address, refusal.rate.count, refusal.rate.per_s)
    raise refusal.error()


async def _audit(rt: Runtime, hall: Hall, who: Principal, refusal: Refusal) -> None:
    log.warning("rate limit: %s by device %s of hall %s beyond %d in %d s",
                refusal.what.value, who.id, hall.id, refusal.rate.count, refusal.rate.per_s)
    now = rt.now()

    def job(tx: WriteTx) -> None:
        repository.audit(tx.conn, hall.id, now, f"device:{who.id}", "rate_limited", f"{refusal.what.value}:{who.id}",
                         {"count": refusal.rate.count, "per_s": refusal.rate.per_s, "retry_after_s": refusal.retry_after_s})

    await rt.write(job)
