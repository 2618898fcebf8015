"""What a simulated day is made of: the citizens who come (arrivals) and what happens once one of
them is called (a visit at the window), as plain immutable values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from hall_common.vocabulary import Channel


@dataclasses.dataclass(frozen=True, slots=True)
class Arrival:
    """A citizen taking a ticket. `at` is microseconds after the day's local midnight."""

    ticket_id: str
    queue: str
    at: int
    channel: str = Channel.WALKIN.value
    green: bool = False
    item_code: str | None = None
    slot_start: int | None = None  # a reservation's slot, microseconds after midnight
    slot_end: int | None = None


class VisitEnd(enum.Enum):
    """How a ticket's turn at a window ends (the staff action that ends it)."""

    FINISH = "finish"  # served: 办结
    SKIP = "skip"  # nobody came: 过号 (the citizen may come back: requeue)
    TRANSFER = "transfer"  # sent on to another queue (or window)
    CANCEL = "cancel"  # the citizen gave up at the window


@dataclasses.dataclass(frozen=True, slots=True)
class Visit:
    """One call of a ticket: the window is taken for `duration_us` (call → the ending action)."""

    duration_us: int
    end: VisitEnd = VisitEnd.FINISH
    to_queue: str | None = None  # TRANSFER
    to_window: str | None = None  # TRANSFER by name
    requeue_after_us: int | None = None  # SKIP: the citizen is back (requeued) this long after


@dataclasses.dataclass(frozen=True, slots=True)
class Day:
    """A day to simulate: its date, its arrivals in order, and where they came from."""

    date: dt.date
    arrivals: tuple[Arrival, ...]
    source: str  # "forecast seed 7", "recorded 2026-11-20", …
