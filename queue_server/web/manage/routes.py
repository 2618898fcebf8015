"""Serves the manager's console: GET /manage?hall=ID (the page) and /manage/assets/<file>. The page
is plain HTML, CSS and JavaScript (no build step, nothing from outside the server); it logs in by
itself and everything it shows comes from manager-only routes (/api/v1/halls/{hall}/manage/…).

Without a token the page is its own login form. Asked for with a bearer token, the page (and its
assets) is served only to a manager of the hall (`?hall=`): any other token gets 403, an unknown
one 401 — the same answers as the API's."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.security.utils import get_authorization_scheme_param

from ...services.auth import Forbidden, Unauthorized
from ..pages import asset, page

HERE = Path(__file__).parent

router = APIRouter(tags=["web"], include_in_schema=False)


async def _only_managers(request: Request, hall: str | None) -> None:
    header = request.headers.get("authorization")
    if not header:
        return
    scheme, token = get_authorization_scheme_param(header)
    who = await request.app.state.tokens.resolve(token) if scheme.lower() == "bearer" and token else None
    if who is None:
        raise Unauthorized("the token is unknown, revoked or expired", "令牌无效或已过期，请重新登录")
    if who.kind != "manager" or (hall is not None and who.hall_id != hall):
        raise Forbidden("the console is for the hall's managers only", "管理控制台仅限本厅管理人员使用")


@router.api_route("/manage", methods=["GET", "HEAD"])
async def manage_page(request: Request, hall: str | None = None) -> FileResponse:
    await _only_managers(request, hall)
    return page(HERE / "index.html")


@router.get("/manage/")
async def manage_page_slash(request: Request) -> RedirectResponse:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse("/manage" + query, status_code=308)


@router.api_route("/manage/assets/{name}", methods=["GET", "HEAD"])
async def manage_asset(request: Request, name: str, hall: str | None = None) -> FileResponse:
    await _only_managers(request, hall)
    return asset(HERE / "assets", name)


@router.api_route("/manage/assets/vendor/{name}", methods=["GET", "HEAD"])
async def manage_vendor_asset(request: Request, name: str, hall: str | None = None) -> FileResponse:
    """Third-party files shipped with the page (Chart.js 4, MIT: vendor/chart.js-LICENSE.md)."""
    await _only_managers(request, hall)
    return asset(HERE / "assets" / "vendor", name, {"Cache-Control": "max-age=86400"})
