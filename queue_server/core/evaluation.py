"""好差评 decisions, with no I/O: may this ticket be evaluated now and how (`accept`), and what
a case action does (`act_on_case`). Figures are in `core/evaluation_figures.py`.

Rules (docs/evaluation.md): five levels (非常满意 5 … 非常不满意 1); 不满意 and 非常不满意 are 差评
and need at least one reason of the hall's list; text at most 300 characters, stored with phone
and identity numbers masked; one evaluation per ticket plus one 追评, both within the hall's
window of working days after the ticket was finished; only a ticket that was served (done) may be
evaluated."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hall_common.personal_data import scrub
from hall_common.vocabulary import (
    IDENTIFIED_CHANNELS,
    AppealState,
    CaseState,
    Channel,
    ErrorCode,
    EvaluationKind,
    EvaluationLevel,
    TicketStatus,
)

from .errors import Conflict, CoreError, Invalid

TEXT_MAX = 300
BAD_LEVELS = frozenset({EvaluationLevel.DISSATISFIED, EvaluationLevel.VERY_DISSATISFIED})
LEVEL_NAMES = {
    EvaluationLevel.VERY_SATISFIED: ("非常满意", "Very satisfied"),
    EvaluationLevel.SATISFIED: ("满意", "Satisfied"),
    EvaluationLevel.FAIRLY_SATISFIED: ("基本满意", "Fairly satisfied"),
    EvaluationLevel.DISSATISFIED: ("不满意", "Dissatisfied"),
    EvaluationLevel.VERY_DISSATISFIED: ("非常不满意", "Very dissatisfied"),
}


class NotAllowed(CoreError):
    """403: this person may not take this step of a case."""

    status = 403
    code = ErrorCode.FORBIDDEN


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


def level_name(level: int) -> str:
    """The level's Chinese name (非常满意 … 非常不满意); ValueError outside 1..5."""
    return LEVEL_NAMES[EvaluationLevel(level)][0]


@dataclasses.dataclass(frozen=True, slots=True)
class Served:
    """What the decision needs of a ticket."""

    status: str
    channel: str
    finished_at: dt.datetime | None
    identified: bool  # an identity was checked for it (鲁通码, card, face, SMS)


def real_name(ticket_channel: str, identity_known: bool) -> bool:
    """实名 when the ticket was identified; anonymous otherwise."""
    return identity_known or ticket_channel in IDENTIFIED_CHANNELS or ticket_channel == Channel.RESERVATION


@dataclasses.dataclass(frozen=True, slots=True)
class Accepted:
    kind: EvaluationKind
    level: EvaluationLevel
    reasons: tuple[str, ...]
    text: str  # masked
    bad: bool
    real_name: bool


def accept(
    served: Served,
    earlier: tuple[EvaluationKind, ...],
    *,
    level: int,
    reasons: tuple[str, ...],
    text: str,
    allowed_reasons: tuple[str, ...],
    followup: bool,
    now: dt.datetime,
    open_until: dt.datetime | None,
) -> Accepted:
    """The evaluation to store, or a refusal (Invalid 422 for the body, Conflict 409 for the
    ticket's state). `earlier`: the kinds already stored for the ticket; `open_until`: the end of
    the evaluation window (from the ticket's finish time), None when it was never finished."""
    try:
        parsed = EvaluationLevel(level)
    except ValueError:
        raise Invalid("level must be 1 (非常不满意) to 5 (非常满意)", "评价等级应为 1 至 5") from None
    if len(text) > TEXT_MAX:
        raise Invalid(f"text is longer than {TEXT_MAX} characters", f"评价内容不能超过 {TEXT_MAX} 字")
    if len(set(reasons)) != len(reasons):
        raise Invalid("a reason is listed twice", "差评原因重复")
    unknown = [r for r in reasons if r not in allowed_reasons]
    if unknown:
        raise Invalid("a reason is not in the hall's list", "差评原因不在本厅的列表中")
    bad = is_bad(parsed)
    if bad and not reasons:
        raise Invalid("a bad evaluation (不满意, 非常不满意) needs at least one reason", "差评请至少选择一项原因")
    if not bad and reasons:
        raise Invalid("reasons are given only with 不满意 or 非常不满意", "只有差评需要选择原因")
    if served.status != TicketStatus.DONE or served.finished_at is None or open_until is None:
        raise Conflict(
            f"a ticket that was not served cannot be evaluated (it is {served.status})",
            "该号票未办理完成，不能评价", code=ErrorCode.EVALUATION_NOT_SERVED,
        )
    if now >= open_until:
        raise Conflict("the evaluation period of this ticket is over", "该号票的评价期限已过", code=ErrorCode.EVALUATION_CLOSED)
    kind = EvaluationKind.FOLLOWUP if followup else EvaluationKind.FIRST
    if kind is EvaluationKind.FIRST and EvaluationKind.FIRST in earlier:
        raise Conflict("this ticket was evaluated already (a 追评 is possible once)", "该号票已评价过，如需补充请选择“追评”",
                       code=ErrorCode.EVALUATION_EXISTS)
    if kind is EvaluationKind.FOLLOWUP:
        if EvaluationKind.FIRST not in earlier:
            raise Conflict("a 追评 follows an evaluation: evaluate first", "请先评价，再追评", code=ErrorCode.EVALUATION_MISSING)
        if EvaluationKind.FOLLOWUP in earlier:
            raise Conflict("this ticket has its 追评 already", "该号票已追评过", code=ErrorCode.EVALUATION_EXISTS)
    return Accepted(
        kind=kind, level=parsed, reasons=tuple(reasons), text=scrub(text.strip()), bad=bad,
        real_name=served.identified or real_name(served.channel, False),
    )


# -- cases ---------------------------------------------------------------------------------------

# action → (states it is allowed from, the state it leads to; None: the state stays)
CASE_ACTIONS: dict[str, tuple[frozenset[CaseState], CaseState | None]] = {
    "verify": (frozenset({CaseState.PENDING}), CaseState.VERIFYING),  # 开始核实
    "callback": (frozenset({CaseState.VERIFYING}), None),  # 回访: outcome recorded
    "rectify": (frozenset({CaseState.VERIFYING}), CaseState.RECTIFYING),  # 整改
    "explain": (frozenset({CaseState.VERIFYING}), CaseState.EXPLAINED),  # 情况说明
    "reply": (frozenset({CaseState.RECTIFYING, CaseState.EXPLAINED}), CaseState.REPLIED),  # 反馈
    "close": (frozenset({CaseState.REPLIED}), CaseState.CLOSED),  # 办结
    "appeal": (frozenset(CaseState) - {CaseState.CLOSED}, None),  # 申诉: 误评 / 恶意差评
    "approve_appeal": (frozenset(CaseState) - {CaseState.CLOSED}, CaseState.CLOSED),
    "refuse_appeal": (frozenset(CaseState) - {CaseState.CLOSED}, None),
}
APPEAL_REASONS = ("mistaken", "malicious")  # 误评, 恶意差评
REPLY_CHANNELS = ("phone", "sms", "onsite", "letter", "platform")
NOTE_MAX = 1000
STATE_NAMES = {
    CaseState.PENDING: ("待核实", "To verify"),
    CaseState.VERIFYING: ("核实中", "Verifying"),
    CaseState.RECTIFYING: ("整改中", "Rectifying"),
    CaseState.EXPLAINED: ("情况说明", "Explained"),
    CaseState.REPLIED: ("已反馈", "Replied"),
    CaseState.CLOSED: ("已办结", "Closed"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class CaseView:
    """What a case action needs to know of the case."""

    state: CaseState
    appeal: AppealState
    lead: str | None  # the staff id it is assigned to (None: any manager)
    appealed_by: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Actor:
    id: str
    manager: bool


@dataclasses.dataclass(frozen=True, slots=True)
class CaseChange:
    state: CaseState
    appeal: AppealState
    appealed_by: str | None
    detail: dict[str, object]  # what the audit row and the case's history record


def act_on_case(
    case: CaseView,
    action: str,
    actor: Actor,
    *,
    note: str = "",
    reached: bool | None = None,
    channel: str | None = None,
    reason: str | None = None,
) -> CaseChange:
    """One step of a case, or a refusal. The assigned lead (or a manager) works the case; an
    appeal is decided by a manager other than the person who asked for it."""
    if action not in CASE_ACTIONS:
        raise Invalid(f"unknown case action {action!r}", "未知的操作")
    allowed, target = CASE_ACTIONS[action]
    deciding = action in ("approve_appeal", "refuse_appeal")
    if deciding:
        if not actor.manager:
            raise NotAllowed("only a manager decides an appeal", "只有管理人员可以审核申诉")
        if actor.id == case.appealed_by:
            raise NotAllowed("the person who appealed cannot decide it", "申诉须由另一人审核")
    elif not actor.manager and actor.id != case.lead:
        raise NotAllowed("this case is assigned to someone else", "该差评工单不由您负责")
    if len(note) > NOTE_MAX:
        raise Invalid(f"note is longer than {NOTE_MAX} characters", f"说明不能超过 {NOTE_MAX} 字")
    note = scrub(note.strip())
    if action == "callback" and reached is None:
        raise Invalid("a 回访 records whether the citizen was reached (reached)", "请填写回访是否联系上")
    if action in ("rectify", "explain", "reply", "callback") and not note:
        raise Invalid("this step needs a note", "请填写说明")
    if action == "reply" and channel not in REPLY_CHANNELS:
        raise Invalid(f"channel must be one of {', '.join(REPLY_CHANNELS)}", "请选择反馈方式")
    if action == "appeal" and reason not in APPEAL_REASONS:
        raise Invalid("reason must be mistaken (误评) or malicious (恶意差评)", "请选择申诉原因：误评或恶意差评")
    if case.state not in allowed:
        raise Conflict(f"{action} is not possible while the case is {case.state}", f"工单当前为“{STATE_NAMES[case.state][0]}”，不能执行此操作",
                       code=ErrorCode.CASE_STATE)
    if action == "appeal" and case.appeal in (AppealState.REQUESTED, AppealState.APPROVED):
        raise Conflict("an appeal is waiting already", "已有待审核的申诉", code=ErrorCode.CASE_STATE)
    if deciding and case.appeal is not AppealState.REQUESTED:
        raise Conflict("there is no appeal to decide", "没有待审核的申诉", code=ErrorCode.CASE_STATE)
    detail: dict[str, object] = {"action": action, "from": case.state.value}
    if note:
        detail["note"] = note
    if reached is not None and action == "callback":
        detail["reached"] = reached
    if action == "reply":
        detail["channel"] = channel
    if action == "appeal":
        detail["reason"] = reason
    appeal, appealed_by = case.appeal, case.appealed_by
    if action == "appeal":
        appeal, appealed_by = AppealState.REQUESTED, actor.id
    elif action == "approve_appeal":
        appeal = AppealState.APPROVED
    elif action == "refuse_appeal":
        appeal = AppealState.REFUSED
    state = target or case.state
    detail["to"] = state.value
    return CaseChange(state=state, appeal=appeal, appealed_by=appealed_by, detail=detail)


_SAMPLE_ARGS: dict[str, dict[str, object]] = {
    "callback": {"note": "-", "reached": True},
    "rectify": {"note": "-"},
    "explain": {"note": "-"},
    "reply": {"note": "-", "channel": REPLY_CHANNELS[0]},
    "appeal": {"reason": APPEAL_REASONS[0]},
}


def available_actions(case: CaseView, actor: Actor) -> list[str]:
    """The steps this person may take now (for the case page's buttons): those `act_on_case`
    accepts, asked of the one rule rather than written again."""
    found = []
    for action in CASE_ACTIONS:
        try:
            act_on_case(case, action, actor, **_SAMPLE_ARGS.get(action, {}))  # type: ignore[arg-type]
        except CoreError:
            continue
        found.append(action)
    return found
