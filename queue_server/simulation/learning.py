"""Learning the model and the forecast from recorded days.

- Service times: per queue its recorded services (call → finish, as the estimates count them)
  as they were (41 quantiles) once it has `EMPIRICAL_MIN_SAMPLES`, a log-normal through them
  before; per item once an item has `ITEM_MIN_SAMPLES` of its own; a queue with fewer than
  `QUEUE_MIN_SAMPLES` keeps its configured default.
- Skips (过号), requeues, transfers, cancels at the window: their shares of the calls and their
  durations; citizens leaving before being called: their share of the tickets and how long they
  had waited.
- Staff turnaround: the median gap between a window's visit ending and its next call, when the
  next citizen was already waiting (gaps over `TURNAROUND_MAX_S` are breaks, not turnarounds).
- The forecast: each queue's mean tickets per hour over the days (per open minute: an hour the
  hall issued for only half of counts its citizens twice over that half), the green and
  reservation shares, each queue's item mix.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Sequence

from hall_common.vocabulary import Channel

from ..config import Hall
from ..core import hours as hours_rules
from ..core.estimates import MAX_DURATION_S, MIN_DURATION_S
from .behaviour import DEFAULT_SIGMA, Duration, QueueBehaviour, ServiceModel, config_model
from .clock import US, midnight
from .day import VisitEnd
from .forecast import Forecast
from .record import RecordedDay, RecordedVisit

QUEUE_MIN_SAMPLES = 8
ITEM_MIN_SAMPLES = 30
TURNAROUND_MAX_S = 300.0
EMPIRICAL_MIN_SAMPLES = 40
QUANTILES = 41  # every 2.5 %


def fit(seconds: Sequence[float], default: Duration) -> Duration:
    """The samples (5 s to 4 h) as they were, in `QUANTILES` quantiles, once there are
    `EMPIRICAL_MIN_SAMPLES`; a log-normal through them below that; `default` with fewer than 3."""
    kept = sorted(s for s in seconds if MIN_DURATION_S <= s <= MAX_DURATION_S)
    if len(kept) < 3:
        return default
    logs = [math.log(s) for s in kept]
    median, sigma = math.exp(statistics.fmean(logs)), statistics.pstdev(logs) or 0.0
    if len(kept) < EMPIRICAL_MIN_SAMPLES:
        return Duration(median, sigma)
    steps = QUANTILES - 1
    quantiles = []
    for step in range(QUANTILES):
        position = step * (len(kept) - 1) / steps
        low = int(position)
        high = min(low + 1, len(kept) - 1)
        quantiles.append(kept[low] + (kept[high] - kept[low]) * (position - low))
    return Duration(median, sigma, tuple(quantiles))


def _seconds(visits: Sequence[RecordedVisit]) -> list[float]:
    return [(v.ended_at - v.called_at) / US for v in visits if v.called_at is not None]


def learn_model(days: Sequence[RecordedDay], hall: Hall, *, source: str | None = None) -> ServiceModel:
    defaults = config_model(hall)
    visits: dict[str, list[RecordedVisit]] = {q.id: [] for q in hall.queues}
    item_services: dict[str, list[float]] = {}
    tickets: Counter[str] = Counter()
    left: dict[str, list[float]] = {q.id: [] for q in hall.queues}
    for day in days:
        for ticket in day.tickets:
            tickets[ticket.arrival.queue] += 1
            if ticket.left_waiting_at is not None:
                left[ticket.arrival.queue].append((ticket.left_waiting_at - ticket.arrival.at) / US)
            for turn, visit in enumerate(ticket.visits):
                if visit.queue in visits:
                    visits[visit.queue].append(visit)
                if turn == 0 and visit.end is VisitEnd.FINISH and ticket.arrival.item_code and visit.called_at is not None:
                    item_services.setdefault(ticket.arrival.item_code, []).append((visit.ended_at - visit.called_at) / US)
    queues = {}
    for queue in hall.queues:
        base = defaults.queues[queue.id]
        own = visits[queue.id]
        finished = [v for v in own if v.end is VisitEnd.FINISH]
        skipped = [v for v in own if v.end is VisitEnd.SKIP]
        moved = [v for v in own if v.end is VisitEnd.TRANSFER]
        cancelled = [v for v in own if v.end is VisitEnd.CANCEL]
        services = _seconds(finished)
        if len(services) < QUEUE_MIN_SAMPLES:
            queues[queue.id] = base
            continue
        calls = len(own)
        destinations = Counter(v.to_queue for v in moved if v.to_queue)
        requeued = [v for v in skipped if v.requeued_at is not None]
        queues[queue.id] = QueueBehaviour(
            service=fit(services, base.service),
            skip_share=len(skipped) / calls,
            skip_after=fit(_seconds(skipped) + _seconds(cancelled), base.skip_after),
            requeue_share=len(requeued) / len(skipped) if skipped else 0.0,
            requeue_after=fit([(v.requeued_at - v.ended_at) / US for v in requeued], base.requeue_after),  # type: ignore[operator]
            transfer_share=len(moved) / calls if destinations else 0.0,
            transfer_to=tuple(sorted(destinations.items())),
            transfer_after=fit(_seconds(moved), base.transfer_after),
            cancel_share=len(cancelled) / calls,
            abandon_share=len(left[queue.id]) / tickets[queue.id] if tickets[queue.id] else 0.0,
            patience=fit(left[queue.id], base.patience),
            samples=len(services),
        )
    items = {
        code: fit(values, Duration(statistics.median(values), DEFAULT_SIGMA))
        for code, values in item_services.items()
        if len(values) >= ITEM_MIN_SAMPLES and hall.item(code) is not None
    }
    dates = ", ".join(sorted({d.date.isoformat() for d in days}))
    return ServiceModel(queues, items, turnaround_s(days), source or f"learnt from {len(days)} recorded days ({dates})")


def turnaround_s(days: Sequence[RecordedDay]) -> float:
    gaps: list[float] = []
    for day in days:
        by_window: dict[str, list[tuple[int, int, int]]] = {}  # window → (called, ended, issued)
        for ticket in day.tickets:
            for visit in ticket.visits:
                if visit.window and visit.called_at is not None:
                    by_window.setdefault(visit.window, []).append((visit.called_at, visit.ended_at, ticket.arrival.at))
        for entries in by_window.values():
            entries.sort()
            for (_, ended, _), (called, _, issued) in zip(entries, entries[1:]):
                gap = (called - ended) / US
                if issued <= ended and 0 <= gap <= TURNAROUND_MAX_S:
                    gaps.append(gap)
    return statistics.median(gaps) if gaps else 0.0


def open_shares(hall: Hall, date: dt.date) -> list[float]:
    """For each hour of `date`, the share of its minutes the hall issued walk-in tickets."""
    if hall.hours is None:
        return [1.0] * 24
    base = midnight(date, hall.zone)
    shares = []
    for hour in range(24):
        minutes = sum(
            hours_rules.is_open(hall.hours, base + dt.timedelta(hours=hour, minutes=m, seconds=30), hall.zone)
            for m in range(60)
        )
        shares.append(minutes / 60)
    return shares


def learn_forecast(days: Sequence[RecordedDay], hall: Hall) -> Forecast:
    if not days:
        raise ValueError("no recorded days to learn a forecast from")
    counts: dict[str, list[float]] = {q.id: [0.0] * 24 for q in hall.queues}
    items: dict[str, Counter[str]] = {}
    total = green = reserved = 0
    for day in days:
        for ticket in day.tickets:
            arrival = ticket.arrival
            counts[arrival.queue][min(arrival.at // (3600 * US), 23)] += 1
            total += 1
            green += arrival.green
            reserved += arrival.channel == Channel.RESERVATION.value
            if arrival.item_code:
                items.setdefault(arrival.queue, Counter())[arrival.item_code] += 1
    # An hour the hall issued tickets for only part of (it stops 30 minutes before a session
    # ends, say) saw its citizens in that part: its rate is theirs over the open minutes, so a
    # forecast day refuses the ones who come after, as the hall did.
    open_hours = [0.0] * 24
    for day in days:
        for hour, share in enumerate(open_shares(hall, day.date)):
            open_hours[hour] += share
    rates = {
        q: tuple(c / open_hours[h] if open_hours[h] else c / len(days) for h, c in enumerate(hours))
        for q, hours in counts.items()
        if any(hours)
    }
    per_queue = {q: sum(hours) for q, hours in counts.items()}
    mixes = {
        q: tuple((code, n / per_queue[q]) for code, n in sorted(mix.items()) if hall.item(code) is not None)
        for q, mix in items.items()
    }
    return Forecast(rates, green / total if total else 0.0, reserved / total if total else 0.0, mixes)
