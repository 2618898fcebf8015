"""Authentication and permission, in the contract's order: 401, then 403, then 404."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from hall_common.vocabulary import Role

from ..config import Hall
from ..core.errors import NotFound
from ..runtime import Runtime
from ..services.auth import Forbidden, TokenIndex, Unauthorized
from ..services.principals import Principal

bearer = HTTPBearer(auto_error=False, description="A device token or a staff token from /auth/login")


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_runtime(request: Request) -> Runtime:
    # Dependencies are async: FastAPI runs plain `def` ones in a thread pool, which costs more
    # than all they do.
    return request.app.state.runtime


def tokens(request: Request) -> TokenIndex:
    return request.app.state.tokens


async def principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("an Authorization: Bearer token is needed", "需要登录或设备令牌")
    found = await tokens(request).resolve(credentials.credentials)
    if found is None:
        raise Unauthorized("the token is unknown, revoked or expired", "令牌无效或已过期，请重新登录")
    return found


async def allowed_principal(tokens: TokenIndex, authorization: str | None, hall: str, *kinds: str) -> Principal | None:
    """For lean routes: the principal of an `Authorization` header when every check above would
    pass (a bearer token that resolves, of this hall, of one of `kinds`); None otherwise, and the
    route's standard handling then gives the usual answer (401 or 403)."""
    scheme, token = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer" or not token:
        return None
    found = await tokens.resolve(token)
    if found is None or found.hall_id != hall or found.kind not in kinds:
        return None
    return found


async def hall_principal(hall: str, who: Principal = Depends(principal)) -> Principal:
    """Any token of the hall; a token of another hall is refused (403) before the hall is looked up."""
    if who.hall_id != hall:
        raise Forbidden("this token belongs to another hall", "该令牌不属于本服务厅")
    return who


async def the_hall(request: Request, hall: str) -> Hall:
    found = runtime(request).config.hall(hall)
    if found is None:
        raise NotFound(f"no hall {hall!r}", "没有这个服务厅")
    return found


def require(*kinds: str):  # noqa: ANN201 - returns a dependency
    async def check(who: Principal = Depends(hall_principal)) -> Principal:
        if who.kind not in kinds:
            raise Forbidden(f"a {who.kind} token cannot do this (needs {' or '.join(kinds)})", "无权执行此操作")
        return who

    return check


def at_window(who: Principal, window_id: str) -> None:
    """Staff act only at their windows; managers at every window of their hall."""
    if who.is_manager:
        return
    if not who.is_staff:
        raise Forbidden("only staff act at windows", "只有窗口工作人员可以操作")
    if window_id not in who.windows:
        raise Forbidden(f"staff {who.id} does not work at window {window_id}", "您不在该窗口工作")


def window_exists(hall: Hall, window_id: str) -> None:
    if hall.window(window_id) is None:
        raise NotFound(f"no window {window_id!r} in this hall", f"本厅没有窗口 {window_id}")


async def window_actor(window: str, who: Principal = Depends(require(Role.STAFF, Role.MANAGER))) -> Principal:
    at_window(who, window)
    return who


async def existing_window(window: str, hall: Hall = Depends(the_hall)) -> str:
    window_exists(hall, window)
    return window
