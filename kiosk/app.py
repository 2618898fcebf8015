"""Starting the Kivy app: Kivy's environment and window set from the kiosk config before Kivy
is imported, a CJK font as the default font, the controller wired to Kivy's clock, systemd
readiness and watchdog pings, and an exception handler so an unexpected error goes home with a
message instead of ending the program."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from typing import Any

from .config import KioskConfig

log = logging.getLogger("kiosk.app")


def prepare_kivy(config: KioskConfig, *, offscreen: bool = False) -> None:
    """Must run before the first `import kivy`."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    if "KIVY_HOME" not in os.environ:
        home = os.path.join(tempfile.gettempdir(), f"kiosk-kivy-{os.getuid()}")
        os.makedirs(home, exist_ok=True)
        os.environ["KIVY_HOME"] = home
    if offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    width, height = config.size
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "fullscreen", "auto" if config.fullscreen and not offscreen else "0")
    Config.set("graphics", "show_cursor", "0" if config.fullscreen and not offscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "log_level", "warning")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    _register_font()


def _register_font() -> None:
    from kivy.core.text import DEFAULT_FONT, LabelBase

    from hardware.fonts import find_cjk_font

    font = find_cjk_font()
    # Kivy cannot pick a face inside a .ttc; the PyPI font (first choice) is a plain .otf.
    LabelBase.register(DEFAULT_FONT, fn_regular=str(font.path), fn_bold=str(font.path))


def build_app(config: KioskConfig, *, controller_factory: Callable[..., Any] | None = None) -> Any:
    from kivy.app import App
    from kivy.base import ExceptionHandler, ExceptionManager
    from kivy.clock import Clock
    from kivy.core.window import Window

    from hall_common.sd_notify import notify, watchdog_interval_s

    from .controller import Controller
    from .strings import t
    from .ui import KioskUI

    def post(fn: Callable[[], None]) -> None:
        Clock.schedule_once(lambda _dt: fn(), 0)

    class _Handler(ExceptionHandler):
        def handle_exception(self, inst: BaseException) -> int:
            if isinstance(inst, (KeyboardInterrupt, SystemExit)):
                return ExceptionManager.RAISE
            log.exception("unexpected error in the UI loop", exc_info=inst)
            app = App.get_running_app()
            if app is not None and getattr(app, "controller", None) is not None:
                try:
                    app.controller.unexpected()
                    app.root.render(force=True)
                except Exception:
                    pass
            return ExceptionManager.PASS

    ExceptionManager.add_handler(_Handler())

    class KioskApp(App):
        title = t("app.title", config.language)

        def build(self) -> Any:
            factory = controller_factory or Controller
            self.controller = factory(config, post=post)
            ui = KioskUI(self.controller)
            self.controller.start()
            Window.clearcolor = (0.95, 0.96, 0.98, 1)
            Window.bind(on_textinput=self._text, on_key_down=self._key)
            return ui

        def on_start(self) -> None:
            self.root.render(force=True)
            # Ready once the first frame with the home screen is drawn.
            Clock.schedule_once(lambda _dt: notify("READY=1"), 0.1)
            interval = watchdog_interval_s()
            if interval:
                # Pings come from the UI loop itself: a frozen loop stops them and systemd restarts us.
                Clock.schedule_interval(lambda _dt: notify("WATCHDOG=1"), max(0.5, interval / 2))

        def on_stop(self) -> None:
            notify("STOPPING=1")
            self.controller.stop()

        # Keyboard-wedge scanners type into the window: forward their text to the scanner.
        def _text(self, _window: Any, text: str) -> None:
            scanner = self.controller.devices.scanner
            if hasattr(scanner, "feed_text"):
                scanner.feed_text(text)

        def _key(self, _window: Any, key: int, *_: Any) -> bool:
            scanner = self.controller.devices.scanner
            if key in (13, 271) and hasattr(scanner, "feed_enter"):
                scanner.feed_enter()
                return True
            return key == 27  # swallow Escape: the kiosk never quits from a keyboard

    return KioskApp()


def run(config: KioskConfig) -> int:
    prepare_kivy(config, offscreen=os.environ.get("SDL_VIDEODRIVER") == "offscreen")
    app = build_app(config)
    app.run()
    return 0
