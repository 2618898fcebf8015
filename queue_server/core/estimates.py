"""Waiting-time estimates.

Model. A queue is served by the windows that list it; a window serving k queues gives each of
them 1/k of its time, so the queue's capacity is c = Σ 1/k over the windows that serve it and are
open (staffed, not paused) — or, when none is open yet (early morning), over all windows that serve
it, since that is who will open. Each service takes S seconds, S being a trimmed mean of the
queue's last `HISTORY` service durations (called → finished, so walking to the window counts), or
the queue's configured default before there is any history. A ticket with n tickets ahead waits

    W = S · (n + ½) / c

for the n services ahead spread over c windows, plus on average half a service still running at
the window that will free first. A window idle right now serves the first ticket at once (W = 0
when n is smaller than the number of idle windows). No S or no window at all: None ("nothing to
base it on"). bench/bench_estimates.py replays simulated days and reports the error of this model.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

HISTORY = 20
MIN_DURATION_S = 5.0  # shorter "services" are mis-clicks, not data
MAX_DURATION_S = 4 * 3600.0


def trimmed_mean(durations: Sequence[float]) -> float | None:
    """Mean without the shortest and longest 10% (at least one each from 5 samples up), so one
    forgotten ticket left open over lunch does not swing every estimate."""
    values = sorted(durations)
    if not values:
        return None
    cut = len(values) // 10 if len(values) >= 10 else (1 if len(values) >= 5 else 0)
    kept = values[cut : len(values) - cut] if cut else values
    return sum(kept) / len(kept)


class DurationHistory:
    """The last HISTORY service durations per queue."""

    def __init__(self) -> None:
        self._by_queue: dict[str, deque[float]] = {}

    def record(self, queue: str, seconds: float) -> None:
        if not (MIN_DURATION_S <= seconds <= MAX_DURATION_S):
            return
        self._by_queue.setdefault(queue, deque(maxlen=HISTORY)).append(seconds)

    def extend(self, queue: str, seconds: Iterable[float]) -> None:
        for value in seconds:
            self.record(queue, value)

    def mean(self, queue: str) -> float | None:
        return trimmed_mean(self._by_queue.get(queue, ()))

    def copy(self) -> DurationHistory:
        other = DurationHistory()
        other._by_queue = {q: deque(d, maxlen=HISTORY) for q, d in self._by_queue.items()}
        return other


def queue_capacity(queue: str, windows: Iterable[tuple[tuple[str, ...], bool]]) -> float:
    """Σ 1/k over windows (queues, open) serving `queue`; open ones if any, else all."""
    serving = [(queues, is_open) for queues, is_open in windows if queue in queues]
    open_ones = [queues for queues, is_open in serving if is_open]
    chosen = open_ones or [queues for queues, _ in serving]
    return sum(1.0 / len(queues) for queues in chosen)


def estimate_wait_s(
    ahead: int, mean_service_s: float | None, capacity: float, idle_windows: int = 0
) -> int | None:
    if mean_service_s is None or capacity <= 0:
        return None
    if ahead < idle_windows:
        return 0
    return int(round(mean_service_s * (ahead + 0.5) / capacity))
