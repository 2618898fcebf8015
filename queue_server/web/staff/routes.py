"""Serves the staff console: GET /staff (the page) and GET /staff/assets/<file> (its CSS and
JavaScript). The page is plain HTML, CSS and JavaScript with no build step and nothing fetched
from outside the server; everything it does goes through the public /api/v1 routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from ...core.errors import NotFound

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Only this server: no inline scripts, no outside fonts or scripts, never inside a frame.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time, so a hall's PCs pick up a new version at the next reload.
    "Cache-Control": "no-cache",
}

router = APIRouter(tags=["web"], include_in_schema=False)


@router.api_route("/staff", methods=["GET", "HEAD"])
async def staff_page() -> FileResponse:
    return FileResponse(HERE / "index.html", media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/staff/")
async def staff_page_slash() -> RedirectResponse:
    return RedirectResponse("/staff", status_code=308)


@router.api_route("/staff/assets/{name}", methods=["GET", "HEAD"])
async def staff_asset(name: str) -> FileResponse:
    path = ASSETS / name
    media_type = MEDIA_TYPES.get(path.suffix)
    # Only plain file names of known kinds inside assets/: nothing else can be reached.
    if media_type is None or path.name != name or not path.is_file():
        raise NotFound(f"no asset {name!r}", "没有这个文件")
    return FileResponse(path, media_type=media_type, headers=SECURITY_HEADERS)
