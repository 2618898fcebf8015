"""Small Kivy building blocks for the display screens: panels with a background, and labels whose
size is a fraction of the screen's height (so a 4K screen shows the same layout, twice as sharp)."""

from __future__ import annotations

from kivy.graphics import Color, RoundedRectangle
from kivy.properties import ColorProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget


def rgb(hex_code: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    hex_code = hex_code.lstrip("#")
    r, g, b = (int(hex_code[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


class Palette:
    background = rgb("#0a1a33")
    panel = rgb("#12305a")
    panel_edge = rgb("#1f4b85")
    header = rgb("#0f2748")
    text = rgb("#f4f7fb")
    dim = rgb("#a9b8cc")
    number = rgb("#ffd24a")
    highlight = rgb("#d32f2f")
    highlight_text = rgb("#ffffff")
    called = rgb("#ff9f1c")
    serving = rgb("#5bd47a")
    paused_bg = rgb("#4a3a0c")
    paused = rgb("#ffc44d")
    closed_bg = rgb("#232a33")
    closed = rgb("#8793a1")
    alarm = rgb("#e53935")


def font_px(size: float) -> int:
    """A whole pixel size, coarser for large text. Kivy's SDL2 text provider keeps only 64 opened
    fonts, keyed by the exact size: fractional or finely varying sizes would make it re-open the
    (16 MB) CJK font for nearly every label it draws, which costs tens of milliseconds each."""
    if size < 40:
        return max(1, round(size))
    return int(round(size / 4) * 4)


class Panel(BoxLayout):
    """A BoxLayout with a flat or rounded background colour."""

    bg = ColorProperty((0, 0, 0, 0))
    radius = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.canvas.before:
            self._color = Color(*self.bg)
            self._rect = RoundedRectangle(pos=self.pos, size=self.size, radius=[self.radius])
        self.bind(pos=self._redraw, size=self._redraw, bg=self._redraw, radius=self._redraw)

    def _redraw(self, *_):
        self._color.rgba = self.bg
        self._rect.pos = self.pos
        self._rect.size = self.size
        self._rect.radius = [self.radius]


class Text(Label):
    """A label sized in screen-height percent (`rel`), aligned inside its box (with `shorten`, cut
    with an ellipsis rather than overflowing). `fit` shrinks it (down to `fit_floor` of its size) when a
    long value would not fit its box's width, e.g. a four-digit ticket number."""

    rel = NumericProperty(3.0)
    unit = NumericProperty(10.8)  # pixels per percent of screen height, set by the screen
    fit = NumericProperty(0)
    fit_floor = NumericProperty(0.55)

    def __init__(self, **kwargs):
        kwargs.setdefault("halign", "left")
        kwargs.setdefault("valign", "middle")
        # Shortening measures the text again and again (slow with a large CJK font): only labels
        # that may overflow (names) ask for it.
        kwargs.setdefault("shorten", False)
        kwargs.setdefault("shorten_from", "right")
        kwargs.setdefault("color", Palette.text)
        super().__init__(**kwargs)
        self.bind(size=self._resize, rel=self._resize, unit=self._resize, text=self._resize)
        self._resize()

    def _resize(self, *_):
        # The texture is only as large as it must be (uploading a box-sized texture for every
        # change is what costs a software-rendered screen most): centred text gets a texture of
        # its own size, left/right aligned text one as wide as the box; Kivy centres it vertically.
        self.text_size = (None, None) if self.halign == "center" and not self.shorten else (self.width, None)
        size = self.rel * self.unit
        if self.fit and self.text and self.width > 0:
            # Estimate the text's width (digits and capitals ≈ 0.62 em, hanzi 1 em) and shrink.
            ems = sum(1.0 if ord(ch) > 0x2E80 else 0.62 for ch in self.text)
            limit = self.width * 0.94 / max(ems, 1.0)
            size = max(size * self.fit_floor, min(size, limit))
        self.font_size = font_px(size)


class Spacer(Widget):
    pass


class Marquee(StencilView):
    """One line of text scrolling right to left, forever (the hall's notice)."""

    speed = NumericProperty(8.0)  # screen-height percent per second

    def __init__(self, rel: float, **kwargs):
        super().__init__(**kwargs)
        self.label = Label(color=Palette.text, size_hint=(None, None), halign="left", valign="middle")
        self.rel = rel
        self.unit = 10.8
        self.offset = 0.0
        self.add_widget(self.label)
        self.label.bind(texture_size=self._layout)
        self.bind(pos=self._layout, size=self._layout)

    def set_text(self, text: str) -> None:
        if self.label.text != text:
            self.label.text = text
            self.offset = 0.0

    def set_unit(self, unit: float) -> None:
        self.unit = unit
        self.label.font_size = font_px(self.rel * unit)
        self._layout()

    def step(self, dt: float) -> None:
        if not self.label.text:
            return
        width = self.label.texture_size[0]
        span = self.width + width
        if width <= self.width * 0.9:
            self.offset = 0.0  # short enough: it stands still, centred
        else:
            self.offset = (self.offset + self.speed * self.unit * dt) % max(span, 1.0)
        self._layout()

    def _layout(self, *_):
        self.label.size = self.label.texture_size
        width = self.label.texture_size[0]
        if width <= self.width * 0.9:
            x = self.x + (self.width - width) / 2
        else:
            x = self.right - self.offset
        self.label.pos = (x, self.y + (self.height - self.label.height) / 2)


def set_unit_everywhere(root: Widget, unit: float) -> None:
    """Give every `Text` (and marquee) under `root` the screen's pixels-per-percent."""
    for widget in root.walk(restrict=True):
        if isinstance(widget, Text):
            widget.unit = unit
        elif isinstance(widget, Marquee):
            widget.set_unit(unit)


__all__ = ["Panel", "Text", "Spacer", "Marquee", "Palette", "rgb", "set_unit_everywhere"]
