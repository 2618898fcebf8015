"""Text made safe for the ESC/POS byte stream."""

from __future__ import annotations

import unicodedata


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
