"""How citizens' personal data is shown, printed and logged (PRODUCT.md): never whole.

`张*`, `3701**********1234`, `138****0000`. The unmasked values stay with the code that must use
them (matching, keyed hashing); everything a person or a log can read goes through here.
"""

from __future__ import annotations

import datetime as dt
import re

from .phones import MOBILE_IN_TEXT

# An 18-character identity number inside free text; masked whatever its check digit, since a
# mistyped number is still personal data.
_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_name(name: str | None) -> str:
    """Keep the first character only: 张三丰 → 张*, Li Lei → L*, a one-character name → *."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" if len(name) > 1 else "*"


def mask_id_number(number: str | None) -> str:
    """Keep the region prefix (4) and the last 4: 370102199001011234 → 3701**********1234."""
    number = (number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """Keep the first 3 and the last 4: 13800000000 → 138****0000."""
    phone = (phone or "").strip()
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_middle(text: str | None, keep_start: int = 2, keep_end: int = 2) -> str:
    """Shorter identifiers (card numbers): keep a little at each end."""
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


def mask_date(value: dt.date | None) -> str:
    """A birth date is personal data too: show the year only."""
    return f"{value.year}-**-**" if value else ""


def mask_typed(value: str, kind: str) -> str:
    """What a keypad shows while a citizen types: an identity number ("id") or a phone ("phone")
    is never shown whole, even half-typed; anything else shows as typed."""
    if kind == "id":
        if len(value) <= 8:
            return value[:4] + "*" * (len(value) - 4) if len(value) > 4 else value
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    if kind == "phone":
        if len(value) <= 7:
            return value[:3] + "*" * max(0, len(value) - 3)
        return value[:3] + "****" + value[7:]
    return value


def scrub(text: str) -> str:
    """Mask anything in free text that looks like an identity number or a mobile number (log
    lines, scans, messages that may quote what a citizen typed)."""
    text = _ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
