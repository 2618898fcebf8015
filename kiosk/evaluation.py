"""好差评 (service evaluation) at the kiosk as plain data, with no Kivy and no I/O: how a citizen
names the ticket (the slip's QR code or the number typed), what the server's answer about that
ticket means for the citizen (evaluate, offer a 追评, or a refusal in plain words), the level and
reasons chosen, and the request that records them. Unit-tested in tests/kiosk/test_kiosk_evaluation.py;
`kiosk.evaluating` drives it from the buttons and the server.

The rules are the national 好差评 standard's, as the server applies them (queue_server/core/evaluation.py):
five levels, 非常满意 = 5 … 非常不满意 = 1; 不满意 and 非常不满意 are 差评 and need at least one of
the hall's reasons; one evaluation per served ticket and one 追评, within the hall's working days.
The kiosk decides nothing the server would not: it only spares the citizen a request that could
not succeed (a QR code that is no ticket's, a number that cannot be one, a 差评 without a reason)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hall_common.vocabulary import ErrorCode, TicketStatus

from .api import track_path
from .replies import Evaluated, EvaluationTicket

LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意, in the order the buttons show them
BAD_LEVELS = frozenset({2, 1})  # 差评
NUMBER_MAX = 8  # keys on the number keypad: two letters and up to six digits
LINK_MAX = 500  # the server reads at most this much of a QR payload
_TYPED_RE = re.compile(r"^([A-Z]{1,2})0*(\d{1,6})$")


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


def level_key(level: int) -> str:
    """The strings key of a level's name: eval.level.5 = 非常满意."""
    return f"eval.level.{level}"


@dataclass(frozen=True)
class TicketRef:
    """How the citizen named the ticket: the slip's QR payload (`link`) or today's number."""

    link: str | None = None
    number: str | None = None

    def fields(self) -> dict[str, str]:
        return {"link": self.link} if self.link is not None else {"number": self.number or ""}


def ref_from_scan(payload: str) -> TicketRef | None:
    """A slip's QR code holds the phone page's or the track URL with the ticket's secret; anything
    else (a 鲁通码, a web address, a reservation code) is not a ticket and is never sent."""
    text = payload.strip()
    if not text or len(text) > LINK_MAX or track_path(text) is None:
        return None
    return TicketRef(link=text)


def number_from_typed(text: str) -> str | None:
    """A ticket number as printed (A012: the queue's one or two letters, at least three digits);
    the citizen may leave out leading zeros (A12 is A012) or type more (A0012 is A012)."""
    match = _TYPED_RE.match(text.strip().upper())
    if not match:
        return None
    letters, digits = match.groups()
    return f"{letters}{int(digits):03d}"


def ticket_letters(queue_ids: Iterable[str]) -> list[str]:
    """The letter keys of the number keypad: those the hall's numbers start with (its queues' ids),
    or all of A–Z when the hall's queues are not known."""
    letters = sorted({ch for q in queue_ids for ch in q.upper() if "A" <= ch <= "Z"})
    return letters or [chr(c) for c in range(ord("A"), ord("Z") + 1)]


class Verdict(enum.StrEnum):
    """What the server's answer about a ticket means for the citizen."""

    EVALUATE = "evaluate"  # the five levels
    FOLLOW_UP = "follow_up"  # evaluated already; a 追评 may be given
    ALREADY = "already"  # evaluated, and its 追评 given too (or no longer possible)
    NOT_SERVED = "not_served"  # still waiting, called or at the window
    CANCELLED = "cancelled"
    MISSED = "missed"  # 过号: never served
    UNSERVED = "unserved"  # expired at the day's end without being served
    CLOSED = "closed"  # served, never evaluated, and the working days to do so are over
    UNKNOWN = "unknown"  # no such ticket (today, for a typed number)
    NOT_A_TICKET = "not_a_ticket"  # a QR code that is not a ticket's


_NOT_DONE: dict[str, Verdict] = {TicketStatus.CANCELLED: Verdict.CANCELLED, TicketStatus.MISSED: Verdict.MISSED,
                                 TicketStatus.EXPIRED: Verdict.UNSERVED}
_REFUSED: dict[str, Verdict] = {ErrorCode.EVALUATION_EXISTS: Verdict.ALREADY, ErrorCode.EVALUATION_CLOSED: Verdict.CLOSED,
                                ErrorCode.EVALUATION_NOT_SERVED: Verdict.NOT_SERVED}


def verdict(ticket: EvaluationTicket) -> Verdict:
    if ticket.may_evaluate:
        return Verdict.EVALUATE
    if ticket.may_follow_up:
        return Verdict.FOLLOW_UP
    if ticket.status != TicketStatus.DONE:
        return _NOT_DONE.get(str(ticket.status), Verdict.NOT_SERVED)
    return Verdict.ALREADY if ticket.evaluated else Verdict.CLOSED


def refused_submission(status: int, code: str) -> Verdict | None:
    """A refused POST that is about the ticket (its state changed since it was shown: evaluated
    at the window meanwhile, the period just ended); None for any other refusal."""
    if status == 404:
        return Verdict.UNKNOWN
    if status != 409:
        return None
    return _REFUSED.get(str(code))


# verdict → (title, body, hint): strings keys of the refusal screen
REFUSALS: dict[Verdict, tuple[str, str, str]] = {
    Verdict.FOLLOW_UP: ("eval.refused.already", "eval.refused.follow_up", "eval.hint.follow_up"),
    Verdict.ALREADY: ("eval.refused.already", "eval.refused.already_body", "eval.hint.thanks"),
    Verdict.NOT_SERVED: ("eval.refused.not_served", "eval.refused.not_served_body", "eval.hint.window"),
    Verdict.CANCELLED: ("eval.refused.cancelled", "eval.refused.not_evaluable", "eval.hint.desk"),
    Verdict.MISSED: ("eval.refused.missed", "eval.refused.not_evaluable", "eval.hint.desk"),
    Verdict.UNSERVED: ("eval.refused.unserved", "eval.refused.not_evaluable", "eval.hint.desk"),
    Verdict.CLOSED: ("eval.refused.closed", "eval.refused.closed_body", "eval.hint.desk"),
    Verdict.UNKNOWN: ("eval.refused.unknown", "eval.refused.unknown_number", "eval.hint.retype"),
    Verdict.NOT_A_TICKET: ("eval.refused.not_a_ticket", "eval.refused.not_a_ticket_body", "eval.hint.retype"),
}


def refusal_texts(visit: EvaluationVisit, zone: dt.tzinfo) -> tuple[str, str, str, dict[str, Any]]:
    """The refusal screen: its title, body and hint (strings keys) and the values they name (the
    number, the end of the evaluation period)."""
    verdict = visit.verdict or Verdict.UNKNOWN
    title, body, hint = REFUSALS.get(verdict, REFUSALS[Verdict.UNKNOWN])
    ticket = visit.ticket
    until = ticket.open_until.astimezone(zone) if ticket and ticket.open_until else None
    if verdict is Verdict.CLOSED and until is None:
        body = "eval.refused.not_evaluable"
    if verdict is Verdict.UNKNOWN and visit.ref.number is None:
        body = "eval.refused.unknown_link"
    number = ticket.number if ticket else (visit.ref.number or "")
    values = {"number": number, "month": until.month if until else "", "day": until.day if until else "",
              "hm": f"{until:%H:%M}" if until else ""}
    return title, body, hint, values


@dataclass
class EvaluationVisit:
    """One citizen's evaluation, in the visit's session (wiped with it): how the ticket was named,
    the ticket as the server showed it (None when there is none), what that means (`verdict`),
    whether this is a 追评, the level and the reasons chosen, and the stored result."""

    ref: TicketRef
    ticket: EvaluationTicket | None = None
    verdict: Verdict | None = None
    followup: bool = False
    level: int | None = None
    reasons: list[str] = field(default_factory=list)
    result: Evaluated | None = None

    def choose(self, level: int) -> bool:
        """A level button. → True when it is recorded at once (基本满意 and above); False when
        a 差评 first needs its reasons."""
        if level not in LEVELS:
            raise ValueError(f"no level {level}")
        if self.level != level:
            self.reasons = []
        self.level = level
        return not is_bad(level)

    def toggle(self, reason: str) -> None:
        """A reason button: only the hall's own reasons, each once."""
        if self.ticket is None or reason not in self.ticket.reasons:
            return
        if reason in self.reasons:
            self.reasons.remove(reason)
        else:
            self.reasons.append(reason)

    @property
    def ready(self) -> bool:
        """May it be sent: a level, and for a 差评 at least one reason."""
        return self.level is not None and (not is_bad(self.level) or bool(self.reasons))

    def body(self) -> dict[str, Any]:
        """POST …/evaluations. The kiosk offers no free text (typing Chinese needs pinyin)."""
        if not self.ready or self.level is None or self.ticket is None:
            raise ValueError("not ready to send")
        # In the hall's order, as the staff see them.
        reasons = [r for r in self.ticket.reasons if r in self.reasons] if is_bad(self.level) else []
        return {**self.ref.fields(), "level": self.level, "reasons": reasons, "text": "", "followup": self.followup}


def clerk_text(ticket: EvaluationTicket) -> str:
    """Who served: a public servant's name and job number, as window screens show them."""
    if ticket.clerk_name and ticket.clerk_id:
        return f"{ticket.clerk_name}（{ticket.clerk_id}）"
    return ticket.clerk_name or ticket.clerk_id
