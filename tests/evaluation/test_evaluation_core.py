"""The pure 好差评 core: evaluation rules, the case state machine, working days and figures."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_common.vocabulary import AppealState, CaseState, EvaluationKind, TicketStatus
from queue_server.config import Hours
from queue_server.core.errors import Conflict, Invalid
from queue_server.core.evaluation import (
    CASE_ACTIONS,
    Accepted,
    Actor,
    CaseView,
    NotAllowed,
    Served,
    accept,
    act_on_case,
)
from queue_server.core.evaluation_figures import CaseRow, EvaluationRow, figures
from queue_server.core.working_days import add_working_days, deadline_after, is_working_day

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC)  # a Thursday
REASONS = ("态度不好", "等待时间长", "一次告知不清")
DONE = Served(status=TicketStatus.DONE, channel="walkin", finished_at=NOW, identified=False)
OPEN_UNTIL = NOW + dt.timedelta(days=7)


def _accept(served: Served = DONE, earlier: tuple[EvaluationKind, ...] = (), **kw: object) -> Accepted:
    args: dict = dict(level=5, reasons=(), text="", allowed_reasons=REASONS, followup=False, now=NOW, open_until=OPEN_UNTIL)
    args.update(kw)
    return accept(served, earlier, **args)


@given(st.integers(min_value=-10, max_value=20))
def test_levels_one_to_five_only(level: int) -> None:
    reasons = (REASONS[0],) if level in (1, 2) else ()
    if 1 <= level <= 5:
        assert _accept(level=level, reasons=reasons).level == level
    else:
        with pytest.raises(Invalid):
            _accept(level=level, reasons=reasons)


@pytest.mark.parametrize("level", [1, 2])
def test_bad_needs_a_known_reason(level: int) -> None:
    with pytest.raises(Invalid, match="at least one reason"):
        _accept(level=level)
    with pytest.raises(Invalid, match="not in the hall"):
        _accept(level=level, reasons=("别的",))
    with pytest.raises(Invalid, match="twice"):
        _accept(level=level, reasons=(REASONS[0], REASONS[0]))
    got = _accept(level=level, reasons=REASONS[:2])
    assert got.bad and got.reasons == REASONS[:2]


@pytest.mark.parametrize("level", [3, 4, 5])
def test_good_takes_no_reason(level: int) -> None:
    with pytest.raises(Invalid):
        _accept(level=level, reasons=(REASONS[0],))
    assert not _accept(level=level).bad


@given(st.text(max_size=400))
def test_text_length_and_masking(text: str) -> None:
    if len(text) > 300:
        with pytest.raises(Invalid):
            _accept(text=text)
    else:
        assert len(_accept(text=text).text) <= 300


def test_phone_and_id_numbers_are_masked() -> None:
    got = _accept(level=1, reasons=(REASONS[0],), text="我的电话13812345678，身份证370102199001011231")
    assert "13812345678" not in got.text and "370102199001011231" not in got.text
    assert "138****5678" in got.text and "3701**********1231" in got.text


@pytest.mark.parametrize("status", [s for s in TicketStatus if s is not TicketStatus.DONE])
def test_never_served_cannot_be_evaluated(status: TicketStatus) -> None:
    with pytest.raises(Conflict, match="not served"):
        _accept(Served(status=status, channel="walkin", finished_at=None, identified=False), open_until=None)


def test_one_evaluation_and_one_followup_within_the_period() -> None:
    first = EvaluationKind.FIRST
    followup = EvaluationKind.FOLLOWUP
    assert _accept().kind is first
    with pytest.raises(Conflict, match="evaluated already"):
        _accept(earlier=(first,))
    with pytest.raises(Conflict, match="evaluate first"):
        _accept(followup=True)
    assert _accept(earlier=(first,), followup=True).kind is followup
    with pytest.raises(Conflict, match="追评 already"):
        _accept(earlier=(first, followup), followup=True)
    with pytest.raises(Conflict, match="period"):
        _accept(now=OPEN_UNTIL)


def test_real_name_when_identified() -> None:
    assert not _accept().real_name
    assert _accept(Served(TicketStatus.DONE, "lutong", NOW, False)).real_name
    assert _accept(Served(TicketStatus.DONE, "walkin", NOW, True)).real_name


# -- working days ------------------------------------------------------------------------------


def test_working_days_without_hours_are_monday_to_friday() -> None:
    thursday = dt.date(2026, 12, 3)
    assert add_working_days(None, thursday, 5) == dt.date(2026, 12, 10)
    assert add_working_days(None, thursday, 0) == thursday
    assert not is_working_day(None, dt.date(2026, 12, 5))


def test_working_days_follow_holidays_and_makeup_days() -> None:
    hours = Hours.model_validate({
        "rules": [{"days": ["mon", "tue", "wed", "thu", "fri"], "sessions": [["09:00", "17:00"]]}],
        "dates": [
            {"date": "2026-12-04", "closed": True, "note": "holiday"},
            {"date": "2026-12-05", "sessions": [["09:00", "12:00"]], "note": "调休"},
        ],
    })
    thursday = dt.date(2026, 12, 3)
    # Fri closed, Sat works, Sun closed, Mon, Tue, Wed
    assert add_working_days(hours, thursday, 1) == dt.date(2026, 12, 5)
    assert add_working_days(hours, thursday, 5) == dt.date(2026, 12, 10)
    end = deadline_after(hours, NOW, 5, ZONE)
    assert end == dt.datetime(2026, 12, 11, 0, 0, tzinfo=ZONE)


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)), st.integers(0, 30))
def test_add_working_days_counts_exactly(day: dt.date, count: int) -> None:
    last = add_working_days(None, day, count)
    between = [day + dt.timedelta(days=i) for i in range(1, (last - day).days + 1)]
    assert sum(is_working_day(None, d) for d in between) == count
    assert count == 0 or is_working_day(None, last)


# -- cases ---------------------------------------------------------------------------------------

LEAD = Actor("s01", manager=False)
MANAGER = Actor("m01", manager=True)
OTHER_MANAGER = Actor("m02", manager=True)


def _case(state: CaseState = CaseState.PENDING, appeal: AppealState = AppealState.NONE, by: str | None = None) -> CaseView:
    return CaseView(state=state, appeal=appeal, lead="s01", appealed_by=by)


def _args(action: str) -> dict:
    return {
        "callback": {"note": "已电话回访", "reached": True},
        "rectify": {"note": "加强培训"},
        "explain": {"note": "按规定办理"},
        "reply": {"note": "已告知整改结果", "channel": "phone"},
        "appeal": {"reason": "malicious", "note": "与办理无关"},
    }.get(action, {})


def test_the_whole_path_to_closed() -> None:
    case = _case()
    for action, state in (("verify", CaseState.VERIFYING), ("callback", CaseState.VERIFYING),
                          ("rectify", CaseState.RECTIFYING), ("reply", CaseState.REPLIED), ("close", CaseState.CLOSED)):
        change = act_on_case(case, action, LEAD, **_args(action))
        assert change.state is state
        assert change.detail["action"] == action
        case = _case(change.state)


@given(st.sampled_from(list(CaseState)), st.sampled_from(sorted(CASE_ACTIONS)), st.sampled_from(list(AppealState)))
def test_every_state_and_action(state: CaseState, action: str, appeal: AppealState) -> None:
    allowed, target = CASE_ACTIONS[action]
    actor = OTHER_MANAGER if action.endswith("_appeal") else LEAD
    case = _case(state, appeal, by="s01" if appeal is AppealState.REQUESTED else None)
    ok = state in allowed
    if action == "appeal":
        ok = ok and appeal not in (AppealState.REQUESTED, AppealState.APPROVED)
    if action.endswith("_appeal"):
        ok = ok and appeal is AppealState.REQUESTED
    if ok:
        change = act_on_case(case, action, actor, **_args(action))
        assert change.state is (target or state)
    else:
        with pytest.raises(Conflict):
            act_on_case(case, action, actor, **_args(action))


def test_only_the_lead_or_a_manager_works_a_case() -> None:
    with pytest.raises(NotAllowed):
        act_on_case(_case(), "verify", Actor("s02", manager=False))
    assert act_on_case(_case(), "verify", MANAGER).state is CaseState.VERIFYING


def test_appeal_needs_a_second_person() -> None:
    asked = act_on_case(_case(CaseState.VERIFYING), "appeal", MANAGER, **_args("appeal"))
    assert asked.appeal is AppealState.REQUESTED and asked.appealed_by == "m01"
    waiting = _case(CaseState.VERIFYING, AppealState.REQUESTED, by="m01")
    with pytest.raises(NotAllowed, match="who appealed"):
        act_on_case(waiting, "approve_appeal", MANAGER)
    with pytest.raises(NotAllowed, match="manager"):
        act_on_case(_case(CaseState.VERIFYING, AppealState.REQUESTED, by="m01"), "approve_appeal", LEAD)
    approved = act_on_case(waiting, "approve_appeal", OTHER_MANAGER)
    assert approved.state is CaseState.CLOSED and approved.appeal is AppealState.APPROVED
    refused = act_on_case(waiting, "refuse_appeal", OTHER_MANAGER)
    assert refused.state is CaseState.VERIFYING and refused.appeal is AppealState.REFUSED


def test_steps_need_their_details() -> None:
    verifying = _case(CaseState.VERIFYING)
    with pytest.raises(Invalid):
        act_on_case(verifying, "callback", LEAD, note="x")
    with pytest.raises(Invalid):
        act_on_case(verifying, "rectify", LEAD)
    with pytest.raises(Invalid):
        act_on_case(_case(CaseState.RECTIFYING), "reply", LEAD, note="x", channel="pigeon")
    with pytest.raises(Invalid):
        act_on_case(verifying, "appeal", LEAD, reason="because")
    with pytest.raises(Invalid):
        act_on_case(verifying, "rectify", LEAD, note="x" * 1001)
    with pytest.raises(Invalid):
        act_on_case(verifying, "dance", LEAD)
    masked = act_on_case(verifying, "callback", LEAD, note="回访 13812345678", reached=False)
    assert "13812345678" not in str(masked.detail)


# -- figures -------------------------------------------------------------------------------------

evaluation_rows = st.builds(EvaluationRow, level=st.integers(1, 5), real_name=st.booleans(), excluded=st.booleans(), first=st.booleans())


@given(st.lists(evaluation_rows, max_size=40))
def test_rates_add_up(rows: list[EvaluationRow]) -> None:
    got = figures(rows, [], NOW)
    counted = [r for r in rows if r.first and not r.excluded]
    assert got.evaluations == len(counted) == got.good + got.bad
    if counted:
        assert got.good_rate is not None and got.bad_rate is not None
        assert abs(got.good_rate + got.bad_rate - 1) < 0.001
    else:
        assert got.good_rate is None and got.bad_rate is None


def _case_row(state: CaseState, real: bool = True, excluded: bool = False, hours_to_close: float | None = None) -> CaseRow:
    opened = NOW - dt.timedelta(days=10)
    closed = opened + dt.timedelta(hours=hours_to_close) if hours_to_close is not None else None
    return CaseRow(state=state, real_name=real, excluded=excluded, opened_at=opened, deadline=opened + dt.timedelta(days=7), closed_at=closed)


def test_rectified_rate_overdue_and_median() -> None:
    rows = [
        _case_row(CaseState.CLOSED, hours_to_close=2),
        _case_row(CaseState.CLOSED, hours_to_close=4),
        _case_row(CaseState.CLOSED, hours_to_close=200),  # late
        _case_row(CaseState.VERIFYING),  # overdue
        _case_row(CaseState.PENDING, real=False),  # anonymous: not in the rate
        _case_row(CaseState.PENDING, excluded=True),  # approved appeal: out of everything
    ]
    got = figures([], rows, NOW)
    assert (got.real_name_bad, got.real_name_bad_closed) == (4, 3)
    assert got.real_name_rectified_rate == 0.75
    assert (got.cases_open, got.cases_overdue, got.cases_closed_late) == (2, 2, 1)
    assert got.median_close_s == 4 * 3600
    everything_closed = figures([], [_case_row(CaseState.CLOSED, hours_to_close=1)], NOW)
    assert everything_closed.real_name_rectified_rate == 1.0


def test_available_actions_follow_the_rule() -> None:
    from queue_server.core.evaluation import available_actions

    assert available_actions(_case(), LEAD) == ["verify", "appeal"]
    assert available_actions(_case(CaseState.VERIFYING), LEAD) == ["callback", "rectify", "explain", "appeal"]
    assert available_actions(_case(CaseState.VERIFYING), Actor("s09", manager=False)) == []
    waiting = _case(CaseState.REPLIED, AppealState.REQUESTED, by="m01")
    assert available_actions(waiting, OTHER_MANAGER) == ["close", "approve_appeal", "refuse_appeal"]
    assert available_actions(waiting, MANAGER) == ["close"]
