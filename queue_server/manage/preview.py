"""潮汐窗口 before it happens: the predicted wait of every queue if a window served other queues.
Pure: the engine decides the move on a copy of the hall's state (so a move it would refuse is
refused here with the same message), and today's estimates (core/estimates.py) are read before
and after."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..core import engine, views
from ..core.engine import HallState


@dataclasses.dataclass(frozen=True, slots=True)
class QueueEffect:
    queue: str
    name: str
    waiting: int
    windows_before: int  # windows serving it
    windows_after: int
    estimated_wait_before_s: int | None
    estimated_wait_after_s: int | None

    @property
    def changed(self) -> bool:
        return (self.windows_before, self.estimated_wait_before_s) != (self.windows_after, self.estimated_wait_after_s)


@dataclasses.dataclass(frozen=True, slots=True)
class TidalPreview:
    window: str
    queues_before: tuple[str, ...]
    queues_after: tuple[str, ...]
    policy_after: str
    effects: tuple[QueueEffect, ...]


def tidal_preview(
    state: HallState, window_id: str, queues: list[str], policy: str | None, now: dt.datetime
) -> TidalPreview:
    change = engine.set_queues(state, window_id, queues, now, policy)  # raises as the move would
    after = state.clone()
    after.apply(change)
    effects = []
    for queue in state.hall.queues:
        waiting = state.waiting_counts.get(queue.id, 0)
        effects.append(
            QueueEffect(
                queue.id,
                queue.name,
                waiting,
                _serving(state, queue.id),
                _serving(after, queue.id),
                views.queue_estimate(state, queue.id, waiting),
                views.queue_estimate(after, queue.id, waiting),
            )
        )
    moved = after.windows[window_id]
    return TidalPreview(window_id, state.windows[window_id].queues, moved.queues, moved.policy, tuple(effects))


def _serving(state: HallState, queue_id: str) -> int:
    return sum(1 for w in state.windows.values() if queue_id in w.queues)
