"""The kiosk's colours (one palette for every screen) and the sizes a touch screen needs: one unit
`u` is 1/1080 of the window's short side, so portrait 1080×1920 and landscape 1920×1080 use the
same numbers; large-text mode (长辈模式) scales type and touch targets by 1.3."""

from __future__ import annotations


def rgb(hex_color: str, alpha: float = 1.0) -> list[float]:
    h = hex_color.lstrip("#")
    return [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)] + [alpha]


C = {
    "bg": rgb("#F2F5F9"),
    "header": rgb("#17428C"),
    "header_text": rgb("#FFFFFF"),
    "text": rgb("#1B2330"),
    "muted": rgb("#4A5566"),
    "card": rgb("#FFFFFF"),
    "primary": rgb("#1D63D6"),
    "teal": rgb("#0B7F86"),
    "green": rgb("#2C8C3C"),
    "orange": rgb("#C25E00"),
    "purple": rgb("#6B47B8"),
    "disabled": rgb("#D5DAE1"),
    "disabled_text": rgb("#4F5866"),
    "neutral": rgb("#E3E8EF"),
    "neutral_text": rgb("#17428C"),
    "warn": rgb("#FFF1D6"),
    "warn_text": rgb("#7A4300"),
    "error": rgb("#FCE4E4"),
    "error_text": rgb("#9B1C1C"),
    "ok": rgb("#E2F4E5"),
    "ok_text": rgb("#1D6B2A"),
    "selected": rgb("#F2A900"),
}
SCROLL_BAR = rgb("#17428C", 0.8)
SCROLL_BAR_IDLE = rgb("#17428C", 0.4)

# Type sizes in units; "huge" is the ticket number, as big as the screen's height allows.
FONT = {"small": 28, "body": 34, "button": 38, "tile": 46, "title": 50, "huge": 200, "big": 72}
LARGE = 1.3  # 长辈模式: type and touch targets
