"""Serves the staff console: GET /staff (the page) and GET /staff/assets/<file> (its CSS and
JavaScript). The page is plain HTML, CSS and JavaScript with no build step and nothing fetched
from outside the server; everything it does goes through the public /api/v1 routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from ..pages import asset, page

HERE = Path(__file__).parent

router = APIRouter(tags=["web"], include_in_schema=False)


@router.api_route("/staff", methods=["GET", "HEAD"])
async def staff_page() -> FileResponse:
    return page(HERE / "index.html")


@router.get("/staff/")
async def staff_page_slash() -> RedirectResponse:
    return RedirectResponse("/staff", status_code=308)


@router.api_route("/staff/assets/{name}", methods=["GET", "HEAD"])
async def staff_asset(name: str) -> FileResponse:
    return asset(HERE / "assets", name)
