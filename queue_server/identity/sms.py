"""Sending SMS verification codes. The silent-call notifier's gateway (queue_server/notify,
configured by [server.sms]) is reused when present; otherwise the code is only logged, with the
phone masked (demo installations without an SMS provider)."""

from __future__ import annotations

import logging
from typing import Protocol

from hall_common.personal_data import mask_phone

log = logging.getLogger("queue_server.identity")


class CodeSender(Protocol):
    async def send(self, phone: str, text: str, message_id: str) -> None: ...


class LogSender:
    async def send(self, phone: str, text: str, message_id: str) -> None:
        log.info("sms %s (log only) to %s: %s", message_id, mask_phone(phone), text)


def sender_for(server_settings: object) -> CodeSender:
    settings = getattr(server_settings, "sms", None)
    if settings is None:
        return LogSender()
    try:
        from ..notify.gateways import gateway_for
    except ImportError:
        return LogSender()
    return gateway_for(settings)
