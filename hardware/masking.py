"""Masking of citizens' personal data for anything a device shows, prints or logs (product rule:
`张*`, `3701**********1234`, `138****0000`). The unmasked values stay in the data classes for the
code that must use them (matching, keyed hashing); only their text forms are masked."""

from __future__ import annotations

import re
import unicodedata
from datetime import date


def mask_name(name: str | None) -> str:
    """Keep the family name's first character only: 张三丰 → 张*, a one-character name → *."""
    if not name:
        return ""
    return name[0] + "*" if len(name) > 1 else "*"


def mask_id_number(number: str | None) -> str:
    """Keep the region prefix (4) and the last 4: 370102199001011234 → 3701**********1234."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_middle(text: str | None, keep_start: int = 2, keep_end: int = 2) -> str:
    """Generic masking for shorter identifiers (card numbers): keep a little at each end."""
    if not text:
        return ""
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


def mask_address(address: str | None, keep: int = 6) -> str:
    """Keep the province/city part of an address, hide the street and house number."""
    if not address:
        return ""
    if len(address) <= keep:
        return "*" * len(address)
    return address[:keep] + "****"


def mask_date(value: date | None) -> str:
    """A birth date is personal data too: show the year only."""
    return f"{value.year}-**-**" if value else ""


# 18-character identity numbers and 11-digit mainland mobile numbers inside free text (a scan
# may carry either); masked when printed so a technician's terminal never shows them whole.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_free_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)


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
