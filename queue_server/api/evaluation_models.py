"""Request and reply models of the 好差评 routes (api/evaluations.py), in the style of
api/schemas.py (requests: unknown fields ignored, known ones strict) and api/replies.py
(replies: one model per shape, times as the server writes them)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hall_common.vocabulary import AppealState, CaseState, EvaluationChannel, EvaluationKind

from .replies import Day, Reply, Timestamp
from .schemas import RequestBody


class EvaluationRequest(RequestBody):
    """One of: `ticket_id` (+ `k`, the slip's secret, for a phone), `link` (the slip's QR payload,
    a kiosk), `number` (today's ticket number, a kiosk)."""

    ticket_id: str | None = Field(default=None, max_length=64)
    k: str | None = Field(default=None, max_length=64, description="the track secret of the slip's link")
    link: str | None = Field(default=None, max_length=500, description="the slip's QR payload (the track URL)")
    number: str | None = Field(default=None, max_length=12, description="today's ticket number, e.g. A012")
    level: int = Field(description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    reasons: list[str] = Field(default=[], max_length=10, description="差评 (1, 2): at least one of the hall's reasons")
    text: str = Field(default="", max_length=2000, description="at most 300 characters (checked, masked)")
    followup: bool = Field(default=False, description="a 追评 of a ticket already evaluated")


class CaseActionRequest(RequestBody):
    action: Literal["verify", "callback", "rectify", "explain", "reply", "close", "appeal", "approve_appeal", "refuse_appeal"]
    note: str = Field(default="", max_length=4000)
    reached: bool | None = Field(default=None, description="callback: was the citizen reached")
    channel: Literal["phone", "sms", "onsite", "letter", "platform"] | None = Field(default=None, description="reply: how the citizen was told")
    reason: Literal["mistaken", "malicious"] | None = Field(default=None, description="appeal: 误评 or 恶意差评")


class LevelReply(Reply):
    level: int
    name: str
    name_en: str


class EvaluationTicketReply(Reply):
    """A ticket as an evaluation form needs it."""

    ticket_id: str
    number: str
    status: str
    hall: str
    hall_name: str
    queue: str
    queue_name: str
    item_code: str | None
    item_name: str | None
    window: str | None
    window_name: str | None
    clerk_id: str | None
    clerk_name: str | None
    served_at: Timestamp | None
    open_until: Timestamp | None = Field(description="the end of the working days it may be evaluated in")
    evaluated: bool
    first_level: int | None = Field(description="the first evaluation's level, once given")
    followed_up: bool
    may_evaluate: bool
    may_follow_up: bool
    reasons: list[str]
    levels: list[LevelReply]


class WindowEvaluatorReply(Reply):
    """The window evaluator: idle (who serves here) and the ticket to evaluate, if any."""

    window: str
    window_name: str
    staff: dict[str, str] | None = Field(description="{id (工号), name} of the clerk signed in, or null")
    timeout_s: int
    pending: EvaluationTicketReply | None


class EvaluationReply(Reply):
    id: str
    ticket_id: str
    number: str
    kind: EvaluationKind
    level: int
    level_name: str
    bad: bool
    reasons: list[str]
    text: str
    channel: EvaluationChannel
    real_name: bool
    queue: str
    item_code: str | None
    window: str | None
    clerk_id: str | None
    clerk_name: str | None
    served_at: Timestamp
    created_at: Timestamp
    case_id: str | None


class EvaluatedMark(Reply):
    level: int
    level_name: str
    bad: bool
    channel: EvaluationChannel


class EvaluatedReply(Reply):
    tickets: dict[str, EvaluatedMark | None]


class CaseReply(Reply):
    id: str
    ticket_id: str
    evaluation_id: str
    number: str
    level: int
    level_name: str
    real_name: bool
    queue: str
    item_code: str | None
    window: str | None
    clerk_id: str | None
    lead: str | None
    state: CaseState
    state_name: str
    appeal: AppealState
    appealed_by: str | None
    opened_at: Timestamp
    deadline: Timestamp
    overdue: bool
    closed_at: Timestamp | None
    result: str | None


class CaseStep(Reply):
    at: Timestamp
    actor: str
    action: str
    detail: dict[str, object]


class CaseDetailReply(CaseReply):
    evaluations: list[EvaluationReply]
    history: list[CaseStep]
    actions: list[str] = Field(description="the steps the asking person may take now")


class FiguresRow(Reply):
    evaluations: int
    good: int
    bad: int
    good_rate: float | None = Field(description="好评率: 非常满意, 满意, 基本满意 over all; null over none")
    bad_rate: float | None = Field(description="差评率")
    real_name_bad: int
    real_name_bad_closed: int
    real_name_rectified_rate: float | None = Field(description="实名差评整改率: real-name 差评 closed (已办结) over all")
    cases_open: int
    cases_overdue: int
    cases_closed_late: int
    median_close_s: int | None
    excluded: int = Field(description="evaluations of approved appeals (误评, 恶意差评), out of every figure")


class FiguresGroup(FiguresRow):
    key: str | None = Field(description="the window, clerk, queue or item code (the hall's id for by=hall)")


class FiguresReply(Reply):
    hall: str
    from_: Day | None = Field(alias="from")
    to: Day | None
    by: Literal["hall", "window", "clerk", "queue", "item"]
    total: FiguresRow
    groups: list[FiguresGroup]


class DeadLetter(Reply):
    id: int
    record_key: str
    ticket_number: str | None
    kind: str | None
    attempts: int
    last_error: str | None
    created_at: Timestamp


class UploadsReply(Reply):
    hall: str
    configured: bool
    mapping: str | None
    pending: int
    sent: int
    dead: int
    lag_s: int = Field(description="age of the oldest record not yet delivered (0 when none)")
    last_sent_at: Timestamp | None
    dead_letters: list[DeadLetter]


class ResendReply(Reply):
    id: int
    status: str
