"""Render an ESC/POS byte stream to a picture of the printed ticket, so tests and people can see
every ticket without a printer. Nothing on PyPI does this (FIELD-NOTES "Printing").

It interprets what this project emits (codes.py) and the common commands around it: text in
Font A cells (12x24 half width, 24x24 full width) drawn with a CJK font, GS ! sizes, ESC E bold,
GS B reverse, ESC a alignment, FS & / FS . Chinese mode with GB18030, ESC J / ESC d feeds, ESC 2/3
line spacing, GS ( k QR (drawn with `qrcode`), GS k barcodes, GS v 0 raster images, GS V cuts
(a dashed line). Unknown commands are skipped and listed in `warnings`; a stream that ends inside
a command raises RenderError naming the command and offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import qrcode
from PIL import Image, ImageDraw

from hardware.fonts import find_cjk_font, find_mono_font
from hardware.printer.codes import CELL_HEIGHT, DEFAULT_LINE_SPACING, HALF_WIDTH

MAX_HEIGHT = 40_000  # dots, ~5 m of paper: more is garbage, not a ticket
MARGIN = 16  # grey border around the paper in the picture
PAPER_EDGE = 24  # unprintable paper beside the print head (80 mm paper, 72 mm printed) and above
_QR_EC = {48: qrcode.constants.ERROR_CORRECT_L, 49: qrcode.constants.ERROR_CORRECT_M,
          50: qrcode.constants.ERROR_CORRECT_Q, 51: qrcode.constants.ERROR_CORRECT_H}
# Commands whose parameters we skip without interpreting: prefix+letter -> parameter bytes.
_SKIP = {
    b"\x1b!": 1, b"\x1bt": 1, b"\x1bM": 1, b"\x1b-": 1, b"\x1bG": 1, b"\x1bR": 1, b"\x1bV": 1,
    b"\x1b{": 1, b"\x1b ": 1, b"\x1b$": 2, b"\x1b\\": 2, b"\x1bp": 3, b"\x1bc": 2, b"\x1bi": 0,
    b"\x1bm": 0, b"\x1bU": 1, b"\x1br": 1, b"\x1b=": 1, b"\x1bL": 0, b"\x1bS": 0, b"\x1bT": 1,
    b"\x1d\x1d": 0, b"\x1dL": 2, b"\x1dW": 2, b"\x1da": 1, b"\x1df": 1, b"\x1dr": 1, b"\x1db": 1,
    b"\x1dI": 1, b"\x1dP": 2, b"\x1d$": 2, b"\x1d\\": 2, b"\x1dT": 1,
    b"\x1c!": 1, b"\x1c-": 1, b"\x1cW": 1, b"\x1cS": 2, b"\x1cC": 1, b"\x1cp": 2, b"\x1c2": 74,
    b"\x10\x04": 1, b"\x10\x05": 1,
}
_HRI_BELOW = (2, 3)


class RenderError(ValueError):
    """The byte stream cannot be a complete ticket (truncated, absurd sizes)."""


@dataclass
class RenderResult:
    image: Image.Image
    warnings: list[str] = field(default_factory=list)
    cuts: int = 0

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.image.save(path)
        return path


@lru_cache(maxsize=4096)
def _glyph(ch: str, wide: bool, width_mul: int, height_mul: int, bold: bool) -> Image.Image:
    """One character in its printer cell, black on white ("L"), at the GS ! magnification.
    `wide`: a GB18030 character in Chinese mode (24 dots); otherwise a code-page one (12 dots)."""
    out_w = HALF_WIDTH * (2 if wide else 1) * width_mul
    out_h = CELL_HEIGHT * height_mul
    mono = None if wide else find_mono_font()
    if mono is not None:
        # Printer Font A letters are tall and narrow (~17 of 24 dots): draw DejaVu Sans Mono that
        # tall in a wider box, then squeeze it into the 12-dot cell.
        font, draw_w = mono.load(23 * height_mul), 14 * height_mul
    else:
        font, draw_w = find_cjk_font().load(22 * height_mul), out_w * height_mul // width_mul
    cell = Image.new("L", (draw_w, out_h), 255)
    draw = ImageDraw.Draw(cell)
    draw.text((cell.width / 2, cell.height / 2), ch, font=font, fill=0, anchor="mm",
              stroke_width=(1 + height_mul // 3) if bold else 0, stroke_fill=0)
    if cell.size != (out_w, out_h):  # printers stretch cells for GS ! width; so do we
        cell = cell.resize((out_w, out_h), Image.LANCZOS)
    return cell


@dataclass
class _Glyph:
    ch: str
    wide: bool
    width_mul: int
    height_mul: int
    bold: bool
    reverse: bool

    @property
    def width(self) -> int:
        return HALF_WIDTH * (2 if self.wide else 1) * self.width_mul


class _Renderer:
    def __init__(self, data: bytes, paper_dots: int, chinese: bool) -> None:
        self.data = data
        self.pos = 0
        self.paper = paper_dots
        self.canvas = Image.new("L", (paper_dots, 2000), 255)
        self.y = 0
        self.line: list[_Glyph] = []
        self.line_align = 0
        self.warnings: list[str] = []
        self.cuts = 0
        self.chinese = chinese  # ESC @ does not reset it: on real printers it is a power-on setting
        self.qr_data = b""
        self.qr_module = 3
        self.qr_ec = 48
        self._reset()

    def _reset(self) -> None:
        self.align = 0
        self.bold = False
        self.reverse = False
        self.width_mul = self.height_mul = 1
        self.spacing = DEFAULT_LINE_SPACING
        self.barcode_height = 162
        self.barcode_module = 3
        self.hri = 0

    # -- reading ---------------------------------------------------------------------------
    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise RenderError(f"stream ends inside {what} at byte {self.pos}: needs {n} more "
                              f"bytes, has {len(self.data) - self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def warn(self, message: str) -> None:
        if len(self.warnings) < 200:  # garbage can produce thousands; the first ones tell enough
            self.warnings.append(message)

    # -- paper -----------------------------------------------------------------------------
    def ensure(self, bottom: int) -> None:
        if bottom > MAX_HEIGHT:
            raise RenderError(f"ticket longer than {MAX_HEIGHT} dots at byte {self.pos}")
        if bottom > self.canvas.height:
            grown = Image.new("L", (self.paper, min(MAX_HEIGHT, max(bottom, self.canvas.height * 2))), 255)
            grown.paste(self.canvas, (0, 0))
            self.canvas = grown

    def feed(self, dots: int) -> None:
        self.ensure(self.y + dots)
        self.y += dots

    def x_for(self, width: int, align: int) -> int:
        if align == 1:
            return max(0, (self.paper - width) // 2)
        if align == 2:
            return max(0, self.paper - width)
        return 0

    def place(self, block: Image.Image) -> None:
        """An image block (QR, barcode, raster) at the current alignment, below the current line."""
        self.print_line(feed=False)
        block = block.crop((0, 0, min(block.width, self.paper), block.height))
        self.ensure(self.y + block.height)
        self.canvas.paste(block, (self.x_for(block.width, self.align), self.y))
        self.y += block.height

    # -- text ------------------------------------------------------------------------------
    def add_char(self, ch: str, wide: bool = False) -> None:
        glyph = _Glyph(ch, wide, self.width_mul, self.height_mul, self.bold, self.reverse)
        if not self.line:
            self.line_align = self.align  # ESC a counts at the start of a line, as on printers
        if sum(g.width for g in self.line) + glyph.width > self.paper:
            self.print_line(feed=True)  # the printer wraps a full line by itself
            self.line_align = self.align
        self.line.append(glyph)

    def print_line(self, feed: bool) -> None:
        if not self.line:
            if feed:
                self.feed(self.spacing)
            return
        height = max(CELL_HEIGHT * g.height_mul for g in self.line)
        self.ensure(self.y + max(height, self.spacing))
        x = self.x_for(sum(g.width for g in self.line), self.line_align)
        for g in self.line:
            cell = _glyph(g.ch, g.wide, g.width_mul, g.height_mul, g.bold)
            top = self.y + height - cell.height  # characters share a baseline at the bottom
            if g.reverse:
                cell = Image.eval(cell, lambda v: 255 - v)
            self.canvas.paste(cell.crop((0, 0, min(cell.width, self.paper - x), cell.height)), (x, top))
            x += g.width
            if x >= self.paper:
                break
        self.line = []
        self.y += max(height, self.spacing) if feed else height

    def printable_byte(self, byte: int) -> None:
        if self.chinese and 0x81 <= byte <= 0xFE:
            second = self.take(1, "a GB18030 character")
            raw = bytes([byte]) + second
            if 0x30 <= second[0] <= 0x39:
                raw += self.take(2, "a 4-byte GB18030 character")
            try:
                self.add_char(raw.decode("gb18030"), wide=True)
            except UnicodeDecodeError:
                self.warn(f"invalid GB18030 bytes {raw.hex()} at byte {self.pos - len(raw)}")
                self.add_char("?", wide=True)
            return
        self.add_char(bytes([byte]).decode("cp437"))

    # -- commands --------------------------------------------------------------------------
    def run(self) -> RenderResult:
        while self.pos < len(self.data):
            start = self.pos
            byte = self.take(1, "data")[0]
            if byte == 0x0A:
                self.print_line(feed=True)
            elif byte in (0x1B, 0x1D, 0x1C, 0x10):
                self.command(byte, start)
            elif byte == 0x09:
                for _ in range(8 - len(self.line) % 8):
                    self.add_char(" ")
            elif byte == 0x0C:
                self.print_line(feed=True)
            elif byte == 0x0D or byte == 0x00:
                pass
            elif byte < 0x20 or byte == 0x7F:
                self.warn(f"control byte 0x{byte:02x} at byte {start} ignored")
            else:
                self.printable_byte(byte)
        self.print_line(feed=False)
        return self.finish()

    def command(self, prefix: int, start: int) -> None:
        letter = self.take(1, f"a command after 0x{prefix:02x}")
        key = bytes([prefix]) + letter
        name = {0x1B: "ESC", 0x1D: "GS", 0x1C: "FS", 0x10: "DLE"}[prefix] + " " + _show(letter)
        handler = _HANDLERS.get(key)
        if handler is not None:
            handler(self, name)
        elif key in _SKIP:
            self.take(_SKIP[key], name)
        else:
            self.warn(f"unknown command {name} at byte {start} skipped")

    def finish(self) -> RenderResult:
        height = max(self.y, 1)
        printed = self.canvas.crop((0, 0, self.paper, height))
        paper = Image.new("L", (self.paper + 2 * PAPER_EDGE, height + PAPER_EDGE), 255)
        paper.paste(printed, (PAPER_EDGE, PAPER_EDGE))
        framed = Image.new("L", (paper.width + 2 * MARGIN, paper.height + 2 * MARGIN), 200)
        framed.paste(paper, (MARGIN, MARGIN))
        return RenderResult(framed, self.warnings, self.cuts)


def _show(letter: bytes) -> str:
    ch = letter.decode("latin-1")
    return ch if ch.isprintable() and ch.isascii() and ch != " " else f"0x{letter[0]:02x}"


# Handlers for the commands we interpret. Each reads its own parameters.
def _esc_init(r: _Renderer, name: str) -> None:
    r.print_line(feed=False)
    r._reset()


def _esc_align(r: _Renderer, name: str) -> None:
    n = r.take(1, name)[0]
    r.align = {0: 0, 1: 1, 2: 2, 48: 0, 49: 1, 50: 2}.get(n, 0)


def _esc_bold(r: _Renderer, name: str) -> None:
    r.bold = bool(r.take(1, name)[0] & 1)


def _esc_feed_dots(r: _Renderer, name: str) -> None:
    dots = r.take(1, name)[0]
    r.print_line(feed=False)
    r.feed(dots)


def _esc_feed_lines(r: _Renderer, name: str) -> None:
    lines = r.take(1, name)[0]
    if lines == 0:
        r.print_line(feed=False)
        return
    r.print_line(feed=True)
    r.feed((lines - 1) * r.spacing)


def _esc_spacing_default(r: _Renderer, name: str) -> None:
    r.spacing = DEFAULT_LINE_SPACING


def _esc_spacing(r: _Renderer, name: str) -> None:
    r.spacing = r.take(1, name)[0]


def _gs_size(r: _Renderer, name: str) -> None:
    n = r.take(1, name)[0]
    r.width_mul, r.height_mul = (n >> 4 & 7) + 1, (n & 7) + 1


def _gs_reverse(r: _Renderer, name: str) -> None:
    r.reverse = bool(r.take(1, name)[0] & 1)


def _fs_chinese_on(r: _Renderer, name: str) -> None:
    r.chinese = True


def _fs_chinese_off(r: _Renderer, name: str) -> None:
    r.chinese = False


def _gs_cut(r: _Renderer, name: str) -> None:
    mode = r.take(1, name)[0]
    r.print_line(feed=False)
    if mode in (65, 66, 97, 98, 103, 104):
        r.feed(r.take(1, name)[0])
    elif mode not in (0, 1, 48, 49):
        r.warn(f"{name} with unknown mode {mode} at byte {r.pos - 1}")
    r.ensure(r.y + 24)
    draw = ImageDraw.Draw(r.canvas)
    for x in range(0, r.paper, 16):  # dashed line: where the cutter cuts
        draw.line((x, r.y + 12, x + 8, r.y + 12), fill=100, width=2)
    r.y += 24
    r.cuts += 1


def _gs_paren(r: _Renderer, name: str) -> None:
    """GS ( X pL pH ...: QR (X = k, cn = 1) is interpreted; other functions skipped by length."""
    kind = r.take(1, name)
    length = int.from_bytes(r.take(2, f"{name}{kind.decode('latin-1')}"), "little")
    body = r.take(length, f"GS ( {_show(kind)}")
    if kind != b"k":
        return
    if len(body) < 2 or body[0] != 0x31:
        r.warn(f"GS ( k for a 2D code other than QR (cn={body[:1].hex()}) skipped")
        return
    fn, params = body[1], body[2:]
    if fn == 67 and params:
        r.qr_module = min(max(params[0], 1), 16)
    elif fn == 69 and params:
        r.qr_ec = params[0] if params[0] in _QR_EC else 48
    elif fn == 80:
        r.qr_data = params[1:]  # first byte is m = '0'
    elif fn == 81:
        _draw_qr(r)
    elif fn != 65:
        r.warn(f"GS ( k QR function {fn} ignored")


def _draw_qr(r: _Renderer) -> None:
    if not r.qr_data:
        r.warn("GS ( k print with no QR data stored")
        return
    qr = qrcode.QRCode(error_correction=_QR_EC[r.qr_ec], box_size=r.qr_module, border=0)
    qr.add_data(r.qr_data)
    try:
        qr.make(fit=True)
    except Exception as exc:  # qrcode raises DataOverflowError and ValueError for impossible data
        r.warn(f"QR data cannot be encoded: {exc}")
        return
    r.place(qr.make_image().get_image().convert("L"))


def _gs_raster(r: _Renderer, name: str) -> None:
    sub = r.take(1, name)
    if sub != b"0":
        r.warn(f"GS v {_show(sub)} not supported")
        return
    head = r.take(5, "GS v 0")
    mode = head[0] & 3
    row_bytes = int.from_bytes(head[1:3], "little")
    rows = int.from_bytes(head[3:5], "little")
    raw = r.take(row_bytes * rows, "GS v 0 image data")
    if not row_bytes or not rows:
        return
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(rows, row_bytes), axis=1)
    bits = bits[:, : r.paper]  # anything wider than the paper is lost on a printer too
    img = Image.fromarray(((1 - bits) * 255).astype(np.uint8), "L")
    if mode:
        scale_x = 2 if mode & 1 else 1
        scale_y = 2 if mode & 2 else 1
        img = img.resize((img.width * scale_x, img.height * scale_y), Image.NEAREST)
    r.place(img)


def _gs_barcode_height(r: _Renderer, name: str) -> None:
    r.barcode_height = max(r.take(1, name)[0], 1)


def _gs_barcode_width(r: _Renderer, name: str) -> None:
    r.barcode_module = min(max(r.take(1, name)[0], 1), 6)


def _gs_hri(r: _Renderer, name: str) -> None:
    r.hri = r.take(1, name)[0] & 3


_BARCODE_TYPES = {0: "upca", 1: "upca", 2: "ean13", 3: "ean8", 4: "code39", 65: "upca",
                  67: "ean13", 68: "ean8", 69: "code39", 73: "code128"}


def _gs_barcode(r: _Renderer, name: str) -> None:
    m = r.take(1, name)[0]
    if m <= 6:  # format A: NUL-terminated
        end = r.data.find(b"\x00", r.pos)
        if end < 0:
            raise RenderError(f"stream ends inside GS k (no NUL after the data) at byte {r.pos}")
        payload = r.take(end - r.pos + 1, "GS k")[:-1]
    else:
        payload = r.take(r.take(1, name)[0], "GS k data")
    text = payload.decode("latin-1")
    kind = _BARCODE_TYPES.get(m)
    if kind == "code128":
        text = "".join(part[1:] for part in text.split("{") if part) if text.startswith("{") else text
    try:
        import barcode as python_barcode

        options = {"add_checksum": False} if kind == "code39" else {}
        modules = python_barcode.get(kind or "", text, **options).build()[0]
    except Exception as exc:  # python-barcode rejects bad data with several exception types
        r.warn(f"barcode type {m} with data {text!r} not drawn: {exc}")
        return
    module = r.barcode_module
    bars = Image.new("L", (len(modules) * module, r.barcode_height), 255)
    draw = ImageDraw.Draw(bars)
    for i, bit in enumerate(modules):
        if bit == "1":
            draw.rectangle((i * module, 0, (i + 1) * module - 1, r.barcode_height - 1), fill=0)
    r.place(bars)
    if r.hri in _HRI_BELOW:
        for ch in text:
            r.add_char(ch)
        r.print_line(feed=True)


_HANDLERS = {
    b"\x1b@": _esc_init, b"\x1ba": _esc_align, b"\x1bE": _esc_bold, b"\x1bJ": _esc_feed_dots,
    b"\x1bd": _esc_feed_lines, b"\x1b2": _esc_spacing_default, b"\x1b3": _esc_spacing,
    b"\x1d!": _gs_size, b"\x1dB": _gs_reverse, b"\x1dV": _gs_cut, b"\x1d(": _gs_paren,
    b"\x1dv": _gs_raster, b"\x1dh": _gs_barcode_height, b"\x1dw": _gs_barcode_width,
    b"\x1dH": _gs_hri, b"\x1dk": _gs_barcode, b"\x1c&": _fs_chinese_on, b"\x1c.": _fs_chinese_off,
}


def render(data: bytes, *, paper_dots: int = 576, start_in_chinese_mode: bool = False) -> RenderResult:
    """Picture of what a printer would print from `data`. `start_in_chinese_mode` models a printer
    whose power-on setting is Chinese mode: a correct stream looks the same either way."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"render() needs bytes, got {type(data).__name__}")
    if not 64 <= paper_dots <= 2048:
        raise ValueError(f"paper_dots must be 64-2048, got {paper_dots}")
    return _Renderer(bytes(data), paper_dots, start_in_chinese_mode).run()

