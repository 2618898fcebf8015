"""The Kivy views: a header (hall, clock, 长辈模式, 中文/English) and a footer (返回, 首页, idle hint)
on every screen, and one body per flow screen, rebuilt from the controller's state whenever it
changes. Sizes come from one unit `u` (1/1080 of the short side of the window), so portrait
1080×1920 and landscape 1920×1080 use the same code; large-text mode scales type and targets.

Import this module only after kiosk.app has configured Kivy (window size, font, no argv)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Callable

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Line, Rectangle, RoundedRectangle
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from .controller import Controller
from .flow import (KEYPAD_PROMPTS, Screen, channel_options, checkin_options, common_words, guide_rows,
                   hall_open, home_options, item_name, limit_reached, local_hm, mask_typed, nocard_options,
                   opening_text, queue_name, reservation_note, sessions_text, visible_queues,
                   windows_text, zone_of)
from .qrimage import qr_rgb
from .strings import pick, t, wait_text, weekday

log = logging.getLogger("kiosk.ui")


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
    """A flat, rounded touch target that sends (action, arg) to the controller. Disabled buttons
    stay visible, grey, and say why (their text includes the reason)."""

    bg = ListProperty(C["primary"])
    fg = ListProperty(C["header_text"])
    selected = BooleanProperty(False)
    radius = NumericProperty(14)

    def __init__(self, text: str, action: str, arg: Any = None, *, ui: "KioskUI", bg: list[float] | None = None,
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
        self._shrunk = 0

    def _wrap(self, *_: Any) -> None:
        # Kivy 2.3 applies `padding` inside text_size.
        self.text_size = (max(1, self.width), max(1, self.height))
        if ("\n" in self.text or len(self.text) > 12) and hasattr(self, "_fit"):
            self._fit()

    def _autofit(self, *_: Any) -> None:
        """Text that does not fit its button (a long English name, large-text mode) is made
        smaller, never cut: measured once the button has its size."""
        from kivy.core.text.markup import MarkupLabel

        while self._shrunk < 6 and self.width > 10 and self.height > 10:
            probe = MarkupLabel(text=self.text, font_size=self.font_size, font_name=self.font_name,
                                halign=self.halign, text_size=(self.width, None), padding=self.padding)
            probe.refresh()
            if probe.texture is None or probe.texture.height <= self.height:
                return
            self._shrunk += 1
            self.font_size *= 0.88
            self.text = re.sub(r"\[size=(\d+)\]", lambda m: f"[size={int(int(m.group(1)) * 0.88)}]", self.text)

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
        self._ui.controller.act(self.action, self.arg)


class Card(BoxLayout):
    def __init__(self, ui: "KioskUI", bg: list[float] | None = None, **kwargs: Any):
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("padding", ui.px(28))
        kwargs.setdefault("spacing", ui.px(14))
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        with self.canvas.before:
            self._c = Color(rgba=bg or C["card"])
            self._r = RoundedRectangle(pos=self.pos, size=self.size, radius=[ui.px(18)])
        self.bind(pos=self._redraw, size=self._redraw)
        self.bind(minimum_height=self.setter("height"))

    def _redraw(self, *_: Any) -> None:
        self._r.pos, self._r.size = self.pos, self.size


class Filled(BoxLayout):
    def __init__(self, color: list[float], **kwargs: Any):
        super().__init__(**kwargs)
        with self.canvas.before:
            self._c = Color(rgba=color)
            self._r = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._redraw, size=self._redraw)

    def set_color(self, color: list[float]) -> None:
        self._c.rgba = color

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
        self.qr_data = data


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


_TILE_COLORS = {
    "home.take": "primary", "home.checkin": "teal", "home.guide": "green", "home.follow": "orange",
    "home.green": "green", "home.evaluate": "purple",
}


class KioskUI(FloatLayout):
    """The root widget. `render()` rebuilds what changed; the controller calls it after every
    action and every background result."""

    def __init__(self, controller: Controller, **kwargs: Any):
        super().__init__(**kwargs)
        self.controller = controller
        controller.render = self.render
        self._signature: Any = None
        self._saver_page = 0
        with self.canvas.before:
            Color(rgba=C["bg"])
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._bg_redraw, size=self._bg_redraw)
        self.frame = BoxLayout(orientation="vertical")
        self.add_widget(self.frame)
        self.bind(size=lambda *_: self.render(force=True))
        Clock.schedule_interval(self._every_second, 0.5)

    def _bg_redraw(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def u(self) -> float:
        w, h = Window.size
        return min(w, h) / 1080.0

    @property
    def landscape(self) -> bool:
        w, h = Window.size
        return w > h

    @property
    def large(self) -> bool:
        return self.controller.flow.large

    def px(self, value: float) -> float:
        return value * self.u

    _FONT = {"small": 28, "body": 34, "button": 38, "tile": 46, "title": 50, "huge": 200, "big": 72}

    def fs(self, name: str) -> float:
        scale = 1.3 if self.large else 1.0
        if name == "huge":  # the ticket number: as big as the screen's height allows
            scale = (1.1 if self.large else 1.0) * (0.75 if self.landscape else 1.0)
        return self._FONT[name] * scale * self.u

    def target(self, base: float = 120) -> float:
        """Height of a touch target: 120 px ≈ 35 mm on a 27-inch 1080×1920 panel; 1.3× in large mode."""
        return self.px(base) * (1.3 if self.large else 1.0)

    @property
    def lang(self) -> str:
        return self.controller.flow.lang

    def tr(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    # -- the frame -------------------------------------------------------------------------------
    def render(self, force: bool = False) -> None:
        try:
            signature = self._state_signature()
            if not force and signature == self._signature:
                self._update_live()
                return
            self._signature = signature
            self._build()
        except Exception:
            log.exception("rendering failed")
            self._fallback()

    def _state_signature(self) -> Any:
        c = self.controller
        f = c.flow
        s = f.session
        ctx = c.context()
        opts = tuple(home_options(ctx)) + tuple(channel_options(ctx)) + tuple(checkin_options(ctx))
        queues = tuple((q.get("id"), q.get("waiting"), q.get("estimated_wait_s"), q.get("open_windows"),
                        q.get("issued_today")) for q in c.queues) if f.screen in (Screen.QUEUES, Screen.CONFIRM) else ()
        return (f.screen, f.lang, f.large, f.busy, c.online, c.next_retry_at is None, hall_open(c.hall), opts, queues, tuple(Window.size),
                id(s.ticket), s.ticket_kind, s.print_state, s.keypad_purpose,
                tuple(s.search_terms), len(c.items), id(s.item), id(s.guide_item), s.queue, s.green,
                s.scan_purpose, id(s.follow), s.message_body, c.printer_problem(), s.identify_channel,
                id(s.id_session), s.keypad_note,
                (c.hall or {}).get("today_sessions") and str((c.hall or {}).get("today_sessions")),
                (c.hall or {}).get("next_opening") if not hall_open(c.hall) else None)

    def _fallback(self) -> None:
        """Never an empty screen: if a view cannot be built, show home with a plain message."""
        self.frame.clear_widgets()
        box = BoxLayout(orientation="vertical", padding=self.px(60))
        box.add_widget(Txt(self.tr("msg.unexpected"), size=self.fs("title"), halign="center"))
        box.add_widget(Btn(self.tr("nav.home"), "nav.home", ui=self, size_hint_y=None, height=self.target()))
        self.frame.add_widget(box)

    def _build(self) -> None:
        flow = self.controller.flow
        self.frame.clear_widgets()
        self.keypad_display = None
        self.advice_label = None
        if flow.screen is Screen.SCREENSAVER:
            self.frame.add_widget(self._screensaver())
            return
        self.frame.add_widget(self._header())
        banner = self._banner()
        if banner is not None:
            self.frame.add_widget(banner)
        body_holder = BoxLayout(orientation="vertical", padding=(self.px(36), self.px(24)), spacing=self.px(20))
        builder = getattr(self, "_screen_" + flow.screen.value, None)
        body = builder() if builder else self._screen_home()
        body.disabled = flow.busy
        body_holder.add_widget(body)
        self.frame.add_widget(body_holder)
        self.frame.add_widget(self._footer())

    def _header(self) -> Widget:
        c = self.controller
        hall = c.hall or {}
        bar = Filled(C["header"], orientation="horizontal", size_hint_y=None,
                     height=self.px(124 if self.landscape else 150) * (1.15 if self.large else 1),
                     padding=(self.px(30), self.px(18)), spacing=self.px(20))
        name = pick(hall.get("name"), hall.get("name_en"), self.lang) or t("app.title", self.lang)
        # The header's own text does not grow in large mode (its toggles do): one line each, always.
        titles = BoxLayout(orientation="vertical")
        titles.add_widget(Txt(name, size=self.px(44), color=C["header_text"], bold=True,
                              shorten=True, shorten_from="right", max_lines=1))
        self.clock_label = Txt(self._clock_text(), size=self.px(28), color=C["header_text"], shorten=True,
                               shorten_from="right", max_lines=1)
        titles.add_widget(self.clock_label)
        bar.add_widget(titles)
        toggle_w = self.px(250 if not self.landscape else 270) * (1.15 if self.large else 1)
        bar.add_widget(Btn(self.tr("toggle.large_off" if self.large else "toggle.large_on"), "toggle.large",
                           ui=self, bg=C["selected"] if not self.large else C["neutral"],
                           fg=C["text"] if not self.large else C["neutral_text"], size=self.fs("button"),
                           size_hint_x=None, width=toggle_w))
        bar.add_widget(Btn(self.tr("toggle.lang"), "toggle.lang", ui=self, bg=C["neutral"], fg=C["neutral_text"],
                           size=self.fs("button"), size_hint_x=None, width=self.px(210) * (1.15 if self.large else 1)))
        return bar

    def _clock_text(self) -> str:
        now = dt.datetime.now(zone_of(self.controller.hall))
        return self.tr("time.clock", year=now.year, month=now.month, day=now.day,
                       weekday=weekday(now.weekday(), self.lang), hm=f"{now:%H:%M}")

    def _banner(self) -> Widget | None:
        c = self.controller
        lines: list[tuple[str, list[float], list[float]]] = []
        if c.flow.busy:
            lines.append((self.tr("msg.busy"), C["ok"], C["ok_text"]))
        if not c.online and not c.connected_once and c.next_retry_at is None:
            lines.append((self.tr("banner.connecting"), C["ok"], C["ok_text"]))
        elif not c.online and c.flow.screen is not Screen.OFFLINE:
            lines.append((self.tr("banner.offline"), C["error"], C["error_text"]))
        problem = c.printer_problem()
        if problem and c.flow.screen in (Screen.HOME, Screen.CONFIRM, Screen.QUEUES):
            reason = problem[1] if self.lang == "en" else problem[0]
            lines.append((self.tr("banner.printer", reason=reason), C["warn"], C["warn_text"]))
        if c.online and c.hall and not hall_open(c.hall) and c.flow.screen is Screen.HOME:
            lines.append((self.tr("banner.closed"), C["warn"], C["warn_text"]))
        if not lines:
            return None
        box = BoxLayout(orientation="vertical", size_hint_y=None)
        box.bind(minimum_height=box.setter("height"))
        for text, bg, fg in lines:
            strip = Filled(bg, size_hint_y=None, padding=(self.px(36), self.px(14)))
            label = Txt(text, size=self.fs("body"), color=fg, bold=True)
            strip.add_widget(label)
            label.bind(height=lambda w, h, s=strip: setattr(s, "height", h + self.px(28)))
            box.add_widget(strip)
        return box

    def _footer(self) -> Widget:
        c = self.controller
        flow = c.flow
        bar = Filled(C["neutral"], orientation="horizontal", size_hint_y=None,
                     height=self.target(110 if self.landscape else 130) + self.px(24),
                     padding=(self.px(30), self.px(12)), spacing=self.px(24))
        self.idle_label = Txt("", size=self.fs("small"), color=C["muted"], halign="right")
        if flow.screen is Screen.HOME:
            hall = c.hall or {}
            info = []
            if hall.get("supervision_phone"):
                info.append(self.tr("saver.supervision", phone=hall["supervision_phone"]))
            if hall.get("notice"):
                info.append(str(hall["notice"]))
            bar.add_widget(Txt("\n".join(info), size=self.fs("small"), color=C["muted"]))
            return bar
        width = self.px(260) * (1.2 if self.large else 1)
        bar.add_widget(Btn("‹ " + self.tr("nav.back"), "nav.back", ui=self, bg=C["card"], fg=C["neutral_text"],
                           size_hint_x=None, width=width))
        bar.add_widget(Btn(self.tr("nav.home"), "nav.home", ui=self, bg=C["card"], fg=C["neutral_text"],
                           size_hint_x=None, width=width))
        bar.add_widget(self.idle_label)
        self._update_live()
        return bar

    def _update_keypad(self) -> None:
        f = self.controller.flow
        display = getattr(self, "keypad_display", None)
        if display is None or f.screen is not Screen.KEYPAD:
            return
        s = f.session
        display.text = mask_typed(s.keypad_text, f.keypad_layout()) or self.tr("keypad.empty")
        display.bold = bool(s.keypad_text)
        display.color = C["text"] if s.keypad_text else C["muted"]
        error = pick(*s.keypad_error_text, self.lang) if s.keypad_error_text[0] else ""
        self.keypad_error.text = error or (self.tr(s.keypad_error) if s.keypad_error else "")

    def _update_live(self) -> None:
        self._update_keypad()
        advice = getattr(self, "advice_label", None)
        if advice is not None:
            advice.text = pick(*self.controller.flow.session.id_advice, self.lang) or self.tr("id.waiting")
        c = self.controller
        left = c.flow.seconds_left(c.clock())
        label = getattr(self, "idle_label", None)
        if label is not None:
            label.text = self.tr("nav.idle", seconds=int(left + 0.99)) if left is not None and left <= 20 else ""
        clock = getattr(self, "clock_label", None)
        if clock is not None:
            clock.text = self._clock_text()

    def _every_second(self, _dt: float) -> None:
        try:
            before = self.controller.flow.screen
            self.controller.tick()
            if self.controller.flow.screen is Screen.SCREENSAVER and before is Screen.SCREENSAVER:
                self._saver_page += 1
                if self._saver_page % 16 == 0:
                    self.render(force=True)
                    return
            self.render()
        except Exception:
            log.exception("tick failed")

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
                          bar_color=rgb("#17428C", 0.8), bar_inactive_color=rgb("#17428C", 0.4))
        view.add_widget(content)
        return view

    def grid(self, cols: int, spacing: float = 22) -> GridLayout:
        g = GridLayout(cols=cols, spacing=self.px(spacing), size_hint_y=None)
        g.bind(minimum_height=g.setter("height"))
        return g

    def option_text(self, title: str, sub: str | None = None, reason: str | None = None,
                    title_size: str = "tile") -> str:
        parts = [f"[b][size={int(self.fs(title_size))}]{title}[/size][/b]"]
        if sub:
            parts.append(f"[size={int(self.fs('small'))}]{sub}[/size]")
        if reason:
            parts.append(f"[size={int(self.fs('small'))}]（{reason}）[/size]" if self.lang == "zh"
                         else f"[size={int(self.fs('small'))}]({reason})[/size]")
        return "\n".join(parts)

    def cols(self, portrait: int, landscape: int) -> int:
        n = landscape if self.landscape else portrait
        return max(1, n - 1) if self.large else n

    # -- screens ---------------------------------------------------------------------------------
    def _screen_home(self) -> Widget:
        c = self.controller
        body = self.page(self.tr("home.welcome"), 24)
        hall = c.hall or {}
        if hall:
            hours = self.tr("home.always_open") if hall.get("always_open") else (
                self.tr("home.hours_today", sessions=sessions_text(hall, self.lang)) if hall.get("today_sessions")
                else self.tr("closed.today_none"))
            body.add_widget(Txt(hours, size=self.fs("body"), color=C["muted"]))
        options = [o for o in home_options(c.context()) if o.visible]
        grid = GridLayout(cols=3 if self.landscape else 2, spacing=self.px(26))
        for option in options:
            color = C[_TILE_COLORS.get(option.key, "primary")]
            # Landscape in large text has room for the title and the reason only.
            sub = None if self.landscape and self.large else self.tr(option.key + ".sub")
            reason = self.tr(option.reason) if option.reason else None
            grid.add_widget(Btn(self.option_text(self.tr(option.key), sub, reason), option.key, ui=self, bg=color,
                                enabled=option.enabled))
        body.add_widget(grid)
        return body

    def _screen_queues(self) -> Widget:
        c = self.controller
        body = self.page(spacing=20)
        title = self.tr("queues.title")
        if c.flow.session.green:
            title = f"{self.tr('green.title')} · {title}"
        body.add_widget(self.title(title))
        queues = visible_queues(c.queues)
        if not queues:
            body.add_widget(Txt(self.tr("queues.none"), size=self.fs("body")))
            body.add_widget(Widget())
            return body
        grid = self.grid(self.cols(2, 3))
        # Queues whose tickets need an identity: open when this kiosk has a working way, else they
        # say where to go.
        ctx = c.context()
        needs_identity = set() if any(o.enabled for o in channel_options(ctx)) else ctx.identity_queues()
        for q in queues:
            full = limit_reached(q)
            reason = "queues.limit_reached" if full else ("reason.identity_required" if q["id"] in needs_identity else None)
            sub = self.tr("queues.waiting", waiting=q.get("waiting", 0)) + " · " + wait_text(q.get("estimated_wait_s"), self.lang)
            grid.add_widget(Btn(self.option_text(f"{q['id']}  {queue_name(q, self.lang)}", sub,
                                                 self.tr(reason) if reason else None),
                                "queue", q["id"], ui=self, bg=C["green"] if c.flow.session.green else C["primary"],
                                enabled=reason is None, size_hint_y=None, height=self.target(220)))
        body.add_widget(self.scroll(grid))
        return body

    def _screen_confirm(self) -> Widget:
        c = self.controller
        s = c.flow.session
        q = c.queue(s.queue) or {}
        card = Card(self)
        card.add_widget(Txt(self.tr("confirm.queue", name=f"{q.get('id', '')} {queue_name(q, self.lang)}"),
                            size=self.fs("title"), bold=True))
        card.add_widget(Txt(self.tr("confirm.item", name=item_name(s.item, self.lang)) if s.item
                            else self.tr("confirm.item_none"), size=self.fs("body"), color=C["muted"]))
        card.add_widget(Txt(self.tr("confirm.ahead", waiting=q.get("waiting", 0)), size=self.fs("tile"), bold=True,
                            color=C["primary"]))
        card.add_widget(Txt(self.tr("confirm.wait", wait=wait_text(q.get("estimated_wait_s"), self.lang)),
                            size=self.fs("tile"), bold=True, color=C["primary"]))
        card.add_widget(Txt(windows_text(q, c.windows, self.lang), size=self.fs("body"), color=C["muted"]))
        if q and not q.get("open_windows"):
            card.add_widget(Txt(self.tr("confirm.no_windows"), size=self.fs("small"), color=C["warn_text"]))
        if s.green:
            card.add_widget(Txt(self.tr("ticket.green"), size=self.fs("body"), bold=True, color=C["green"]))
        actions = self.column(22)
        print_key = "confirm.print_green" if s.green else "confirm.print"
        identify_first = s.id_session is None and s.queue in c.context().identity_queues()
        if identify_first:
            card.add_widget(Txt(self.tr("confirm.identify_first"), size=self.fs("body"), bold=True,
                                color=C["warn_text"]))
        if not identify_first:  # a queue that needs an identity has no plain "take" button at all
            actions.add_widget(Btn(f"[b][size={int(self.fs('big') * 0.8)}]{self.tr(print_key)}[/size][/b]",
                                   "confirm.print", ui=self, bg=C["green"] if s.green else C["primary"],
                                   size_hint_y=None, height=self.target(240 if self.landscape else 200)))
        if c.queue_items(s.queue) or not c.items:
            actions.add_widget(Btn(self.tr("confirm.change_item" if s.item else "confirm.choose_item"),
                                   "confirm.choose_item", ui=self, bg=C["card"], fg=C["neutral_text"],
                                   size_hint_y=None, height=self.target(130)))
        details = self.column(22)
        ways = self.ways_grid() if s.id_session is None and not s.green else None
        if ways is not None:
            # A queue that needs an identity: the ways take the place of the "take" button.
            where = actions if identify_first else details
            where.add_widget(Txt(self.tr("ways.title" if identify_first else "confirm.other_ways"),
                                 size=self.fs("tile" if identify_first else "body"), bold=True,
                                 color=C["text"] if identify_first else C["muted"]), index=len(where.children))
            where.add_widget(ways, index=len(where.children) - 1)
        if self.landscape:
            # Side by side: what the citizen is about to get, and the button to get it.
            body = self.page(spacing=36, orientation="horizontal")
            left = self.page(self.tr("confirm.title"), 22)
            details.add_widget(card, index=len(details.children))
            left.add_widget(self.scroll(details))
            body.add_widget(left)
            right = BoxLayout(orientation="vertical", size_hint_x=0.42, padding=(0, self.px(80), 0, 0))
            right.add_widget(actions)
            right.add_widget(Widget())
            body.add_widget(right)
            return body
        body = self.page(self.tr("confirm.title"), 22)
        content = self.column(22)
        content.add_widget(card)
        content.add_widget(actions)
        content.add_widget(details)
        body.add_widget(self.scroll(content))
        return body

    def ways_grid(self) -> Widget | None:
        """The identification ways as buttons (greyed with their reason), or None when none shows."""
        ways = [o for o in channel_options(self.controller.context()) if o.visible]
        if not ways:
            return None
        grid = self.grid(self.cols(3, 3) if self.lang == "zh" else 2, spacing=16)
        for o in ways:
            grid.add_widget(Btn(self.option_text(self.tr(o.key), None, self.tr(o.reason) if o.reason else None,
                                                 title_size="button"),
                                "identify", o.key.split(".", 1)[1], ui=self, bg=C["teal"], enabled=o.enabled,
                                size_hint_y=None, height=self.target(130)))
        return grid

    def _identity_choice(self, title: str, choices: Widget | None, note: Widget | None = None) -> Widget:
        """A screen choosing how to identify: the choices, then what is done with the data."""
        body = self.page(title, 26)
        for part in (note, choices):
            if part is not None:
                body.add_widget(part)
        body.add_widget(Txt(self.tr("id.data_note"), size=self.fs("body"), color=C["muted"]))
        body.add_widget(Widget())
        return body

    def _screen_ways(self) -> Widget:
        green = self.controller.flow.session.id_purpose == "green"
        note = Txt(self.tr("green.title"), size=self.fs("body"), bold=True, color=C["green"]) if green else None
        return self._identity_choice(self.tr("ways.title"), self.ways_grid(), note)

    def _screen_nocard(self) -> Widget:
        grid = GridLayout(cols=2 if self.landscape else 1, spacing=self.px(24), size_hint_y=None,
                          height=self.target(220) * (1 if self.landscape else 2) + self.px(24))
        for o in nocard_options(self.controller.context()):
            grid.add_widget(Btn(self.option_text(self.tr(o.key), self.tr(o.key + ".sub")), o.key, ui=self,
                                bg=C["teal"]))
        return self._identity_choice(self.tr("nocard.title"), grid)

    def _screen_consent(self) -> Widget:
        body = self.page(self.tr("consent.title"), 28)
        card = Card(self)
        card.add_widget(Txt(self.tr("consent.body"), size=self.fs("tile") * 0.85))
        body.add_widget(card)
        # One above the other, each the full width: neither choice is squeezed or wrapped.
        body.add_widget(Btn(f"[b]{self.tr('consent.agree')}[/b]", "consent.agree", ui=self, bg=C["green"],
                            size=self.fs("tile"), size_hint_y=None, height=self.target(170)))
        body.add_widget(Btn(self.tr("consent.decline"), "consent.decline", ui=self, bg=C["card"], fg=C["neutral_text"],
                            size_hint_y=None, height=self.target(130)))
        body.add_widget(Widget())
        return body

    def _screen_identified(self) -> Widget:
        c = self.controller
        s = c.flow.session
        who = s.id_session
        body = self.page(self.tr("identified.title"), 22)
        if who is None:
            body.add_widget(Widget())
            return body
        card = Card(self)
        name = who.holder or who.id_number or who.phone  # all masked by the server; an SMS identity has a phone only
        if name:
            card.add_widget(Txt(self.tr("identified.hello", holder=name), size=self.fs("title"), bold=True))
        if who.id_number and who.holder:
            card.add_widget(Txt(who.id_number, size=self.fs("body"), color=C["muted"]))
        if who.green:
            key = "identified.green_list" if who.green_reason == "list" else "identified.green_age"
            card.add_widget(Txt(self.tr(key, age=c.context().green_age()), size=self.fs("body"), bold=True, color=C["green"]))
        if who.waiting:
            card.add_widget(Txt(self.tr("identified.waiting", numbers="、".join(n for _, n in who.waiting)),
                                size=self.fs("body"), color=C["warn_text"]))
        listing = self.column(10)
        listing.add_widget(card)
        listing.add_widget(Txt(self.tr("identified.reservations"), size=self.fs("tile"), bold=True))
        for r in who.reservations:
            start, end = local_hm(r.slot_start, c.hall), local_hm(r.slot_end, c.hall)
            state = "" if r.open else f"（{self.tr('identified.checked_in')}）" if self.lang == "zh" \
                else f" ({self.tr('identified.checked_in')})"
            name = queue_name(c.queue(r.queue), self.lang) or r.queue_name
            listing.add_widget(Txt(f"{start}–{end}  {r.queue} {name}{state}", size=self.fs("body"),
                                   color=C["text"] if r.open else C["muted"]))
        first = next(iter(who.open_reservations), None)
        actions = self.column(20)
        if first is not None:
            start, end = local_hm(first.slot_start, c.hall), local_hm(first.slot_end, c.hall)
            name = queue_name(c.queue(first.queue), self.lang) or first.queue_name
            actions.add_widget(Btn(f"[b]{self.tr('identified.checkin', start=start, end=end, name=name)}[/b]",
                                   "identified.checkin", ui=self, bg=C["green"], size=self.fs("tile"),
                                   size_hint_y=None, height=self.target(180)))
        else:
            actions.add_widget(Txt(self.tr("identified.no_open"), size=self.fs("body"), color=C["muted"]))
        q = c.queue(s.queue) or {}
        actions.add_widget(Btn(self.tr("identified.take", name=f"{q.get('id', '')} {queue_name(q, self.lang)}"),
                               "identified.take", ui=self, bg=C["card"], fg=C["neutral_text"], size_hint_y=None,
                               height=self.target(140)))
        if self.landscape:  # who and what on the left, the two choices on the right
            row = BoxLayout(spacing=self.px(36))
            row.add_widget(self.scroll(listing))
            right = BoxLayout(orientation="vertical", size_hint_x=0.45)
            right.add_widget(actions)
            right.add_widget(Widget())
            row.add_widget(right)
            body.add_widget(row)
            return body
        listing.add_widget(actions)
        body.add_widget(self.scroll(listing))
        return body

    def _screen_items(self) -> Widget:
        c = self.controller
        s = c.flow.session
        body = self.page(spacing=20)
        q = c.queue(s.queue)
        body.add_widget(self.title(f"{self.tr('items.title')} · {queue_name(q, self.lang)}"))
        grid = self.grid(self.cols(1, 2), spacing=16)
        grid.add_widget(Btn(self.tr("items.skip"), "items.skip", ui=self, bg=C["card"], fg=C["neutral_text"],
                            size_hint_y=None, height=self.target(120)))
        items = c.queue_items(s.queue)
        for item in items:
            grid.add_widget(Btn(item_name(item, self.lang), "item", item.get("code"), ui=self, halign="left",
                                size_hint_y=None, height=self.target(120), size=self.fs("button")))
        if not items:
            grid.add_widget(Txt(self.tr("items.none"), size=self.fs("body")))
        body.add_widget(self.scroll(grid))
        return body

    def _screen_identify(self) -> Widget:
        c = self.controller
        channel = c.flow.session.identify_channel or "card"
        body = self.page(self.tr(f"id.{channel}"), 30)
        body.add_widget(Txt(self.tr(f"id.{channel}.prompt"), size=self.fs("title"), halign="center"))
        advice = pick(*c.flow.session.id_advice, self.lang) or self.tr("id.waiting")
        grabber = getattr(c.devices.camera, "grabber", None) if channel == "face" else None
        if grabber is not None:
            row = BoxLayout(size_hint_y=None, height=self.px(480))
            row.add_widget(Widget())
            row.add_widget(CameraPreview(grabber, self.px(640), self.px(480)))
            row.add_widget(Widget())
            body.add_widget(row)
            self.advice_label = Txt(advice, size=self.fs("title"), bold=True, color=C["primary"], halign="center")
            body.add_widget(self.advice_label)
        else:
            body.add_widget(self._reader_box(advice))
        body.add_widget(Txt(self.tr("id.data_note"), size=self.fs("body"), color=C["muted"], halign="center"))
        if c.simulated(channel):
            body.add_widget(Btn(self.tr("id.demo_present"), "id.demo_present", ui=self, bg=C["card"],
                                fg=C["neutral_text"], size_hint_y=None, height=self.target(110)))
        body.add_widget(Widget())
        return body

    def _reader_box(self, text: str) -> Widget:
        holder = BoxLayout(size_hint_y=None, height=self.px(420))
        holder.add_widget(Widget())
        box = Widget(size_hint=(None, None), size=(self.px(520), self.px(400)))
        with box.canvas:
            Color(rgba=C["primary"])
            line = Line(rectangle=(0, 0, 10, 10), width=self.px(5), dash_length=10, dash_offset=6)
        label = Label(text=text, font_size=self.fs("button"), color=C["primary"], halign="center",
                      text_size=(self.px(480), None))
        box.add_widget(label)
        self.advice_label = label  # the face check's advice changes in place (_update_live)

        def place(*_: Any) -> None:
            line.rectangle = (box.x, box.y, box.width, box.height)
            label.center = box.center
        box.bind(pos=place, size=place)
        holder.add_widget(box)
        holder.add_widget(Widget())
        return holder

    def _screen_keypad(self) -> Widget:
        c = self.controller
        f = c.flow
        s = f.session
        layout = f.keypad_layout()
        head = self.page(self.tr(KEYPAD_PROMPTS.get(s.keypad_purpose, "keypad.empty")), 18)
        display = Card(self, bg=C["card"])
        # Typing updates these two labels in place (_update_keypad), not the whole screen.
        self.keypad_display = Txt("", size=self.fs("big"), halign="center")
        display.add_widget(self.keypad_display)
        head.add_widget(display)
        self.keypad_error = Txt("", size=self.fs("body"), color=C["error_text"], bold=True)
        head.add_widget(self.keypad_error)
        self._update_keypad()
        if s.keypad_note[0]:
            head.add_widget(Txt(pick(*s.keypad_note, self.lang), size=self.fs("body"), color=C["ok_text"], bold=True))
        if s.keypad_purpose in ("nocard_id", "nocard_phone", "checkin_id", "face_id", "sms_phone"):
            head.add_widget(Txt(self.tr("id.data_note"), size=self.fs("small"), color=C["muted"]))
        if s.keypad_purpose == "sms_code":
            head.add_widget(Btn(self.tr("id.sms.resend"), "sms.resend", ui=self, bg=C["card"], fg=C["neutral_text"],
                                size_hint_y=None, height=self.target(100)))
        if layout == "alnum":
            keys = list("1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            cols = 8 if self.landscape else 7
        else:
            keys = list("123456789") + (["X"] if layout == "id" else [""]) + ["0"]
            cols = 3
        spacing = self.px(12)
        grid = GridLayout(cols=cols, spacing=spacing, size_hint_y=None)
        key_h = self.target(105 if layout == "alnum" else 130)
        for key in keys:
            if not key:
                grid.add_widget(Widget())
                continue
            grid.add_widget(Btn(f"[b]{key}[/b]", "key", key, ui=self, bg=C["card"], fg=C["text"],
                                size=self.fs("big") * 0.7, size_hint_y=None, height=key_h))
        delete = Btn(self.tr("keypad.del"), "key", "DEL", ui=self, bg=C["neutral"], fg=C["neutral_text"],
                     size_hint_y=None, height=key_h)
        delete.padding = (self.px(4), self.px(4))  # a narrow key: the word needs the whole width
        grid.add_widget(delete)
        rows = -(-len(grid.children) // cols)
        grid.height = rows * key_h + (rows - 1) * spacing
        keys_box = BoxLayout(size_hint_y=None, height=grid.height)
        if layout != "alnum" and not self.landscape:
            grid.size_hint_x = None
            grid.width = min(self.px(900), Window.width * 0.8)
            keys_box.add_widget(Widget())
            keys_box.add_widget(grid)
            keys_box.add_widget(Widget())
        else:
            keys_box.add_widget(grid)
        confirm = BoxLayout(size_hint_y=None, height=self.target(140), spacing=self.px(20))
        confirm.add_widget(Btn(self.tr("keypad.clear"), "key", "CLEAR", ui=self, bg=C["neutral"], fg=C["neutral_text"]))
        confirm.add_widget(Btn(f"[b]{self.tr('keypad.ok')}[/b]", "keypad.ok", ui=self, bg=C["green"],
                               size=self.fs("tile")))
        if self.landscape:
            head.add_widget(Widget())
            head.add_widget(confirm)
            body = self.page(spacing=40, orientation="horizontal")
            head.size_hint_x = 0.42 if layout == "alnum" else 0.5
            body.add_widget(head)
            right = BoxLayout(orientation="vertical", size_hint_x=1 - head.size_hint_x)
            right.add_widget(keys_box)
            right.add_widget(Widget())
            body.add_widget(right)
            return body
        head.add_widget(keys_box)
        head.add_widget(confirm)
        head.add_widget(Widget())
        return head

    def _screen_ticket(self) -> Widget:
        c = self.controller
        s = c.flow.session
        ticket = s.ticket or {}
        title_key = {"issued": "ticket.title", "checkin": "ticket.title_checkin", "again": "ticket.title_again",
                     "reprint": "ticket.title_reprint"}[s.ticket_kind]
        number = self.column(6)
        number.add_widget(Txt(self.tr("ticket.number"), size=self.fs("body"), color=C["muted"], halign="center"))
        number.add_widget(Txt(f"[b]{ticket.get('number', '')}[/b]", size=self.fs("huge"), color=C["primary"],
                              halign="center"))
        line = queue_name(c.queue(ticket.get("queue")), self.lang) or ticket.get("queue_name") or ""
        if ticket.get("item_name"):
            line += f" · {ticket['item_name']}"
        number.add_widget(Txt(line, size=self.fs("body"), halign="center"))
        info = self.column(10)
        if ticket.get("priority") == "green":
            info.add_widget(Txt(self.tr("ticket.green"), size=self.fs("tile"), bold=True, color=C["green"], halign="center"))
        info.add_widget(Txt(self.tr("ticket.ahead", waiting=ticket.get("waiting_ahead", 0)), size=self.fs("tile"),
                            bold=True, halign="center"))
        info.add_widget(Txt(self.tr("ticket.wait", wait=wait_text(ticket.get("estimated_wait_s"), self.lang)),
                            size=self.fs("body"), halign="center"))
        info.add_widget(Txt(windows_text(c.queue(ticket.get("queue")), c.windows, self.lang), size=self.fs("body"),
                            halign="center", color=C["muted"]))
        note = reservation_note(ticket, dt.datetime.now(dt.timezone.utc))
        if note:
            start, end = local_hm(ticket.get("slot_start"), c.hall), local_hm(ticket.get("slot_end"), c.hall)
            info.add_widget(Txt(self.tr("ticket.reservation_slot", start=start, end=end), size=self.fs("body"),
                                halign="center"))
            info.add_widget(Txt(self.tr(note[0], start=start), size=self.fs("body"), bold=True,
                                color=C["warn_text"] if note[0] != "ticket.reservation_now" else C["ok_text"],
                                halign="center"))
        qr = self.column(8)
        url = c.api.absolute(ticket.get("phone_url") or ticket.get("track_url"))
        if url:
            qr_side = self.px((330 if not self.large else 360) * (0.8 if self.landscape else 1))
            row = BoxLayout(size_hint_y=None, height=qr_side)
            row.add_widget(Widget())
            row.add_widget(QrImage(url, qr_side))
            row.add_widget(Widget())
            qr.add_widget(row)
            qr.add_widget(Txt(self.tr("ticket.qr"), size=self.fs("body"), halign="center"))
        side = self.column(14)
        status_key, colors = {
            "printing": ("ticket.printing", ("ok", "ok_text")),
            "printed": ("ticket.printed", ("ok", "ok_text")),
            "failed": ("ticket.print_failed", ("error", "error_text")),
            "no_printer": ("ticket.no_printer", ("warn", "warn_text")),
        }.get(s.print_state, (None, ("ok", "ok_text")))
        if status_key:
            reason = s.print_reason[1] if self.lang == "en" else s.print_reason[0]
            strip = Card(self, bg=C[colors[0]], padding=self.px(18))
            strip.add_widget(Txt(self.tr(status_key, reason=reason), size=self.fs("body"), bold=True,
                                 color=C[colors[1]], halign="center"))
            side.add_widget(strip)
        buttons = BoxLayout(size_hint_y=None, height=self.target(130), spacing=self.px(24))
        if s.print_state in ("failed", "none", "printed") and c.devices.printer is not None:
            buttons.add_widget(Btn(self.tr("ticket.reprint"), "ticket.reprint", ui=self, bg=C["card"],
                                   fg=C["neutral_text"]))
        buttons.add_widget(Btn(f"[b]{self.tr('ticket.done')}[/b]", "ticket.done", ui=self, bg=C["green"],
                               size=self.fs("tile")))
        side.add_widget(buttons)
        if self.landscape:
            body = self.page(spacing=40, orientation="horizontal")
            left = self.page(self.tr(title_key), 10)
            left.add_widget(number)
            left.add_widget(info)
            left.add_widget(Widget())
            body.add_widget(left)
            right = BoxLayout(orientation="vertical", size_hint_x=0.5)
            right.add_widget(qr)
            right.add_widget(side)
            right.add_widget(Widget())
            body.add_widget(right)
            return body
        # Portrait: the number on top, then the waiting figures beside the QR code.
        body = self.page(self.tr(title_key), 14)
        body.add_widget(number)
        middle = BoxLayout(size_hint_y=None, spacing=self.px(24))
        middle.add_widget(info)
        qr.size_hint_x = 0.8
        middle.add_widget(qr)
        info.bind(height=lambda *_: setattr(middle, "height", max(info.height, qr.height)))
        qr.bind(height=lambda *_: setattr(middle, "height", max(info.height, qr.height)))
        body.add_widget(middle)
        body.add_widget(side)
        body.add_widget(Widget())
        return body

    def _screen_closed(self) -> Widget:
        c = self.controller
        hall = c.hall or {}
        body = self.page(self.tr("closed.title"), 28)
        card = Card(self)
        sessions = sessions_text(hall, self.lang)
        card.add_widget(Txt(self.tr("closed.today", sessions=sessions) if sessions else self.tr("closed.today_none"),
                            size=self.fs("tile"), bold=True))
        opening = opening_text(hall, self.lang)
        card.add_widget(Txt(self.tr("closed.next", when=opening) if opening else self.tr("closed.no_next"),
                            size=self.fs("tile"), bold=True, color=C["primary"]))
        body.add_widget(card)
        body.add_widget(Txt(self.tr("closed.still"), size=self.fs("body"), color=C["muted"]))
        row = BoxLayout(size_hint_y=None, height=self.target(200), spacing=self.px(24))
        row.add_widget(Btn(self.option_text(self.tr("home.guide")), "home.guide", ui=self, bg=C["green"]))
        follow = scan_enabled = [o for o in home_options(c.context()) if o.key == "home.follow"][0]
        if follow.visible:
            row.add_widget(Btn(self.option_text(self.tr("home.follow")), "home.follow", ui=self, bg=C["orange"],
                               enabled=scan_enabled.enabled))
        body.add_widget(row)
        body.add_widget(Widget())
        return body

    def _screen_checkin(self) -> Widget:
        c = self.controller
        body = self.page(self.tr("checkin.choose"), 24)
        grid = GridLayout(cols=1 if not self.landscape else 3, spacing=self.px(24))
        for o in checkin_options(c.context()):
            if not o.visible:
                continue
            grid.add_widget(Btn(self.option_text(self.tr(o.key), self.tr(o.key + ".sub"),
                                                 self.tr(o.reason) if o.reason else None),
                                o.key, ui=self, bg=C["teal"], enabled=o.enabled))
        body.add_widget(grid)
        return body

    def _screen_scan(self) -> Widget:
        c = self.controller
        purpose = c.flow.session.scan_purpose
        title, prompt = {
            "checkin": ("checkin.by_scan", "checkin.scan_prompt"),
            "follow": ("follow.title", "follow.prompt"),
            "lutong": ("id.lutong", "id.lutong.prompt"),
        }.get(purpose, ("follow.title", "follow.prompt"))
        body = self.page(self.tr(title), 30)
        body.add_widget(Txt(self.tr(prompt), size=self.fs("title"), halign="center"))
        body.add_widget(self._reader_box(self.tr("id.waiting")))
        body.add_widget(Widget())
        return body

    def _screen_guide_home(self) -> Widget:
        c = self.controller
        body = self.page(self.tr("guide.title"), 20)
        if not c.online and c.items:
            body.add_widget(Txt(self.tr("reason.cached"), size=self.fs("body"), color=C["warn_text"]))
        row = BoxLayout(size_hint_y=None, height=self.target(170), spacing=self.px(24))
        row.add_widget(Btn(self.option_text(self.tr("guide.search"), self.tr("guide.search.sub"), title_size="button"),
                           "guide.search", ui=self, bg=C["green"]))
        row.add_widget(Btn(self.option_text(self.tr("guide.search_code"), None, title_size="button"),
                           "guide.code", ui=self, bg=C["teal"]))
        body.add_widget(row)
        body.add_widget(Txt(self.tr("guide.browse"), size=self.fs("body"), bold=True, color=C["muted"]))
        queues = visible_queues(c.queues) or [{"id": q, "name": q} for q in sorted({i.get("queue") for i in c.items})]
        grid = self.grid(self.cols(2, 3))
        for q in queues:
            count = len(c.queue_items(q["id"]))
            grid.add_widget(Btn(self.option_text(f"{q['id']}  {queue_name(q, self.lang)}",
                                                 self.tr("guide.results", count=count), title_size="button"),
                                "guide.queue", q["id"], ui=self, bg=C["primary"], size_hint_y=None,
                                height=self.target(170), enabled=count > 0))
        body.add_widget(self.scroll(grid))
        return body

    def _screen_guide_search(self) -> Widget:
        c = self.controller
        s = c.flow.session
        body = self.page(self.tr("guide.search_words"), 20)
        query = " + ".join(s.search_terms)
        body.add_widget(Txt(self.tr("guide.search_query", query=query) if query else self.tr("guide.search.sub"),
                            size=self.fs("body"), color=C["muted"]))
        grid = self.grid(self.cols(4, 7), spacing=14)
        for word in common_words(c.items):
            b = Btn(word, "word", word, ui=self, bg=C["card"], fg=C["text"], size=self.fs("tile") * 0.9,
                    size_hint_y=None, height=self.target(115))
            b.selected = word in s.search_terms
            grid.add_widget(b)
        body.add_widget(self.scroll(grid))
        count = c.search_count() if s.search_terms else 0
        body.add_widget(Btn(f"[b]{self.tr('guide.results', count=count)}[/b]", "guide.results", ui=self, bg=C["green"],
                            enabled=count > 0, size=self.fs("tile"), size_hint_y=None, height=self.target(140)))
        return body

    def _screen_guide_items(self) -> Widget:
        c = self.controller
        s = c.flow.session
        body = self.page(spacing=18)
        if s.guide_queue:
            title = f"{self.tr('guide.title')} · {queue_name(c.queue(s.guide_queue), self.lang) or s.guide_queue}"
        elif s.search_terms:
            title = self.tr("guide.search_query", query=" + ".join(s.search_terms))
        else:
            title = self.tr("guide.search_query", query=s.keypad_text or "")
        body.add_widget(self.title(title))
        body.add_widget(Txt(self.tr("guide.results", count=len(s.guide_items)) if s.guide_items
                            else self.tr("guide.no_results"), size=self.fs("body"), color=C["muted"]))
        grid = self.grid(self.cols(1, 2), spacing=16)
        for item in s.guide_items:
            code = str(item.get("code", ""))
            grid.add_widget(Btn(self.option_text(item_name(item, self.lang),
                                                 f"{item.get('queue_name', '')} · …{code[-8:]}", title_size="button"),
                                "guide.item", code, ui=self, bg=C["card"], fg=C["text"], halign="left",
                                size_hint_y=None, height=self.target(150)))
        body.add_widget(self.scroll(grid))
        return body

    def _screen_guide(self) -> Widget:
        c = self.controller
        item = c.flow.session.guide_item or {}
        body = self.page(item_name(item, self.lang), 18)
        body.add_widget(Txt(self.tr("guide.code", code=item.get("code", "")) + "    " + self.tr("guide.scroll"),
                            size=self.fs("small"), color=C["muted"]))
        content = BoxLayout(orientation="vertical", spacing=self.px(16), size_hint_y=None)
        content.bind(minimum_height=content.setter("height"))
        for heading, value in guide_rows(item, self.lang):
            card = Card(self, padding=self.px(22), spacing=self.px(8))
            card.add_widget(Txt(heading, size=self.fs("button"), bold=True, color=C["primary"]))
            if isinstance(value, list):
                text = "\n".join(f"{n}. {v}" for n, v in enumerate(value, 1))
            else:
                text = str(value)
            card.add_widget(Txt(text, size=self.fs("body")))
            content.add_widget(card)
        body.add_widget(self.scroll(content))
        if c.online and c.queue(item.get("queue")) is not None:
            body.add_widget(Btn(f"[b]{self.tr('guide.take')}[/b]", "guide.take", ui=self, bg=C["primary"],
                                size=self.fs("tile"), size_hint_y=None, height=self.target(140)))
        return body

    def _screen_follow(self) -> Widget:
        c = self.controller
        body_data = c.flow.session.follow or {}
        body = self.page(self.tr("follow.title"), 20)
        card = Card(self, orientation="horizontal" if self.landscape else "vertical")
        card.add_widget(Txt(f"[b]{body_data.get('number', '')}[/b]", size=self.fs("huge"), color=C["primary"],
                            halign="center"))
        details = self.column(12)
        status = str(body_data.get("status", ""))
        details.add_widget(Txt(self.tr("follow.status", status=self.tr(f"follow.status.{status}")),
                               size=self.fs("tile"), bold=True, halign="center"))
        if status == "waiting":
            details.add_widget(Txt(self.tr("ticket.ahead", waiting=body_data.get("waiting_ahead", 0)),
                                   size=self.fs("tile"), bold=True, halign="center"))
            details.add_widget(Txt(self.tr("ticket.wait", wait=wait_text(body_data.get("estimated_wait_s"), self.lang)),
                                   size=self.fs("body"), halign="center"))
        window = body_data.get("window_name") or body_data.get("window")
        if window and status in ("called", "serving"):
            details.add_widget(Txt(self.tr("follow.called", window=window), size=self.fs("big"), bold=True,
                                   color=C["green"], halign="center"))
        card.add_widget(details)
        body.add_widget(card)
        body.add_widget(Btn(self.tr("follow.again"), "scan.retry", ui=self, bg=C["orange"], size_hint_y=None,
                            height=self.target(120)))
        body.add_widget(Widget())
        return body

    def _screen_green(self) -> Widget:
        c = self.controller
        hall = c.hall or {}
        granted = hall.get("green_policy", "granted") == "granted"
        body = self.page(self.tr("green.title"), 26)
        card = Card(self)
        card.add_widget(Txt(self.tr("green.who"), size=self.fs("tile") * 0.85))
        card.add_widget(Txt(self.tr("green.granted" if granted else "green.identity", age=c.context().green_age()),
                            size=self.fs("body"), bold=True, color=C["green"] if granted else C["warn_text"]))
        can_identify = not granted and any(o.enabled for o in channel_options(c.context()))
        if not granted and not can_identify:
            card.add_widget(Txt(self.tr("green.staff"), size=self.fs("body")))
        body.add_widget(card)
        if can_identify:
            body.add_widget(Btn(f"[b]{self.tr('green.identify')}[/b]", "green.identify", ui=self, bg=C["green"],
                                size=self.fs("tile"), size_hint_y=None, height=self.target(200)))
        if granted:
            body.add_widget(Btn(f"[b]{self.tr('green.choose')}[/b]", "green.choose", ui=self, bg=C["green"],
                                size=self.fs("tile"), size_hint_y=None, height=self.target(200)))
        body.add_widget(Widget())
        return body

    def _screen_message(self) -> Widget:
        s = self.controller.flow.session
        body = self.page(spacing=28)
        body.add_widget(Widget(size_hint_y=0.2))
        body.add_widget(Txt(self.tr(s.message_title), size=self.fs("title"), bold=True, halign="center",
                            color=C["error_text"]))
        text = s.message_body[1] if self.lang == "en" else s.message_body[0]
        if text:
            card = Card(self)
            card.add_widget(Txt(text, size=self.fs("tile"), halign="center"))
            body.add_widget(card)
        if s.message_hint:
            body.add_widget(Txt(self.tr(s.message_hint), size=self.fs("body"), color=C["muted"], halign="center"))
        body.add_widget(Widget())
        return body

    def _screen_offline(self) -> Widget:
        c = self.controller
        body = self.page(spacing=28)
        body.add_widget(Txt(self.tr("msg.offline_title"), size=self.fs("title"), bold=True, color=C["error_text"],
                            halign="center"))
        card = Card(self)
        card.add_widget(Txt(self.tr("msg.offline_body"), size=self.fs("tile") * 0.85))
        body.add_widget(card)
        if c.next_retry_at is not None:
            seconds = max(0, int(c.next_retry_at - c.clock() + 0.99))
            body.add_widget(Txt(self.tr("msg.retry_in", seconds=seconds) if seconds else self.tr("banner.offline"),
                                size=self.fs("body"), color=C["muted"], halign="center"))
        if c.items:
            body.add_widget(Btn(self.option_text(self.tr("home.guide"), self.tr("reason.cached")), "home.guide",
                                ui=self, bg=C["green"], size_hint_y=None, height=self.target(200)))
        body.add_widget(Widget())
        return body

    def _screensaver(self) -> Widget:
        c = self.controller
        hall = c.hall or {}
        page = (self._saver_page // 16) % 2
        saver = Filled(C["header"], orientation="vertical", padding=self.px(80), spacing=self.px(40))
        saver.add_widget(Widget())
        saver.add_widget(Txt(pick(hall.get("name"), hall.get("name_en"), self.lang) or self.tr("app.title"),
                             size=self.fs("big"), bold=True, color=C["header_text"], halign="center"))
        if page == 0 or not hall.get("notice"):
            saver.add_widget(Txt(self.tr("saver.services"), size=self.fs("title"), color=C["header_text"], halign="center"))
        else:
            saver.add_widget(Txt(str(hall.get("notice")), size=self.fs("title"), color=C["header_text"], halign="center"))
        if hall.get("today_sessions"):
            saver.add_widget(Txt(self.tr("home.hours_today", sessions=sessions_text(hall, self.lang)),
                                 size=self.fs("tile"), color=C["header_text"], halign="center"))
        saver.add_widget(Widget())
        saver.add_widget(Btn(f"[b]{self.tr('saver.touch')}[/b]", "screensaver.wake", ui=self, bg=C["selected"],
                             fg=C["text"], size=self.fs("big") * 0.8, size_hint_y=None, height=self.target(220)))
        if hall.get("supervision_phone"):
            saver.add_widget(Txt(self.tr("saver.supervision", phone=hall["supervision_phone"]), size=self.fs("body"),
                                 color=C["header_text"], halign="center"))
        return saver

    def on_touch_down(self, touch: Any) -> bool:
        self.controller.touched()
        if self.controller.flow.screen is Screen.SCREENSAVER:
            self.controller.act("screensaver.wake")
            return True
        return super().on_touch_down(touch)


def find_buttons(root: Widget, action: str, arg: Any = None) -> list[Btn]:
    """Buttons of the current screen with this action (and argument): for tests and benchmarks."""
    return [w for w in root.walk() if isinstance(w, Btn) and w.action == action and (arg is None or w.arg == arg)]


Callback = Callable[[], None]
