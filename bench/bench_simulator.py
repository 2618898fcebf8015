"""How right and how fast is the what-if simulator (queue_server/simulation, docs/simulator.md)?

    .venv/bin/python bench/bench_simulator.py --part accuracy|planner|speed [--seed 1]

accuracy — history with a known truth. Days of 济南市政务服务中心 (config/jinan-city.toml) are
    written into a SQLite database through the server's own services (the recorder): the example
    forecast's citizens, the example plan (staggered lunch, a tidal move at 14:00), and a truth
    the simulator is not told: per-queue service medians 0.75-1.15 × the configured defaults, a
    spread of 0.6, one case in twelve 2.5 × longer, 6 % no-shows (40 % of them back after ~10
    min), 2 % sent on to 综合受理, 3 % who leave, staff who take 20 s between citizens. The model
    and the forecast are learnt from the first days; each later day is then replayed under the
    plan read back from its events, (1) with its recorded service times: the calls must come out
    exactly as recorded; (2) with the citizens as recorded but services drawn from the learnt
    model (5 seeds): MAE of each ticket's predicted wait against its recorded one, and the error
    of each queue's p90; (3) from the learnt forecast alone (5 seeds): the p90 error.
planner — a peak day (出入境 × 1.8 and 户政 × 1.6 on the example forecast): the planner's
    suggestions for a 30-minute p90 with 41 staff, then the plan before and after on 5 peak days
    (seeds) it was not made on.
speed — a 12,000-ticket day of a 400-window hall (20 queues) on one core, and where the time
    goes (the engine's calls, timed; its cost grows with the tickets live in the hall); then 100
    plans of the Jinan day compared in 2 processes.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queue_server.config import Config, Hall, load_config, parse_config  # noqa: E402
from queue_server.core import engine  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402
from queue_server.simulation.adapters import files, history  # noqa: E402
from queue_server.simulation.adapters.pool import PlanPool  # noqa: E402
from queue_server.simulation.adapters.recorder import SimClock, record_day  # noqa: E402
from queue_server.simulation.behaviour import (  # noqa: E402
    Duration,
    QueueBehaviour,
    Sampler,
    ServiceModel,
    config_model,
)
from queue_server.simulation.clock import US, midnight  # noqa: E402
from queue_server.simulation.day import Arrival, Visit, VisitEnd  # noqa: E402
from queue_server.simulation.forecast import Forecast, generate, parse_forecast  # noqa: E402
from queue_server.simulation.learning import learn_forecast, learn_model  # noqa: E402
from queue_server.simulation.plan import Move, Plan, Span, WindowPlan, parse_plan  # noqa: E402
from queue_server.simulation.planner import advise  # noqa: E402
from queue_server.simulation.record import RecordedDay, infer_plan  # noqa: E402
from queue_server.simulation.report import Report, percentile, report  # noqa: E402
from queue_server.simulation.simulator import simulate  # noqa: E402
from queue_server.storage.database import default_url, open_engine  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "queue_server" / "simulation" / "examples"
FIRST_DAY = dt.date(2026, 11, 2)  # a Monday
LEARN_DAYS, TEST_DAYS, SEEDS = 4, 3, 5
PEAK, TARGET_MIN, STAFF = {"G": 1.8, "F": 1.6}, 30, 41  # the planner's peak day: a passport and 户口 rush


# -- the truth ----------------------------------------------------------------------------------


class Truth:
    """The people of the recorded days: the truth model, plus a long tail the model's log-normal
    does not have (one case in `LONG_EVERY` takes `LONG_FACTOR` × as long)."""

    LONG_EVERY, LONG_FACTOR = 12, 2.5

    def __init__(self, model: ServiceModel, seed: int):
        self.sampler = Sampler(model, seed)
        self.seed = seed

    def visit(self, ticket_id: str, turn: int, queue: str, item_code: str | None) -> Visit:
        visit = self.sampler.visit(ticket_id, turn, queue, item_code)
        if visit.end is VisitEnd.FINISH and random.Random(f"{self.seed}|{ticket_id}|{turn}|long").randrange(
            self.LONG_EVERY
        ) == 0:
            return dataclasses.replace(visit, duration_us=int(visit.duration_us * self.LONG_FACTOR))
        return visit

    def patience_us(self, arrival: Arrival) -> int | None:
        return self.sampler.patience_us(arrival)

    def turnaround_us(self) -> int:
        return self.sampler.turnaround_us()


def truth_model(hall: Hall) -> ServiceModel:
    rng = random.Random("truth")
    queues = {}
    for queue in hall.queues:
        median = (queue.default_service_s or 600) * rng.uniform(0.75, 1.15)
        queues[queue.id] = QueueBehaviour(
            Duration(median, 0.6),
            skip_share=0.06, skip_after=Duration(75.0, 0.3), requeue_share=0.4, requeue_after=Duration(600.0, 0.5),
            transfer_share=0.02 if queue.id != "K" else 0.0, transfer_to=(("K", 1.0),),
            transfer_after=Duration(240.0, 0.4), abandon_share=0.03, patience=Duration(2400.0, 0.5),
        )
    return ServiceModel(queues, turnaround_s=20.0, source="truth")


def truth_plan(hall: Hall) -> Plan:
    plan = files.read(EXAMPLES / "jinan-city-plan.toml", parse_plan, hall)
    w27 = plan.window("W27")
    assert w27 is not None
    return plan.replace_window(dataclasses.replace(w27, moves=(Move(14 * 3600, ("H",), "fifo"),)))


def fast_writes(config: Config) -> Config:
    """The demo config with commits that do not wait for the disk (the bench's own database)."""
    return config.model_copy(update={"server": config.server.model_copy(update={"durability": "normal"})})


def record_history(config: Config, hall: Hall, folder: Path, seed: int) -> list[RecordedDay]:
    forecast = files.read(EXAMPLES / "jinan-city-forecast.toml", parse_forecast, hall)
    plan, model = truth_plan(hall), truth_model(hall)
    dates = weekdays(LEARN_DAYS + TEST_DAYS)
    clock = SimClock(midnight(dates[0], hall.zone))
    rt = Runtime(config, data_dir=folder, clock=clock)
    try:
        for number, date in enumerate(dates):
            started = time.perf_counter()
            summary = asyncio.run(
                record_day(rt, clock, hall, plan, generate(forecast, date, seed * 100 + number), Truth(model, seed + number))
            )
            print(f"  recorded {date}: {summary.issued} tickets, {summary.calls} calls, through the server's services "
                  f"in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        rt.close()
    database = open_engine(default_url(folder), durability="normal", writer=False)
    try:
        with database.connect() as conn:
            return history.load_days(conn, hall, dates)
    finally:
        database.dispose()


def weekdays(count: int) -> list[dt.date]:
    """Working days from FIRST_DAY (a Saturday has other hours)."""
    dates: list[dt.date] = []
    day = FIRST_DAY
    while len(dates) < count:
        if day.weekday() < 5:
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


# -- accuracy -----------------------------------------------------------------------------------


def accuracy(seed: int) -> None:
    config = fast_writes(load_config(REPO / "config" / "jinan-city.toml"))
    hall = config.halls[0]
    print(f"accuracy: {LEARN_DAYS} days to learn from and {TEST_DAYS} to predict, {hall.name}")
    with tempfile.TemporaryDirectory() as folder:
        days = record_history(config, hall, Path(folder), seed)
    learnt, tested = days[:LEARN_DAYS], days[LEARN_DAYS:]
    model, forecast = learn_model(learnt, hall), learn_forecast(learnt, hall)
    truth = truth_model(hall)
    print(f"  learnt: turnaround {model.turnaround_s:.0f} s (truth 20 s); service medians, learnt/truth: "
          + ", ".join(f"{q} {model.queues[q].service.median_s / truth.queues[q].service.median_s:.2f}"
                      for q in ("A", "B", "C", "G", "H")))
    rows: dict[str, dict[str, list[float]]] = {}
    for day in tested:
        plan = infer_plan(day, hall)
        exact = simulate(hall, plan, day.day(), day.replay(Sampler(model, seed)))
        same = [(c.at, c.ticket_id, c.window) for c in exact.calls] == [(c.at, c.ticket_id, c.window) for c in day.calls]
        print(f"  {day.date}: replayed with its recorded services under the plan read back from its events: "
              f"{len(exact.calls)} calls, {'the same calls in the same order' if same else 'DIFFERENT calls'}")
        recorded = {t.arrival.ticket_id: t for t in day.tickets if t.wait_us is not None}
        predicted: dict[str, list[float]] = {}
        pooled: dict[str, list[float]] = {}
        for run in range(SEEDS):
            result = simulate(hall, plan, day.day(), Sampler(model, seed * 10 + run))
            for ticket in result.tickets:
                if ticket.wait_us is not None:
                    predicted.setdefault(ticket.ticket_id, []).append(ticket.wait_us / 60 / US)
                    pooled.setdefault(ticket.queue, []).append(ticket.wait_us / 60 / US)
        by_forecast: dict[str, list[float]] = {}
        for run in range(SEEDS):
            result = simulate(hall, plan, generate(forecast, day.date, seed * 1000 + run), Sampler(model, run))
            for ticket in result.tickets:
                if ticket.wait_us is not None:
                    by_forecast.setdefault(ticket.queue, []).append(ticket.wait_us / 60 / US)
        for queue in [q.id for q in hall.queues] + ["*"]:
            mine = [t for t in recorded.values() if queue in ("*", t.arrival.queue)]
            waits = [t.wait_us / 60 / US for t in mine]  # type: ignore[operator]
            if len(waits) < 5:
                continue
            cell = rows.setdefault(queue, {"recorded": [], "error": [], "p90": [], "p90_forecast": [], "p90_error": [],
                                           "p90_forecast_error": []})
            cell["recorded"] += waits
            cell["error"] += [abs(statistics.fmean(predicted[t.arrival.ticket_id]) - t.wait_us / 60 / US)  # type: ignore[operator]
                              for t in mine if t.arrival.ticket_id in predicted]
            pool = [w for q, values in pooled.items() if queue in ("*", q) for w in values]
            fpool = [w for q, values in by_forecast.items() if queue in ("*", q) for w in values]
            cell["p90_error"].append(percentile(pool, 0.9) - percentile(waits, 0.9))
            if fpool:
                cell["p90_forecast_error"].append(percentile(fpool, 0.9) - percentile(waits, 0.9))
    print("  waits in minutes, issue → first call; errors are predicted − recorded, over the "
          f"{TEST_DAYS} predicted days")
    print(f"  {'queue':<16}{'n':>6}{'rec p50':>9}{'rec p90':>9}{'MAE':>8}{'p90 err':>9}{'p90 err (forecast)':>20}")
    for queue, cell in rows.items():
        name = "all" if queue == "*" else f"{queue} {hall.queue(queue).name}"  # type: ignore[union-attr]
        fc = statistics.fmean(cell["p90_forecast_error"]) if cell["p90_forecast_error"] else float("nan")
        print(f"  {name:<16}{len(cell['recorded']):>6}{percentile(cell['recorded'], 0.5):>9.1f}"
              f"{percentile(cell['recorded'], 0.9):>9.1f}{statistics.fmean(cell['error']):>8.1f}"
              f"{statistics.fmean(cell['p90_error']):>+9.1f}{fc:>+20.1f}")
    flat = [e for cell in rows.values() if cell is not rows["*"] for e in cell["p90_error"]]
    print(f"  per queue: mean |p90 error| {statistics.fmean(abs(e) for e in flat):.1f} min (replayed citizens)")


# -- the planner --------------------------------------------------------------------------------


def planner(seed: int) -> None:
    hall = load_config(REPO / "config" / "jinan-city.toml").halls[0]
    normal = files.read(EXAMPLES / "jinan-city-forecast.toml", parse_forecast, hall)
    rush = {q: tuple(r * PEAK.get(q, 1.0) for r in hours) for q, hours in normal.rates.items()}
    forecast = dataclasses.replace(normal, rates=rush)
    plan = files.read(EXAMPLES / "jinan-city-plan.toml", parse_plan, hall)
    model = config_model(hall)
    days = [generate(forecast, FIRST_DAY, seed + k) for k in range(3)]
    day = days[0]
    print(f"planner: a peak day (出入境 × 1.8, 户政 × 1.6, the rest as usual: {len(day.arrivals)} citizens), "
          f"target p90 {TARGET_MIN} min, {STAFF} staff")
    started = time.perf_counter()
    with PlanPool(hall, days, model, seed, workers=2) as pool:
        advice = advise(hall, plan, days, model, seed, target_p90_s=TARGET_MIN * 60, staff=STAFF, max_suggestions=6,
                        evaluate=pool.evaluate)
    print(f"  {len(advice.suggestions)} suggestions in {time.perf_counter() - started:.1f} s (2 processes):")
    for number, suggestion in enumerate(advice.suggestions, start=1):
        print(f"  {number}. {suggestion.text_zh}\n     {suggestion.text_en}")
    fresh = [seed * 7919 + k for k in range(1, 6)]  # not the days the plan was made on

    def figures(candidate: Plan) -> tuple[float, float, float]:
        reports: list[Report] = []
        for other in fresh:
            citizens = generate(forecast, FIRST_DAY, other)
            reports.append(report(simulate(hall, candidate, citizens, Sampler(model, other)), hall))
        hall_p90 = statistics.fmean(r.total.waits.p90_s or 0 for r in reports) / 60
        worst = statistics.fmean(max(q.waits.p90_s or 0 for q in r.queues) for r in reports) / 60
        unserved = statistics.fmean(r.total.unserved for r in reports)
        return hall_p90, worst, unserved

    before, after = figures(plan), figures(advice.plan)
    print(f"  on 5 other peak days: hall p90 {before[0]:.0f} → {after[0]:.0f} min, worst queue's p90 {before[1]:.0f} → "
          f"{after[1]:.0f} min, unserved {before[2]:.0f} → {after[2]:.0f}")


# -- speed --------------------------------------------------------------------------------------


def big_hall() -> Hall:
    queues = [chr(ord("A") + i) for i in range(20)]
    windows = []
    for i in range(400):
        if i < 320:  # 16 dedicated windows per queue
            served, policy = [queues[i % 20]], "fifo"
        elif i < 380:  # tidal: a queue first, its neighbour after
            served, policy = [queues[i % 20], queues[(i + 1) % 20]], "ordered"
        else:  # comprehensive: five queues
            served, policy = [queues[(i + k) % 20] for k in range(5)], "fifo"
        windows.append({"id": f"W{i + 1:03d}", "name": f"{i + 1}号窗口", "queues": served, "policy": policy})
    data = {"halls": [{"id": "big", "name": "大型政务服务中心（模拟）", "timezone": "Asia/Shanghai",
                       "queues": [{"id": q, "name": f"业务{q}", "default_service_s": 700} for q in queues],
                       "windows": windows}]}
    return parse_config(data, REPO).halls[0]


def big_day(hall: Hall, seed: int) -> tuple[Plan, Any]:
    shape = {9: 1.2, 10: 1.3, 11: 1.0, 12: 0.5, 13: 0.8, 14: 1.1, 15: 1.1, 16: 0.8}
    scale = 12_000 / 20 / sum(shape.values())
    forecast = Forecast({q.id: tuple(shape.get(h, 0.0) * scale for h in range(24)) for q in hall.queues},
                        green_share=0.04, reservation_share=0.08)
    plan = Plan("400 windows, staggered lunch", tuple(
        WindowPlan(w.id, (Span(int(8.5 * 3600), 12 * 3600 + (i % 2) * 1800), Span(13 * 3600 + (i % 2) * 1800, int(17.5 * 3600))))
        for i, w in enumerate(hall.windows)
    ))
    return plan, generate(forecast, FIRST_DAY, seed)


class EngineTimer:
    """Times the engine's commands the simulator calls, and how many tickets are live at each
    call_next (its cost grows with them)."""

    NAMES = ("issue", "call_next", "act", "set_queues", "set_paused", "sign_in", "sign_out")

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(self.NAMES, 0.0)
        self.calls = dict.fromkeys(self.NAMES, 0)
        self.live: list[int] = []
        self.original = {name: getattr(engine, name) for name in self.NAMES}

    def __enter__(self) -> EngineTimer:
        for name in self.NAMES:
            setattr(engine, name, self._wrap(name, self.original[name]))
        return self

    def __exit__(self, *_: object) -> None:
        for name, function in self.original.items():
            setattr(engine, name, function)

    def _wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        clock = time.process_time  # CPU time: the machine is shared, wall time says little

        def timed(*args: Any, **kwargs: Any) -> Any:
            if name == "call_next":
                self.live.append(len(args[0].tickets))
            started = clock()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += clock() - started
                self.calls[name] += 1

        return timed


def speed(seed: int) -> None:
    """CPU seconds (time.process_time) are the figures: on a shared machine wall time measures the
    neighbours. Both are printed, with the load average."""
    hall = big_hall()
    plan, day = big_day(hall, seed)
    print(f"speed: {len(day.arrivals)} tickets, {len(hall.windows)} windows, {len(hall.queues)} queues, one core "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    model = config_model(hall)
    cpu, wall = time.process_time(), time.perf_counter()
    result = simulate(hall, plan, day, Sampler(model, seed))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rep = report(result, hall)
    print(f"  simulated in {cpu:.2f} s of CPU ({wall:.2f} s wall; goal: under 2 s): {len(result.calls)} calls, "
          f"hall p90 {(rep.total.waits.p90_s or 0) / 60:.0f} min, utilisation {rep.utilisation:.0%}")
    with EngineTimer() as timer:
        timed = time.process_time()
        simulate(hall, plan, day, Sampler(model, seed))
        timed = time.process_time() - timed
    engine_s = sum(timer.seconds.values())
    print(f"  where the time goes (a timed run, {timed:.2f} s CPU): the engine {engine_s:.2f} s "
          f"({engine_s / timed:.0%}), the simulator around it {timed - engine_s:.2f} s")
    for name in timer.NAMES:
        if timer.calls[name]:
            print(f"    engine.{name:<11}{timer.calls[name]:>7} calls {timer.seconds[name]:>6.2f} s "
                  f"{timer.seconds[name] / timer.calls[name] * 1e6:>8.0f} µs each")
    live = timer.live
    print(f"    call_next saw {statistics.fmean(live):.0f} live tickets on average (max {max(live)}): it copies and "
          "scans them all (engine._Draft.waiting, ranking.callable_now), so its cost grows with the backlog")
    jinan = load_config(REPO / "config" / "jinan-city.toml").halls[0]
    base = files.read(EXAMPLES / "jinan-city-plan.toml", parse_plan, jinan)
    forecast = files.read(EXAMPLES / "jinan-city-forecast.toml", parse_forecast, jinan)
    citizens = generate(forecast, FIRST_DAY, seed)
    with EngineTimer() as small:
        one = time.process_time()
        simulate(jinan, base, citizens, Sampler(config_model(jinan), seed))
        one = time.process_time() - one
    flat_us = small.seconds["call_next"] / small.calls["call_next"] * 1e6
    flat = timed - timer.seconds["call_next"] + timer.calls["call_next"] * flat_us / 1e6
    print(f"    with call_next as cheap as in the Jinan day ({statistics.fmean(small.live):.0f} live tickets, "
          f"{flat_us:.0f} µs), this day would take about {flat:.1f} s")
    plans = variants(jinan, base, 100, seed)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    with PlanPool(jinan, citizens, config_model(jinan), seed, workers=2) as pool:
        reports = pool.evaluate(plans)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    best = min(reports, key=lambda r: r.total.waits.p90_s or 0)
    print(f"  100 plans of the Jinan day ({len(citizens.arrivals)} citizens, {one:.2f} s CPU each alone) compared "
          f"in 2 processes: {worker_cpu:.1f} s of CPU, so {worker_cpu / 2:.1f} s on 2 free cores "
          f"({wall:.1f} s wall here; goal: under a minute)")
    print(f"    the best: {best.plan}, hall p90 {(best.total.waits.p90_s or 0) / 60:.0f} min "
          f"(the example plan: {(reports[0].total.waits.p90_s or 0) / 60:.0f} min)")


def variants(hall: Hall, base: Plan, count: int, seed: int) -> list[Plan]:
    """Plans around the example: tidal and comprehensive windows moved to other queues for a
    few hours, and lunch turns shifted."""
    rng = random.Random(seed)
    movable = [w.id for w in hall.windows if set(w.tags) & {"tidal", "comprehensive"}]
    queues = [q.id for q in hall.queues if q.id not in ("BF", "BD")]
    plans = [base]
    while len(plans) < count:
        plan = dataclasses.replace(base, name=f"variant {len(plans)}")
        for window_id in rng.sample(movable, 3):
            window = plan.window(window_id)
            assert window is not None
            start = rng.choice([9, 10, 13, 14]) * 3600
            if not any(s.start <= start < s.end for s in window.shifts):
                continue
            moved = (Move(start, (rng.choice(queues),), None), Move(start + 2 * 3600, tuple(hall.window(window_id).queues), None))  # type: ignore[union-attr]
            plan = plan.replace_window(dataclasses.replace(window, moves=tuple(m for m in moved if m.at < window.closes)))
        plans.append(plan)
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["accuracy", "planner", "speed"], required=True,
                        help="one part per run: each takes one to two minutes on the shared machine")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    for part, run in (("accuracy", accuracy), ("planner", planner), ("speed", speed)):
        if args.part == part:
            run(args.seed)
            print()
    print(f"(bench run: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
