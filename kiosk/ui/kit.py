"""What every screen is built with, for one drawing of the kiosk: the sizes (from the window and
长辈模式), the citizen's language, the blocks a screen is made of, and the labels that change in
place without a rebuild (`Live`: the keypad's display, the reader's advice, the idle countdown,
the clock).

    body = kit.page(kit.tr("checkin.choose"), 24)
    body.add_widget(Btn(kit.option_text(kit.tr("checkin.by_code")), Action.CHECKIN_BY_CODE, ui=kit))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from ..strings import t
from .theme import FONT, LARGE, SCROLL_BAR, SCROLL_BAR_IDLE, C
from .widgets import Txt


@dataclass
class Live:
    """Labels a screen registers so they are updated in place (kiosk.ui.root.KioskUI.update_live)."""

    keypad_display: Txt | None = None
    keypad_error: Txt | None = None
    advice: Label | None = None
    idle: Txt | None = None
    clock: Txt | None = None


class Kit:
    def __init__(self, *, window: tuple[float, float], lang: str, large: bool,
                 act: Callable[[str, Any], None]) -> None:
        width, height = window
        self.u = min(width, height) / 1080.0
        self.landscape = width > height
        self.window_width = width
        self.lang = lang
        self.large = large
        self._act = act
        self.live = Live()

    # -- what a button does ---------------------------------------------------------------------
    def act(self, action: str, arg: Any = None) -> None:
        self._act(action, arg)

    # -- sizes ----------------------------------------------------------------------------------
    def px(self, value: float) -> float:
        return value * self.u

    def fs(self, name: str) -> float:
        scale = LARGE if self.large else 1.0
        if name == "huge":  # the ticket number: as big as the screen's height allows
            scale = (1.1 if self.large else 1.0) * (0.75 if self.landscape else 1.0)
        return FONT[name] * scale * self.u

    def target(self, base: float = 120) -> float:
        """Height of a touch target: 120 px ≈ 35 mm on a 27-inch 1080×1920 panel; 1.3× in large mode."""
        return self.px(base) * (LARGE if self.large else 1.0)

    def cols(self, portrait: int, landscape: int) -> int:
        n = landscape if self.landscape else portrait
        return max(1, n - 1) if self.large else n

    def tr(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    # -- building blocks -------------------------------------------------------------------------
    def title(self, text: str) -> Widget:
        return Txt(text, size=self.fs("title"), bold=True, color=C["text"])

    def page(self, title: str | None = None, spacing: float = 20, orientation: str = "vertical") -> BoxLayout:
        """A screen's body: a column (or row) that starts with the screen's title."""
        body = BoxLayout(orientation=orientation, spacing=self.px(spacing))
        if title is not None:
            body.add_widget(self.title(title))
        return body

    def column(self, spacing: float = 16, **kwargs: Any) -> BoxLayout:
        """A column as tall as its content."""
        box = BoxLayout(orientation="vertical", spacing=self.px(spacing), size_hint_y=None, **kwargs)
        box.bind(minimum_height=box.setter("height"))
        return box

    def scroll(self, content: Widget) -> ScrollView:
        view = ScrollView(do_scroll_x=False, bar_width=self.px(14), scroll_type=["bars", "content"],
                          bar_color=SCROLL_BAR, bar_inactive_color=SCROLL_BAR_IDLE)
        view.add_widget(content)
        return view

    def grid(self, cols: int, spacing: float = 22) -> GridLayout:
        g = GridLayout(cols=cols, spacing=self.px(spacing), size_hint_y=None)
        g.bind(minimum_height=g.setter("height"))
        return g

    def option_text(self, title: str, sub: str | None = None, reason: str | None = None,
                    title_size: str = "tile") -> str:
        """A tile's text: its title, a line under it, and why it is greyed (in brackets)."""
        small = int(self.fs("small"))
        parts = [f"[b][size={int(self.fs(title_size))}]{title}[/size][/b]"]
        if sub:
            parts.append(f"[size={small}]{sub}[/size]")
        if reason:
            parts.append(f"[size={small}]（{reason}）[/size]" if self.lang == "zh" else f"[size={small}]({reason})[/size]")
        return "\n".join(parts)

    def centred(self, widget: Widget, height: float) -> BoxLayout:
        """A row of the given height with `widget` in its middle."""
        row = BoxLayout(size_hint_y=None, height=height)
        row.add_widget(Widget())
        row.add_widget(widget)
        row.add_widget(Widget())
        return row
