"""Turns a keyboard-wedge scanner's input events (type, code, value, time) into whole scans."""

from __future__ import annotations

import logging

from evdev import ecodes as e

from hardware.scanner import keymap
from hardware.scanner.scan_buffer import DEFAULT_CHAR_TIMEOUT, DEFAULT_MAX_LENGTH, ScanBuffer

log = logging.getLogger(__name__)

KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2


class KeyEventDecoder:
    def __init__(
        self,
        max_length: int = DEFAULT_MAX_LENGTH,
        char_timeout: float = DEFAULT_CHAR_TIMEOUT,
        source: str = "scanner",
    ):
        self.buffer = ScanBuffer(max_length, char_timeout, source)
        self._held: set[int] = set()
        self._capslock = False
        self.unknown_keys = 0

    def feed(self, event_type: int, code: int, value: int, at: float) -> str | None:
        """One input event; returns a complete scan when this event ended one."""
        if event_type != e.EV_KEY:
            return None  # EV_SYN, EV_MSC (scan codes) carry nothing we need
        if value == KEY_UP:
            self._held.discard(code)
            return None
        if value == KEY_REPEAT:
            return None  # a scanner never holds a key; auto-repeat would duplicate characters
        self._held.add(code)
        if code in keymap.ENTER_KEYS:
            return self.buffer.finish(at)
        if code == keymap.CAPSLOCK:
            self._capslock = not self._capslock
            return None
        if code in keymap.SHIFT_KEYS or code in keymap.CHORD_KEYS:
            return None
        if self._held & keymap.CHORD_KEYS:
            return None
        char = keymap.character(code, bool(self._held & keymap.SHIFT_KEYS), self._capslock)
        if char is None:
            self.unknown_keys += 1
            log.warning("%s: key code %d has no character; ignored", self.buffer.source, code)
            return None
        self.buffer.add(char, at)
        return None

    def expire(self, now: float) -> bool:
        """Called when no event came for a while: drops an overdue partial scan."""
        return self.buffer.expire(now)

    def reset(self) -> None:
        """After reopening a device: nothing is held any more."""
        self._held.clear()
        self.buffer.expire(float("inf"))
