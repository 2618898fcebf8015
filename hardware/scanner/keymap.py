"""US keyboard layout: what a keyboard-wedge scanner's key codes mean. Scanners are set up as
US keyboards almost everywhere (it is their factory default), whatever the host's layout."""

from __future__ import annotations

from evdev import ecodes as e

# key code → (character, character with Shift)
KEYS: dict[int, tuple[str, str]] = {}
for _letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    KEYS[getattr(e, f"KEY_{_letter}")] = (_letter.lower(), _letter)
for _digit, _shifted in zip("1234567890", "!@#$%^&*()", strict=True):
    KEYS[getattr(e, f"KEY_{_digit}")] = (_digit, _shifted)
KEYS.update({
    e.KEY_MINUS: ("-", "_"),
    e.KEY_EQUAL: ("=", "+"),
    e.KEY_LEFTBRACE: ("[", "{"),
    e.KEY_RIGHTBRACE: ("]", "}"),
    e.KEY_BACKSLASH: ("\\", "|"),
    e.KEY_102ND: ("\\", "|"),
    e.KEY_SEMICOLON: (";", ":"),
    e.KEY_APOSTROPHE: ("'", '"'),
    e.KEY_GRAVE: ("`", "~"),
    e.KEY_COMMA: (",", "<"),
    e.KEY_DOT: (".", ">"),
    e.KEY_SLASH: ("/", "?"),
    e.KEY_SPACE: (" ", " "),
    e.KEY_TAB: ("\t", "\t"),
    e.KEY_KPSLASH: ("/", "/"),
    e.KEY_KPASTERISK: ("*", "*"),
    e.KEY_KPMINUS: ("-", "-"),
    e.KEY_KPPLUS: ("+", "+"),
    e.KEY_KPDOT: (".", "."),
})
for _n in range(10):
    KEYS[getattr(e, f"KEY_KP{_n}")] = (str(_n), str(_n))

SHIFT_KEYS = frozenset({e.KEY_LEFTSHIFT, e.KEY_RIGHTSHIFT})
# Ctrl/Alt/Meta held: a shortcut, not text (some scanners send Ctrl sequences as prefixes).
CHORD_KEYS = frozenset({
    e.KEY_LEFTCTRL, e.KEY_RIGHTCTRL, e.KEY_LEFTALT, e.KEY_RIGHTALT, e.KEY_LEFTMETA,
    e.KEY_RIGHTMETA,
})
ENTER_KEYS = frozenset({e.KEY_ENTER, e.KEY_KPENTER})
CAPSLOCK = e.KEY_CAPSLOCK


def character(code: int, shift: bool, capslock: bool) -> str | None:
    pair = KEYS.get(code)
    if pair is None:
        return None
    plain, shifted = pair
    if plain.isalpha():
        shift = shift != capslock  # Caps Lock only affects letters, and Shift undoes it
    return shifted if shift else plain
