"""The kiosk's Kivy building blocks: text that wraps to its width, the rounded touch button that
sends its action to the controller, cards and filled strips, the QR code of a ticket, the camera's
mirrored preview and the dashed box a citizen holds a card or a code to."""

from __future__ import annotations

import re
from typing import Any, Protocol

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle, RoundedRectangle
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from ..qrimage import qr_rgb
from .theme import C


class Sizes(Protocol):
    """What a widget needs of the screen it is on (kiosk.ui.kit.Kit)."""

    def px(self, value: float) -> float: ...

    def fs(self, name: str) -> float: ...

    def act(self, action: str, arg: Any = None) -> None: ...


class Txt(Label):
    """A label that wraps to its width and is as tall as its text."""

    def __init__(self, text: str = "", *, size: float = 30, color: list[float] | None = None,
                 bold: bool = False, halign: str = "left", **kwargs: Any):
        kwargs.setdefault("size_hint_y", None)
        super().__init__(text=text, font_size=size, color=color or C["text"], bold=bold, halign=halign,
                         valign="middle", markup=True, **kwargs)
        self.bind(width=self._wrap, texture_size=self._fit)

    def _wrap(self, *_: Any) -> None:
        self.text_size = (self.width, None)

    def _fit(self, *_: Any) -> None:
        self.height = self.texture_size[1] + 4 if self.text else 0


class Btn(ButtonBehavior, Label):
    """A flat, rounded touch target that sends (action, arg) to the controller (kiosk.actions names
    every action). Disabled buttons stay visible, grey, and say why (their text includes the reason)."""

    bg = ListProperty(C["primary"])
    fg = ListProperty(C["header_text"])
    selected = BooleanProperty(False)
    radius = NumericProperty(14)

    def __init__(self, text: str, action: str, arg: Any = None, *, ui: Sizes, bg: list[float] | None = None,
                 fg: list[float] | None = None, size: float | None = None, enabled: bool = True,
                 halign: str = "center", **kwargs: Any):
        self.action = action
        self.arg = arg
        self._ui = ui
        super().__init__(text=text, markup=True, font_size=size or ui.fs("button"), halign=halign,
                         valign="middle", **kwargs)
        self.bg = bg or C["primary"]
        self.fg = fg or C["header_text"]
        self.disabled = not enabled
        self.radius = ui.px(16)
        self.padding = (ui.px(24), ui.px(12))
        with self.canvas.before:
            self._color = Color(rgba=self._fill())
            self._rect = RoundedRectangle(pos=self.pos, size=self.size, radius=[self.radius])
        self.bind(pos=self._redraw, size=self._redraw, state=self._redraw, disabled=self._redraw,
                  selected=self._redraw)
        self.bind(size=self._wrap)
        self.color = self.fg if enabled else C["disabled_text"]
        self.disabled_color = C["disabled_text"]
        self._fit = Clock.create_trigger(self._autofit)
        self._base = (text, size or ui.fs("button"))  # what autofit starts from, whatever size came before

    def _wrap(self, *_: Any) -> None:
        # Kivy 2.3 applies `padding` inside text_size.
        self.text_size = (max(1, self.width), max(1, self.height))
        if ("\n" in self.text or len(self.text) > 8) and hasattr(self, "_fit"):
            self._fit()

    def _autofit(self, *_: Any) -> None:
        """Text that does not fit its button (a long English name, large-text mode) is made
        smaller (at most six steps), never cut: measured at the button's size, from the text as
        given, so a size met on the way (before the layout settled) leaves no trace."""
        from kivy.core.text.markup import MarkupLabel

        if self.width <= 10 or self.height <= 10:
            return
        text, size = self._base
        for step in range(7):
            probe = MarkupLabel(text=text, font_size=size, font_name=self.font_name,
                                halign=self.halign, text_size=(self.width, None), padding=self.padding)
            probe.refresh()
            if probe.texture is None or probe.texture.height <= self.height or step == 6:
                break
            size *= 0.88
            text = re.sub(r"\[size=(\d+)\]", lambda m: f"[size={int(int(m.group(1)) * 0.88)}]", text)
        self.font_size, self.text = size, text

    def _fill(self) -> list[float]:
        if self.disabled:
            return C["disabled"]
        if self.selected:
            return C["selected"]
        if self.state == "down":
            return [c * 0.8 for c in self.bg[:3]] + [1]
        return list(self.bg)

    def _redraw(self, *_: Any) -> None:
        self._color.rgba = self._fill()
        self._rect.pos = self.pos
        self._rect.size = self.size
        self._rect.radius = [self.radius]

    def on_release(self) -> None:
        self._ui.act(self.action, self.arg)


class Card(BoxLayout):
    def __init__(self, ui: Sizes, bg: list[float] | None = None, **kwargs: Any):
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("padding", ui.px(28))
        kwargs.setdefault("spacing", ui.px(14))
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        with self.canvas.before:
            Color(rgba=bg or C["card"])
            self._r = RoundedRectangle(pos=self.pos, size=self.size, radius=[ui.px(18)])
        self.bind(pos=self._redraw, size=self._redraw)
        self.bind(minimum_height=self.setter("height"))

    def _redraw(self, *_: Any) -> None:
        self._r.pos, self._r.size = self.pos, self.size


class Filled(BoxLayout):
    def __init__(self, color: list[float], **kwargs: Any):
        super().__init__(**kwargs)
        with self.canvas.before:
            Color(rgba=color)
            self._r = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_: Any) -> None:
        self._r.pos, self._r.size = self.pos, self.size


class QrImage(Image):
    def __init__(self, data: str, side: float, **kwargs: Any):
        pixels, buf = qr_rgb(data, scale=6)
        texture = Texture.create(size=(pixels, pixels), colorfmt="rgb")
        texture.blit_buffer(buf, colorfmt="rgb", bufferfmt="ubyte")
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        super().__init__(texture=texture, size_hint=(None, None), size=(side, side), fit_mode="contain", **kwargs)
        self.qr_data = data  # what the code holds: tests read it back


class CameraPreview(Image):
    """What the camera sees, mirrored like a looking glass, a few times a second while the face
    screen shows, so a citizen can place their face. Shown only, never kept."""

    FPS = 6
    WIDTH = 400  # pixels uploaded per refresh: enough for a preview, cheap for a software renderer

    def __init__(self, grabber: Any, width: float, height: float, **kwargs: Any):
        super().__init__(size_hint=(None, None), size=(width, height), fit_mode="contain", **kwargs)
        self._grabber = grabber
        self._seq = -1
        self._event = Clock.schedule_interval(self._refresh, 1 / self.FPS)

    def _refresh(self, _dt: float) -> None:
        if self.parent is None:  # the screen was rebuilt or left
            self._event.cancel()
            return
        frame = self._grabber.latest()
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        import cv2

        image = frame.image
        height, width = image.shape[:2]
        small = cv2.resize(image, (self.WIDTH, max(1, round(height * self.WIDTH / width))), interpolation=cv2.INTER_AREA)
        # Mirrored, bottom row first as GL textures are, and RGB (a "bgr" upload is not honoured by
        # every GL driver).
        small = cv2.cvtColor(cv2.flip(small, -1), cv2.COLOR_BGR2RGB)
        size = (small.shape[1], small.shape[0])
        if self.texture is None or tuple(self.texture.size) != size:
            self.texture = Texture.create(size=size, colorfmt="rgb")
        self.texture.blit_buffer(small.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self.canvas.ask_update()


def reader_box(ui: Sizes, text: str) -> tuple[Widget, Label]:
    """A dashed box to hold a card or a code to, with a line of text inside that may change in
    place (the reader's advice); → (the box's row, that label)."""
    holder = BoxLayout(size_hint_y=None, height=ui.px(420))
    holder.add_widget(Widget())
    box = Widget(size_hint=(None, None), size=(ui.px(520), ui.px(400)))
    with box.canvas:
        Color(rgba=C["primary"])
        line = Line(rectangle=(0, 0, 10, 10), width=ui.px(5), dash_length=10, dash_offset=6)
    label = Label(text=text, font_size=ui.fs("button"), color=C["primary"], halign="center",
                  text_size=(ui.px(480), None))
    box.add_widget(label)

    def place(*_: Any) -> None:
        line.rectangle = (box.x, box.y, box.width, box.height)
        label.center = box.center
    box.bind(pos=place, size=place)
    holder.add_widget(box)
    holder.add_widget(Widget())
    return holder, label


def find_buttons(root: Widget, action: str, arg: Any = None) -> list[Btn]:
    """Buttons of the current screen with this action (and argument): for tests and benchmarks."""
    return [w for w in root.walk() if isinstance(w, Btn) and w.action == action and (arg is None or w.arg == arg)]
