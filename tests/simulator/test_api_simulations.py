"""POST /api/v1/halls/{hall}/simulations over real HTTP, against a real server process: a
manager's what-if for a day and the tidal-move preview from the live hall; who may ask; bad
plans and forecasts refused with every field named, before anything runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from queue_server.api.simulations import SimulationReply, SimulationReport
from tests.support.api import HallClient
from tests.support.halls import write_config
from tests.support.servers import ServerProcess

FORECAST = {"rates": {"A": {"09": 12, "10": 12}, "B": {"09": 6}, "C": {"10": 5}}}
ONE_WINDOW = {"name": "one window", "windows": [{"id": "W01", "shifts": [["09:00", "12:00"]]}]}
TWO_WINDOWS = {"name": "two windows", "windows": [{"ids": ["W01", "W02"], "shifts": [["09:00", "12:00"]]}]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("simulations")
    config = write_config(root / "halls.toml", ["s01", "s02", "s03", "s04"])
    process = ServerProcess(config=config, data_dir=root / "data").start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def hall(server: ServerProcess, request: pytest.FixtureRequest) -> Iterator[HallClient]:
    halls = {"test_a_manager_simulates_a_day_and_gets_the_planners_advice": "s01",
             "test_who_may_ask_and_bad_bodies": "s02",
             "test_the_halls_own_history_replayed_and_learnt_from": "s03",
             "test_the_tidal_move_preview_from_the_live_hall": "s04"}
    client = HallClient(server, halls[request.node.name])
    try:
        yield client
    finally:
        client.close()


def post(hall: HallClient, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return hall.http.post(hall.path("/simulations"), json=body, headers=hall.manager if headers is None else headers,
                          timeout=120)


def check_shape(body: dict[str, Any]) -> SimulationReply:
    """The reply fits its model with no field the model does not list."""
    reply = SimulationReply.model_validate(body)
    assert set(body) == set(SimulationReply.model_fields)
    for report in body["reports"]:
        assert set(report) == set(SimulationReport.model_fields)
    return reply


def test_a_manager_simulates_a_day_and_gets_the_planners_advice(hall: HallClient) -> None:
    body = {"citizens": "forecast", "forecast": FORECAST, "date": "2026-11-23", "seed": 4,
            "plans": [ONE_WINDOW, TWO_WINDOWS], "advise": {"target_p90_min": 10, "staff": 3}}
    response = post(hall, body)
    assert response.status_code == 200, response.text
    reply = response.json()
    check_shape(reply)
    assert reply["date"] == "2026-11-23" and reply["citizens"]["tickets"] > 20
    assert [r["plan"] for r in reply["reports"]] == ["one window", "two windows"]
    hall_row = reply["comparison"][-1]
    assert hall_row["queue"] == "*" and hall_row["plans"][1]["p90_s"] < hall_row["plans"][0]["p90_s"]
    advice = reply["advice"]
    assert advice["suggestions"] and advice["after"]["total"]["p90_s"] < advice["before"]["total"]["p90_s"]
    first = advice["suggestions"][0]
    assert first["from"] == "09:00" and first["text_zh"] and first["text_en"] and first["effects"]
    assert post(hall, body).json()["reports"] == reply["reports"]  # the same seed, the same day


def test_who_may_ask_and_bad_bodies(hall: HallClient, server: ServerProcess) -> None:
    body = {"citizens": "forecast", "forecast": FORECAST, "date": "2026-11-23"}
    assert hall.http.post(hall.path("/simulations"), json=body).status_code == 401
    assert post(hall, body, hall.staff()).status_code == 403
    assert post(hall, body, hall.kiosk).status_code == 403
    other = HallClient(server, "s01")
    assert post(other, body, hall.manager).status_code == 403  # a manager of another hall
    other.close()
    bad = {
        "citizens": "forecast",
        "forecast": {"rates": {"A": {"09": -1}, "Z": {"09": 3}}},
        "plans": [{"windows": [{"id": "W09", "shifts": [["09:00", "12:00"]]},
                               {"id": "W01", "shifts": [["09:00", "12:30"], ["12:00", "13:00"]]}]}],
    }
    response = post(hall, bad)
    assert response.status_code == 422
    fields = {e["field"]: e["problem"] for e in response.json()["errors"]}
    assert fields == {
        "plans.0.windows[W09].id": "hall s02 has no window 'W09'",
        "plans.0.windows[W01].shifts[1]": "09:00–12:30 and 12:00–13:00 overlap",
        "forecast.rates.A.09": "a rate is a number of tickets per hour, 0 or more, not -1",
        "forecast.rates.Z": "hall s02 has no queue 'Z'",
    }
    for refused in (
        {"citizens": "forecast"},
        {"citizens": "replay"},
        {"citizens": "forecast", "forecast": {"rates": {"A": [1000] * 24}}, "scale": 2},
        {"citizens": "forecast", "forecast": FORECAST, "plans": [ONE_WINDOW] * 5},
        {"citizens": "forecast", "forecast": FORECAST, "moves": [{"window": "W01", "queues": ["A"]}]},
        {"from_now": True, "plans": [ONE_WINDOW]},
        {"citizens": "forecast", "forecast": FORECAST, "scale": 0},
        {"citizens": "forecast", "forecast": FORECAST, "advise": {"target_p90_min": 0, "staff": 2}},
    ):
        response = post(hall, refused)
        assert response.status_code == 422, (refused, response.text)
        assert response.json()["message"]
    response = post(hall, {})  # citizens from history: this hall has none yet
    assert response.status_code == 409 and "forecast" in response.json()["message"]
    assert response.json()["message_zh"].startswith("尚无历史取号数据")
    assert hall.queues()["A"]["waiting"] == 0  # nothing happened to the hall


def test_the_halls_own_history_replayed_and_learnt_from(hall: HallClient) -> None:
    for _ in range(3):
        hall.issue("A")
        hall.issue("B")
    for _ in range(4):
        called = hall.call("W01", expect=200).json()
        hall.act(called["id"], "finish")
    today = hall.http.get(hall.path(""), headers=hall.kiosk).json()["service_day"]
    replay = post(hall, {"citizens": "replay", "replay_day": today, "plans": [ONE_WINDOW]})
    assert replay.status_code == 200, replay.text
    reply = replay.json()
    assert reply["citizens"] == {"source": f"recorded {today}", "tickets": 6}
    assert reply["reports"][0]["total"]["issued"] == 6
    tomorrow = (dt.date.fromisoformat(today) + dt.timedelta(days=1)).isoformat()
    learnt = post(hall, {"date": tomorrow, "history_days": 5, "plans": [TWO_WINDOWS]})
    assert learnt.status_code == 200, learnt.text
    assert learnt.json()["citizens"]["source"].startswith("forecast")
    empty = post(hall, {"citizens": "replay", "replay_day": "2020-01-01"})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "replay_day"


def test_the_tidal_move_preview_from_the_live_hall(hall: HallClient) -> None:
    for _ in range(6):
        hall.issue("A")
    hall.call("W01", expect=200)  # s01 signs in at W01 and calls the first
    assert hall.call("W03", staff="s02").status_code == 204  # s02 signs in at W03 (queue C): nothing to call
    response = post(hall, {"from_now": True, "citizens": "forecast", "forecast": FORECAST,
                           "moves": [{"window": "W03", "queues": ["A"]}]})
    assert response.status_code == 200, response.text
    reply = response.json()
    check_shape(reply)
    as_is, moved = reply["reports"]
    assert (as_is["plan"], moved["plan"]) == ("as it is now 现状", "with the moves 调整后")
    row_a = next(r for r in reply["comparison"] if r["queue"] == "A")
    assert row_a["plans"][1]["max_s"] < row_a["plans"][0]["max_s"]  # W03 helps with A
    assert as_is["queues"][0]["queue"] == "A" and as_is["queues"][0]["issued"] >= 5  # the five waiting now
    assert hall.queues()["A"]["waiting"] == 5  # the preview changed nothing
    closed = post(hall, {"from_now": True, "moves": [{"window": "W02", "queues": ["A"]}]})
    assert closed.status_code == 422
    assert closed.json()["errors"][0] == {"field": "moves[0].window", "problem": "nobody is signed in at W02: it serves no one"}
