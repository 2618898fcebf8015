"""Where text messages go: a gateway interface, a log-only default and an HTTP adapter for an SMS
provider (configurable URL, JSON body template, headers, timeouts, retries with backoff).
Phones are masked in every log line (138****0000)."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import httpx

from hall_common.personal_data import mask_phone, scrub

from ..config import SmsSettings
from .messages import fill_body

log = logging.getLogger("queue_server.notify")


class SendFailed(Exception):
    """The gateway did not accept the message; the text is safe to log (no personal data)."""


class Gateway(Protocol):
    async def send(self, phone: str, text: str, message_id: str) -> None:
        """Deliver one message or raise SendFailed."""

    async def close(self) -> None: ...


class LogGateway:
    """The default: no provider, the message is only written to the log (phone masked)."""

    async def send(self, phone: str, text: str, message_id: str) -> None:
        log.info("sms %s (log only) to %s: %s", message_id, mask_phone(phone), text)

    async def close(self) -> None:
        return None


class HttpGateway:
    def __init__(self, settings: SmsSettings, *, sleep=asyncio.sleep):  # type: ignore[no-untyped-def]
        assert settings.url
        self.url = settings.url
        self.headers = dict(settings.headers)
        self.body_template = settings.body_template
        self.retries = settings.retries
        self.backoff_s = settings.retry_backoff_s
        self._sleep = sleep
        self._client = httpx.AsyncClient(timeout=settings.timeout_s, follow_redirects=False, trust_env=False)

    async def send(self, phone: str, text: str, message_id: str) -> None:
        body = fill_body(self.body_template, phone, text, message_id)
        masked = mask_phone(phone)
        problem = "not tried"
        for attempt in range(1, self.retries + 2):
            try:
                response = await self._client.post(self.url, json=body, headers=self.headers)
            except httpx.TimeoutException:
                problem = "timeout"
            except httpx.HTTPError as exc:
                problem = f"connection failed ({exc.__class__.__name__})"
            else:
                if 200 <= response.status_code < 300:
                    log.info("sms %s to %s sent (attempt %d)", message_id, masked, attempt)
                    return
                problem = f"HTTP {response.status_code}"
                if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                    # The provider refused this message: sending it again will not help.
                    log.warning("sms %s to %s refused: %s", message_id, masked, problem)
                    raise SendFailed(problem)
            log.warning("sms %s to %s attempt %d failed: %s", message_id, masked, attempt, scrub(problem))
            if attempt <= self.retries:
                await self._sleep(self.backoff_s * 2 ** (attempt - 1))
        raise SendFailed(f"{problem} after {self.retries + 1} attempts")

    async def close(self) -> None:
        await self._client.aclose()


def gateway_for(settings: SmsSettings) -> Gateway:
    return HttpGateway(settings) if settings.gateway == "http" else LogGateway()
