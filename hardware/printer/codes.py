"""The ESC/POS commands this project emits, as small pure functions returning bytes.

We build the byte stream ourselves instead of through python-escpos's `text()`/`set()`: 3.1 sends
hanzi as GB18030 without switching the printer to Chinese mode and turns full-width punctuation into
`?` (see FIELD-NOTES "Printing"). Every command here is one the renderer (render.py) understands.
"""

from __future__ import annotations

from typing import Literal

from PIL import Image

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
DLE = b"\x10"
EOT = b"\x04"
LF = b"\n"

INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."

# Font A: half-width (ASCII) cells are 12x24 dots, full-width (hanzi, GB18030 multibyte) 24x24.
CELL_HEIGHT = 24
HALF_WIDTH = 12
DEFAULT_LINE_SPACING = 30  # ESC 2: 1/6 inch at 180 dpi motion units ~ 30 dots at 203 dpi

Align = Literal["left", "center", "right"]
_ALIGN_CODES: dict[str, int] = {"left": 0, "center": 1, "right": 2}

QR_EC_LEVELS: dict[str, int] = {"L": 48, "M": 49, "Q": 50, "H": 51}


def char_columns(ch: str) -> int:
    """Half-width columns a character takes on the printer: in Chinese mode every character that
    GB18030 encodes in more than one byte prints full width, ASCII prints half width."""
    return 1 if ord(ch) < 0x80 else 2


def text_columns(text: str) -> int:
    return sum(char_columns(ch) for ch in text)


def text(value: str) -> bytes:
    """ASCII goes out plainly; anything else inside FS & ... FS . so it prints right whether the
    printer powered up in Chinese mode or not."""
    if value.isascii():
        return value.encode("ascii")
    return CHINESE_ON + value.encode("gb18030") + CHINESE_OFF


def align(where: Align) -> bytes:
    return ESC + b"a" + bytes([_ALIGN_CODES[where]])


def bold(on: bool) -> bytes:
    return ESC + b"E" + bytes([1 if on else 0])


def reverse(on: bool) -> bytes:
    return GS + b"B" + bytes([1 if on else 0])


def size(width: int = 1, height: int = 1) -> bytes:
    """GS ! : character width and height multipliers, 1 to 8 each."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError(f"character size multipliers must be 1-8, got {width}x{height}")
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def feed_dots(dots: int) -> bytes:
    """ESC J: print the line buffer and feed `dots` dots (0-255)."""
    if not 0 <= dots <= 255:
        raise ValueError(f"feed must be 0-255 dots, got {dots}")
    return ESC + b"J" + bytes([dots])


def line_spacing(dots: int | None = None) -> bytes:
    """ESC 3 n sets the line spacing; ESC 2 restores the default."""
    if dots is None:
        return ESC + b"2"
    if not 0 <= dots <= 255:
        raise ValueError(f"line spacing must be 0-255 dots, got {dots}")
    return ESC + b"3" + bytes([dots])


def _gs_k_2d(fn: int, payload: bytes) -> bytes:
    # GS ( k pL pH cn fn [payload]: the length counts cn and fn, hence the +2.
    length = len(payload) + 2
    if length > 0xFFFF:
        raise ValueError(f"QR payload too long ({len(payload)} bytes)")
    return GS + b"(k" + length.to_bytes(2, "little") + b"1" + bytes([fn]) + payload


def qr_native(data: str, module_dots: int = 6, ec: str = "M") -> bytes:
    """Model 2 QR drawn by the printer itself (GS ( k functions 165, 167, 169, 180, 181)."""
    if not data:
        raise ValueError("QR data must not be empty")
    if not 1 <= module_dots <= 16:
        raise ValueError(f"QR module size must be 1-16 dots, got {module_dots}")
    encoded = data.encode("utf-8")
    if len(encoded) > 7089:
        raise ValueError(f"QR data too long ({len(encoded)} bytes)")
    return (
        _gs_k_2d(65, b"2\x00")  # model 2
        + _gs_k_2d(67, bytes([module_dots]))
        + _gs_k_2d(69, bytes([QR_EC_LEVELS[ec]]))
        + _gs_k_2d(80, b"0" + encoded)  # store the data
        + _gs_k_2d(81, b"0")  # print it
    )


def raster(image: Image.Image, band_rows: int = 255) -> bytes:
    """GS v 0 raster image, black = printed. Cut into bands because older printers reject one
    image taller than their buffer."""
    mono = image.convert("1")  # Pillow "1": 0 = black
    width, height = mono.size
    if width == 0 or height == 0:
        raise ValueError("cannot print an empty image")
    row_bytes = (width + 7) // 8
    if row_bytes > 0xFFFF:
        raise ValueError(f"image too wide ({width} dots)")
    # Pillow packs "1" images MSB first with 1 = white; ESC/POS wants 1 = black.
    packed = bytes(b ^ 0xFF for b in mono.tobytes())
    if width % 8:
        # The padding bits at the end of each row came out black after the inversion: clear them.
        pad_mask = (0xFF << (8 - width % 8)) & 0xFF
        rows = [bytearray(packed[r * row_bytes : (r + 1) * row_bytes]) for r in range(height)]
        for row in rows:
            row[-1] &= pad_mask
        packed = b"".join(bytes(row) for row in rows)
    out = bytearray()
    for top in range(0, height, band_rows):
        rows_here = min(band_rows, height - top)
        out += GS + b"v0\x00" + row_bytes.to_bytes(2, "little") + rows_here.to_bytes(2, "little")
        out += packed[top * row_bytes : (top + rows_here) * row_bytes]
    return bytes(out)


def cut(partial: bool = False, feed_dots: int = 0) -> bytes:
    """GS V 65/66 n: feed to the cutter plus `feed_dots`, then cut fully (65) or partially (66,
    leaving a hinge so the ticket does not drop). Feeding to the cutter is the printer's own job
    here, so the last line is never cut through whatever the head-to-cutter distance."""
    if not 0 <= feed_dots <= 255:
        raise ValueError(f"feed before cut must be 0-255 dots, got {feed_dots}")
    return GS + b"V" + (b"B" if partial else b"A") + bytes([feed_dots])


def status_query(n: int) -> bytes:
    """DLE EOT n: real-time status (1 printer, 2 offline cause, 3 error cause, 4 paper sensor)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1-4, got {n}")
    return DLE + EOT + bytes([n])
