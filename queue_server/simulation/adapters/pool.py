"""Many plans on one day, in worker processes (at most `MAX_WORKERS`: the simulator is CPU-bound
and the machine is shared). Each worker receives the hall, the day and the model once; each task
is one plan and comes back as its report."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ...config import Hall
from ..behaviour import Sampler, ServiceModel
from ..day import Day
from ..plan import Plan
from ..report import Report, report
from ..simulator import simulate

MAX_WORKERS = 2
_context: dict[str, Any] = {}


def _start(hall: Hall, day: Day, model: ServiceModel, seed: int) -> None:
    _context.update(hall=hall, day=day, model=model, seed=seed)


def _one(plan: Plan) -> Report:
    hall = _context["hall"]
    return report(simulate(hall, plan, _context["day"], Sampler(_context["model"], _context["seed"])), hall)


class PlanPool:
    """`with PlanPool(hall, day, model, seed) as pool: reports = pool.evaluate(plans)` — also the
    planner's `evaluate`. `workers=1` runs in this process."""

    def __init__(
        self,
        hall: Hall,
        day: Day,
        model: ServiceModel,
        seed: int,
        *,
        workers: int = MAX_WORKERS,
        start_method: str = "fork",
        progress: Callable[[int, int], None] | None = None,
    ):
        self.workers = max(1, min(workers, MAX_WORKERS))
        self.args = (hall, day, model, seed)
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
