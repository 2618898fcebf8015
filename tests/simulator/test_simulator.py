"""The simulator's own rules (docs/simulator.md): the same day for a seed, the hall's hours and
limits applied by the engine, windows that call only while staffed, utilisation, the rest of today
from a live hall, and a core that does no I/O."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from simulator_days import DAY, EXAMPLES, REPO, jinan

from queue_server.config import Hall
from queue_server.core import engine
from queue_server.core.model import StaffRef
from queue_server.simulation.adapters import files
from queue_server.simulation.behaviour import Duration, QueueBehaviour, Sampler, ServiceModel, config_model
from queue_server.simulation.clock import US, midnight
from queue_server.simulation.day import Arrival, Day
from queue_server.simulation.forecast import generate, parse_forecast
from queue_server.simulation.live import TidalMove, live_plan, rest_of_day
from queue_server.simulation.plan import parse_plan
from queue_server.simulation.report import report
from queue_server.simulation.simulator import LiveStart, simulate


@pytest.fixture(scope="module")
def hall() -> Hall:
    return jinan()


def at(hour: int, minute: int = 0, second: int = 0) -> int:
    return (hour * 3600 + minute * 60 + second) * US


def steady(hall: Hall, seconds: float = 600) -> ServiceModel:
    """Every service takes exactly `seconds`."""
    return ServiceModel({q.id: QueueBehaviour(Duration(seconds, 0.0)) for q in hall.queues})


def test_a_seed_gives_the_same_day_and_another_seed_another(hall: Hall) -> None:
    plan = files.read(EXAMPLES / "jinan-city-plan.toml", parse_plan, hall)
    forecast = files.read(EXAMPLES / "jinan-city-forecast.toml", parse_forecast, hall)
    model = config_model(hall)
    first = simulate(hall, plan, generate(forecast, DAY, 2), Sampler(model, 2))
    again = simulate(hall, plan, generate(forecast, DAY, 2), Sampler(model, 2))
    other = simulate(hall, plan, generate(forecast, DAY, 3), Sampler(model, 3))
    assert first == again and first.calls != other.calls
    rep = report(first, hall)
    assert rep.total.issued + rep.total.refused == len(first.tickets)
    assert all(0 <= w.utilisation <= 1 for w in rep.windows)
    assert all(c.window in {w.window for w in plan.windows} for c in first.calls)


def test_the_hall_refuses_tickets_outside_its_hours_unless_the_plan_extends_them(hall: Hall) -> None:
    plan = parse_plan({"windows": [{"id": "W01", "shifts": [["09:00", "17:00"]]}]}, hall)
    # Jinan stops issuing 30 minutes before each session ends: 11:45 is refused, 13:10 is not.
    day = Day(DAY, (Arrival("a", "A", at(11, 45)), Arrival("b", "A", at(13, 10))), "two")
    result = simulate(hall, plan, day, Sampler(steady(hall), 1))
    assert [(t.ticket_id, t.refused) for t in result.tickets] == [("a", "closed"), ("b", None)]
    extended = parse_plan({"issuing": {"sessions": [["09:00", "18:00"]]},
                           "windows": [{"id": "W01", "shifts": [["09:00", "18:30"]]}]}, hall)
    result = simulate(hall, extended, day, Sampler(steady(hall), 1))
    assert [t.refused for t in result.tickets] == [None, None] and len(result.calls) == 2


def test_a_queue_daily_limit_is_the_engines(hall: Hall) -> None:
    limit = hall.queue("G").daily_limit
    assert limit is not None
    plan = parse_plan({"windows": [{"id": "W22", "shifts": [["09:00", "17:00"]]}]}, hall)
    day = Day(DAY, tuple(Arrival(f"g{i}", "G", at(9, 10) + i * US) for i in range(limit + 5)), "rush")
    result = simulate(hall, plan, day, Sampler(steady(hall, 60), 1))
    assert sum(t.refused == "daily_limit" for t in result.tickets) == 5
    assert result.tickets[limit - 1].number == f"G{limit:03d}"


def test_green_tickets_and_reservations_go_first_as_the_engine_ranks_them(hall: Hall) -> None:
    plan = parse_plan({"windows": [{"id": "W01", "shifts": [["09:00", "12:00"]]}]}, hall)
    slot = at(9, 30)
    day = Day(DAY, (
        Arrival("first", "A", at(9, 0, 10)),
        Arrival("second", "A", at(9, 0, 20)),
        Arrival("third", "A", at(9, 0, 30)),
        Arrival("booked", "A", at(9, 31), channel="reservation", slot_start=slot, slot_end=slot + 1800 * US),
        Arrival("green", "A", at(9, 32), green=True),
    ), "ranks")
    result = simulate(hall, plan, day, Sampler(steady(hall, 1200), 1))
    assert [c.ticket_id for c in result.calls] == ["first", "second", "green", "booked", "third"]


def test_windows_call_only_on_shift_and_finish_their_last_citizen(hall: Hall) -> None:
    plan = parse_plan({"windows": [{"id": "W01", "shifts": [["09:00", "10:00"], ["11:00", "12:00"]],
                                    "breaks": [["09:20", "09:40"]]}]}, hall)
    day = Day(DAY, tuple(Arrival(f"t{i}", "A", at(9) + i * 60 * US) for i in range(30)), "queue")
    result = simulate(hall, plan, day, Sampler(steady(hall, 900), 1))
    called = [c.at // US for c in result.calls]
    for moment in called:
        assert 9 * 3600 <= moment < 10 * 3600 or 11 * 3600 <= moment < 12 * 3600
        assert not 9 * 3600 + 20 * 60 <= moment < 9 * 3600 + 40 * 60
    (use,) = result.windows
    assert use.staffed_us == (2 * 3600 - 20 * 60) * US
    assert use.overtime_us > 0  # served past 12:00 (and into the break)
    assert report(result, hall).queue("A").unserved == 30 - len(result.calls)


def test_a_tidal_move_changes_what_a_window_calls(hall: Hall) -> None:
    day = Day(DAY, (Arrival("a1", "A", at(9, 1)), Arrival("b1", "B", at(9, 2)), Arrival("b2", "B", at(9, 3))), "move")
    fixed = parse_plan({"windows": [{"id": "W01", "shifts": [["09:00", "12:00"]]}]}, hall)
    moved = parse_plan({"windows": [{"id": "W01", "shifts": [["09:00", "12:00"]],
                                     "moves": [{"at": "09:30", "queues": ["B"]}]}]}, hall)
    assert len(simulate(hall, fixed, day, Sampler(steady(hall), 1)).calls) == 1
    assert [c.ticket_id for c in simulate(hall, moved, day, Sampler(steady(hall), 1)).calls] == ["a1", "b1", "b2"]


def test_the_rest_of_today_from_a_live_hall(hall: Hall) -> None:
    base = midnight(DAY, hall.zone)
    state = engine.HallState(hall, DAY)
    moment = base + dt.timedelta(hours=10)
    for window in ("W10", "W11", "W13"):
        state.apply(engine.sign_in(state, window, StaffRef(f"p-{window}", window), moment))
    for i in range(12):
        moment += dt.timedelta(seconds=30)
        state.apply(engine.issue(state, engine.IssueRequest(f"live{i}", "C" if i % 2 else "D", "walkin"), moment))
    state.apply(engine.call_next(state, "W10", moment))
    now_s = (moment - base).seconds + 1
    before = state.clone()
    model = steady(hall, 300)
    as_is = simulate(hall, live_plan(hall, state, now_s), Day(DAY, (), "none"), Sampler(model, 1),
                     start=LiveStart(state.clone(), now_s))
    moved_plan = live_plan(hall, state, now_s, [TidalMove("W13", ("C",))])
    moved = simulate(hall, moved_plan, Day(DAY, (), "none"), Sampler(model, 1), start=LiveStart(state.clone(), now_s))
    assert dataclasses.asdict(state.windows["W10"]) == dataclasses.asdict(before.windows["W10"])  # copies only
    assert {t.ticket_id for t in as_is.tickets} == {f"live{i}" for i in range(12)} - {"live1"}  # at W10
    assert all(t.first_call is not None for t in as_is.tickets)
    assert as_is.calls[0].at >= now_s * US
    as_is_c = report(as_is, hall).queue("C").waits.max_s
    moved_c = report(moved, hall).queue("C").waits.max_s
    assert moved_c is not None and as_is_c is not None and moved_c < as_is_c
    forecast = files.read(EXAMPLES / "jinan-city-forecast.toml", parse_forecast, hall)
    later = rest_of_day(forecast, state, now_s, 3)
    assert later.arrivals and all(a.at >= now_s * US for a in later.arrivals)


def test_progress_is_reported_as_the_day_goes(hall: Hall) -> None:
    plan = files.read(EXAMPLES / "jinan-city-plan.toml", parse_plan, hall)
    forecast = files.read(EXAMPLES / "jinan-city-forecast.toml", parse_forecast, hall)
    seen: list[float] = []
    simulate(hall, plan, generate(forecast, DAY, 1), Sampler(config_model(hall), 1), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0


PURE = ("behaviour", "clock", "day", "forecast", "learning", "live", "plan", "planner", "problems", "record",
        "report", "simulator")
ALLOWED = {"queue_server.config", "queue_server.core", "hall_common"}


def test_the_simulation_core_is_pure() -> None:
    """The core modules import the standard library's pure parts, the engine, the config and
    each other only: no storage, services, API, files, processes or clocks."""
    package = REPO / "queue_server" / "simulation"
    forbidden_stdlib = {"os", "pathlib", "io", "socket", "subprocess", "multiprocessing", "concurrent", "time",
                        "asyncio", "sqlite3", "tomllib", "json", "sys", "threading"}
    for name in PURE:
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: inside the package, or the server's config and core
                    target = node.module or ""
                    assert node.level == 1 or target.split(".")[0] in ("config", "core"), (name, target)
                    assert node.level == 1 and target.split(".")[0] in PURE or node.level == 2, (name, target)
                    continue
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                root = module.split(".")[0]
                assert root not in forbidden_stdlib, (name, module)
                if root in ("queue_server", "hall_common", "sqlalchemy", "fastapi", "httpx", "starlette"):
                    assert any(module == a or module.startswith(a + ".") for a in ALLOWED), (name, module)
    for path in package.glob("*.py"):
        assert path.stem in PURE or path.stem == "__init__", f"{path.name}: pure core or adapters/?"
    assert not any(Path(package / "examples").glob("*.py"))
