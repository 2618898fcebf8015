"""Driving a real kiosk window without a person: touches on the real widgets, the Kivy event loop
pumped by hand, screenshots. Used by tests/kiosk and bench/bench_kiosk.py; one Driver (one Kivy
window) per process."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import KioskConfig
from .flow import Screen


class DriverError(AssertionError):
    pass


class Driver:
    def __init__(self, config: KioskConfig, *, offscreen: bool = True, wait_online: bool = True):
        from .app import build_app, prepare_kivy

        prepare_kivy(config, offscreen=offscreen)
        from kivy.base import EventLoop

        self.EventLoop = EventLoop
        self.app = build_app(config)
        self.app._run_prepare()
        self.controller = self.app.controller
        self.flow = self.controller.flow
        self.root = self.app.root
        if wait_online:
            self.wait(lambda: self.controller.online and self.controller.items, 15, "kiosk online")
            self.wait(lambda: self.controller.device_health or not self.controller.devices.configured(), 10,
                      "device health")
            self.settle()

    # -- the loop ----------------------------------------------------------------------------------
    def pump(self, seconds: float = 0.0) -> None:
        end = time.monotonic() + seconds
        while True:
            self.EventLoop.idle()
            if time.monotonic() >= end:
                return
            time.sleep(0.01)

    def wait(self, condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.EventLoop.idle()
            value = condition()
            if value:
                return value
            time.sleep(0.01)
        raise DriverError(f"timed out waiting for {what}; screen={self.flow.screen.value} "
                          f"busy={self.flow.busy} pending={self.controller.pending}")

    def settle(self, timeout: float = 10.0) -> None:
        """Until no request is in flight and the screen has been drawn."""
        self.wait(lambda: self.controller.pending == 0 and not self.flow.busy, timeout, "idle kiosk")
        self.pump(0.05)

    def wait_screen(self, screen: Screen, timeout: float = 10.0) -> None:
        self.wait(lambda: self.flow.screen is screen and self.controller.pending == 0 and not self.flow.busy,
                  timeout, f"screen {screen.value}")
        self.pump(0.05)

    # -- touches -----------------------------------------------------------------------------------
    def buttons(self, action: str, arg: Any = None) -> list[Any]:
        from .ui import find_buttons

        return find_buttons(self.root, action, arg)

    def button(self, action: str, arg: Any = None) -> Any:
        found = self.buttons(action, arg)
        if len(found) != 1:
            raise DriverError(f"expected one button {action}({arg!r}) on {self.flow.screen.value}, found {len(found)}")
        return found[0]

    def tap(self, action: str, arg: Any = None, *, settle: bool = True) -> None:
        """A finger on the button's centre: touch down, a short hold, touch up, through the window."""
        from kivy.tests.common import UnitTestTouch

        button = self.button(action, arg)
        if button.disabled:
            raise DriverError(f"button {action}({arg!r}) is disabled on {self.flow.screen.value}")
        self._scroll_into_view(button)
        x, y = button.to_window(*button.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(0.08)  # longer than a ScrollView's scroll_timeout, as a finger would be
        touch.touch_up()
        self.pump(0.02)
        if settle:
            self.settle()

    def _scroll_into_view(self, widget: Any) -> None:
        from kivy.uix.scrollview import ScrollView

        parent = widget.parent
        seen = set()
        while parent is not None and id(parent) not in seen and not isinstance(parent, ScrollView):
            seen.add(id(parent))
            parent = parent.parent
        if isinstance(parent, ScrollView):
            parent.scroll_to(widget, padding=10, animate=False)
            self.pump(0.05)

    def type(self, text: str) -> None:
        for ch in text:
            self.tap("key", ch, settle=False)
        self.settle()

    def texts(self) -> str:
        """All the text on screen (labels and buttons), for assertions."""
        from kivy.uix.label import Label

        return "\n".join(w.text for w in self.root.walk() if isinstance(w, Label))

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        from kivy.core.window import Window

        self.pump(0.1)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        made = Window.screenshot(name=str(target))
        if not made:
            raise DriverError("no screenshot was written")
        shutil.move(made, target)
        return target

    def close(self) -> None:
        try:
            self.controller.stop()
        finally:
            self.app.stop()
