"""The rest of today from the hall as it is: the plan its windows are on now (each staffed window
until the hall's last session ends, a paused one back after `PAUSE_GUESS_S`), tidal moves to
preview on top of it, and the citizens still to come. Pure: the live state is a copy."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..config import Hall
from ..core.engine import HallState
from .clock import DAY_S, US
from .day import Day
from .forecast import Forecast, generate
from .plan import Move, Plan, Span, WindowPlan, hall_sessions
from .problems import InputError, Problem

PAUSE_GUESS_S = 15 * 60  # a window paused now is taken to be back this much later
AFTER_HOURS_S = 3600  # after the hall's last session (or with no hours): simulate this long


@dataclasses.dataclass(frozen=True, slots=True)
class TidalMove:
    window: str
    queues: tuple[str, ...]
    policy: str | None = None
    at_s: int | None = None  # seconds after midnight; None: now


def closing_time(hall: Hall, state: HallState, now_s: int) -> int:
    sessions = hall_sessions(hall, state.service_day) if hall.hours is not None else ()
    last = max((s.end for s in sessions), default=0)
    return min(DAY_S, last if last > now_s else now_s + AFTER_HOURS_S)


def live_plan(hall: Hall, state: HallState, now_s: int, moves: Sequence[TidalMove] = (), name: str = "as it is now") -> Plan:
    """Each window with someone signed in stays open until closing, serving what it serves
    now; the moves happen on top (InputError for a move of a window nobody staffs)."""
    closes = closing_time(hall, state, now_s)
    problems = []
    by_window: dict[str, list[Move]] = {}
    for index, move in enumerate(moves):
        window = state.windows.get(move.window)
        at = now_s if move.at_s is None else move.at_s
        if window is None:
            problems.append(Problem(f"moves[{index}].window", f"hall {hall.id} has no window {move.window!r}"))
        elif window.staff is None:
            problems.append(Problem(f"moves[{index}].window", f"nobody is signed in at {move.window}: it serves no one"))
        elif not now_s <= at < closes:
            problems.append(Problem(f"moves[{index}].at", "a move happens between now and closing time"))
        else:
            unknown = [q for q in move.queues if hall.queue(q) is None]
            if unknown or not move.queues or len(set(move.queues)) != len(move.queues):
                problems.append(Problem(f"moves[{index}].queues", "the hall's queues, at least one, each once"))
            by_window.setdefault(move.window, []).append(Move(at, move.queues, move.policy))
    if problems:
        raise InputError("moves", problems)
    windows = []
    for window_id, window in state.windows.items():
        if window.staff is None or closes <= now_s:
            continue
        breaks = (Span(now_s, min(now_s + PAUSE_GUESS_S, closes)),) if window.paused else ()
        planned = sorted(by_window.get(window_id, []), key=lambda m: m.at)
        distinct = {m.at: m for m in planned}
        windows.append(
            WindowPlan(window_id, (Span(now_s, closes),), breaks, window.queues, window.policy,
                       tuple(distinct[at] for at in sorted(distinct)))
        )
    return Plan(name, tuple(windows))


def rest_of_day(forecast: Forecast | None, state: HallState, now_s: int, seed: int) -> Day:
    """The citizens still to come today (none without a forecast)."""
    if forecast is None:
        return Day(state.service_day, (), "no forecast: the citizens waiting now only")
    day = generate(forecast, state.service_day, seed)
    later = tuple(a for a in day.arrivals if a.at >= now_s * US)
    return Day(state.service_day, later, f"{day.source}, from {now_s // 3600:02d}:{now_s % 3600 // 60:02d}")
