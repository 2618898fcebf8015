"""How wrong is `estimated_wait_s`? Replays simulated service days through the pure core and
compares each ticket's estimate at issue with the wait it really had (issue → call).

    .venv/bin/python bench/bench_estimates.py [--days 20] [--seed 1]

A day: 09:00-17:00 with a lunch dip and a morning peak; walk-ins arrive as a Poisson process per
queue and hour; service times are log-normal per queue (median 4-15 min, spread 0.55); windows
serve one, two or three queues (fifo and ordered); a few percent of tickets are green channel.
Staff call the next ticket as soon as a window frees. The days are run by the what-if simulator
(queue_server/simulation, docs/simulator.md), which drives the production engine. The estimator starts each day from the queues'
configured default service times and learns from the day's finished services, as in a hall.
Prints, per queue and overall: mean absolute error, median absolute error, bias (mean of
estimate - actual) and the share of estimates within 5 and 10 minutes, over tickets that waited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queue_server.config import parse_config  # noqa: E402
from queue_server.core import engine, views  # noqa: E402
from queue_server.core.model import Ticket  # noqa: E402
from queue_server.simulation.behaviour import Duration, QueueBehaviour, Sampler, ServiceModel  # noqa: E402
from queue_server.simulation.clock import US  # noqa: E402
from queue_server.simulation.forecast import Forecast, generate  # noqa: E402
from queue_server.simulation.plan import Plan, Span, WindowPlan  # noqa: E402
from queue_server.simulation.simulator import simulate  # noqa: E402

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


def forecast() -> Forecast:
    """Tickets per hour: the day's shape averaged over each hour (09:00-17:00)."""
    rates = {
        q: tuple(
            sum(arrival_rate(q, h + m / 60) for m in range(60)) / 60 * 3600 if 9 <= h < 17 else 0.0 for h in range(24)
        )
        for q in QUEUES
    }
    return Forecast(rates, green_share=0.04)


def model() -> ServiceModel:
    """Log-normal services per queue (the given median, spread 0.55); staff call at once."""
    return ServiceModel({q: QueueBehaviour(Duration(v[2] * 60.0, 0.55)) for q, v in QUEUES.items()})


def simulate_day(day: dt.date, seed: int) -> list[tuple[str, int, float]]:
    """(queue, estimate at issue, actual wait) for each ticket called that day: the day run by
    the simulator (queue_server/simulation), the estimate read as the kiosk would right after
    each ticket is issued."""
    hall = hall_config()
    # Windows open at 09:00 and stay until the last citizen is served.
    plan = Plan("all day", tuple(WindowPlan(w, (Span(9 * 3600, 24 * 3600 - 60),)) for w, _, _ in WINDOWS))
    estimates: dict[str, int | None] = {}

    def at_issue(state: engine.HallState, ticket: Ticket, now: dt.datetime) -> None:
        estimates[ticket.id] = views.ticket_position(state, ticket, now)[1]

    citizens = generate(forecast(), day, seed)
    result = simulate(hall, plan, citizens, Sampler(model(), seed), on_issue=at_issue)
    return [
        (t.queue, estimates[t.ticket_id], t.wait_us / US)  # type: ignore[misc]
        for t in result.tickets
        if t.wait_us is not None and estimates.get(t.ticket_id) is not None
    ]


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
    rows: list[tuple[str, int, float]] = []
    first = dt.date(2026, 11, 2)
    for offset in range(args.days):
        rows.extend(simulate_day(first + dt.timedelta(days=offset), args.seed * 1000 + offset))
    print(f"{args.days} simulated days, seed {args.seed}: estimate at issue vs. actual wait (issue → call)")
    for queue, (name, *_rest) in QUEUES.items():
        report(f"{queue} {name}", [r for r in rows if r[0] == queue])
    report("all", rows)
    naive = [(q, int(QUEUES[q][3]), a) for q, _, a in rows]
    print("for comparison, a constant guess of one default service time per ticket:")
    report("constant", naive)


if __name__ == "__main__":
    main()
