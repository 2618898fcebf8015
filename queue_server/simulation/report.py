"""What a simulated day comes to: per queue and per hour of issue, the predicted waits (issue →
first call: p50, p90, max), how many waited (the most during the hour, and at its end), the tickets
not served by closing; each window's utilisation; and two or more plans side by side.

Percentiles are nearest-rank (p90: the wait that 90 % of the called tickets did not exceed), the
same for predicted and recorded waits. Tickets never called are not in the waits: they are
counted as not served.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

from hall_common.vocabulary import TicketStatus

from ..config import Hall
from .clock import US, format_time
from .simulator import SimResult, TicketResult

_UNSERVED = (TicketStatus.WAITING.value,)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclasses.dataclass(frozen=True, slots=True)
class Waits:
    count: int
    p50_s: float | None
    p90_s: float | None
    max_s: float | None
    mean_s: float | None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Waits:
        if not seconds:
            return cls(0, None, None, None, None)
        return cls(len(seconds), percentile(seconds, 0.5), percentile(seconds, 0.9), max(seconds), sum(seconds) / len(seconds))

    def document(self) -> dict[str, Any]:
        return {
            "called": self.count,
            "p50_s": _round(self.p50_s),
            "p90_s": _round(self.p90_s),
            "max_s": _round(self.max_s),
            "mean_s": _round(self.mean_s),
        }


def _round(value: float | None) -> int | None:
    return None if value is None else int(round(value))


@dataclasses.dataclass(frozen=True, slots=True)
class QueueRow:
    queue: str
    name: str
    issued: int
    refused: int  # the hall closed for tickets, or the queue's daily limit
    waits: Waits
    unserved: int  # still waiting when the day ended
    left: int  # cancelled: left while waiting or at the window

    def document(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "name": self.name,
            "issued": self.issued,
            "refused": self.refused,
            **self.waits.document(),
            "unserved": self.unserved,
            "left": self.left,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class HourRow:
    queue: str
    hour: int  # local hour of issue
    issued: int
    waits: Waits  # of the tickets issued this hour
    unserved: int
    waiting_peak: int  # the most waiting in the queue during the hour
    waiting_at_end: int

    def document(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "hour": f"{self.hour:02d}:00",
            "issued": self.issued,
            **self.waits.document(),
            "unserved": self.unserved,
            "waiting_peak": self.waiting_peak,
            "waiting_at_end": self.waiting_at_end,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class WindowRow:
    window: str
    name: str
    staffed_s: int
    busy_s: int
    overtime_s: int
    calls: int

    @property
    def utilisation(self) -> float:
        return self.busy_s / self.staffed_s if self.staffed_s else 0.0

    def document(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "name": self.name,
            "staffed_s": self.staffed_s,
            "busy_s": self.busy_s,
            "overtime_s": self.overtime_s,
            "calls": self.calls,
            "utilisation": round(self.utilisation, 3),
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    plan: str
    date: str
    source: str
    opens: str
    closes: str
    total: QueueRow
    queues: tuple[QueueRow, ...]
    hours: tuple[HourRow, ...]
    windows: tuple[WindowRow, ...]

    @property
    def staffed_hours(self) -> float:
        return sum(w.staffed_s for w in self.windows) / 3600

    @property
    def utilisation(self) -> float:
        staffed = sum(w.staffed_s for w in self.windows)
        return sum(w.busy_s for w in self.windows) / staffed if staffed else 0.0

    def queue(self, queue: str) -> QueueRow:
        return next(q for q in self.queues if q.queue == queue)

    def document(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "date": self.date,
            "source": self.source,
            "opens": self.opens,
            "closes": self.closes,
            "staffed_hours": round(self.staffed_hours, 2),
            "utilisation": round(self.utilisation, 3),
            "total": self.total.document(),
            "queues": [q.document() for q in self.queues],
            "hours": [h.document() for h in self.hours],
            "windows": [w.document() for w in self.windows],
        }


def _seconds(tickets: Iterable[TicketResult]) -> list[float]:
    return [t.wait_us / US for t in tickets if t.wait_us is not None]


def _queue_row(queue: str, name: str, tickets: list[TicketResult]) -> QueueRow:
    issued = [t for t in tickets if t.refused is None]
    return QueueRow(
        queue,
        name,
        len(issued),
        len(tickets) - len(issued),
        Waits.of(_seconds(issued)),
        sum(1 for t in issued if t.status in _UNSERVED),
        sum(1 for t in issued if t.status == TicketStatus.CANCELLED.value),
    )


def report(result: SimResult, hall: Hall) -> Report:
    by_queue: dict[str, list[TicketResult]] = {q.id: [] for q in hall.queues}
    for ticket in result.tickets:
        by_queue[ticket.queue].append(ticket)
    queues = tuple(_queue_row(q.id, q.name, by_queue[q.id]) for q in hall.queues if by_queue[q.id])
    hours = []
    for queue in hall.queues:
        by_hour: dict[int, list[TicketResult]] = {}
        for ticket in by_queue[queue.id]:
            if ticket.refused is None:
                by_hour.setdefault(ticket.issued_at // (3600 * US), []).append(ticket)
        peaks = result.waiting_peak[queue.id]
        for hour in range(24):
            tickets = by_hour.get(hour, [])
            if not tickets and not peaks[hour]:
                continue
            hours.append(
                HourRow(
                    queue.id,
                    hour,
                    len(tickets),
                    Waits.of(_seconds(tickets)),
                    sum(1 for t in tickets if t.status in _UNSERVED),
                    peaks[hour],
                    result.waiting_at_end[queue.id][hour],
                )
            )
    windows = tuple(
        WindowRow(
            use.window,
            (hall.window(use.window).name if hall.window(use.window) else use.window),  # type: ignore[union-attr]
            use.staffed_us // US,
            use.busy_us // US,
            use.overtime_us // US,
            use.calls,
        )
        for use in result.windows
    )
    return Report(
        result.plan,
        result.date.isoformat(),
        result.source,
        format_time(result.opens),
        format_time(result.closes),
        _queue_row("*", "全部 all", list(result.tickets)),
        queues,
        tuple(hours),
        windows,
    )


# -- several days ------------------------------------------------------------------------------


def mean_report(reports: Sequence[Report], source: str) -> Report:
    """Several days under one plan as one: each figure the mean of the days' (the planner judges
    a plan on a few days, not on one day's luck)."""
    if len(reports) == 1:
        return reports[0]
    first = reports[0]

    def mean(values: Iterable[float | None]) -> float | None:
        kept = [v for v in values if v is not None]
        return sum(kept) / len(kept) if kept else None

    def waits(rows: Sequence[Waits]) -> Waits:
        return Waits(round(sum(w.count for w in rows) / len(rows)), mean(w.p50_s for w in rows),
                     mean(w.p90_s for w in rows), mean(w.max_s for w in rows), mean(w.mean_s for w in rows))

    def queue_row(rows: Sequence[QueueRow]) -> QueueRow:
        n = len(reports)
        return QueueRow(rows[0].queue, rows[0].name, round(sum(r.issued for r in rows) / n),
                        round(sum(r.refused for r in rows) / n), waits([r.waits for r in rows]),
                        round(sum(r.unserved for r in rows) / n), round(sum(r.left for r in rows) / n))

    queues = sorted({q.queue for r in reports for q in r.queues}, key=lambda q: [x.queue for x in first.queues].index(q)
                    if q in [x.queue for x in first.queues] else 999)
    queue_rows = tuple(
        queue_row([next((q for q in r.queues if q.queue == queue), _empty(queue)) for r in reports]) for queue in queues
    )
    cells = sorted({(h.queue, h.hour) for r in reports for h in r.hours})
    hour_rows = []
    for queue, hour in cells:
        rows = [next((h for h in r.hours if (h.queue, h.hour) == (queue, hour)), None) for r in reports]
        present = [h for h in rows if h is not None]
        n = len(reports)
        hour_rows.append(HourRow(queue, hour, round(sum(h.issued for h in present) / n), waits([h.waits for h in present]),
                                 round(sum(h.unserved for h in present) / n),
                                 round(sum(h.waiting_peak for h in present) / n),
                                 round(sum(h.waiting_at_end for h in present) / n)))
    windows = tuple(
        WindowRow(w.window, w.name, w.staffed_s, round(sum(r.windows[i].busy_s for r in reports) / len(reports)),
                  round(sum(r.windows[i].overtime_s for r in reports) / len(reports)),
                  round(sum(r.windows[i].calls for r in reports) / len(reports)))
        for i, w in enumerate(first.windows)
    )
    return Report(first.plan, first.date, source, first.opens, first.closes,
                  queue_row([r.total for r in reports]), queue_rows, tuple(hour_rows), windows)


def _empty(queue: str) -> QueueRow:
    return QueueRow(queue, queue, 0, 0, Waits(0, None, None, None, None), 0, 0)


# -- comparing plans ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Comparison:
    """Plans on the same day, side by side (the first is the baseline)."""

    reports: tuple[Report, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One row per queue (then the hall, "*"), each plan's figures in the plans' order."""
        rows = []
        for queue, name in [(q.queue, q.name) for q in self.reports[0].queues] + [("*", self.reports[0].total.name)]:
            plans = []
            for rep in self.reports:
                found = rep.total if queue == "*" else next((q for q in rep.queues if q.queue == queue), None)
                plans.append(
                    {
                        "p50_s": _round(found.waits.p50_s) if found else None,
                        "p90_s": _round(found.waits.p90_s) if found else None,
                        "max_s": _round(found.waits.max_s) if found else None,
                        "unserved": found.unserved if found else 0,
                    }
                )
            rows.append({"queue": queue, "name": name, "plans": plans})
        return rows

    def document(self) -> dict[str, Any]:
        return {
            "plans": [
                {
                    "plan": r.plan,
                    "staffed_hours": round(r.staffed_hours, 2),
                    "utilisation": round(r.utilisation, 3),
                    "p90_s": _round(r.total.waits.p90_s),
                    "unserved": r.total.unserved,
                }
                for r in self.reports
            ],
            "queues": self.rows(),
        }
