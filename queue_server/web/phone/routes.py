"""The citizen's phone page, opened from the slip's QR code: GET /t/{ticket_id}?k=SECRET.

The page follows the ticket live through the tracking WebSocket (/api/v1/track/{id}/stream?k=…)
and reconnects by itself (a server restart, a phone waking up). A wrong or missing secret, or an
unknown ticket, gets a plain "号票不存在或链接无效" page (404), the same for each."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ...api.lockouts import client_address
from ...core.errors import NotFound, TooManyRequests
from ...security.request_limits import Limited
from ...services import tracking
from ...services.request_limits import limit_address
from ..pages import HEADERS, asset, page

HERE = Path(__file__).parent

router = APIRouter(tags=["web"], include_in_schema=False)


@router.api_route("/t/sw.js", methods=["GET", "HEAD"])
async def service_worker() -> FileResponse:
    """A minimal service worker (scope /t/): phones show notifications only through one."""
    return asset(HERE / "assets", "sw.js", {"Service-Worker-Allowed": "/t/"})


@router.api_route("/t/assets/{name}", methods=["GET", "HEAD"])
async def phone_asset(name: str) -> FileResponse:
    return asset(HERE / "assets", name)


@router.api_route("/t/{ticket_id}", methods=["GET", "HEAD"])
async def phone_page(request: Request, ticket_id: str, k: str | None = None) -> Response:
    try:
        limit_address(request.app.state.runtime, Limited.TRACK, client_address(request))
    except TooManyRequests as busy:
        html = (HERE / "busy.html").read_text(encoding="utf-8")
        return HTMLResponse(html, status_code=429, headers={**HEADERS, **busy.headers})
    try:
        await tracking.find(request.app.state.runtime, ticket_id, k[:64] if k else None)
    except NotFound:
        return HTMLResponse((HERE / "invalid.html").read_text(encoding="utf-8"), status_code=404, headers=HEADERS)
    return page(HERE / "index.html")
