"""The green channel (绿色通道) of a ticket: granted by itself from an identity (old age, the hall's
list), or asked for by a kiosk, which the hall's green_policy may allow only with an identity."""

from __future__ import annotations

from hall_common.vocabulary import ErrorCode

from ..config import Hall, Identification
from ..core.errors import Conflict

AGE = "age"  # the citizen is at least the hall's green_age
LISTED = "list"  # the hall lists the citizen (green_ids)
KIOSK = "kiosk"  # the kiosk asked, and the hall grants it without an identity


def automatic_reason(rules: Identification, age: int | None, id_hash: str | None) -> str | None:
    """Why an identified citizen gets the green channel without asking, or None."""
    if age is not None and age >= rules.green_age:
        return AGE
    if id_hash is not None and id_hash in rules.green_ids:
        return LISTED
    return None


def green_for(hall: Hall, requested: bool, *, identified: bool, automatic: str | None = None) -> str | None:
    """The green reason of a new ticket (None: an ordinary ticket). `automatic` is the identity
    session's own reason; a bare request follows the hall's green_policy."""
    if automatic:
        return automatic
    if not requested:
        return None
    if hall.green_policy == "granted":
        return KIOSK
    if not identified:
        raise Conflict(
            "this hall grants the green channel only with an identity",
            "绿色通道需要先验证身份，或请工作人员协助",
            code=ErrorCode.GREEN_NEEDS_IDENTITY,
        )
    raise Conflict(
        "the identity does not qualify for the green channel by itself",
        "您的身份信息不满足绿色通道自动条件，请取普通号，或请窗口工作人员为您确认",
        code=ErrorCode.GREEN_NOT_ELIGIBLE,
    )
