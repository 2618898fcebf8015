"""GB 11643 resident identity numbers: 18 characters, the last a check digit (0-9 or X)."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[0-9X]$")


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_problem(value: str) -> str | None:
    """None when valid, else an English reason (never quoting the number)."""
    value = normalise_id_number(value)
    if not _SHAPE.match(value):
        return "an identity number has 18 characters: 17 digits and a check digit (0-9 or X)"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "the identity number's birth date is not a real date"
    if birth.year < 1880 or birth > dt.date.today():
        return "the identity number's birth date is out of range"
    if check_digit(value[:17]) != value[17]:
        return "the identity number's check digit is wrong"
    return None


def birth_date(value: str) -> dt.date:
    value = normalise_id_number(value)
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
