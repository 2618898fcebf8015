"""Named refusals of the core. Each carries an English and a Chinese message; the HTTP layer maps
the kind to a status code (NotFound 404, Invalid 422, Conflict 409)."""

from __future__ import annotations

from hall_common.vocabulary import ErrorCode


class CoreError(Exception):
    status = 400
    code: str = ErrorCode.ERROR

    def __init__(self, message: str, message_zh: str = "", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
        if code:
            self.code = code


class NotFound(CoreError):
    status = 404
    code = ErrorCode.NOT_FOUND


class Invalid(CoreError):
    status = 422
    code = ErrorCode.INVALID


class Conflict(CoreError):
    status = 409
    code = ErrorCode.CONFLICT


class TooManyRequests(CoreError):
    """429 with Retry-After: the caller may try again after that many seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, message_zh: str, *, code: str, retry_after_s: int):
        super().__init__(message, message_zh, code=code)
        self.retry_after_s = retry_after_s
        self.headers = {"Retry-After": str(retry_after_s)}
