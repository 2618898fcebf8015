"""Mainland mobile numbers: 11 digits starting 13-19 (the only phones the hall texts)."""

from __future__ import annotations

import re

MOBILE_PATTERN = r"^1[3-9]\d{9}$"
_MOBILE = re.compile(MOBILE_PATTERN)
# A mobile number inside free text (not part of a longer run of digits).
MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def is_mobile_number(value: str) -> bool:
    return bool(_MOBILE.match(value))
