"""Plans, forecasts, models and days the simulator refuses: every problem named by its key (and its
line in a file), all of them at once, and nothing simulated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from simulator_days import DAY, EXAMPLES, jinan

from queue_server.config import Hall
from queue_server.simulation.adapters import files
from queue_server.simulation.behaviour import Sampler, config_model, parse_model
from queue_server.simulation.day import Arrival, Day
from queue_server.simulation.forecast import generate, parse_forecast
from queue_server.simulation.plan import parse_plan
from queue_server.simulation.problems import InputError
from queue_server.simulation.simulator import simulate


@pytest.fixture(scope="module")
def hall() -> Hall:
    return jinan()


def problems(parser, data: object, hall: Hall) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as raised:
        parser(data, hall)
    return [str(p) for p in raised.value.problems]


def one_window(**entry: object) -> dict:
    return {"windows": [{"id": "W01", "shifts": [["09:00", "12:00"]], **entry}]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"windows": [{"id": "W01", "shifts": [["09:00", "17:00"]]}], "colour": "red"}, "colour: unknown key"),
        ({"hall": "lx-district", "windows": []}, "hall: this plan is for hall 'lx-district', not 'jn-city'"),
        ({"windows": [{"id": "W99", "shifts": [["09:00", "12:00"]]}]}, "windows[W99].id: hall jn-city has no window 'W99'"),
        (one_window(queues=["A", "ZZ"]), "windows[W01].queues[1]: hall jn-city has no queue 'ZZ'"),
        (one_window(queues=["A", "A"]), "windows[W01].queues: a queue is listed twice"),
        (one_window(queues=[]), "windows[W01].queues: a list of queue ids, at least one"),
        ({"windows": [{"id": "W01", "shifts": [["09:00", "12:30"], ["12:00", "17:00"]]}]},
         "windows[W01].shifts[1]: 09:00–12:30 and 12:00–17:00 overlap"),
        ({"windows": [{"id": "W01", "shifts": [["12:00", "09:00"]]}]},
         "windows[W01].shifts[0]: ends at 09:00, not after its start 12:00"),
        ({"windows": [{"id": "W01", "shifts": [["9h", "12:00"]]}]}, 'windows[W01].shifts[0]: a time of day is written "HH:MM"'),
        ({"windows": [{"id": "W01", "shifts": [["09:00", "24:30"]]}]}, "windows[W01].shifts[0]: '24:30' is not a time of day"),
        ({"windows": [{"id": "W01", "shifts": []}]}, "windows[W01].shifts: a list of"),
        ({"windows": [{"id": "W01"}]}, "windows[W01]: no shifts"),
        (one_window(breaks=[["12:30", "12:45"]]), "windows[W01].breaks[0]: the break 12:30–12:45 is not inside"),
        (one_window(breaks=[["10:00", "10:30"], ["10:15", "10:45"]]), "windows[W01].breaks[1]: 10:00–10:30 and 10:15–10:45 overlap"),
        (one_window(policy="lifo"), 'windows[W01].policy: policy is "fifo" or "ordered"'),
        (one_window(moves=[{"at": "13:00", "queues": ["B"]}]), "windows[W01].moves[0].at: 13:00 is outside the window's hours"),
        (one_window(moves=[{"at": "10:00", "queues": ["B"]}, {"at": "10:00", "queues": ["C"]}]),
         "windows[W01].moves[1].at: two moves at 10:00"),
        (one_window(moves=[{"at": "10:00", "queues": ["Q"]}]), "windows[W01].moves[0].queues[0]: hall jn-city has no queue 'Q'"),
        (one_window(moves=[{"at": "10:00", "queues": ["B"], "when": 1}]), "windows[W01].moves[0].when: unknown key"),
        ({"windows": [{"id": "W01", "ids": ["W02"], "shifts": [["09:00", "12:00"]]}]}, "windows[W01]: give the window's id, or ids"),
        ({"windows": [{"ids": [], "shifts": [["09:00", "12:00"]]}]}, "windows[0].ids: a list of window ids, at least one"),
        ({"shifts": [["09:00", "12:00"]], "windows": [{"id": "W01"}, {"ids": ["W02", "W01"]}]},
         "windows[1].ids[1]: window W01 is planned twice (also at windows.0.id)"),
        ({"windows": []}, "windows: the plan opens no window"),
        ({"windows": "W01"}, "windows: windows is a list of [[windows]] tables"),
        ({"issuing": {"sessions": [["09:00", "12:00"]], "last_ticket_minutes_before_end": 500}, **one_window()},
         "issuing.last_ticket_minutes_before_end: whole minutes from 0 to 240"),
        ({"issuing": {"sessions": [["09:00", "24:00"]]}, **one_window()}, "issuing.sessions: ticket-taking sessions end before midnight"),
        (["not", "a", "table"], "a plan is a table of keys"),
    ],
)
def test_a_bad_plan_names_the_key(hall: Hall, data: object, expected: str) -> None:
    found = problems(parse_plan, data, hall)
    assert any(expected in p for p in found), found


def test_every_problem_of_a_plan_file_comes_with_its_line(hall: Hall, tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        'hall = "jn-city"\nname = "bad"\ncolour = "red"\n\n[[windows]]\nid = "W01"\n'
        'shifts = [["09:00", "12:30"], ["12:00", "17:00"]]\n\n[[windows]]\nid = "W99"\nshifts = [["09:00", "17:00"]]\n'
        '\n[[windows]]\nid = "W06"\nshifts = [["09:00", "17:00"]]\nqueues = ["B", "ZZ"]\n'
        '  [[windows.moves]]\n  at = "25:00"\n  queues = ["C"]\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        files.read(path, parse_plan, hall)
    lines = {p.key: p.line for p in raised.value.problems}
    assert lines == {
        "colour": 3,
        "windows[W01].shifts[1]": 7,
        "windows[W99].id": 10,
        "windows[W06].queues[1]": 16,
        "windows[W06].moves[0].at": 18,
    }
    assert str(path) in str(raised.value) and "line 18, windows[W06].moves[0].at" in str(raised.value)


def test_json_plans_name_their_lines_too(hall: Hall, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    document = {"name": "json", "windows": [{"id": "W01", "shifts": [["09:00", "12:00"]]}, {"id": "W77", "shifts": [["09:00", "12:00"]]}]}
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        files.read(path, parse_plan, hall)
    (problem,) = raised.value.problems
    assert problem.key == "windows[W77].id"
    assert path.read_text().splitlines()[problem.line - 1].strip().startswith('"id": "W77"')


def test_files_that_do_not_parse_say_where(hall: Hall, tmp_path: Path) -> None:
    toml = tmp_path / "plan.toml"
    toml.write_text('name = "x"\n[[windows]\nid = "W01"\n', encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML") as raised:
        files.read(toml, parse_plan, hall)
    assert raised.value.problems[0].line == 2
    broken = tmp_path / "plan.json"
    broken.write_text('{"windows": [\n  {"id": "W01",}\n]}', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as raised:
        files.read(broken, parse_plan, hall)
    assert raised.value.problems[0].line == 2
    with pytest.raises(InputError, match="cannot read the file"):
        files.read(tmp_path / "missing.toml", parse_plan, hall)


def test_the_example_plan_reads_and_round_trips(hall: Hall, tmp_path: Path) -> None:
    plan = files.read(EXAMPLES / "jinan-city-plan.toml", parse_plan, hall)
    assert len(plan.windows) == 39 and plan.window("W40") is None
    assert plan.window("W27").pauses()[0].label() == "11:30–12:30"
    for suffix in (".toml", ".json"):
        out = tmp_path / f"again{suffix}"
        files.write_document(out, plan.to_document())
        assert files.read(out, parse_plan, hall) == plan


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"rates": {"A": {"09": -3}}}, "rates.A.09: a rate is a number of tickets per hour, 0 or more"),
        ({"rates": {"A": {"09": 50000}}}, "rates.A.09: 50000 tickets an hour in one queue is absurd"),
        ({"rates": {"A": {"09": float("nan")}}}, "rates.A.09: a rate is a number"),
        ({"rates": {"A": {"25": 3}}}, "rates.A.25: '25' is not an hour of the day"),
        ({"rates": {"A": [1, 2, 3]}}, "rates.A: a list of 24 hourly rates (00 to 23), not 3"),
        ({"rates": {"ZZ": {"09": 3}}}, "rates.ZZ: hall jn-city has no queue 'ZZ'"),
        ({"rates": {"A": {"09": 0}}}, "rates: every rate is 0: the forecast brings nobody (an empty day)"),
        ({"rates": {}}, "rates: rates is a table of queues"),
        ({"rates": {"A": {"09": 3}}, "green_share": 1.5}, "green_share: a share from 0 to 1"),
        ({"rates": {"A": {"09": 3}}, "items": {"A": {"NOPE": 0.5}}}, "items.A.NOPE: no item 'NOPE' in queue A"),
        ({"rates": {q: [2000] * 24 for q in "ABCDE"}}, "more than the simulator takes (100000)"),
        ({"rates": {"A": {"09": 3}}, "weather": "rain"}, "weather: unknown key"),
    ],
)
def test_a_bad_forecast_names_the_key(hall: Hall, data: object, expected: str) -> None:
    found = problems(parse_forecast, data, hall)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"queues": {"A": {"service": {"median_s": 1}}}}, "queues.A.service.median_s: seconds from 5 to 14400"),
        ({"queues": {"A": {"service": {"median_s": 300, "sigma": 9}}}}, "queues.A.service.sigma: a spread from 0 to 3"),
        ({"queues": {"A": {"skip_share": 0.1}}}, "queues.A.service: required"),
        ({"queues": {"A": {"service": {"median_s": 300}, "skip_share": 2}}}, "queues.A.skip_share: a share from 0 to 1"),
        ({"queues": {"A": {"service": {"median_s": 300}, "transfer_to": {"ZZ": 1}}}}, "queues.A.transfer_to: a table of the hall's queues"),
        ({"queues": {"ZZ": {"service": {"median_s": 300}}}}, "queues.ZZ: hall jn-city has no queue 'ZZ'"),
        ({"turnaround_s": -4}, "turnaround_s: seconds from 0 to 3600"),
    ],
)
def test_a_bad_model_names_the_key(hall: Hall, data: object, expected: str) -> None:
    found = problems(parse_model, data, hall)
    assert any(expected in p for p in found), found


def test_a_learnt_model_round_trips(hall: Hall) -> None:
    model = config_model(hall)
    assert parse_model(model.to_document(), hall) == model


def test_an_empty_or_impossible_day_runs_nothing(hall: Hall) -> None:
    plan = parse_plan({"windows": [{"id": "W01", "shifts": [["09:00", "12:00"]]}]}, hall)
    people = Sampler(config_model(hall), 1)
    with pytest.raises(InputError, match="the day has no arrivals"):
        simulate(hall, plan, Day(DAY, (), "nothing"), people)
    strange = Day(DAY, (Arrival("x1", "ZZ", 10**6), Arrival("x1", "A", 10**6, item_code="NOPE")), "strange")
    with pytest.raises(InputError) as raised:
        simulate(hall, plan, strange, people)
    text = str(raised.value)
    assert "no queue 'ZZ'" in text and "no item 'NOPE' in queue A" in text and "ticket id x1 twice" in text


def test_a_forecast_day_is_the_same_for_a_seed_and_only_for_it(hall: Hall) -> None:
    forecast = files.read(EXAMPLES / "jinan-city-forecast.toml", parse_forecast, hall)
    first, again, other = generate(forecast, DAY, 4), generate(forecast, DAY, 4), generate(forecast, DAY, 5)
    assert first == again and first.arrivals != other.arrivals
    assert abs(len(first.arrivals) - forecast.expected_total()) < 4 * forecast.expected_total() ** 0.5
    assert [a.at for a in first.arrivals] == sorted(a.at for a in first.arrivals)
