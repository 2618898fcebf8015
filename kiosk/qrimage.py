"""QR codes drawn for the screen: the module matrix from `qrcode`, as RGB pixels a Kivy texture
takes directly (no image file in between)."""

from __future__ import annotations

import qrcode


def qr_matrix(data: str, border: int = 2) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_rgb(data: str, scale: int = 8, border: int = 2) -> tuple[int, bytes]:
    """(side in pixels, RGB bytes, bottom row first as OpenGL wants it)."""
    matrix = qr_matrix(data, border)
    side = len(matrix) * scale
    rows = []
    for row in reversed(matrix):
        line = b"".join((b"\x00\x00\x00" if dark else b"\xff\xff\xff") * scale for dark in row)
        rows.extend([line] * scale)
    return side, b"".join(rows)

