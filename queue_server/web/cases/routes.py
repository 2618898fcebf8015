"""The 差评整改 page for department leads and managers: GET /cases?hall=ID. Log in with a staff
account; a lead sees the cases assigned to them, a manager every case of the hall, the figures
and the provincial upload (lag, dead letters to resend). Static HTML, CSS and JavaScript over
/api/v1 (docs/evaluation.md); Chinese first, English on a tap."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ..pages import asset, page

HERE = Path(__file__).parent

router = APIRouter(tags=["web"], include_in_schema=False)


@router.api_route("/cases", methods=["GET", "HEAD"])
async def cases_page() -> FileResponse:
    return page(HERE / "index.html")


@router.api_route("/cases/assets/{name}", methods=["GET", "HEAD"])
async def cases_asset(name: str) -> FileResponse:
    return asset(HERE / "assets", name)
