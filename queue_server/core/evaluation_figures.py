"""The manager's 好差评 figures, computed from plain rows (no I/O): 好评率 (非常满意, 满意 and 基本满意
over all), 差评率, 实名差评整改率 (real-name 差评 whose case is 已办结, over real-name 差评), overdue
cases and the median time to close. Evaluations of an approved appeal (误评 / 恶意差评) are kept
but left out. A rate over nothing is None (shown as "—"), never a made-up 100 %."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Iterable

from hall_common.vocabulary import CaseState

from .evaluation import is_bad


@dataclasses.dataclass(frozen=True, slots=True)
class EvaluationRow:
    level: int
    real_name: bool
    excluded: bool  # its case's appeal was approved
    first: bool  # a first evaluation (a 追评 does not count twice)


@dataclasses.dataclass(frozen=True, slots=True)
class CaseRow:
    state: CaseState
    real_name: bool
    excluded: bool
    opened_at: dt.datetime
    deadline: dt.datetime
    closed_at: dt.datetime | None


@dataclasses.dataclass(frozen=True, slots=True)
class Figures:
    evaluations: int
    good: int
    bad: int
    good_rate: float | None
    bad_rate: float | None
    real_name_bad: int
    real_name_bad_closed: int
    real_name_rectified_rate: float | None
    cases_open: int
    cases_overdue: int  # open and past their deadline
    cases_closed_late: int
    median_close_s: int | None
    excluded: int  # approved appeals, out of every figure above

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(evaluations: Iterable[EvaluationRow], cases: Iterable[CaseRow], now: dt.datetime) -> Figures:
    counted = [e for e in evaluations if e.first]
    kept = [e for e in counted if not e.excluded]
    bad = sum(1 for e in kept if is_bad(e.level))
    all_cases = list(cases)
    live = [c for c in all_cases if not c.excluded]
    real = [c for c in live if c.real_name]
    real_closed = sum(1 for c in real if c.state is CaseState.CLOSED)
    open_cases = [c for c in live if c.state is not CaseState.CLOSED]
    closed = [c for c in live if c.state is CaseState.CLOSED and c.closed_at is not None]
    durations = [(c.closed_at - c.opened_at).total_seconds() for c in closed if c.closed_at]
    return Figures(
        evaluations=len(kept),
        good=len(kept) - bad,
        bad=bad,
        good_rate=_rate(len(kept) - bad, len(kept)),
        bad_rate=_rate(bad, len(kept)),
        real_name_bad=len(real),
        real_name_bad_closed=real_closed,
        real_name_rectified_rate=_rate(real_closed, len(real)),
        cases_open=len(open_cases),
        cases_overdue=sum(1 for c in open_cases if now > c.deadline),
        cases_closed_late=sum(1 for c in closed if c.closed_at and c.closed_at > c.deadline),
        median_close_s=round(statistics.median(durations)) if durations else None,
        excluded=len(counted) - len(kept),
    )
