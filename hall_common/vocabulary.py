"""The contract's words on the wire, spelled once for the server, the kiosk and the screens.

They are `StrEnum`s, so a member compares and serialises as its plain string (`Channel.WALKIN ==
"walkin"`): a client may read a reply's field into the enum, and a newer server's unknown word
can still be handled as a plain string where a device must keep working (a slip still prints).
"""

from __future__ import annotations

import enum


class Channel(enum.StrEnum):
    """How a ticket was taken (CONTRACT §4)."""

    WALKIN = "walkin"
    NOCARD = "nocard"  # 无卡取号: SMS code or typed identity number
    LUTONG = "lutong"  # 鲁通码
    FACE = "face"
    CARD = "card"  # social security card or ID card
    RESERVATION = "reservation"


CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)
# Channels that carry an identity session (the citizen was identified before the ticket).
IDENTIFIED_CHANNELS = frozenset({Channel.LUTONG, Channel.FACE, Channel.CARD, Channel.NOCARD})


class IdentifyMethod(enum.StrEnum):
    """The ways of `POST …/identify`."""

    LUTONG = "lutong"
    IDCARD = "idcard"
    SSCARD = "sscard"
    FACE = "face"
    SMS = "sms"
    ID_NUMBER = "id_number"


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# Tickets in these states are finished with for good.
TERMINAL_STATUSES = frozenset({TicketStatus.DONE, TicketStatus.CANCELLED, TicketStatus.EXPIRED})


class TicketAction(enum.StrEnum):
    """`POST …/tickets/{id}/actions` (CONTRACT §4, plus the green-channel confirmation)."""

    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    SKIP = "skip"
    REQUEUE = "requeue"
    TRANSFER = "transfer"
    CANCEL = "cancel"
    CONFIRM_GREEN = "confirm_green"


class Priority(enum.StrEnum):
    GREEN = "green"  # 绿色通道


class GreenReason(enum.StrEnum):
    """Why staff grant the green channel at the window."""

    MILITARY = "military"
    DISABILITY = "disability"
    PREGNANCY = "pregnancy"
    OTHER = "other"


class WindowStatus(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"  # nobody signed in


class WindowPolicy(enum.StrEnum):
    FIFO = "fifo"  # by rank across the window's queues
    ORDERED = "ordered"  # first listed queue first


class EventType(enum.StrEnum):
    """Messages of the hall stream (CONTRACT §7)."""

    SNAPSHOT = "snapshot"
    CALL = "call"
    TICKET = "ticket"
    QUEUE = "queue"
    WINDOW = "window"
    DAY = "day"  # a new service day began: the day's expiries follow (docs/api.md)


class Role(enum.StrEnum):
    STAFF = "staff"
    MANAGER = "manager"


class DeviceKind(enum.StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    INTEGRATION = "integration"
    EVALUATOR = "evaluator"  # 评价器: the tablet at a window (docs/evaluation.md)


class HealthLevel(enum.StrEnum):
    """A device's health report."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class CloseCode(enum.IntEnum):
    """WebSocket close codes of a refused or ended stream (CONTRACT §3)."""

    UNAUTHORISED = 4401  # no valid token, or the token ended (logout, expiry)
    FORBIDDEN = 4403  # a token of another hall
    NO_SUCH_TICKET = 4404  # a tracking stream of an unknown ticket or with a wrong secret
    START_AGAIN = 1012  # RFC 6455 "service restart": events were lost between processes; reconnect
    TRY_AGAIN_LATER = 1013  # RFC 6455 "try again later": this address opened too many streams (rate limit)


REFUSED_CLOSE_CODES = frozenset({CloseCode.UNAUTHORISED, CloseCode.FORBIDDEN})


class ErrorCode(enum.StrEnum):
    """The `code` of an error reply that a device branches on (the message is for people)."""

    NOT_FOUND = "not_found"
    TICKET_STATE = "ticket_state"
    CLOSED = "closed"
    DAILY_LIMIT = "daily_limit"
    WINDOW_PAUSED = "window_paused"
    WINDOW_BUSY = "window_busy"
    IDENTITY_REQUIRED = "identity_required"
    IDENTITY_UNKNOWN = "identity_unknown"
    IDENTITY_USED = "identity_used"
    IDENTITY_EXPIRED = "identity_expired"
    GREEN_NEEDS_IDENTITY = "green_needs_identity"
    GREEN_NOT_ELIGIBLE = "green_not_eligible"
    PERSON_DAILY_LIMIT = "person_daily_limit"
    METHOD_UNAVAILABLE = "method_unavailable"
    VERIFIER_UNAVAILABLE = "verifier_unavailable"
    RESERVATION_BLOCKED = "reservation_blocked"
    RESERVATION_CHECKED_IN = "reservation_checked_in"
    RESERVATION_CANCELLED = "reservation_cancelled"
    RESERVATION_OTHER_DAY = "reservation_other_day"
    SSCARD_UNRESOLVABLE = "sscard_unresolvable"
    FACE_NOT_ENROLLED = "face_not_enrolled"
    FACE_NOT_FOUND = "face_not_found"
    FACE_IMAGE_INVALID = "face_image_invalid"
    FACE_MISMATCH = "face_mismatch"
    LUTONG_INVALID = "lutong_invalid"
    LUTONG_EXPIRED = "lutong_expired"
    LUTONG_USED = "lutong_used"
    SMS_LIMIT = "sms_limit"
    SMS_CODE_EXPIRED = "sms_code_expired"
    SMS_LOCKED = "sms_locked"
    SMS_CODE_WRONG = "sms_code_wrong"
    LOGIN_LOCKED = "login_locked"  # 429: this account had too many wrong passwords
    LOGIN_RATE_LIMITED = "login_rate_limited"  # 429: too many failed logins from this address
    LOGIN_BUSY = "login_busy"  # 429: too many logins waiting for their password check
    RATE_LIMITED = "rate_limited"  # 429: this device or address sent more requests than its limit allows
    # The generic refusals, by HTTP status (a device branches on the status for these).
    ERROR = "error"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INVALID = "invalid"
    CONFLICT = "conflict"
    STORAGE_UNAVAILABLE = "storage_unavailable"  # 503: nothing was saved
    INTERNAL = "internal"
    # 好差评 (docs/evaluation.md)
    EVALUATION_NOT_SERVED = "evaluation_not_served"  # 409: the ticket was never served
    EVALUATION_CLOSED = "evaluation_closed"  # 409: past the working days it stays open
    EVALUATION_EXISTS = "evaluation_exists"  # 409: evaluated (or 追评 given) already
    EVALUATION_MISSING = "evaluation_missing"  # 409: a 追评 before any evaluation
    CASE_STATE = "case_state"  # 409: a case step not possible in the case's state


class AlertKind(enum.StrEnum):
    """排队超时预警 on the manager's console: what crossed its configured threshold."""

    QUEUE_LONGEST_WAIT = "queue_longest_wait"  # a queue's longest-waiting ticket
    QUEUE_WAITING = "queue_waiting"  # how many wait in a queue
    QUEUE_ESTIMATE = "queue_estimate"  # what a ticket taken now would wait
    WINDOW_PAUSED = "window_paused"  # a window paused for too long
    WINDOW_SERVING = "window_serving"  # one ticket at a window for too long


class RankClass(enum.StrEnum):
    """A ticket's rank class now (CONTRACT §4 "Rank"), as a ticket reply's `priority` shows it."""

    GREEN = "green"
    RESERVATION = "reservation"  # a checked-in reservation whose slot has begun
    ORDINARY = "ordinary"


class ReservationStatus(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"


class DeviceStatus(enum.StrEnum):
    """A kiosk or display as managers see it (`GET …/devices`)."""

    REPORTING = "reporting"
    UNREACHABLE = "unreachable"  # no report for the server's device_stale_s
    NEVER_REPORTED = "never_reported"


class EvaluationLevel(enum.IntEnum):
    """好差评's five levels as the national standard numbers them (非常满意 = 5)."""

    VERY_SATISFIED = 5  # 非常满意
    SATISFIED = 4  # 满意
    FAIRLY_SATISFIED = 3  # 基本满意
    DISSATISFIED = 2  # 不满意 (差评)
    VERY_DISSATISFIED = 1  # 非常不满意 (差评)


class EvaluationChannel(enum.StrEnum):
    """Where a citizen evaluated a service."""

    WINDOW = "window"  # 评价器 at the window
    KIOSK = "kiosk"
    PHONE = "phone"  # the follow page opened from the slip's QR


class EvaluationKind(enum.StrEnum):
    FIRST = "first"
    FOLLOWUP = "followup"  # 追评


class CaseState(enum.StrEnum):
    """差评整改: a bad evaluation's case."""

    PENDING = "pending"  # 待核实
    VERIFYING = "verifying"  # 核实中 (回访)
    RECTIFYING = "rectifying"  # 整改中
    EXPLAINED = "explained"  # 情况说明
    REPLIED = "replied"  # 已反馈
    CLOSED = "closed"  # 已办结


class AppealState(enum.StrEnum):
    """误评 / 恶意差评: the lead asks, a second person decides."""

    NONE = "none"
    REQUESTED = "requested"
    APPROVED = "approved"  # kept, but out of the figures
    REFUSED = "refused"


class UploadStatus(enum.StrEnum):
    """A row of the provincial 好差评 upload outbox."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up after its attempts: a manager may resend it
