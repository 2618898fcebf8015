"""Who a verifier says the citizen is, and the refusals every method shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hall_common.id_numbers import birth_date, id_number_problem, normalise_id_number
from hall_common.vocabulary import ErrorCode, IdentifyMethod

from ..config import Hall
from ..core.errors import Conflict, Invalid


@dataclass(frozen=True)
class Person:
    id_number: str | None = None  # normalised and valid when present
    name: str | None = None
    phone: str | None = None
    # A token that may be shown once only (鲁通码): its key and until when it must be remembered.
    once_key: str | None = None
    once_until: dt.datetime | None = None

    @property
    def birth(self) -> dt.date | None:
        return birth_date(self.id_number) if self.id_number else None


def checked_id_number(value: object, *, source: str) -> str:
    """A valid identity number from a verifier's answer, or a refusal that quotes nothing."""
    if not isinstance(value, str) or id_number_problem(value):
        raise Invalid(f"{source} gave no valid identity number", "身份信息无法识别，请使用其他方式")
    return normalise_id_number(value)


def checked_name(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 50:
        return None
    return value.strip() or None


def method_allowed(hall: Hall, method: str) -> None:
    """409 unless the hall offers this identification method."""
    rules = hall.identification
    if method not in rules.allowed_methods or (method == IdentifyMethod.ID_NUMBER and not rules.allow_typed_id_number):
        raise Conflict(
            f"this hall does not accept identification by {method}",
            "本大厅未开通该身份核验方式，请使用其他方式",
            code=ErrorCode.METHOD_UNAVAILABLE,
        )
