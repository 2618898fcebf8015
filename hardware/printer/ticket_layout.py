"""Lay a TicketSlip out as one complete ESC/POS byte stream (号票版式).

Built entirely in memory and sent in one write, so a printer never gets half a ticket because the
layout failed halfway. Sizes follow what a citizen reads at arm's length: the number 5x (120 dots,
15 mm at 203 dpi; never under 4x), the window hint and waiting figures double size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import qrcode
from PIL import Image

from hall_common.personal_data import scrub
from hardware.printer import codes
from hardware.printer.codes import HALF_WIDTH, LF, char_columns, text_columns
from hardware.printer.printable import printable
from hardware.printer.slip import TicketSlip
from hardware.printer.texts import CHANNEL_LABELS, TICKET_LABELS, wait_text

QrMode = Literal["native", "raster", "none"]
_QR_EC = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
# x4: a 96-dot cell whose digits are ~68 dots (8.5 mm) of ink; 8 mm is the hall requirement.
MIN_NUMBER_HEIGHT = 4


@dataclass(frozen=True)
class LayoutOptions:
    paper_dots: int = 576  # printable width: 576 for 80 mm paper, 384 for 58 mm
    qr_mode: QrMode = "native"  # "raster" for printers without GS ( k
    qr_module_dots: int = 6  # ~0.75 mm modules: phones read them from a hand-held ticket
    qr_error_correction: str = "M"
    partial_cut: bool = False
    timezone: str = "Asia/Shanghai"  # halls print local time whatever zone issued_at carries

    def __post_init__(self) -> None:
        if not 192 <= self.paper_dots <= 832 or self.paper_dots % 8:
            raise ValueError(f"paper_dots must be a multiple of 8 in 192-832, got {self.paper_dots}")
        if self.qr_mode not in ("native", "raster", "none"):
            raise ValueError(f"qr_mode must be native, raster or none, got {self.qr_mode!r}")
        if not 1 <= self.qr_module_dots <= 16:
            raise ValueError(f"qr_module_dots must be 1-16, got {self.qr_module_dots}")
        if self.qr_error_correction not in _QR_EC:
            raise ValueError(f"qr_error_correction must be L, M, Q or H, got {self.qr_error_correction!r}")
        ZoneInfo(self.timezone)  # fails now, not at the first ticket

    @property
    def columns(self) -> int:
        return self.paper_dots // HALF_WIDTH


def wrap(text: str, columns: int) -> list[str]:
    """Split by printer columns (hanzi 2, ASCII 1). Breaks at the last space on the line, so Latin
    words and "English 中文" names stay whole; text without spaces (Chinese) breaks at the edge."""
    if columns < 2:
        raise ValueError("need at least 2 columns to wrap text")
    lines: list[str] = []
    current = ""
    for ch in text:
        if text_columns(current) + char_columns(ch) <= columns:
            current += ch
            continue
        head, space, tail = current.rpartition(" ")
        if space and head.strip() and ch != " ":
            lines.append(head.rstrip())
            current = tail + ch
        else:
            lines.append(current.rstrip())
            current = "" if ch == " " else ch
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def wrap_balanced(text: str, columns: int) -> list[str]:
    """Like wrap(), with lines of even length: a header never ends on one lonely character
    ("济南市政务服务中" / "心")."""
    lines = wrap(text, columns)
    if len(lines) < 2:
        return lines
    for width in range(-(-text_columns(text) // len(lines)), columns):
        candidate = wrap(text, width)
        if len(candidate) == len(lines):
            return candidate
    return lines


def _labelled(label: str, value: str, columns: int) -> list[str]:
    """"办理事项：xxx" with continuation lines indented under the value, not under the label."""
    indent = text_columns(label)
    body = wrap(value, max(columns - indent, 8))
    return [label + body[0]] + [" " * indent + line for line in body[1:]]


def _clean(value: str) -> str:
    return scrub(printable(value))


def _qr_raster(url: str, options: LayoutOptions) -> bytes:
    qr = qrcode.QRCode(error_correction=_QR_EC[options.qr_error_correction],
                       box_size=options.qr_module_dots, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    symbol = qr.make_image().get_image().convert("1")
    if symbol.width > options.paper_dots:
        raise ValueError(f"QR code ({symbol.width} dots) is wider than the paper ({options.paper_dots})")
    # Padded to the full paper width so it is centred even on printers that ignore ESC a for images.
    page = Image.new("1", (options.paper_dots, symbol.height), 1)
    page.paste(symbol, ((options.paper_dots - symbol.width) // 2, 0))
    return codes.raster(page)


def _number_size(number: str, columns: int) -> tuple[int, int]:
    """(width, height) multipliers: as large as fits, never under MIN_NUMBER_HEIGHT tall; a very
    long number gets narrower, not shorter, so it stays on one line and 8 mm tall."""
    scale = 5
    while scale > MIN_NUMBER_HEIGHT and len(number) * scale > columns:
        scale -= 1
    return max(1, min(scale, columns // len(number))), scale


def _figure_line(out: bytearray, label: str, value: str, columns: int) -> None:
    """Label in normal size, the figure double size on the same baseline, so "5 人" or "约 15 分钟"
    stands out; if double size would not fit the line, the figure is bold instead."""
    if text_columns(label) + 2 * text_columns(value) <= columns:
        out += codes.text(label) + codes.size(2, 2) + codes.text(value) + codes.size() + LF
    else:
        out += codes.text(label) + codes.bold(True) + codes.text(value) + codes.bold(False) + LF


def build_ticket(slip: TicketSlip, options: LayoutOptions | None = None) -> bytes:
    options = options or LayoutOptions()
    labels = TICKET_LABELS[slip.language]
    sep = labels["sep"]
    cols = options.columns
    out = bytearray()

    def line(value: str) -> None:
        out.extend(codes.text(value) + LF)

    # Known state whatever the previous job left behind; Chinese mode off until a hanzi run.
    out += codes.INIT + codes.CHINESE_OFF + codes.line_spacing()

    # Header: hall name, large and bold.
    out += codes.align("center") + codes.bold(True) + codes.size(2, 2)
    for part in wrap_balanced(_clean(slip.hall_name), cols // 2):
        line(part)
    out += codes.size() + codes.bold(False) + codes.feed_dots(12)

    if slip.priority_green:
        # A full-width reversed bar: staff spot a green-channel ticket from across the counter.
        out += codes.size(2, 2) + codes.reverse(True)
        for part in wrap_balanced(labels["green"], cols // 2):
            pad = cols // 2 - text_columns(part)
            line(" " * (pad // 2) + part + " " * (pad - pad // 2))
        out += codes.reverse(False) + codes.size() + codes.feed_dots(12)

    out += codes.size(*_number_size(slip.number, cols)) + codes.bold(True)
    line(slip.number)
    out += codes.bold(False) + codes.size(2, 2)
    for part in wrap_balanced(_clean(slip.queue_name), cols // 2):
        line(part)
    out += codes.size() + codes.feed_dots(12) + codes.align("left")
    line("-" * cols)
    # A little air between detail lines: 34 dots for 24-dot text (the default 30 looks cramped).
    out += codes.feed_dots(6) + codes.line_spacing(34)

    if slip.item_name:
        for part in _labelled(labels["item"] + sep, _clean(slip.item_name), cols):
            line(part)
    out += codes.line_spacing(60)  # lines with double-size figures: 48 dots + air
    _figure_line(out, labels["ahead"] + sep, labels["ahead_value"].format(n=slip.waiting_ahead), cols)
    if slip.estimated_wait_s is not None:
        _figure_line(out, labels["wait"] + sep, wait_text(slip.estimated_wait_s, slip.language), cols)
    out += codes.line_spacing(34)
    out += codes.size()
    issued = slip.issued_at.astimezone(ZoneInfo(options.timezone))
    line(labels["issued"] + sep + issued.strftime("%Y-%m-%d %H:%M"))
    if slip.masked_holder:
        line(labels["holder"] + sep + _clean(slip.masked_holder))
    channel = CHANNEL_LABELS[slip.language].get(slip.channel)
    if channel:
        line(labels["channel"] + sep + channel)
    out += codes.line_spacing() + codes.feed_dots(6)
    line("-" * cols)
    out += codes.feed_dots(10)

    out += codes.align("center") + codes.bold(True) + codes.size(2, 2)
    for part in wrap_balanced(_clean(slip.windows_text), cols // 2):
        line(part)
    # 24 dots = 4 modules of white around the QR code, the quiet zone phones need to find it.
    out += codes.size() + codes.bold(False) + codes.feed_dots(24)

    if slip.track_url and options.qr_mode != "none":
        if options.qr_mode == "native":
            out += codes.qr_native(slip.track_url, options.qr_module_dots, options.qr_error_correction)
        else:
            out += _qr_raster(slip.track_url, options)
        out += codes.feed_dots(16)
        for part in wrap_balanced(labels["scan"], cols):
            line(part)
        out += codes.feed_dots(10)

    if slip.footer_lines:
        line("-" * cols)
        for footer in slip.footer_lines:
            # Footer lines are hall configuration (service hours, the public 监督电话): printed as
            # given, because masking would garble a supervision hotline that is a mobile number.
            for part in wrap_balanced(printable(footer), cols):
                line(part)
    out += codes.align("left") + codes.cut(options.partial_cut, feed_dots=24)
    return bytes(out)
