"""The Kivy application behind both screens: wires the stream client, the view, the voice and the
systemd watchdog. Import only after `kivy_env.prepare()`."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from . import watchdog
from .board import Call, HallBoard
from .gl_finish import gl_finish
from .hall_view import HallView
from .settings import Settings
from .stream import StreamClient, StreamOptions
from .voice import Announcer
from .widgets import Palette
from .window_view import WindowView

log = logging.getLogger("display.app")

TICK_S = 0.25  # clock, highlight ending, connection mark
FRAME_S = 1 / 30  # the notice's scrolling, at most this often
# The notice's scrolling may take at most this share of the time in drawing: on a software renderer
# it moves less often (in bigger steps, at the same speed), so that it never holds up what matters.
ANIMATION_SHARE = 0.25


class DisplayApp(App):
    def __init__(self, settings: Settings, mode: str, **kwargs):
        super().__init__(**kwargs)
        if mode not in ("hall", "window"):
            raise ValueError("mode is 'hall' or 'window'")
        if mode == "window" and not settings.window:
            raise ValueError("a window screen needs a window id (--window or screen.window)")
        self.settings = settings
        self.mode = mode
        self.zone = ZoneInfo(settings.timezone)
        self.client = StreamClient(
            settings.server_url,
            settings.hall,
            settings.token,
            options=StreamOptions(ping_interval=settings.ping_interval, ping_timeout=settings.ping_timeout),
            on_change=self._on_stream_change,
            on_call=self._on_call,
        )
        self.announcer = Announcer(settings.voice)
        self.view: HallView | WindowView | None = None
        self.page_timer = None  # hall screen: the page rotation
        # Called on the UI thread after every render caused by the stream (tests, bench).
        self.render_hooks: list[Callable[[HallBoard], None]] = []
        # Called on the UI thread when a frame has been drawn completely (tests, bench).
        self.frame_hooks: list[Callable[[], None]] = []
        self.frame_cost = 0.0  # seconds to draw a frame, smoothed
        self._frame_started = 0.0
        self._since_animation = 0.0
        self._gl_finish: Callable[[], None] | None = None
        self._pending = threading.Event()

    def build(self):
        self.title = "综合屏" if self.mode == "hall" else f"窗口屏 {self.settings.window}"
        Window.clearcolor = Palette.background
        if self.mode == "hall":
            self.view = HallView(self.settings.highlight_seconds)
            self.page_timer = Clock.schedule_interval(lambda _dt: self._next_page(), self.settings.page_seconds)
        else:
            assert self.settings.window is not None
            self.view = WindowView(self.settings.window, self.settings.highlight_seconds)
        Window.bind(size=self._on_resize)
        self._on_resize(Window, Window.size)
        # Handlers bound to on_draw / on_flip run before Kivy draws / swaps the frame.
        self._gl_finish = gl_finish()
        Window.bind(on_draw=self._frame_start, on_flip=self._frame_end)
        if getattr(self.view, "covers_window", False):
            # The view paints every pixel of every frame: clearing the window first only costs
            # (about 15 ms of a 1080p frame on a software renderer).
            Window.clear = lambda: None
        Clock.schedule_interval(lambda _dt: self.refresh(), TICK_S)
        Clock.schedule_interval(self._animate, FRAME_S)
        self.refresh()
        return self.view

    def on_start(self) -> None:
        self.client.start()
        # After the first frame is drawn, tell systemd the screen is up.
        Clock.schedule_once(lambda _dt: self._ready(), 0)

    def _ready(self) -> None:
        watchdog.ready(f"{self.mode} screen up")
        # Pinged from the UI thread's clock: a frozen screen stops pinging and systemd restarts it.
        interval = watchdog.watchdog_interval_s()
        if interval:
            Clock.schedule_interval(lambda _dt: watchdog.alive(), interval)

    def on_stop(self) -> None:
        self.client.stop()
        self.announcer.close()

    def _on_resize(self, _window, size) -> None:
        if self.view is not None:
            self.view.set_unit(size[1] / 100.0)

    # -- frames --------------------------------------------------------------------------------

    def _frame_start(self, *_args) -> None:
        self._frame_started = time.perf_counter()

    def _frame_end(self, *_args) -> None:
        # Wait until the frame is really drawn. A software renderer (Mesa llvmpipe) otherwise
        # queues frame after frame (offscreen, a swap flushes nothing) and pays for all of them at
        # the next texture upload: a changed label then waited seconds behind the notice's frames.
        if self._gl_finish is not None:
            self._gl_finish()
        cost = time.perf_counter() - self._frame_started
        self.frame_cost = cost if not self.frame_cost else 0.8 * self.frame_cost + 0.2 * cost
        for hook in self.frame_hooks:
            hook()

    def _animate(self, dt_s: float) -> None:
        self._since_animation += dt_s
        if self.view is None or self._since_animation < self.frame_cost / ANIMATION_SHARE:
            return
        self.view.animate(self._since_animation)
        self._since_animation = 0.0

    def _next_page(self) -> None:
        if self.view is not None:
            self.view.next_page()
            self.refresh()

    # -- from the stream thread ----------------------------------------------------------------

    def _on_stream_change(self, _board: HallBoard) -> None:
        if not self._pending.is_set():  # coalesce a burst of events into one redraw
            self._pending.set()
            Clock.schedule_once(lambda _dt: self._stream_refresh(), 0)

    def _on_call(self, call: Call) -> None:
        if self.mode == "hall" or call.window == self.settings.window:
            self.announcer.announce(call)

    # -- on the UI thread ----------------------------------------------------------------------

    def _stream_refresh(self) -> None:
        self._pending.clear()
        board = self.refresh()
        for hook in self.render_hooks:
            hook(board)

    def refresh(self) -> HallBoard:
        board = self.client.read()
        if self.view is not None:
            wall = dt.datetime.now(self.zone)
            self.view.render(board, time.monotonic(), wall, self.client.connected, self.client.stale)
        return board

    def describe(self) -> dict:
        state = self.view.describe() if self.view is not None else {}
        state["connected"] = self.client.connected
        state["stale"] = self.client.stale
        state["seq"] = self.client.board.seq
        state["snapshots"] = self.client.board.snapshots
        state["height"] = Window.height
        state["connects"] = self.client.connects
        return state
