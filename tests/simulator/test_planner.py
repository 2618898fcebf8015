"""The planner: moves that bring queues under a target p90 wait, within the staff available, each
explained in one line; the same advice for the same inputs, in one process or two."""

from __future__ import annotations

from pathlib import Path

import pytest
from simulator_days import DAY, small_config

from queue_server.config import Hall
from queue_server.simulation.adapters.pool import PlanPool
from queue_server.simulation.behaviour import config_model
from queue_server.simulation.day import Day
from queue_server.simulation.forecast import generate, parse_forecast
from queue_server.simulation.plan import Plan, parse_plan
from queue_server.simulation.planner import advise

TARGET_S = 15 * 60


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Hall:
    return small_config(tmp_path_factory.mktemp("planner")).halls[0]


def morning(hall: Hall, rates: dict, seed: int = 3) -> Day:
    return generate(parse_forecast({"rates": rates}, hall), DAY, seed)


def plan_of(hall: Hall, windows: list[dict]) -> Plan:
    return parse_plan({"shifts": [["09:00", "12:00"]], "windows": windows}, hall)


def test_a_window_with_slack_is_moved_to_the_queue_over_the_target(hall: Hall) -> None:
    plan = plan_of(hall, [{"id": "W01", "queues": ["A"]}, {"id": "W03"}, {"id": "W04", "queues": ["C"]}])
    day = morning(hall, {"A": {"09": 20, "10": 20}, "C": {"09": 4, "10": 4}})
    advice = advise(hall, plan, [day], config_model(hall), 3, target_p90_s=TARGET_S, staff=3)
    assert advice.before.queue("A").waits.p90_s > TARGET_S
    assert advice.met and advice.after.queue("A").waits.p90_s <= TARGET_S
    (move,) = advice.suggestions
    assert (move.kind, move.window, move.queues_before, move.queues_after) == ("move", "W04", ("C",), ("A",))
    assert move.text_zh.startswith("09:00–12:00 将 W04（4号窗口） 由 户政 改为 只办 企业开办：企业开办 p90 ")
    assert move.text_en.startswith("09:00–12:00 move W04 from C to A only: A p90 ")
    assert "\n" not in move.text_zh + move.text_en
    assert advice.plan.window("W04").moves[0].queues == ("A",)


def test_a_window_is_opened_only_when_someone_is_free_to_staff_it(hall: Hall) -> None:
    plan = plan_of(hall, [{"id": "W01", "queues": ["A"]}])
    day = morning(hall, {"A": {"09": 18, "10": 18}})
    nobody_free = advise(hall, plan, [day], config_model(hall), 3, target_p90_s=TARGET_S, staff=1)
    assert nobody_free.suggestions == () and not nobody_free.met
    one_free = advise(hall, plan, [day], config_model(hall), 3, target_p90_s=TARGET_S, staff=2)
    first = one_free.suggestions[0]
    assert first.kind == "open" and first.queues_after[0] == "A"
    assert "该时段空闲人员 1 人" in first.text_zh and "(1 staff free then)" in first.text_en
    assert one_free.after.queue("A").waits.p90_s < one_free.before.queue("A").waits.p90_s
    assert max(one_free.plan.staffed_count(s) for s in range(9 * 3600, 12 * 3600, 600)) <= 2


def test_a_plan_that_meets_the_target_is_left_alone(hall: Hall) -> None:
    plan = plan_of(hall, [{"id": "W01"}, {"id": "W02"}, {"id": "W03"}])
    day = morning(hall, {"A": {"09": 3}, "B": {"09": 3}, "C": {"10": 2}})
    advice = advise(hall, plan, [day], config_model(hall), 3, target_p90_s=TARGET_S, staff=3)
    assert advice.met and advice.suggestions == () and advice.plan == plan


def test_the_advice_is_the_same_every_time_and_with_two_processes(hall: Hall) -> None:
    plan = plan_of(hall, [{"id": "W01", "queues": ["A"]}, {"id": "W02", "queues": ["B"]}, {"id": "W03"}])
    day = morning(hall, {"A": {"09": 16, "10": 14}, "B": {"09": 12}, "C": {"09": 3}}, seed=8)
    model = config_model(hall)
    first = advise(hall, plan, [day], model, 8, target_p90_s=TARGET_S, staff=4)
    again = advise(hall, plan, [day], model, 8, target_p90_s=TARGET_S, staff=4)
    with PlanPool(hall, day, model, 8, workers=2) as pool:
        parallel = advise(hall, plan, [day], model, 8, target_p90_s=TARGET_S, staff=4, evaluate=pool.evaluate)
    assert first.suggestions and first == again == parallel


def test_plans_compared_in_two_processes_match_one_process(hall: Hall, tmp_path: Path) -> None:
    day = morning(hall, {"A": {"09": 10}, "B": {"09": 10}, "C": {"09": 5}})
    plans = [plan_of(hall, [{"id": w} for w in windows]) for windows in (["W01"], ["W01", "W02"], ["W03", "W04"])]
    with PlanPool(hall, day, config_model(hall), 1, workers=1) as alone, PlanPool(
        hall, day, config_model(hall), 1, workers=2
    ) as pair:
        assert alone.evaluate(plans) == pair.evaluate(plans)
