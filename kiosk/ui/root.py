"""The root widget: the chrome around one screen body, rebuilt from the controller's state when
it changes (a signature of what is shown), the labels that change in place updated twice a
second, the idle timer ticked, and a touch on the notice loop waking the kiosk."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

from ..actions import Action
from ..evaluation import EvaluationVisit
from ..flow import Screen, channel_options, checkin_options, hall_open, home_options
from ..strings import pick
from . import chrome
from .kit import Kit
from .screens import SCREENS, home, keypad, screensaver
from .theme import C

if TYPE_CHECKING:
    from ..controller import Controller

log = logging.getLogger("kiosk.ui")

SAVER_PAGE_TICKS = 16  # the notice loop turns its page every 16 half-second ticks


def _evaluation_signature(visit: EvaluationVisit | None) -> Any:
    """What the 好差评 screens show of the visit: a new lookup, a level, a reason, the result."""
    if visit is None:
        return None
    return (id(visit), id(visit.ticket), visit.verdict, visit.followup, visit.level, tuple(visit.reasons), id(visit.result))


class KioskUI(FloatLayout):
    """`render()` rebuilds what changed; the controller calls it after every action and every
    background result."""

    def __init__(self, controller: Controller, **kwargs: Any):
        super().__init__(**kwargs)
        self.controller = controller
        controller.render = self.render
        self._signature: Any = None
        self._saver_ticks = 0
        self.kit = self._kit()
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

    def _kit(self) -> Kit:
        flow = self.controller.flow
        return Kit(window=tuple(Window.size), lang=flow.lang, large=flow.large, act=self.controller.act)

    # -- drawing --------------------------------------------------------------------------------
    def render(self, force: bool = False) -> None:
        try:
            signature = self._state_signature()
            if not force and signature == self._signature:
                self.update_live()
                return
            self._signature = signature
            self._build()
        except Exception:
            log.exception("rendering failed")
            self.frame.clear_widgets()
            self.frame.add_widget(chrome.fallback(self.kit))

    def _state_signature(self) -> Any:
        """Everything a screen shows that is not updated in place: a change rebuilds the screen."""
        c = self.controller
        f = c.flow
        s = f.session
        ctx = c.context()
        opts = tuple(home_options(ctx)) + tuple(channel_options(ctx)) + tuple(checkin_options(ctx))
        queues = tuple(c.queues) if f.screen in (Screen.QUEUES, Screen.CONFIRM) else ()
        hall = c.hall
        return (f.screen, f.lang, f.large, f.busy, c.online, c.next_retry_at is None, hall_open(hall), opts, queues,
                tuple(Window.size), id(s.ticket), s.ticket_kind, s.print_state, s.keypad_purpose,
                tuple(s.search_terms), len(c.items), id(s.item), id(s.guide_item), s.queue, s.green,
                s.scan_purpose, id(s.follow), s.message_body, c.printer_problem(), s.identify_channel,
                id(s.id_session), s.keypad_note, _evaluation_signature(s.evaluation),
                hall.today_sessions if hall else None,
                hall.next_opening if hall and not hall_open(hall) else None)

    def _build(self) -> None:
        flow = self.controller.flow
        self.kit = kit = self._kit()
        self.frame.clear_widgets()
        if flow.screen is Screen.SCREENSAVER:
            self.frame.add_widget(screensaver.screensaver(kit, self.controller, self._saver_ticks // SAVER_PAGE_TICKS))
            return
        self.frame.add_widget(chrome.header(kit, self.controller))
        strip = chrome.banner(kit, self.controller)
        if strip is not None:
            self.frame.add_widget(strip)
        holder = BoxLayout(orientation="vertical", padding=(kit.px(36), kit.px(24)), spacing=kit.px(20))
        body = SCREENS.get(flow.screen, home.home)(kit, self.controller)
        body.disabled = flow.busy
        holder.add_widget(body)
        self.frame.add_widget(holder)
        self.frame.add_widget(chrome.footer(kit, self.controller))
        self.update_live()

    def update_live(self) -> None:
        """The labels that change without a rebuild: typed keys, a reader's advice, the idle
        countdown (its last 20 seconds) and the clock."""
        c = self.controller
        kit, live = self.kit, self.kit.live
        keypad.update_keypad(kit, c.flow)
        if live.advice is not None:
            live.advice.text = pick(*c.flow.session.id_advice, kit.lang) or kit.tr("id.waiting")
        left = c.flow.seconds_left(c.clock())
        if live.idle is not None:
            live.idle.text = kit.tr("nav.idle", seconds=int(left + 0.99)) if left is not None and left <= 20 else ""
        if live.clock is not None:
            live.clock.text = chrome.clock_text(kit, c)

    def _every_second(self, _dt: float) -> None:
        try:
            before = self.controller.flow.screen
            self.controller.tick()
            if self.controller.flow.screen is Screen.SCREENSAVER and before is Screen.SCREENSAVER:
                self._saver_ticks += 1
                if self._saver_ticks % SAVER_PAGE_TICKS == 0:
                    self.render(force=True)
                    return
            self.render()
        except Exception:
            log.exception("tick failed")

    def on_touch_down(self, touch: Any) -> bool:
        self.controller.touched()
        if self.controller.flow.screen is Screen.SCREENSAVER:
            self.controller.act(Action.SCREENSAVER_WAKE)
            return True
        return bool(super().on_touch_down(touch))
