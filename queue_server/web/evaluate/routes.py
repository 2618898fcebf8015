"""The window evaluator (评价器): a page for the tablet at a window,

    /evaluate/window/{window_id}?hall=ID&token=EVALUATOR_TOKEN[&large=1]

Idle, it shows the window, the clerk signed in (name, 工号, photo placeholder). When the clerk
presses 办结 (a `ticket` event of the hall stream for this window) it asks the citizen to
evaluate that ticket: one touch for 满意 and above, reasons for a 差评, back to idle after the
hall's timeout (60 s) with nothing recorded. Static HTML, CSS and JavaScript; everything goes
through /api/v1 (docs/evaluation.md)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ..pages import asset, page

HERE = Path(__file__).parent

router = APIRouter(tags=["web"], include_in_schema=False)


@router.api_route("/evaluate/window/{window_id}", methods=["GET", "HEAD"])
async def evaluator_page(window_id: str) -> FileResponse:
    return page(HERE / "window.html")


@router.api_route("/evaluate/assets/{name}", methods=["GET", "HEAD"])
async def evaluator_asset(name: str) -> FileResponse:
    return asset(HERE / "assets", name)
