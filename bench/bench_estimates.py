"""How wrong is `estimated_wait_s`? Replays simulated service days through the pure core and
compares each ticket's estimate at issue with the wait it really had (issue → call).

    .venv/bin/python bench/bench_estimates.py [--days 20] [--seed 1]

A day: 09:00-17:00 with a lunch dip and a morning peak; walk-ins arrive as a Poisson process per
queue; service times are log-normal per queue (median 4-12 min, some long cases); windows serve
one, two or three queues (fifo and ordered); a few percent of tickets are green channel. Staff
call the next ticket as soon as a window frees. The estimator starts each day from the queues'
configured default service times and learns from the day's finished services, as in a hall.
Prints, per queue and overall: mean absolute error, median absolute error, bias (mean of
estimate - actual) and the share of estimates within 5 and 10 minutes, over tickets that waited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import itertools
import math
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queue_server.config import parse_config  # noqa: E402
from queue_server.core import engine, views  # noqa: E402
from queue_server.core.model import StaffRef  # noqa: E402

QUEUES = {  # id: (name, arrivals per hour at peak, median service minutes, default_service_s)
    "A": ("企业开办", 14, 12, 600),
    "B": ("社保", 30, 5, 300),
    "C": ("户政", 20, 7, 420),
    "D": ("不动产登记", 10, 15, 900),
}
WINDOWS = [  # (id, queues, policy)
    ("W01", ["A"], "fifo"), ("W02", ["A", "D"], "fifo"), ("W03", ["B"], "fifo"), ("W04", ["B"], "fifo"),
    ("W05", ["B", "C"], "ordered"), ("W06", ["C"], "fifo"), ("W07", ["D"], "fifo"), ("W08", ["D", "A", "C"], "fifo"),
]


def hall_config():  # type: ignore[no-untyped-def]
    data = {
        "halls": [
            {
                "id": "sim", "name": "模拟大厅", "timezone": "Asia/Shanghai",
                "queues": [{"id": q, "name": v[0], "default_service_s": v[3]} for q, v in QUEUES.items()],
                "windows": [{"id": w, "name": w, "queues": qs, "policy": p} for w, qs, p in WINDOWS],
            }
        ]
    }
    return parse_config(data, Path(".")).halls[0]


def arrival_rate(queue: str, hour: float) -> float:
    peak = QUEUES[queue][1]
    shape = 1.0 if 9.5 <= hour < 11.5 else 0.45 if 12 <= hour < 13.5 else 0.75
    return peak * shape / 3600  # per second


def service_seconds(queue: str, rng: random.Random) -> float:
    median = QUEUES[queue][2] * 60
    return max(30.0, rng.lognormvariate(math.log(median), 0.55))


def simulate_day(day: dt.date, rng: random.Random) -> list[tuple[str, int, float]]:
    """(queue, estimate at issue, actual wait) for each ticket called that day."""
    hall = hall_config()
    zone = hall.zone
    start = dt.datetime.combine(day, dt.time(9, 0), zone)
    end = dt.datetime.combine(day, dt.time(17, 0), zone)
    state = engine.HallState(hall, day)
    counter = itertools.count()
    events: list[tuple[dt.datetime, int, str, str]] = []  # (time, tie, kind, payload)
    for queue in QUEUES:  # Poisson arrivals by thinning
        moment = start
        while moment < end:
            moment += dt.timedelta(seconds=rng.expovariate(QUEUES[queue][1] / 3600))
            hour = moment.hour + moment.minute / 60
            if moment < end and rng.random() < arrival_rate(queue, hour) / (QUEUES[queue][1] / 3600):
                heapq.heappush(events, (moment, next(counter), "arrive", queue))
    for window_id, _, _ in WINDOWS:
        heapq.heappush(events, (start, next(counter), "free", window_id))
    estimates: dict[str, tuple[str, int | None, dt.datetime]] = {}
    results: list[tuple[str, int, float]] = []
    staff = {w: StaffRef(f"s-{w}", w) for w, _, _ in WINDOWS}
    idle: set[str] = set()

    def apply(change: engine.Change) -> engine.Change:
        state.apply(change)
        return change

    def try_call(window_id: str, now: dt.datetime) -> None:
        called = apply(engine.call_next(state, window_id, now, staff[window_id])).result
        if called is None:
            idle.add(window_id)
            return
        idle.discard(window_id)
        queue, estimate, issued = estimates.pop(called.id)
        if estimate is not None:
            results.append((queue, estimate, (now - issued).total_seconds()))
        finish = now + dt.timedelta(seconds=service_seconds(called.queue, rng))
        heapq.heappush(events, (finish, next(counter), "finish", called.id))

    while events:
        now, _, kind, payload = heapq.heappop(events)
        if kind == "arrive":
            ticket_id = f"t{next(counter)}"
            green = rng.random() < 0.04
            ticket = apply(engine.issue(state, engine.IssueRequest(ticket_id, payload, "walkin", green=green), now)).result
            _, estimate = views.ticket_position(state, ticket, now)
            estimates[ticket_id] = (payload, estimate, now)
            for window_id in sorted(idle):
                if payload in state.windows[window_id].queues:
                    try_call(window_id, now)
                    break
        elif kind == "finish":
            ticket = state.tickets[payload]
            window_id = ticket.window
            apply(engine.act(state, ticket, "finish", now))
            try_call(window_id, now)
        else:  # a window opens
            try_call(payload, now)
    return results


def report(label: str, rows: list[tuple[str, int, float]]) -> None:
    errors = [e - a for _, e, a in rows]
    absolute = [abs(x) for x in errors]
    if not rows:
        print(f"{label:<14} no tickets")
        return
    within5 = sum(1 for x in absolute if x <= 300) / len(rows)
    within10 = sum(1 for x in absolute if x <= 600) / len(rows)
    mean_wait = statistics.mean(a for _, _, a in rows)
    print(
        f"{label:<14} n={len(rows):<6} mean wait {mean_wait / 60:5.1f} min   MAE {statistics.mean(absolute) / 60:5.1f} min"
        f"   median AE {statistics.median(absolute) / 60:5.1f} min   bias {statistics.mean(errors) / 60:+5.1f} min"
        f"   within 5 min {within5:4.0%}   within 10 min {within10:4.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows: list[tuple[str, int, float]] = []
    first = dt.date(2026, 11, 2)
    for offset in range(args.days):
        rows.extend(simulate_day(first + dt.timedelta(days=offset), rng))
    print(f"{args.days} simulated days, seed {args.seed}: estimate at issue vs. actual wait (issue → call)")
    for queue, (name, *_rest) in QUEUES.items():
        report(f"{queue} {name}", [r for r in rows if r[0] == queue])
    report("all", rows)
    naive = [(q, int(QUEUES[q][3]), a) for q, _, a in rows]
    print("for comparison, a constant guess of one default service time per ticket:")
    report("constant", naive)


if __name__ == "__main__":
    main()
