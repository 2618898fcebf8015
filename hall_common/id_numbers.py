"""GB 11643 resident identity numbers: 18 characters, the last a check digit (0-9 or X).

The one rule for every device: a number the kiosk's keypad accepts is one the server accepts.
"""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# The first digit is a region code's first digit (1-8 today): never 0.
_SHAPE = re.compile(r"[1-9]\d{16}[0-9X]")
EARLIEST_BIRTH_YEAR = 1880


def check_digit(first17: str) -> str:
    """The check character of a number's first 17 digits (weighted sum modulo 11)."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    """Strip surrounding space and upper-case the check character (x → X)."""
    return value.strip().upper()


def id_number_problem(value: str, *, today: dt.date | None = None) -> str | None:
    """None when `value` is a valid identity number, else an English reason (never quoting it)."""
    value = normalise_id_number(value)
    if not _SHAPE.fullmatch(value):
        return "an identity number has 18 characters: 17 digits and a check digit (0-9 or X)"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "the identity number's birth date is not a real date"
    if birth.year < EARLIEST_BIRTH_YEAR or birth > (today or dt.date.today()):
        return "the identity number's birth date is out of range"
    if check_digit(value[:17]) != value[17]:
        return "the identity number's check digit is wrong"
    return None


def is_valid_id_number(value: str, *, today: dt.date | None = None) -> bool:
    return id_number_problem(value, today=today) is None


def birth_date(value: str) -> dt.date:
    """The birth date a valid number carries (raises ValueError on an invalid one)."""
    value = normalise_id_number(value)
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
