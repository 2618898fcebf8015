"""The server's replies as the kiosk uses them: frozen dataclasses read from the JSON at the client
edge (`kiosk.api`), so the controller and the screens read attributes, never `.get()` chains.
Shapes: docs/api.md and docs/identity.md (CONTRACT.md §4–6 and the project's additions).

Reading is defensive: a field the kiosk cannot do without, or a field of the wrong type, raises
`ReplyError` (the client turns it into an ApiError "服务器暂时出现问题"); an optional field that is
absent takes the default the kiosk always assumed. Words of the contract (channels, statuses) are
read into `hall_common.vocabulary` enums when known and kept as plain strings when a newer server
sends a word this kiosk does not know, so a slip still prints.

    ticket = Ticket.from_json(body)     # ReplyError when body is not a ticket
    ticket.number, ticket.waiting_ahead, ticket.status is TicketStatus.WAITING
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hall_common.vocabulary import Channel, ErrorCode, Priority, TicketStatus

E = TypeVar("E", bound=enum.StrEnum)
R = TypeVar("R")

DEFAULT_GREEN_AGE = 70  # a server that does not say: the provincial rule


class ReplyError(ValueError):
    """A reply that is not what the API documents; the message names the field."""


# -- the hall --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceSession:
    start: str  # "09:00", the hall's local time
    end: str


@dataclass(frozen=True)
class IdentificationRules:
    """GET hall `identification`: the methods POST …/identify accepts in this hall (a server
    without the field offers none), the queues whose tickets need an identity, and from which age
    the green channel is automatic."""

    methods: frozenset[str] = frozenset()
    required_queues: frozenset[str] = frozenset()
    green_age: int = DEFAULT_GREEN_AGE

    @classmethod
    def from_json(cls, raw: Any) -> IdentificationRules:
        if raw is None:
            return cls()
        obj = _object(raw, "identification")
        age = _optional_int(obj, "green_age")
        return cls(methods=frozenset(_strings(obj, "methods")), required_queues=frozenset(_strings(obj, "required_queues")),
                   green_age=DEFAULT_GREEN_AGE if age is None else age)


@dataclass(frozen=True)
class HallInfo:
    """GET /halls/{hall}."""

    id: str = ""
    name: str = ""
    name_en: str = ""
    timezone: str = ""
    supervision_phone: str = ""
    notice: str = ""
    green_policy: str = "granted"  # or "identity"
    open_now: bool = True
    always_open: bool = False
    next_opening: dt.datetime | None = None
    today_sessions: tuple[ServiceSession, ...] = ()
    identification: IdentificationRules = field(default_factory=IdentificationRules)

    @classmethod
    def from_json(cls, raw: Any) -> HallInfo:
        obj = _object(raw, "hall")
        sessions = tuple(ServiceSession(_text(s, "start"), _text(s, "end"))
                         for s in _objects(obj, "today_sessions"))
        return cls(
            id=_text(obj, "id"), name=_text(obj, "name"), name_en=_text(obj, "name_en"),
            timezone=_text(obj, "timezone"), supervision_phone=_text(obj, "supervision_phone"),
            notice=_text(obj, "notice"), green_policy=_text(obj, "green_policy") or "granted",
            open_now=_flag(obj, "open_now", True), always_open=_flag(obj, "always_open", False),
            next_opening=_time(obj, "next_opening"), today_sessions=sessions,
            identification=IdentificationRules.from_json(obj.get("identification")),
        )


@dataclass(frozen=True)
class QueueInfo:
    """One entry of GET /halls/{hall}/queues."""

    id: str
    name: str = ""
    name_en: str = ""
    waiting: int = 0
    estimated_wait_s: int | None = None  # what a ticket taken now would wait
    windows: tuple[str, ...] = ()  # ids of the windows serving it
    open_windows: int = 0
    kiosk_visible: bool = True
    daily_limit: int | None = None
    issued_today: int = 0

    @property
    def limit_reached(self) -> bool:
        return self.daily_limit is not None and self.issued_today >= self.daily_limit

    @classmethod
    def from_json(cls, raw: Any) -> QueueInfo:
        obj = _object(raw, "queue")
        return cls(
            id=_text(obj, "id", required=True), name=_text(obj, "name"), name_en=_text(obj, "name_en"),
            waiting=_count(obj, "waiting"), estimated_wait_s=_optional_int(obj, "estimated_wait_s"),
            windows=_strings(obj, "windows"), open_windows=_count(obj, "open_windows"),
            kiosk_visible=_flag(obj, "kiosk_visible", True), daily_limit=_optional_int(obj, "daily_limit"),
            issued_today=_count(obj, "issued_today"),
        )


@dataclass(frozen=True)
class WindowInfo:
    """One entry of GET /halls/{hall}/windows, as far as the kiosk names windows."""

    id: str
    name: str

    @classmethod
    def from_json(cls, raw: Any) -> WindowInfo:
        obj = _object(raw, "window")
        window_id = _text(obj, "id", required=True)
        return cls(window_id, _text(obj, "name") or window_id)


# -- items and their guides ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Guide:
    """An item's 办事指南; None or empty: the guide does not say."""

    conditions: str = ""
    materials: tuple[str, ...] = ()
    process: tuple[str, ...] = ()
    legal_limit_days: int | None = None
    promised_limit_days: int | None = None
    fees: str = ""
    visits: int | None = None
    location: str = ""
    basis: str = ""
    online_url: str = ""

    @classmethod
    def from_json(cls, raw: Any) -> Guide:
        if raw is None:
            return cls()
        obj = _object(raw, "guide")
        return cls(
            conditions=_text(obj, "conditions", limit=4000), materials=_strings(obj, "materials", limit=1000),
            process=_strings(obj, "process", limit=1000), legal_limit_days=_optional_int(obj, "legal_limit_days"),
            promised_limit_days=_optional_int(obj, "promised_limit_days"), fees=_text(obj, "fees", limit=1000),
            visits=_optional_int(obj, "visits"), location=_text(obj, "location", limit=1000),
            basis=_text(obj, "basis", limit=4000), online_url=_text(obj, "online_url", limit=1000),
        )


@dataclass(frozen=True)
class Item:
    """One 政务服务事项 of GET /halls/{hall}/items."""

    code: str
    name: str = ""
    name_en: str = ""
    queue: str = ""
    queue_name: str = ""
    guide: Guide = field(default_factory=Guide)

    @classmethod
    def from_json(cls, raw: Any) -> Item:
        obj = _object(raw, "item")
        return cls(code=_text(obj, "code", required=True), name=_text(obj, "name", limit=400),
                   name_en=_text(obj, "name_en", limit=400), queue=_text(obj, "queue"),
                   queue_name=_text(obj, "queue_name"), guide=Guide.from_json(obj.get("guide")))


# -- tickets ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ticket:
    """A ticket as POST …/tickets and POST …/reservations/check-in answer it (masked)."""

    id: str
    number: str
    queue: str
    issued_at: dt.datetime
    queue_name: str = ""
    channel: Channel | str = Channel.WALKIN
    status: TicketStatus | str = TicketStatus.WAITING
    waiting_ahead: int = 0
    estimated_wait_s: int | None = None
    track_url: str = ""
    phone_url: str = ""  # the phone page /t/{id}?k=…: what the slip's QR code holds
    item_code: str = ""
    item_name: str = ""
    priority: str = ""  # "green", "reservation" or "ordinary": the rank class now
    slot_start: dt.datetime | None = None
    slot_end: dt.datetime | None = None
    holder: str = ""  # masked name
    hall_name: str = ""
    reprint: bool = False  # an identified person already waiting: the same ticket again

    @property
    def green(self) -> bool:
        return self.priority == Priority.GREEN

    @property
    def page_url(self) -> str:
        """Where the ticket is followed: the phone page, or the track URL of an older server."""
        return self.phone_url or self.track_url

    @classmethod
    def from_json(cls, raw: Any) -> Ticket:
        obj = _object(raw, "ticket")
        issued_at = _time(obj, "issued_at")
        if issued_at is None:
            raise ReplyError("ticket: 'issued_at' is missing")
        return cls(
            id=_text(obj, "id", required=True), number=_text(obj, "number", required=True),
            queue=_text(obj, "queue", required=True), issued_at=issued_at, queue_name=_text(obj, "queue_name"),
            channel=_word(obj, "channel", Channel, Channel.WALKIN),
            status=_word(obj, "status", TicketStatus, TicketStatus.WAITING),
            waiting_ahead=_count(obj, "waiting_ahead"), estimated_wait_s=_optional_int(obj, "estimated_wait_s"),
            track_url=_text(obj, "track_url", limit=1000), phone_url=_text(obj, "phone_url", limit=1000),
            item_code=_text(obj, "item_code"), item_name=_text(obj, "item_name", limit=400),
            priority=_text(obj, "priority"), slot_start=_time(obj, "slot_start"), slot_end=_time(obj, "slot_end"),
            holder=_text(obj, "holder"), hall_name=_text(obj, "hall_name"), reprint=_flag(obj, "reprint", False),
        )


@dataclass(frozen=True)
class Followed:
    """GET /api/v1/track/{id}?k=…: a ticket followed by the QR code of its slip."""

    number: str
    status: TicketStatus | str
    waiting_ahead: int = 0
    estimated_wait_s: int | None = None
    window: str = ""
    window_name: str = ""

    @classmethod
    def from_json(cls, raw: Any) -> Followed:
        obj = _object(raw, "track")
        return cls(number=_text(obj, "number", required=True),
                   status=_word(obj, "status", TicketStatus, None),
                   waiting_ahead=_count(obj, "waiting_ahead"), estimated_wait_s=_optional_int(obj, "estimated_wait_s"),
                   window=_text(obj, "window"), window_name=_text(obj, "window_name"))


# -- identification ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reservation:
    """One of today's reservations in an identity session."""

    code: str
    queue: str
    queue_name: str
    slot_start: dt.datetime | None
    slot_end: dt.datetime | None
    status: str
    ticket_id: str | None

    @property
    def open(self) -> bool:
        """Not checked in yet: a check-in with the identity takes the earliest open one."""
        return self.status == "booked" and not self.ticket_id


@dataclass(frozen=True)
class IdentitySession:
    """POST …/identify: masked values only, plus the opaque token that a ticket or a check-in
    uses up. Entries it cannot read (a reservation without a code) are left out, not fatal."""

    token: str
    method: str
    holder: str
    id_number: str
    phone: str
    age: int | None
    priority: str
    green_reason: str
    reservations: tuple[Reservation, ...] = ()  # in slot order
    waiting: tuple[tuple[str, str], ...] = ()  # (queue, number) of tickets the person already holds

    @property
    def green(self) -> bool:
        return self.priority == Priority.GREEN

    @property
    def open_reservations(self) -> list[Reservation]:
        return [r for r in self.reservations if r.open]

    @classmethod
    def from_json(cls, raw: Any) -> IdentitySession:
        obj = _object(raw, "identify")
        token = obj.get("identity")
        if not isinstance(token, str) or not token:
            raise ReplyError("identify: no identity session")
        reservations = [
            Reservation(code=_loose(r.get("code")), queue=_loose(r.get("queue")),
                        queue_name=_loose(r.get("queue_name")), slot_start=_loose_time(r.get("slot_start")),
                        slot_end=_loose_time(r.get("slot_end")), status=_loose(r.get("status")),
                        ticket_id=_loose(r.get("ticket_id")) or None)
            for r in _loose_list(obj.get("reservations_today")) if isinstance(r.get("code"), str)
        ]
        waiting = tuple((_loose(w.get("queue")), _loose(w.get("number")))
                        for w in _loose_list(obj.get("waiting_tickets")))
        age = obj.get("age")
        return cls(
            token=token[:128], method=_loose(obj.get("method")), holder=_loose(obj.get("holder")),
            id_number=_loose(obj.get("id_number")), phone=_loose(obj.get("phone")),
            age=age if isinstance(age, int) and not isinstance(age, bool) else None,
            priority=_loose(obj.get("priority")) or "normal", green_reason=_loose(obj.get("green_reason")),
            reservations=tuple(sorted(reservations, key=_slot_order)), waiting=waiting,
        )


@dataclass(frozen=True)
class SmsSent:
    """POST …/identify/sms-code: where the code went (masked: 139****0001)."""

    phone: str

    @classmethod
    def from_json(cls, raw: Any) -> SmsSent:
        return cls(_loose(_object(raw, "sms-code").get("phone"), 20))


# -- 好差评 (service evaluation) ---------------------------------------------------------------------

@dataclass(frozen=True)
class EvaluationTicket:
    """GET …/evaluations/ticket: a ticket as the evaluation form needs it, and what may be given
    now. Only what the kiosk shows or decides on is read; the reply carries no citizen's data
    (the clerk is a public servant: name and job number)."""

    ticket_id: str
    number: str
    status: TicketStatus | str
    queue: str = ""
    queue_name: str = ""
    item_name: str = ""
    window: str = ""
    window_name: str = ""
    clerk_id: str = ""
    clerk_name: str = ""
    served_at: dt.datetime | None = None
    open_until: dt.datetime | None = None  # the end of the working days it may be evaluated in
    evaluated: bool = False
    first_level: int | None = None
    followed_up: bool = False
    may_evaluate: bool = False
    may_follow_up: bool = False
    reasons: tuple[str, ...] = ()  # the hall's reasons for a 差评

    @classmethod
    def from_json(cls, raw: Any) -> EvaluationTicket:
        obj = _object(raw, "evaluation ticket")
        first = _optional_int(obj, "first_level")
        return cls(
            ticket_id=_text(obj, "ticket_id", required=True), number=_text(obj, "number", required=True),
            status=_word(obj, "status", TicketStatus, None), queue=_text(obj, "queue"),
            queue_name=_text(obj, "queue_name"), item_name=_text(obj, "item_name", limit=400),
            window=_text(obj, "window"), window_name=_text(obj, "window_name"), clerk_id=_text(obj, "clerk_id"),
            clerk_name=_text(obj, "clerk_name"), served_at=_time(obj, "served_at"),
            open_until=_time(obj, "open_until"), evaluated=_flag(obj, "evaluated", False),
            first_level=first if first is not None and 1 <= first <= 5 else None,
            followed_up=_flag(obj, "followed_up", False), may_evaluate=_flag(obj, "may_evaluate", False),
            may_follow_up=_flag(obj, "may_follow_up", False), reasons=_strings(obj, "reasons", limit=40)[:20],
        )


@dataclass(frozen=True)
class Evaluated:
    """POST …/evaluations (201): the evaluation stored; `case_id` when a 差评 opened a case."""

    id: str
    number: str
    kind: str  # "first" or "followup" (追评)
    level: int
    bad: bool
    reasons: tuple[str, ...] = ()
    case_id: str = ""

    @classmethod
    def from_json(cls, raw: Any) -> Evaluated:
        obj = _object(raw, "evaluation")
        level = _optional_int(obj, "level")
        if level is None or not 1 <= level <= 5:
            raise ReplyError("evaluation: 'level' must be 1 to 5")
        return cls(id=_text(obj, "id", required=True), number=_text(obj, "number"), kind=_text(obj, "kind") or "first",
                   level=level, bad=_flag(obj, "bad", level <= 2), reasons=_strings(obj, "reasons", limit=40),
                   case_id=_text(obj, "case_id"))


# -- refusals ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ErrorReply:
    """The body of an error answer: `{"code", "message", "message_zh"}`. Never raises: a body
    that is not one (an HTML page of a proxy) is an error without a code or words."""

    code: ErrorCode | str = ""
    message: str = ""
    message_zh: str = ""

    @classmethod
    def from_json(cls, raw: Any) -> ErrorReply:
        if not isinstance(raw, dict):
            return cls()
        code = _loose(raw.get("code"))
        return cls(code=_known(code, ErrorCode), message=_loose(raw.get("message"), 1000),
                   message_zh=_loose(raw.get("message_zh"), 1000))


# -- reading helpers -----------------------------------------------------------------------------------

def parse_list(raw: Any, parse: Callable[[Any], R], what: str) -> list[R]:
    """A list reply, every entry read by `parse`."""
    if not isinstance(raw, list):
        raise ReplyError(f"{what}: a list was expected")
    return [parse(entry) for entry in raw]


def _object(raw: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise ReplyError(f"{what}: an object was expected")
    return raw


def _text(obj: Mapping[str, Any], key: str, *, required: bool = False, limit: int = 200) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise ReplyError(f"{key!r} is missing")
        return ""
    if not isinstance(value, str):
        raise ReplyError(f"{key!r} must be text")
    if required and not value:
        raise ReplyError(f"{key!r} is empty")
    return value[:limit]


def _count(obj: Mapping[str, Any], key: str) -> int:
    value = _optional_int(obj, key)
    return 0 if value is None else value


def _optional_int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReplyError(f"{key!r} must be a whole number")
    return value


def _flag(obj: Mapping[str, Any], key: str, default: bool) -> bool:
    value = obj.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ReplyError(f"{key!r} must be true or false")
    return value


def _time(obj: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    parsed = _loose_time(value)
    if parsed is None:
        raise ReplyError(f"{key!r} must be a time with its UTC offset")
    return parsed


def _strings(obj: Mapping[str, Any], key: str, *, limit: int = 200) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise ReplyError(f"{key!r} must be a list of texts")
    return tuple(str(v)[:limit] for v in value)


def _objects(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ReplyError(f"{key!r} must be a list of objects")
    return value


def _word(obj: Mapping[str, Any], key: str, kind: type[E], default: E | None) -> E | str:
    text = _text(obj, key, required=default is None, limit=32)
    if not text and default is not None:
        return default
    return _known(text, kind)


def _known(text: str, kind: type[E]) -> E | str:
    """The contract's word as its enum; a word of a newer server stays plain text."""
    try:
        return kind(text)
    except ValueError:
        return text


# The identity session is read leniently, entry by entry, as docs/identity.md allows.

def _loose(value: Any, limit: int = 64) -> str:
    return str(value)[:limit] if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _loose_list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _loose_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


_LAST = dt.datetime.max.replace(tzinfo=dt.UTC)


def _slot_order(reservation: Reservation) -> dt.datetime:
    return reservation.slot_start or _LAST
