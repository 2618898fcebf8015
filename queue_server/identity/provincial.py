"""A provincial platform over HTTP: signed JSON requests, timeouts, retries, and answers checked
before they are believed. Used by the 鲁通码, face and social security card adapters.

Request: POST {url} with a JSON body and the headers
    X-App-Key: app_key
    X-Timestamp: unix seconds
    X-Nonce: 32 hex characters, fresh per request
    X-Signature: hex HMAC-SHA256(app_secret, canonical)
    canonical = "POST\\n{path}\\n{timestamp}\\n{nonce}\\n{hex sha256 of the body bytes}"
Answer: 200 with {"code": 0, "data": {...}} for success, or {"code": N, "message": "..."} for a
refusal the platform decided (N names the reason, see each adapter). Anything else (timeouts,
connection errors, 5xx, non-JSON, a body of the wrong shape) is the platform being unavailable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from hall_common.vocabulary import ErrorCode

from ..config import Provincial
from ..core.errors import CoreError

log = logging.getLogger("queue_server.identity")


class VerifierUnavailable(CoreError):
    """The platform did not give a usable answer: nothing was decided, nothing changed."""

    status = 503
    code = ErrorCode.VERIFIER_UNAVAILABLE


class Refused(Exception):
    """The platform answered with a non-zero code."""

    def __init__(self, code: int, message: str):
        super().__init__(f"platform code {code}")
        self.code = code
        self.message = message


def canonical(path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return f"POST\n{path}\n{timestamp}\n{nonce}\n{hashlib.sha256(body).hexdigest()}"


def sign(secret: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret.encode(), canonical(path, timestamp, nonce, body).encode(), hashlib.sha256).hexdigest()


async def call(settings: Provincial, payload: dict[str, Any], *, what: str, message_zh: str) -> dict[str, Any]:
    """The `data` object of a successful answer; Refused for a platform refusal;
    VerifierUnavailable (with `message_zh` for the citizen) when no usable answer came."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    path = urlsplit(settings.url).path or "/"
    problem = "not tried"
    async with httpx.AsyncClient(timeout=settings.timeout_s, follow_redirects=False, trust_env=False) as client:
        for attempt in range(1, settings.retries + 2):
            timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
            headers = {
                "Content-Type": "application/json",
                "X-App-Key": settings.app_key,
                "X-Timestamp": timestamp,
                "X-Nonce": nonce,
                "X-Signature": sign(settings.app_secret, path, timestamp, nonce, body),
            }
            try:
                response = await client.post(settings.url, content=body, headers=headers)
            except httpx.TimeoutException:
                problem = "timeout"
            except httpx.HTTPError as exc:
                problem = f"connection failed ({exc.__class__.__name__})"
            else:
                if response.status_code == 200:
                    answer = _answer(response)
                    if answer is None:
                        problem = "an answer of the wrong shape"
                        break  # garbage does not improve by asking again
                    code, data, message = answer
                    if code != 0:
                        raise Refused(code, message)
                    return data
                problem = f"HTTP {response.status_code}"
                if response.status_code < 500:
                    break
            log.warning("%s: attempt %d failed: %s", what, attempt, problem)
    raise VerifierUnavailable(f"{what} unavailable: {problem}", message_zh)


def _answer(response: httpx.Response) -> tuple[int, dict[str, Any], str] | None:
    try:
        parsed = response.json()
    except ValueError:
        return None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("code"), int) or isinstance(parsed.get("code"), bool):
        return None
    data = parsed.get("data")
    if parsed["code"] == 0 and not isinstance(data, dict):
        return None
    message = parsed.get("message")
    return parsed["code"], data if isinstance(data, dict) else {}, message if isinstance(message, str) else ""
