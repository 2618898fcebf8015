"""`POST /api/v1/halls/{hall}/simulations`: the what-if simulator for the manager's console
(docs/simulator.md). A manager of the hall only (a clerk, a device or another hall's manager: 403).

Two uses:
- planning a day: plans (the plan file's keys, as JSON; none: every window over the hall's hours),
  citizens from the hall's history (learnt), a forecast, or a recorded day replayed; optionally
  the planner's suggestions for a target p90 wait;
- the tidal-move preview (`from_now`): the rest of today from the hall as it is, "as it is now"
  against "with the moves", the citizens still to come learnt from the hall's history.

Everything is checked before anything runs (422 naming the key; 409 when the hall has no history
to learn from); the simulation runs in a worker process, never on the event loop, one at a time
with a short queue (429 beyond it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import Field

from hall_common.vocabulary import ErrorCode

from ..config import Hall
from ..core.errors import Conflict, CoreError, TooManyRequests
from ..runtime import Runtime
from ..services.principals import Principal
from ..simulation.adapters import history
from ..simulation.adapters.jobs import Advise, Job, SimulationRunner, TooBusy
from ..simulation.clock import parse_time
from ..simulation.forecast import Forecast, parse_forecast
from ..simulation.live import TidalMove, live_plan
from ..simulation.plan import Plan, config_plan, hall_sessions, parse_plan
from ..simulation.problems import InputError
from .deps import get_runtime, require, the_hall
from .replies import ERRORS, Reply
from .schemas import RequestBody

MAX_PLANS = 4
MAX_TICKETS = 30_000  # citizens in one simulated day through the API (the CLI takes more)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.simulations = SimulationRunner()
    try:
        yield
    finally:
        app.state.simulations.close()


router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["simulations"], responses=ERRORS, lifespan=lifespan)
manager = require("manager")


# -- the request ---------------------------------------------------------------------------------




class MoveRequest(RequestBody):
    """A tidal move to preview: from `at` (default: now) the window serves these queues."""

    window: str = Field(min_length=1, max_length=32)
    queues: list[str] = Field(min_length=1, max_length=30)
    policy: Literal["fifo", "ordered"] | None = None
    at: str | None = Field(default=None, pattern=r"^\d{1,2}:\d{2}$", description="HH:MM, the hall's time")


class AdviseRequest(RequestBody):
    target_p90_min: float = Field(gt=0, le=600, description="every queue's p90 wait under this, minutes")
    staff: int = Field(ge=1, le=10_000, description="people available to staff windows")
    max_suggestions: int = Field(default=5, ge=1, le=8)


class SimulationRequest(RequestBody):
    date: dt.date | None = Field(default=None, description="the day simulated (default: today, the hall's zone)")
    plans: list[dict[str, Any]] = Field(
        default_factory=list, max_length=MAX_PLANS,
        description="window plans with the plan file's keys (docs/simulator.md); none: every window, the hall's hours",
    )
    citizens: Literal["history", "forecast", "replay"] = Field(
        default="history",
        description="history: tickets per hour learnt from the hall's recorded days; forecast: `forecast`; "
        "replay: the citizens of `replay_day` with their recorded services",
    )
    forecast: dict[str, Any] | None = Field(default=None, description="the forecast file's keys")
    replay_day: dt.date | None = None
    history_days: int = Field(default=20, ge=0, le=60, description="recorded days to learn from (0: the config's)")
    scale: float = Field(default=1.0, gt=0, le=5, description="citizens × this (a peak day: 1.3)")
    seed: int = Field(default=1, ge=0, le=2**31 - 1)
    advise: AdviseRequest | None = Field(default=None, description="suggest moves for the first plan")
    from_now: bool = Field(default=False, description="the tidal-move preview: the rest of today from now")
    moves: list[MoveRequest] = Field(default_factory=list, max_length=10, description="from_now: the moves")


# -- the reply -----------------------------------------------------------------------------------


class QueueFigures(Reply):
    queue: str = Field(description="queue id; * for the whole hall")
    name: str
    issued: int
    refused: int = Field(description="not issued: the hall closed for tickets, or the daily limit")
    called: int
    p50_s: int | None = Field(description="wait, issue → first call, seconds")
    p90_s: int | None
    max_s: int | None
    mean_s: int | None
    unserved: int = Field(description="still waiting when the day ended")
    left: int = Field(description="cancelled: left before or at the window")


class HourFigures(Reply):
    queue: str
    hour: str = Field(description="HH:00, of issue")
    issued: int
    called: int
    p50_s: int | None
    p90_s: int | None
    max_s: int | None
    mean_s: int | None
    unserved: int
    waiting_peak: int = Field(description="the most waiting in the queue during the hour")
    waiting_at_end: int


class WindowFigures(Reply):
    window: str
    name: str
    staffed_s: int
    busy_s: int
    overtime_s: int = Field(description="serving past a shift's end or into a break")
    calls: int
    utilisation: float = Field(description="busy_s / staffed_s")


class SimulationReport(Reply):
    plan: str
    date: str
    source: str = Field(description="where the citizens came from")
    opens: str
    closes: str
    staffed_hours: float
    utilisation: float
    total: QueueFigures
    queues: list[QueueFigures]
    hours: list[HourFigures]
    windows: list[WindowFigures]


class PlanFigures(Reply):
    p50_s: int | None
    p90_s: int | None
    max_s: int | None
    unserved: int


class ComparisonRow(Reply):
    queue: str
    name: str
    plans: list[PlanFigures] = Field(description="in the order of the plans")


class Effect(Reply):
    queue: str
    p90_before_s: int | None
    p90_after_s: int | None
    unserved_before: int
    unserved_after: int


class SuggestionReply(Reply):
    kind: Literal["move", "open", "extend"]
    window: str
    from_: str = Field(alias="from", description="HH:MM")
    to: str
    queues_before: list[str]
    queues_after: list[str]
    text_zh: str
    text_en: str
    effects: list[Effect]


class AdviceReply(Reply):
    target_p90_s: int
    staff: int
    met: bool
    suggestions: list[SuggestionReply]
    before: SimulationReport
    after: SimulationReport
    plan: dict[str, Any] = Field(description="the improved plan, in the plan file's keys")


class Citizens(Reply):
    source: str
    tickets: int


class ModelInfo(Reply):
    source: str


class SimulationReply(Reply):
    date: str
    seed: int
    citizens: Citizens
    model: ModelInfo
    reports: list[SimulationReport] = Field(description="one per plan (from_now: as it is now, with the moves)")
    comparison: list[ComparisonRow] | None = Field(description="with two plans or more")
    advice: AdviceReply | None
    elapsed_ms: int


# -- the route -----------------------------------------------------------------------------------


@router.post(
    "/simulations",
    response_model=SimulationReply,
    response_model_by_alias=True,
    summary="What if: a day (or the rest of today) under window plans; the planner's suggestions",
)
async def simulate(
    body: SimulationRequest,
    request: Request,
    who: Principal = Depends(manager),
    hall: Hall = Depends(the_hall),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    job = await _job(rt, hall, body)
    runner: SimulationRunner = request.app.state.simulations
    try:
        return await runner.run(job)
    except TooBusy:
        raise TooManyRequests(
            "other simulations are running; try again shortly", "模拟计算繁忙，请稍后再试",
            code=ErrorCode.ERROR, retry_after_s=10,
        ) from None
    except TimeoutError:
        raise _Unavailable("the simulation took too long", "模拟计算超时，请缩小范围后重试") from None


class _Unavailable(CoreError):
    status = 503
    code = "error"


def _refused(problems: list[tuple[tuple[str | int, ...], str]]) -> RequestValidationError:
    """422 through the app's own handler: `errors` names each field at fault."""
    return RequestValidationError([{"loc": ("body", *loc), "msg": msg, "type": "value_error"} for loc, msg in problems])


def _input_problems(where: tuple[str | int, ...], error: InputError) -> list[tuple[tuple[str | int, ...], str]]:
    return [(where + ((p.key,) if p.key else ()), p.message) for p in error.problems]


async def _job(rt: Runtime, hall: Hall, body: SimulationRequest) -> Job:
    now = rt.now().astimezone(hall.zone)
    date = body.date or now.date()
    problems: list[tuple[tuple[str | int, ...], str]] = []
    plans: list[Plan] = []
    for index, document in enumerate(body.plans):
        try:
            plans.append(parse_plan(document, hall, source=f"plans[{index}]"))
        except InputError as exc:
            problems += _input_problems(("plans", index), exc)
    forecast = _forecast(body, hall, problems)
    if body.from_now and (body.plans or body.citizens == "replay" or body.advise or body.date):
        problems.append((("from_now",), "from_now previews moves on today's hall: no plans, date, replay or advise"))
    if not body.from_now and body.moves:
        problems.append((("moves",), "moves are for from_now; in a plan, give [[windows.moves]]"))
    if body.citizens == "replay" and body.replay_day is None:
        problems.append((("replay_day",), "citizens = replay needs the recorded day"))
    if body.advise is not None and body.citizens == "replay":
        problems.append((("advise",), "the planner works on forecast or history citizens"))
    if problems:
        raise _refused(problems)
    learn_until = now.date() if body.from_now else date
    past, replayed = await rt.read(lambda conn: _look_at_history(conn, hall, learn_until, body))
    if body.citizens == "replay" and not replayed:
        raise _refused([(("replay_day",), f"no tickets recorded on {body.replay_day}: an empty day")])
    if replayed > MAX_TICKETS:
        raise _refused([(("replay_day",), f"more than {MAX_TICKETS} tickets that day: use the CLI")])
    if body.citizens == "history" and not past and not body.from_now:
        raise Conflict(
            "no recorded days to learn the citizens from: send a forecast (citizens = forecast)",
            "尚无历史取号数据可供学习，请提供预测（citizens = forecast）",
        )
    if body.citizens == "history" and past and not body.from_now:
        expected = sum(past.values()) / len(past) * body.scale
        if expected > MAX_TICKETS:
            raise _refused([(("scale",), f"about {expected:.0f} citizens a day: more than {MAX_TICKETS}")])
    advice = None
    if body.advise is not None:
        advice = Advise(int(body.advise.target_p90_min * 60), body.advise.staff, body.advise.max_suggestions)
    if body.from_now:
        return _preview_job(rt, hall, body, now, forecast, tuple(sorted(past)))
    if not plans:
        sessions = hall_sessions(hall, date)
        if not sessions:
            raise Conflict(f"the hall is closed on {date}: send a plan", f"{date} 本厅不办公，请提供排班方案")
        plans = [config_plan(hall, sessions, "every window, the hall's hours 全部窗口")]
    return Job(
        hall, tuple(plans), date, body.seed, forecast=forecast, scale=body.scale, database_url=rt.database_url,
        replay_day=body.replay_day if body.citizens == "replay" else None, history=tuple(sorted(past)), advise=advice,
    )


def _forecast(body: SimulationRequest, hall: Hall, problems: list[tuple[tuple[str | int, ...], str]]) -> Forecast | None:
    if body.citizens != "forecast":
        if body.forecast is not None:
            problems.append((("forecast",), "a forecast is used with citizens = forecast"))
        return None
    if body.forecast is None:
        problems.append((("forecast",), "citizens = forecast needs the forecast"))
        return None
    try:
        forecast = parse_forecast(body.forecast, hall, source="forecast")
    except InputError as exc:
        problems += _input_problems(("forecast",), exc)
        return None
    if forecast.expected_total() * body.scale > MAX_TICKETS:
        problems.append((("forecast",), f"about {forecast.expected_total() * body.scale:.0f} citizens: more than {MAX_TICKETS}"))
    return forecast


def _look_at_history(conn: Any, hall: Hall, until: dt.date, body: SimulationRequest) -> tuple[dict[dt.date, int], int]:
    """Cheap counts only (the worker reads the days): the last `history_days` recorded days
    before `until` with their tickets, and the tickets of the day to replay."""
    days = [d for d in history.service_days(conn, hall.id) if d < until]
    chosen = days[-body.history_days :] if body.history_days else []
    past = {d: n for d, n in history.ticket_counts(conn, hall.id, chosen).items() if n}
    replayed = 0
    if body.citizens == "replay" and body.replay_day is not None:
        replayed = history.ticket_counts(conn, hall.id, [body.replay_day]).get(body.replay_day, 0)
    return past, replayed


def _preview_job(
    rt: Runtime, hall: Hall, body: SimulationRequest, now: dt.datetime, forecast: Forecast | None, past: tuple[dt.date, ...]
) -> Job:
    state = rt.store.view(hall.id).clone()
    now_s = min(math.ceil((now - now.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()), 86399)
    moves = []
    for index, move in enumerate(body.moves):
        at = None
        if move.at is not None:
            try:
                at = parse_time(move.at)
            except ValueError as exc:
                raise _refused([(("moves", index, "at"), str(exc))]) from None
        moves.append(TidalMove(move.window, tuple(move.queues), move.policy, at))
    try:
        plans = (live_plan(hall, state, now_s, (), "as it is now 现状"),
                 live_plan(hall, state, now_s, moves, "with the moves 调整后"))
    except InputError as exc:
        raise _refused(_input_problems((), exc)) from None
    if body.citizens == "forecast" and forecast is None:
        raise _refused([(("forecast",), "citizens = forecast needs the forecast")])
    history_days = tuple(sorted(past)) if body.citizens == "history" else ()
    return Job(
        hall, plans, state.service_day, body.seed, forecast=forecast, scale=body.scale,
        database_url=rt.database_url, history=history_days, live=state, now_s=now_s,
    )
