"""What every web page of the server shares (staff console, manager console, screens, phone
page, evaluator, cases): security headers and serving the plain files of an `assets/` folder by
name."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

from ..core.errors import NotFound

MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Only this server: no inline scripts, no outside fonts or scripts, never inside a frame; no
# Referer, because these pages' URLs carry a display token or a ticket's secret.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # a hall's boxes pick up a new version at the next reload
}


def page(path: Path) -> FileResponse:
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=HEADERS)


def asset(folder: Path, name: str, extra_headers: dict[str, str] | None = None) -> FileResponse:
    """A file of `folder` by its plain name and known kind; nothing else can be reached."""
    path = folder / name
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or path.name != name or not path.is_file():
        raise NotFound(f"no asset {name!r}", "没有这个文件")
    return FileResponse(path, media_type=media_type, headers={**HEADERS, **(extra_headers or {})})
