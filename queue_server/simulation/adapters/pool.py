"""Many plans on one day, in worker processes (at most `MAX_WORKERS`: the simulator is CPU-bound
and the machine is shared). Each worker receives the hall, the day and the model once; each task
is one plan and comes back as its report."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ...config import Hall
from ..behaviour import ServiceModel
from ..day import Day
from ..plan import Plan
from ..planner import judge
from ..report import Report

MAX_WORKERS = 2
_context: dict[str, Any] = {}


def _start(hall: Hall, days: tuple[Day, ...], model: ServiceModel, seed: int) -> None:
    _context.update(hall=hall, days=days, model=model, seed=seed)


def _one(plan: Plan) -> Report:
    return judge(_context["hall"], plan, _context["days"], _context["model"], _context["seed"])


class PlanPool:
    """`with PlanPool(hall, days, model, seed) as pool: reports = pool.evaluate(plans)` — also the
    planner's `evaluate`: each plan's report (with several days, the mean over them, day k drawn
    with seed + k). `workers=1` runs in this process."""

    def __init__(
        self,
        hall: Hall,
        days: Day | Sequence[Day],
        model: ServiceModel,
        seed: int,
        *,
        workers: int = MAX_WORKERS,
        start_method: str = "fork",
        progress: Callable[[int, int], None] | None = None,
    ):
        self.workers = max(1, min(workers, MAX_WORKERS))
        self.args = (hall, (days,) if isinstance(days, Day) else tuple(days), model, seed)
        self.progress = progress
        self._executor: ProcessPoolExecutor | None = None
        if self.workers > 1:
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(start_method),
                initializer=_start,
                initargs=self.args,
            )
        else:
            _start(*self.args)

    def evaluate(self, plans: Sequence[Plan]) -> list[Report]:
        if self._executor is None:
            results = []
            for done, plan in enumerate(plans, start=1):
                results.append(_one(plan))
                if self.progress:
                    self.progress(done, len(plans))
            return results
        futures = [self._executor.submit(_one, plan) for plan in plans]
        results = []
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            if self.progress:
                self.progress(done, len(plans))
        return results

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

    def __enter__(self) -> PlanPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
