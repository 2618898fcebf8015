"""Simulations for the server (POST …/simulations): a job is everything one request needs, checked
beforehand, run in a worker process (one: the simulator is CPU-bound and must never hold the
event loop, nor the server's GIL), at most `MAX_WAITING` more waiting for it.

`execute` is the worker's whole work: it reads the recorded days it needs from the hall's
database on a connection of its own (rebuilding a month of days takes seconds of CPU), learns,
simulates and returns the reply's document."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ...config import Hall
from ...core.engine import HallState
from ..behaviour import Sampler, ServiceModel, config_model
from ..forecast import Forecast, generate
from ..learning import learn_forecast, learn_model
from ..live import rest_of_day
from ..plan import Plan
from ..planner import advise
from ..record import RecordedDay
from ..report import Comparison, report
from ..simulator import LiveStart, simulate
from .history import read_days
from .output import advice_document

MAX_WAITING = 2  # jobs queued behind the running one; more are refused (429)
TIMEOUT_S = 180.0
JUDGED_DAYS = 3  # the planner judges each plan on this many forecast days


@dataclasses.dataclass(frozen=True)
class Advise:
    target_p90_s: int
    staff: int
    max_suggestions: int


@dataclasses.dataclass(frozen=True)
class Job:
    hall: Hall
    plans: tuple[Plan, ...]
    date: Any  # datetime.date
    seed: int
    forecast: Forecast | None = None  # the citizens from a forecast…
    scale: float = 1.0
    database_url: str = ""  # the hall's database, read by the worker:
    replay_day: Any = None  # …or a recorded day's citizens (datetime.date), with their recorded services
    history: tuple[Any, ...] = ()  # days (datetime.date) to learn the model (and a missing forecast) from
    advise: Advise | None = None
    live: HallState | None = None  # the rest of today from this state
    now_s: int = 0


class TooBusy(Exception):
    """Too many simulations queued already."""


def execute(job: Job) -> dict[str, Any]:
    started = time.perf_counter()
    hall = job.hall
    # Read here, not in the server: rebuilding a month of days is seconds of CPU.
    past: list[RecordedDay] = [d for d in read_days(job.database_url, hall, job.history) if d.tickets] if job.history else []
    replay = read_days(job.database_url, hall, [job.replay_day])[0] if job.replay_day is not None else None
    model: ServiceModel = learn_model(past, hall) if past else config_model(hall)
    forecast = job.forecast
    if forecast is None and past and replay is None:
        forecast = learn_forecast(past, hall)
    if forecast is not None and job.scale != 1.0:
        forecast = forecast.scaled(job.scale)
    people: Any = Sampler(model, job.seed)
    if job.live is not None:
        day = rest_of_day(forecast, job.live, job.now_s, job.seed)
    elif replay is not None:
        day = replay.day()
        people = replay.replay(people)
    else:
        assert forecast is not None
        day = generate(forecast, job.date, job.seed)
    reports = []
    for plan in job.plans:
        start = LiveStart(job.live.clone(), job.now_s) if job.live is not None else None
        reports.append(report(simulate(hall, plan, day, people, start=start), hall))
    advice = None
    if job.advise is not None:
        assert forecast is not None  # the planner works on forecast days (checked by the route)
        days = [day] + [generate(forecast, job.date, job.seed + k) for k in range(1, JUDGED_DAYS)]
        advice = advise(
            hall, job.plans[0], days, model, job.seed, target_p90_s=job.advise.target_p90_s,
            staff=job.advise.staff, max_suggestions=job.advise.max_suggestions,
        )
    return {
        "date": str(day.date),
        "seed": job.seed,
        "citizens": {"source": day.source, "tickets": len(day.arrivals)},
        "model": {"source": model.source},
        "reports": [r.document() for r in reports],
        "comparison": Comparison(tuple(reports)).rows() if len(reports) > 1 else None,
        "advice": advice_document(advice) if advice is not None else None,
        "elapsed_ms": int((time.perf_counter() - started) * 1000),
    }


class SimulationRunner:
    """The server's one worker process (spawned, not forked: the server has threads), started on
    first use and stopped with the app."""

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None
        self._jobs = 0

    async def run(self, job: Job) -> dict[str, Any]:
        if self._jobs > MAX_WAITING:
            raise TooBusy()
        self._jobs += 1
        try:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            loop = asyncio.get_running_loop()
            try:
                return await asyncio.wait_for(loop.run_in_executor(self._executor, execute, job), TIMEOUT_S)
            except TimeoutError:
                self.close(kill=True)  # the worker would go on computing: end it, the next job starts afresh
                raise
        finally:
            self._jobs -= 1

    def close(self, *, kill: bool = False) -> None:
        """Stop the worker (at once with `kill`: a job still running would keep it busy)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if kill or self._jobs:
            for process in list(getattr(executor, "_processes", {}).values()):
                process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
