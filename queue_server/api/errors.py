"""Every error is JSON with a code and a human-readable message (English and Chinese), and never
echoes what the caller sent (it may hold personal data)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hall_common.vocabulary import ErrorCode

from ..core.errors import CoreError
from ..storage.writer import StorageUnavailable

log = logging.getLogger("queue_server.api")

_HTTP_ZH = {
    401: "请先登录或提供有效的令牌",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持的请求方式",
    409: "当前状态下不能执行此操作",
    422: "请求内容不正确",
    429: "请求过于频繁，请稍后再试",
}

# Refusals by the framework itself (no route, no such method, …).
_HTTP_CODES = {
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
}


def error_body(status: int, code: str, message: str, message_zh: str | None = None, **extra: object) -> dict:
    return {"code": code, "message": message, "message_zh": message_zh or _HTTP_ZH.get(status, "请求失败"), **extra}


def _describe_validation(exc: RequestValidationError) -> tuple[str, str | None, list[dict]]:
    """The English message (the first problem), the Chinese one when it can say more than "请求
    内容不正确" (fields the server does not know: all of them named), and every problem."""
    details = []
    unknown = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if p != "body"]
        field = ".".join(loc)
        if error.get("type") == "extra_forbidden":
            unknown.append(field)
            details.append({"field": field, "problem": "unknown field: the server does not take it"})
        else:
            details.append({"field": field, "problem": error.get("msg", "invalid")})
    if unknown:
        names = ", ".join(unknown)
        return f"unknown field(s), nothing was done: {names}", f"请求中有无法识别的字段（未作任何处理）：{names}", details
    first = details[0] if details else {"field": "", "problem": "invalid request"}
    message = f"{first['field']}: {first['problem']}" if first["field"] else first["problem"]
    return message, None, details


def install(app: FastAPI) -> None:
    @app.exception_handler(CoreError)
    async def core_error(_request: Request, exc: CoreError) -> JSONResponse:
        headers = getattr(exc, "headers", None)  # e.g. Retry-After on a 429
        return JSONResponse(
            error_body(exc.status, exc.code, exc.message, exc.message_zh), status_code=exc.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        message, message_zh, details = _describe_validation(exc)
        return JSONResponse(error_body(422, ErrorCode.INVALID, message, message_zh, errors=details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.ERROR)
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse(
            error_body(exc.status_code, code, message), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(StorageUnavailable)
    async def storage_error(_request: Request, exc: StorageUnavailable) -> JSONResponse:
        return JSONResponse(
            error_body(503, ErrorCode.STORAGE_UNAVAILABLE, str(exc), "系统暂时无法保存，请稍后再试"), status_code=503
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", exc.__class__.__name__, exc_info=exc)
        return JSONResponse(error_body(500, ErrorCode.INTERNAL, "internal error", "系统错误，请稍后再试"), status_code=500)
