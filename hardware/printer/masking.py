"""Last line of defence for personal data on paper: callers hand us already-masked strings, but a
whole identity number or phone that slipped through must still never reach the printer."""

from __future__ import annotations

import re
import unicodedata

# 18-character resident identity number (17 digits + digit or X); not part of a longer digit run.
_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
# Mainland mobile number: 11 digits starting 13-19, not part of a longer digit run.
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_personal(value: str) -> str:
    """`370102199001011234` → `3701**********1234`, `13800001234` → `138****1234`."""
    value = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), value)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), value)


def printable(value: str) -> str:
    """Drop control characters: a hall or item name must never smuggle an ESC/POS command (a cut,
    a drawer kick, a mode switch) into the byte stream. Tabs and newlines become spaces."""
    out = []
    for ch in value:
        if ch in "\t\r\n":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    return "".join(out).strip()
