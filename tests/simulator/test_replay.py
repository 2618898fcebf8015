"""The simulator against the hall's own history. A day is recorded through the server's services
into a real database (every issue, call, finish, skip, requeue, transfer, cancel, pause, tidal move
and sign-in, with their audit rows and events), read back as the simulator reads a hall's history,
and simulated under its own plan with its recorded service times: the calls must come out exactly
as recorded (same tickets, same windows, same order, same moments), under the plan it was
recorded with and under the plan read back from its window events."""

from __future__ import annotations

import dataclasses
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from simulator_days import DAY, record, small_config

from queue_server.config import Config
from queue_server.simulation.behaviour import Duration, QueueBehaviour, Sampler, ServiceModel
from queue_server.simulation.clock import US, format_time
from queue_server.simulation.day import Arrival, Day, Visit, VisitEnd
from queue_server.simulation.plan import Plan, parse_plan
from queue_server.simulation.record import RecordedDay, infer_plan
from queue_server.simulation.simulator import simulate

WINDOWS = ("W01", "W02", "W03", "W04")
QUEUES = ("A", "B", "C")


class Coarse:
    """The truth for a recorded day: the model's draws on a coarse clock (whole multiples of
    `step_s`, so windows free up and citizens come back at the very same moments), and some
    transfers sent to a window by name."""

    def __init__(self, model: ServiceModel, seed: int, step_s: int, by_name: float):
        self.sampler = Sampler(model, seed)
        self.seed = seed
        self.step = step_s * US
        self.by_name = by_name

    def _coarse(self, value: int) -> int:
        return max(self.step, round(value / self.step) * self.step)

    def visit(self, ticket_id: str, turn: int, queue: str, item_code: str | None) -> Visit:
        visit = self.sampler.visit(ticket_id, turn, queue, item_code)
        to_window = visit.to_window
        if visit.end is VisitEnd.TRANSFER:
            rng = random.Random(f"{self.seed}|{ticket_id}|{turn}|window")
            to_window = rng.choice(WINDOWS) if rng.random() < self.by_name else None
        back = None if visit.requeue_after_us is None else self._coarse(visit.requeue_after_us)
        return dataclasses.replace(visit, duration_us=self._coarse(visit.duration_us), to_window=to_window,
                                   requeue_after_us=back)

    def patience_us(self, arrival: Arrival) -> int | None:
        patience = self.sampler.patience_us(arrival)
        return None if patience is None else self._coarse(patience)

    def turnaround_us(self) -> int:
        return self.sampler.turnaround_us()


def _clock(minutes: int) -> str:
    return format_time(minutes * 60)


@st.composite
def plan_documents(draw: st.DrawFn) -> dict:
    entries = []
    for window in WINDOWS:
        if entries and draw(st.booleans()):
            continue
        start = draw(st.integers(8 * 60, 10 * 60))
        first = draw(st.integers(30, 4 * 60))
        shifts = [[_clock(start), _clock(start + first)]]
        if draw(st.booleans()):  # lunch: a second shift after a gap
            gap = draw(st.integers(5, 60))
            second = draw(st.integers(20, 3 * 60))
            shifts.append([_clock(start + first + gap), _clock(start + first + gap + second)])
        entry: dict = {"id": window, "shifts": shifts}
        if first > 40 and draw(st.booleans()):
            at = start + draw(st.integers(5, first - 30))
            entry["breaks"] = [[_clock(at), _clock(at + draw(st.integers(5, 25)))]]
        if draw(st.booleans()):
            entry["queues"] = draw(st.lists(st.sampled_from(QUEUES), min_size=1, max_size=3, unique=True))
            entry["policy"] = draw(st.sampled_from(["fifo", "ordered"]))
        if draw(st.booleans()):
            entry["moves"] = [{
                "at": _clock(start + draw(st.integers(1, first - 1))),
                "queues": draw(st.lists(st.sampled_from(QUEUES), min_size=1, max_size=3, unique=True)),
                "policy": draw(st.sampled_from(["fifo", "ordered"])),
            }]
        entries.append(entry)
    return {"name": "drawn", "windows": entries}


@st.composite
def days(draw: st.DrawFn) -> Day:
    drawn = draw(st.lists(
        st.tuples(st.sampled_from(QUEUES), st.integers(8 * 60, 12 * 60), st.sampled_from([0, 0, 30]),
                  st.integers(0, 9)),
        min_size=1, max_size=36,
    ))
    arrivals = []
    for index, (queue, minute, second, flags) in enumerate(sorted(drawn, key=lambda d: (d[1], d[2], d[0]))):
        at = (minute * 60 + second) * US
        reserved = flags == 1
        slot = (at // (1800 * US)) * 1800 * US
        arrivals.append(Arrival(
            f"d{index:03d}", queue, at, "reservation" if reserved else "walkin", green=flags == 2,
            slot_start=slot if reserved else None, slot_end=slot + 1800 * US if reserved else None,
        ))
    return Day(DAY, tuple(arrivals), "drawn")


@st.composite
def people(draw: st.DrawFn) -> Coarse:
    behaviour = QueueBehaviour(
        Duration(float(draw(st.integers(60, 900))), draw(st.sampled_from([0.0, 0.5, 1.0]))),
        skip_share=draw(st.sampled_from([0.0, 0.1, 0.3])),
        requeue_share=draw(st.sampled_from([0.0, 0.5, 1.0])),
        requeue_after=Duration(300.0, 0.5),
        transfer_share=draw(st.sampled_from([0.0, 0.1, 0.2])),
        transfer_to=(("A", 1.0), ("B", 1.0), ("C", 1.0)),
        cancel_share=draw(st.sampled_from([0.0, 0.05])),
        abandon_share=draw(st.sampled_from([0.0, 0.2])),
        patience=Duration(900.0, 0.5),
    )
    model = ServiceModel({q: behaviour for q in QUEUES}, turnaround_s=draw(st.sampled_from([0.0, 10.0, 45.0])))
    return Coarse(model, draw(st.integers(0, 1000)), draw(st.sampled_from([1, 30, 60])), draw(st.sampled_from([0.0, 0.5])))


def calls_of(recorded: RecordedDay) -> list[tuple[int, str, str]]:
    return [(c.at, c.ticket_id, c.window) for c in recorded.calls]


def check_replay(config: Config, plan: Plan, recorded: RecordedDay, truth: Coarse) -> None:
    hall = config.halls[0]
    assert recorded.complete
    replay = recorded.replay(truth.sampler)
    expected = calls_of(recorded)
    waits = {t.arrival.ticket_id: t.wait_us for t in recorded.tickets}
    for label, used in (("own plan", plan), ("plan read back", infer_plan(recorded, hall))):
        result = simulate(hall, used, recorded.day(), replay)
        assert [(c.at, c.ticket_id, c.window) for c in result.calls] == expected, label
        assert {t.ticket_id: t.wait_us for t in result.tickets} == waits, label


# Each example writes a day through the server into a database (~0.3 s): no shrinking (it would
# outlast the test's timeout); a failure prints its example and the blob to reproduce it.
@settings(
    max_examples=30,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(document=plan_documents(), day=days(), truth=people())
def test_a_recorded_day_replays_call_for_call(document: dict, day: Day, truth: Coarse) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = small_config(Path(folder))
        plan = parse_plan(document, config.halls[0])
        recorded = record(config, plan, day, truth, Path(folder) / "data")
        check_replay(config, plan, recorded, truth)


def test_a_busy_day_with_every_kind_of_visit_replays_exactly(tmp_path: Path) -> None:
    """One fixed day heavy enough for every rule at once: queues backing up, green tickets
    overtaking, reservations, skips and requeue holds, transfers (some to a window by name),
    citizens leaving, breaks, lunch and a tidal move."""
    config = small_config(tmp_path)
    hall = config.halls[0]
    plan = parse_plan({"windows": [
        {"id": "W01", "shifts": [["09:00", "12:00"], ["13:00", "16:00"]], "breaks": [["10:00", "10:10"]]},
        {"id": "W02", "shifts": [["09:30", "16:00"]], "moves": [{"at": "11:00", "queues": ["C", "A"], "policy": "ordered"}]},
        {"id": "W03", "shifts": [["09:00", "15:00"]]},
        {"id": "W04", "shifts": [["08:30", "12:00"]], "queues": ["B"]},
    ]}, hall)
    rng = random.Random(9)
    arrivals = sorted((rng.choice(QUEUES), rng.randrange(9 * 3600, 15 * 3600, 30)) for _ in range(110))
    day = Day(DAY, tuple(
        Arrival(f"b{i:03d}", q, s * US, green=i % 9 == 0) for i, (q, s) in enumerate(arrivals)
    ), "busy")
    behaviour = QueueBehaviour(Duration(420, 0.6), skip_share=0.12, requeue_share=0.6, transfer_share=0.1,
                               transfer_to=(("B", 1.0), ("C", 1.0)), cancel_share=0.03, abandon_share=0.1)
    truth = Coarse(ServiceModel({q: behaviour for q in QUEUES}, turnaround_s=15), 3, 30, 0.5)
    recorded = record(config, plan, day, truth, tmp_path / "data")
    kinds = {v.end for t in recorded.tickets for v in t.visits}
    assert kinds == set(VisitEnd)
    assert any(v.requeued_at for t in recorded.tickets for v in t.visits)
    assert any(t.left_waiting_at for t in recorded.tickets)
    check_replay(config, plan, recorded, truth)


@pytest.mark.postgres
def test_a_day_recorded_in_postgresql_replays_exactly(tmp_path: Path, postgres) -> None:  # type: ignore[no-untyped-def]
    config = small_config(tmp_path)
    hall = config.halls[0]
    plan = parse_plan({"windows": [
        {"id": "W01", "shifts": [["09:00", "11:00"], ["11:30", "13:00"]]},
        {"id": "W03", "shifts": [["09:00", "13:00"]], "moves": [{"at": "10:00", "queues": ["C", "A"]}]},
    ]}, hall)
    rng = random.Random(4)
    day = Day(DAY, tuple(
        Arrival(f"p{i:03d}", rng.choice(QUEUES), (9 * 3600 + i * 97) * US) for i in range(40)
    ), "postgres")
    behaviour = QueueBehaviour(Duration(300, 0.5), skip_share=0.1, requeue_share=0.5, transfer_share=0.1,
                               transfer_to=(("A", 1.0), ("C", 1.0)))
    truth = Coarse(ServiceModel({q: behaviour for q in QUEUES}, turnaround_s=20), 5, 1, 0.0)
    recorded = record(config, plan, day, truth, tmp_path / "data", postgres.create_database())
    assert len(recorded.calls) >= 40
    check_replay(config, plan, recorded, truth)
