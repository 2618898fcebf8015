"""Kivy start-up for the display apps: window size, clock, and a default font that draws Chinese.
`prepare()` must run before anything imports `kivy.core.window` (one Kivy Window per process)."""

from __future__ import annotations

import os

from hardware.fonts import find_cjk_font


def prepare(width: int, height: int, fullscreen: bool = False) -> str:
    """Configure Kivy for a screen of `width`×`height`; returns the CJK font file in use."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our own argparse reads the command line
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    # The default clock: the stream thread hands updates over with Clock.schedule_once (Kivy's
    # @mainthread path); they run at the next tick, at most 1/60 s later. (The "free" clocks'
    # cross-thread scheduling stalled the app under load in the bench.) An idle screen does not
    # redraw, so the rate costs little.
    Config.set("graphics", "maxfps", "60")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")

    font = find_cjk_font()
    from kivy.core.text import DEFAULT_FONT, LabelBase

    # Kivy reads the first face of a .ttc: for Debian's Noto CJK that is the Japanese one, which
    # still draws every hanzi; the pip font (preferred by find_cjk_font) is Simplified Chinese.
    LabelBase.register(DEFAULT_FONT, str(font.path))
    return str(font.path)
