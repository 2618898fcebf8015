"""Small Kivy building blocks for the display screens: panels with a background, and labels whose
size is a fraction of the screen's height (so a 4K screen shows the same layout, twice as sharp)."""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.graphics import (
    Callback,
    Canvas,
    ClearBuffers,
    ClearColor,
    Color,
    Fbo,
    PopMatrix,
    PushMatrix,
    Rectangle,
    RoundedRectangle,
    Translate,
)
from kivy.graphics import opengl as gl
from kivy.properties import ColorProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
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


class FrameCache(BoxLayout):
    """A BoxLayout whose children are drawn into an off-screen buffer (a Kivy `Fbo`), redrawn only
    when something in it changes; each frame of the window then costs one opaque picture of the
    whole area. Kivy redraws the whole window for any change (the notice's scrolling): on a
    software renderer (Mesa llvmpipe) a hall screen's panels, cells and labels cost ~140 ms of
    rasterising per 1080p frame, the cached picture a fraction of that."""

    bg = ColorProperty((0, 0, 0, 1))  # the area's background: the buffer is cleared to it

    def __init__(self, **kwargs):
        self.canvas = Canvas()
        with self.canvas:
            self.fbo = Fbo(size=(1, 1))
            Color(1, 1, 1, 1)
            # The picture is opaque: drawing it without blending is the same and cheaper.
            Callback(lambda _instr: gl.glDisable(gl.GL_BLEND))
            self._picture = Rectangle(texture=self.fbo.texture, size=(1, 1))
            Callback(lambda _instr: gl.glEnable(gl.GL_BLEND))
        with self.fbo.before:
            PushMatrix()
            self._shift = Translate(0, 0)  # children are laid out in window coordinates
        with self.fbo:
            self._clear = ClearColor(0, 0, 0, 1)
            ClearBuffers()
        with self.fbo.after:
            PopMatrix()
        super().__init__(**kwargs)
        self.bind(pos=self._place, size=self._place, bg=self._place)
        self._place()

    def _place(self, *_):
        # Whole pixels, so that the picture maps 1:1 onto the screen (no blur).
        x, y = round(self.x), round(self.y)
        size = (max(1, round(self.width)), max(1, round(self.height)))
        self._clear.rgba = self.bg
        self._shift.xy = (-x, -y)
        if tuple(self.fbo.size) != size:
            self.fbo.size = size
        self._picture.texture = self.fbo.texture
        self._picture.pos = (x, y)
        self._picture.size = size

    def add_widget(self, widget, *args, **kwargs):
        canvas, self.canvas = self.canvas, self.fbo  # the child draws into the buffer
        try:
            super().add_widget(widget, *args, **kwargs)
        finally:
            self.canvas = canvas

    def remove_widget(self, widget, *args, **kwargs):
        canvas, self.canvas = self.canvas, self.fbo
        try:
            super().remove_widget(widget, *args, **kwargs)
        finally:
            self.canvas = canvas


class Marquee(Widget):
    """One line of text scrolling right to left, forever (the hall's notice). The text is rendered
    once into one texture; scrolling only moves which part of it is shown (no stencil, no new
    upload), and a text that fits stands still, centred."""

    speed = NumericProperty(8.0)  # screen-height percent per second

    def __init__(self, rel: float, **kwargs):
        super().__init__(**kwargs)
        self.rel = rel
        self.unit = 10.8
        self.offset = 0.0
        self.text = ""
        self._texture = None
        with self.canvas:
            self._color = Color(*Palette.text)
            self._rect = Rectangle(size=(0, 0))
        self.bind(pos=self._layout, size=self._layout)

    @property
    def text_width(self) -> int:
        return self._texture.width if self._texture is not None else 0

    @property
    def scrolling(self) -> bool:
        return self.text_width > self.width * 0.9

    def set_text(self, text: str) -> None:
        if self.text != text:
            self.text = text
            self.offset = 0.0
            self._render()

    def set_unit(self, unit: float) -> None:
        self.unit = unit
        self._render()

    def _render(self) -> None:
        if not self.text:
            self._texture = None
        else:
            label = CoreLabel(text=self.text, font_size=font_px(self.rel * self.unit))
            label.refresh()
            self._texture = label.texture
        self._layout()

    def step(self, dt: float) -> bool:
        """Move on by `dt` seconds of scrolling; False when nothing moved (nothing to redraw)."""
        if not self.scrolling:
            self.offset = 0.0
            return False
        span = self.width + self.text_width
        self.offset = (self.offset + self.speed * self.unit * dt) % max(span, 1.0)
        self._layout()
        return True

    def _layout(self, *_):
        texture = self._texture
        if texture is None or self.width <= 0:
            self._rect.size = (0, 0)
            return
        width, height = texture.size
        y = round(self.y + (self.height - height) / 2)
        if not self.scrolling:
            self._rect.texture = texture
            self._rect.pos = (round(self.x + (self.width - width) / 2), y)
            self._rect.size = (width, height)
            return
        # The part of the text inside the strip: [left, right) in window pixels.
        text_x = round(self.right - self.offset)
        left = max(round(self.x), text_x)
        right = min(round(self.right), text_x + width)
        if right <= left:
            self._rect.size = (0, 0)
            return
        self._rect.texture = texture.get_region(left - text_x, 0, right - left, height)
        self._rect.pos = (left, y)
        self._rect.size = (right - left, height)


def set_unit_everywhere(root: Widget, unit: float) -> None:
    """Give every `Text` (and marquee) under `root` the screen's pixels-per-percent."""
    for widget in root.walk(restrict=True):
        if isinstance(widget, Text):
            widget.unit = unit
        elif isinstance(widget, Marquee):
            widget.set_unit(unit)


__all__ = ["Panel", "Text", "Spacer", "Marquee", "FrameCache", "Palette", "rgb", "set_unit_everywhere"]
