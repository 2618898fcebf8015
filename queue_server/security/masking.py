"""Masking of citizens' personal data, as PRODUCT.md shows it: 3701**********1234, 138****0000, 张*."""

from __future__ import annotations

import re

_ID_RE = re.compile(r"(?<![0-9])([1-9]\d{3})\d{10}(\d{3}[0-9Xx])(?![0-9])")
_PHONE_RE = re.compile(r"(?<![0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])")


def mask_id_number(value: str) -> str:
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if value.isascii():  # a Latin name: keep the initial
        return value[0] + "*" * max(1, len(value) - 1)
    return value[0] + "*" * max(1, len(value) - 1)


def scrub(text: str) -> str:
    """Mask anything in free text that looks like an identity number or a mobile number
    (for log lines and messages that may quote user input)."""
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
