"""Web versions of the hall screen (综合屏) and the window screen (窗口屏), for TV boxes that only
have a browser:

    /screen/hall?hall=ID&token=DISPLAY_TOKEN[&voice=1][&page_s=8][&highlight_s=6]
    /screen/window/{window_id}?hall=ID&token=DISPLAY_TOKEN[&voice=1]

The pages are static (HTML, CSS, JavaScript; no build step, nothing from outside the server) and
live on the hall stream WebSocket (CONTRACT §7), reconnecting with `since`. The token is checked
by the stream, and the page says so on screen when it is refused."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ..pages import asset, page

HERE = Path(__file__).parent

router = APIRouter(tags=["web"], include_in_schema=False)


@router.api_route("/screen/hall", methods=["GET", "HEAD"])
async def hall_screen() -> FileResponse:
    return page(HERE / "hall.html")


@router.api_route("/screen/window/{window_id}", methods=["GET", "HEAD"])
async def window_screen(window_id: str) -> FileResponse:
    return page(HERE / "window.html")


@router.api_route("/screen/assets/{name}", methods=["GET", "HEAD"])
async def screen_asset(name: str) -> FileResponse:
    return asset(HERE / "assets", name)
