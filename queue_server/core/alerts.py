"""排队超时预警: which of a hall's configured thresholds are crossed right now. Pure: the facts
(waiting counts, waits, pauses) and the limits come in, the alerts come out.

    alerts = evaluate(queue_facts, window_facts, limits, open_keys=previous_keys)

An alert is raised when its value reaches the threshold. One already open stays open until its
value falls below `CLEAR_RATIO` of the threshold, so a queue hovering around its limit (20, 19,
20 waiting) does not raise, clear and raise again with every ticket.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Iterable, Mapping

from hall_common.vocabulary import AlertKind

CLEAR_RATIO = 0.8


@dataclasses.dataclass(frozen=True, slots=True)
class QueueLimits:
    """Thresholds of one queue; None: no alert of that kind."""

    longest_wait_s: int | None = None
    waiting: int | None = None
    estimate_s: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class WindowLimits:
    paused_s: int | None = None
    serving_s: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """Every queue's and window's thresholds (absent: none)."""

    queues: Mapping[str, QueueLimits] = dataclasses.field(default_factory=dict)
    windows: Mapping[str, WindowLimits] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True)
class QueueFacts:
    queue: str
    waiting: int
    longest_wait_s: int | None  # None: nobody waits
    estimate_s: int | None  # None: nothing to base it on


@dataclasses.dataclass(frozen=True, slots=True)
class WindowFacts:
    window: str
    paused_for_s: int | None  # None: not paused (or since when unknown)
    serving_for_s: int | None  # None: no ticket called or in service


@dataclasses.dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    subject: str  # the queue's or the window's id
    value: int  # seconds, or a count for QUEUE_WAITING
    threshold: int

    @property
    def key(self) -> str:
        """One alert per kind and subject at a time (the audit log's target is alert:<key>)."""
        return alert_key(self.kind, self.subject)


def alert_key(kind: AlertKind | str, subject: str) -> str:
    return f"{kind}:{subject}"


def evaluate(
    queues: Iterable[QueueFacts],
    windows: Iterable[WindowFacts],
    limits: Limits,
    open_keys: Collection[str] = (),
) -> list[Alert]:
    """The alerts that hold now, queues first, in the order the facts came."""
    found: list[Alert] = []

    def check(kind: AlertKind, subject: str, value: int | None, threshold: int | None) -> None:
        if value is None or threshold is None:
            return
        is_open = alert_key(kind, subject) in open_keys
        level = math.ceil(threshold * CLEAR_RATIO) if is_open else threshold
        if value >= level:
            found.append(Alert(kind, subject, value, threshold))

    for q in queues:
        rule = limits.queues.get(q.queue, QueueLimits())
        check(AlertKind.QUEUE_LONGEST_WAIT, q.queue, q.longest_wait_s, rule.longest_wait_s)
        check(AlertKind.QUEUE_WAITING, q.queue, q.waiting, rule.waiting)
        check(AlertKind.QUEUE_ESTIMATE, q.queue, q.estimate_s, rule.estimate_s)
    for w in windows:
        rule_w = limits.windows.get(w.window, WindowLimits())
        check(AlertKind.WINDOW_PAUSED, w.window, w.paused_for_s, rule_w.paused_s)
        check(AlertKind.WINDOW_SERVING, w.window, w.serving_for_s, rule_w.serving_s)
    return found

