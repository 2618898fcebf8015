"""The planner: given a few days drawn from a forecast, the model, a plan and the staff
available, suggest window moves that bring every queue's p90 wait under a target, one at a time,
each explained in one line.

A plan is judged on all the days at once (each figure the mean over them), the same citizens
and the same draws for every plan, so only the plan differs and one day's luck does not decide.
Each round looks at the queue furthest over the target (in citizen-minutes: a queue of 200 over
by ten minutes weighs more than one of ten over by an hour) and the hours it is over (from an hour
before the first to an hour after the last, within the plan's day), and tries:
- a tidal move (潮汐窗口): a window whose own queues are under the target serves the queue
  for those hours, either only it or it first (`ordered`), then goes back to what it served;
- opening a window the plan leaves closed, for those hours, when a person is free then
  (the staff available minus the windows already staffed);
- extended hours (延时服务): an hour more at the windows serving a queue that left citizens
  unserved at closing, when a person is free.
Windows tagged special or green in the configuration (办不成事反映, 帮办代办, help desks, the
green-channel window) keep their duty: they are never moved or opened.
The candidate that lowers the shortfall most is kept (over the queues, the tickets issued times
the p90 above the target, plus half an hour for each citizen not served); the rounds stop when
every queue is under the target, nothing helps, or after `max_suggestions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from ..config import Hall
from .behaviour import Sampler, ServiceModel
from .clock import format_time
from .day import Day
from .plan import Move, Plan, Span, WindowPlan
from .report import QueueRow, Report, mean_report, report
from .simulator import simulate

UNSERVED_PENALTY_S = 1800.0  # each citizen not served counts as half an hour over the target
DONOR_HEADROOM = 1.0  # a window may be moved when its own queues wait under the target
MAX_DONORS = 4
MAX_OPENINGS = 3
EXTENSION_S = 3600
DEDICATED_TAGS = {"special", "green"}
WORST_QUEUES_TRIED = 3  # when nothing helps the worst queue, the next ones are tried

Evaluate = Callable[[Sequence[Plan]], list[Report]]  # each plan's report, the mean over the days


@dataclasses.dataclass(frozen=True, slots=True)
class Effect:
    queue: str
    p90_before_s: int | None
    p90_after_s: int | None
    unserved_before: int
    unserved_after: int

    @property
    def changed(self) -> bool:
        if self.p90_before_s is None or self.p90_after_s is None:
            return self.p90_before_s != self.p90_after_s
        return abs(self.p90_before_s - self.p90_after_s) >= 60 or self.unserved_before != self.unserved_after

    @property
    def size(self) -> float:
        p90 = abs((self.p90_before_s or 0) - (self.p90_after_s or 0))
        return p90 + abs(self.unserved_before - self.unserved_after) * 60

    def text_zh(self, name: str) -> str:
        text = f"{name} p90 {_minutes(self.p90_before_s)}→{_minutes(self.p90_after_s)} 分钟"
        if self.unserved_before != self.unserved_after:
            text += f"，未办理 {self.unserved_before}→{self.unserved_after} 人"
        return text

    def text_en(self) -> str:
        text = f"{self.queue} p90 {_minutes(self.p90_before_s)} → {_minutes(self.p90_after_s)} min"
        if self.unserved_before != self.unserved_after:
            text += f", unserved {self.unserved_before} → {self.unserved_after}"
        return text


@dataclasses.dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str  # "move", "open" or "extend"
    window: str
    span: Span
    queues_before: tuple[str, ...]
    queues_after: tuple[str, ...]
    effects: tuple[Effect, ...]  # the queues it changes, the most first
    text_zh: str
    text_en: str


@dataclasses.dataclass(frozen=True, slots=True)
class Advice:
    target_p90_s: int
    staff: int
    before: Report
    after: Report
    plan: Plan  # the plan with every suggestion applied
    suggestions: tuple[Suggestion, ...]

    @property
    def met(self) -> bool:
        return not over_target(self.after, self.target_p90_s)


def excess(row: QueueRow, target_s: float) -> float:
    """Citizen-seconds over the target: tickets × p90 above it, plus the citizens not served."""
    return row.issued * max(0.0, (row.waits.p90_s or 0.0) - target_s) + row.unserved * UNSERVED_PENALTY_S


def shortfall(rep: Report, target_s: float) -> float:
    return sum(excess(q, target_s) for q in rep.queues)


def over_target(rep: Report, target_s: float) -> list[str]:
    return [q.queue for q in rep.queues if (q.waits.p90_s or 0.0) > target_s or q.unserved]


def judge(hall: Hall, plan: Plan, days: Sequence[Day], model: ServiceModel, seed: int) -> Report:
    """The plan on every day (day k drawn with seed + k), as one mean report."""
    reports = [report(simulate(hall, plan, day, Sampler(model, seed + k)), hall) for k, day in enumerate(days)]
    return mean_report(reports, f"mean of {len(days)} days" if len(days) > 1 else reports[0].source)


def serial_evaluator(hall: Hall, days: Sequence[Day], model: ServiceModel, seed: int) -> Evaluate:
    def evaluate(plans: Sequence[Plan]) -> list[Report]:
        return [judge(hall, plan, days, model, seed) for plan in plans]

    return evaluate


def advise(
    hall: Hall,
    plan: Plan,
    days: Sequence[Day],
    model: ServiceModel,
    seed: int,
    *,
    target_p90_s: int,
    staff: int,
    max_suggestions: int = 8,
    evaluate: Evaluate | None = None,
) -> Advice:
    evaluate = evaluate or serial_evaluator(hall, days, model, seed)
    before = evaluate([plan])[0]
    current, current_report = plan, before
    suggestions: list[Suggestion] = []
    while len(suggestions) < max_suggestions:
        found = _best_step(hall, current, current_report, target_p90_s, staff, evaluate)
        if found is None:
            break
        (new_plan, kind, window, span, queues_before, queues_after), new_report = found
        suggestions.append(
            _explain(hall, kind, window, span, queues_before, queues_after, current_report, new_report, staff, current)
        )
        current, current_report = new_plan, new_report
    return Advice(target_p90_s, staff, before, current_report, current, tuple(suggestions))


def _best_step(
    hall: Hall, plan: Plan, rep: Report, target_s: float, staff: int, evaluate: Evaluate
) -> tuple[Candidate, Report] | None:
    """The best candidate for the queue furthest over the target that any candidate helps (the
    next queues are tried when nothing helps the worst); None when nothing helps."""
    worst = sorted(((excess(q, target_s), q.queue) for q in rep.queues), reverse=True)
    score = shortfall(rep, target_s)
    for _, queue in [e for e in worst if e[0] > 0][:WORST_QUEUES_TRIED]:
        candidates = _candidates(hall, plan, rep, queue, target_s, staff)
        if not candidates:
            continue
        reports = evaluate([c[0] for c in candidates])
        best = min(range(len(candidates)), key=lambda i: (shortfall(reports[i], target_s), i))
        if shortfall(reports[best], target_s) < score - 1e-6:
            return candidates[best], reports[best]
    return None


def _bad_span(plan: Plan, rep: Report, queue: str, target_s: float) -> Span:
    hours = [h.hour for h in rep.hours if h.queue == queue and ((h.waits.p90_s or 0.0) > target_s or h.unserved)]
    if not hours:
        return Span(plan.opens, plan.closes)
    start = max(plan.opens, (min(hours) - 1) * 3600)
    end = min(plan.closes, (max(hours) + 2) * 3600)
    return Span(start, end) if end > start else Span(plan.opens, plan.closes)


Candidate = tuple[Plan, str, str, Span, tuple[str, ...], tuple[str, ...]]


def _candidates(hall: Hall, plan: Plan, rep: Report, queue: str, target_s: float, staff: int) -> list[Candidate]:
    span = _bad_span(plan, rep, queue, target_s)
    found: list[Candidate] = []
    comfortable = {q.queue for q in rep.queues if (q.waits.p90_s or 0.0) <= DONOR_HEADROOM * target_s and not q.unserved}
    comfortable |= {q.id for q in hall.queues} - {q.queue for q in rep.queues}  # nobody came
    use = {w.window: w for w in rep.windows}
    donors = []
    for window in plan.windows:
        queues = _queues_at(hall, window, span.start)
        if (
            not _dedicated(hall, window.window)
            and queue not in queues[:1]
            and all(q in comfortable for q in queues if q != queue)
            and _staffed_through(window, span)
            and not any(span.start < m.at < span.end for m in window.moves)
        ):
            donors.append((use[window.window].utilisation if window.window in use else 0.0, window, queues))
    for _, window, queues in sorted(donors, key=lambda d: (d[0], d[1].window))[:MAX_DONORS]:
        for after, policy in (((queue,), None), ((queue,) + tuple(q for q in queues if q != queue), "ordered")):
            if after == queues:
                continue
            moved = _with_moves(window, span, after, policy, queues, _policy_at(hall, window, span.start))
            found.append((plan.replace_window(moved), "move", window.window, span, queues, after))
    if _busiest(plan, span) < staff:
        closed = [w for w in hall.windows if plan.window(w.id) is None and not _dedicated(hall, w.id)]
        closed.sort(key=lambda w: (queue not in w.queues, "tidal" not in w.tags and "comprehensive" not in w.tags, w.id))
        for configured in closed[:MAX_OPENINGS]:
            # The queue first; what the window is configured for after it (a hand for them too).
            after = (queue,) + tuple(q for q in configured.queues if q != queue)
            opened = WindowPlan(configured.id, (span,), queues=after, policy="ordered" if len(after) > 1 else None)
            found.append((plan.replace_window(opened), "open", configured.id, span, (), after))
    unserved = next((q.unserved for q in rep.queues if q.queue == queue), 0)
    if unserved and _busiest(plan, Span(plan.closes, plan.closes + EXTENSION_S)) < staff:
        serving = [w for w in plan.windows if queue in _queues_at(hall, w, w.closes - 1)]
        for window in serving[:MAX_DONORS]:
            last = window.shifts[-1]
            longer = Span(last.start, min(last.end + EXTENSION_S, 24 * 3600))
            if longer.end > last.end:
                extended = dataclasses.replace(window, shifts=window.shifts[:-1] + (longer,))
                span_added = Span(last.end, longer.end)
                queues = _queues_at(hall, window, last.end - 1)
                found.append((plan.replace_window(extended), "extend", window.window, span_added, queues, queues))
    return found


def _dedicated(hall: Hall, window_id: str) -> bool:
    """Special desks (办不成事反映, 帮办代办, help desks) and the green-channel window keep their
    duty: the planner neither moves nor opens them."""
    configured = hall.window(window_id)
    return configured is not None and bool(DEDICATED_TAGS & set(configured.tags))


def _queues_at(hall: Hall, window: WindowPlan, second: int) -> tuple[str, ...]:
    configured = hall.window(window.window)
    queues = window.queues or (tuple(configured.queues) if configured else ())
    for move in window.moves:
        if move.at <= second:
            queues = move.queues
    return queues


def _policy_at(hall: Hall, window: WindowPlan, second: int) -> str:
    configured = hall.window(window.window)
    policy = window.policy or (configured.policy if configured else "fifo")
    for move in window.moves:
        if move.at <= second and move.policy:
            policy = move.policy
    return policy


def _staffed_through(window: WindowPlan, span: Span) -> bool:
    return any(s.start <= span.start < s.end for s in window.shifts) or any(
        span.start <= s.start < span.end for s in window.shifts
    )


def _with_moves(
    window: WindowPlan, span: Span, after: tuple[str, ...], policy: str | None, back: tuple[str, ...], back_policy: str
) -> WindowPlan:
    moves = [m for m in window.moves if m.at not in (span.start, span.end)]
    moves.append(Move(max(span.start, window.opens), after, policy))
    if span.end < window.closes:
        moves.append(Move(span.end, back, back_policy))
    return dataclasses.replace(window, moves=tuple(sorted(moves, key=lambda m: m.at)))


def _busiest(plan: Plan, span: Span) -> int:
    """The most windows the plan staffs at once during `span` (each needs a person)."""
    moments = {span.start} | {s.start for w in plan.windows for s in w.shifts if span.start <= s.start < span.end}
    return max(plan.staffed_count(m) for m in moments)


def _names(hall: Hall, queues: Sequence[str]) -> str:
    names = [(hall.queue(q).name if hall.queue(q) else q) for q in queues]  # type: ignore[union-attr]
    return "、".join(names) if len(names) <= 3 else f"{'、'.join(names[:2])}等 {len(names)} 类"


def _ids(queues: Sequence[str]) -> str:
    return ", ".join(queues) if len(queues) <= 3 else f"{', '.join(queues[:2])} … ({len(queues)} queues)"


def _minutes(seconds: int | float | None) -> str:
    return "—" if seconds is None else f"{round(seconds / 60)}"


def _explain(
    hall: Hall,
    kind: str,
    window_id: str,
    span: Span,
    before_queues: tuple[str, ...],
    after_queues: tuple[str, ...],
    before: Report,
    after: Report,
    staff: int,
    plan: Plan,
) -> Suggestion:
    effects = []
    for row in before.queues:
        new = next((q for q in after.queues if q.queue == row.queue), None)
        effect = Effect(row.queue, _int(row.waits.p90_s), _int(new.waits.p90_s) if new else None,
                        row.unserved, new.unserved if new else 0)
        if effect.changed:
            effects.append(effect)
    effects.sort(key=lambda e: -e.size)
    shown = effects[:3]
    zh_effects = "；".join(e.text_zh(_names(hall, [e.queue])) for e in shown)
    en_effects = "; ".join(e.text_en() for e in shown)
    window = hall.window(window_id)
    label = f"{window_id}（{window.name}）" if window else window_id
    when = f"{format_time(span.start)}–{format_time(span.end)}"
    if kind == "move":
        zh = f"{when} 将 {label} 由 {_names(hall, before_queues)} 改为 {_describe_after(hall, after_queues)}：{zh_effects}"
        en = (
            f"{when} move {window_id} from {_ids(before_queues)} to "
            f"{_describe_after_en(after_queues)}: {en_effects}"
        )
    elif kind == "open":
        free = staff - _busiest(plan, span)
        zh = f"{when} 开放 {label} 办理 {_names(hall, after_queues)}（该时段空闲人员 {free} 人）：{zh_effects}"
        en = f"{when} open {window_id} for {_ids(after_queues)} ({free} staff free then): {en_effects}"
    else:
        zh = f"{when} {label} 延时服务一小时（{_names(hall, after_queues)}）：{zh_effects}"
        en = f"{when} keep {window_id} open an hour longer ({_ids(after_queues)}): {en_effects}"
    return Suggestion(kind, window_id, span, before_queues, after_queues, tuple(effects), zh, en)


def _describe_after(hall: Hall, queues: tuple[str, ...]) -> str:
    if len(queues) == 1:
        return f"只办 {_names(hall, queues)}"
    return f"优先办 {_names(hall, queues[:1])}（其次 {_names(hall, queues[1:])}）"


def _describe_after_en(queues: tuple[str, ...]) -> str:
    return f"{queues[0]} only" if len(queues) == 1 else f"{queues[0]} first, then {_ids(queues[1:])}"


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))
