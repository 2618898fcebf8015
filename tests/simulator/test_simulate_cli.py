"""`python -m queue_server simulate …` as a manager runs it: the worked example of
docs/simulator.md, bad input refused with its line, and a hall's own history seeded, learnt from
and replayed."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from simulator_days import EXAMPLES, JINAN, REPO, jinan, small_config

from queue_server.simulation.adapters import files
from queue_server.simulation.behaviour import parse_model
from queue_server.simulation.forecast import parse_forecast
from queue_server.simulation.plan import parse_plan

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
PLAN = str(EXAMPLES / "jinan-city-plan.toml")
FORECAST = str(EXAMPLES / "jinan-city-forecast.toml")


def simulate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queue_server", "simulate", *args], capture_output=True, text=True,
                          env=ENV, cwd=REPO, timeout=240)


def test_run_prints_the_table_and_writes_json_and_csv(tmp_path: Path) -> None:
    out, table = tmp_path / "day.json", tmp_path / "hours.csv"
    result = simulate("run", "--config", str(JINAN), "--plan", PLAN, "--forecast", FORECAST, "--date", "2026-11-23",
                      "--seed", "7", "--hours", "--json", str(out), "--csv", str(table))
    assert result.returncode == 0, result.stderr
    assert "工作日 错时午休 weekday, staggered lunch — 2026-11-23" in result.stdout
    assert "G 出入境" in result.stdout and "by hour of issue 按取号时段" in result.stdout
    assert "simulating" in result.stderr and "100%" in result.stderr  # progress
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["plan"].startswith("工作日") and {q["queue"] for q in document["queues"]} >= {"A", "G", "BD"}
    assert document["total"]["issued"] + document["total"]["refused"] > 900
    rows = list(csv.DictReader(table.read_text(encoding="utf-8-sig").splitlines()))
    assert rows and {"queue", "hour", "p90_s", "waiting_peak"} <= set(rows[0])
    again = simulate("run", "--config", str(JINAN), "--plan", PLAN, "--forecast", FORECAST, "--date", "2026-11-23",
                     "--seed", "7", "--json", "-", "--quiet")
    assert json.loads(again.stdout) == document and again.stderr == ""


def test_bad_input_is_refused_with_its_line_and_nothing_runs(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('name = "x"\ncolour = "red"\n[[windows]]\nid = "W99"\nshifts = [["09:00", "12:00"]]\n', encoding="utf-8")
    out = tmp_path / "never.json"
    result = simulate("run", "--config", str(JINAN), "--plan", str(plan), "--forecast", FORECAST, "--json", str(out))
    assert result.returncode == 2 and result.stdout == ""
    assert "line 2, colour: unknown key" in result.stderr and "line 4, windows[W99].id: hall jn-city has no window" in result.stderr
    assert not out.exists()
    forecast = tmp_path / "forecast.toml"
    forecast.write_text('[rates]\nA = { "09" = 99999 }\n', encoding="utf-8")
    result = simulate("run", "--config", str(JINAN), "--forecast", str(forecast), "--date", "2026-11-23")
    assert result.returncode == 2 and "line 2, rates.A.09: 99999 tickets an hour in one queue is absurd" in result.stderr
    result = simulate("run", "--config", str(JINAN), "--date", "2026-11-23")
    assert result.returncode == 2 and "--forecast" in result.stderr
    result = simulate("run", "--config", str(JINAN), "--forecast", FORECAST, "--date", "2027-01-01")
    assert result.returncode == 2 and "closed on 2027-01-01" in result.stderr  # 元旦


def test_compare_and_template(tmp_path: Path) -> None:
    template = simulate("template", "--config", str(JINAN), "--date", "2026-11-23")
    assert template.returncode == 0
    every_window = tmp_path / "every-window.toml"
    every_window.write_text(template.stdout, encoding="utf-8")
    assert len(files.read(every_window, parse_plan, jinan()).windows) == 40
    out = tmp_path / "compare.json"
    result = simulate("compare", "--config", str(JINAN), "--plan", PLAN, "--plan", str(every_window), "--plan", PLAN,
                      "--forecast", FORECAST, "--date", "2026-11-23", "--scale", "1.2", "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert "plan1 p90" in result.stdout and "plan3 unserved" in result.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [p["plan"] for p in document["plans"]][1] == "every window, the hall's hours 全部窗口"
    hall_row = document["queues"][-1]
    assert hall_row["queue"] == "*" and len(hall_row["plans"]) == 3
    assert hall_row["plans"][0] == hall_row["plans"][2]  # the same plan on the same citizens


def test_plan_suggests_moves_and_writes_the_improved_plan(tmp_path: Path) -> None:
    better = tmp_path / "better.toml"
    result = simulate("plan", "--config", str(JINAN), "--plan", PLAN, "--forecast", FORECAST, "--date", "2026-11-23",
                      "--staff", "42", "--target-p90", "30", "--max-suggestions", "2", "--out", str(better), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "target: every queue's p90 wait under 30 min, 42 staff available" in result.stdout
    assert "1. " in result.stdout and "p90" in result.stdout
    improved = files.read(better, parse_plan, jinan())
    assert improved != files.read(PLAN, parse_plan, jinan())


def test_seed_history_learn_and_replay_a_recorded_day(tmp_path: Path) -> None:
    config = small_config(tmp_path)
    config_path = str(tmp_path / "hall.toml")
    database = f"sqlite:///{tmp_path / 'history.db'}"
    forecast = tmp_path / "forecast.toml"
    forecast.write_text('[rates]\nA = { "09" = 14, "10" = 10 }\nB = { "09" = 8 }\nC = { "10" = 6 }\n', encoding="utf-8")
    plan = tmp_path / "plan.toml"
    plan.write_text('shifts = [["09:00", "12:00"]]\n[[windows]]\nids = ["W01", "W02", "W03"]\n', encoding="utf-8")
    seeded = simulate("seed-history", "--config", config_path, "--database", database, "--data-dir", str(tmp_path / "data"),
                      "--plan", str(plan), "--forecast", str(forecast), "--days", "3", "--until", "2026-11-20", "--quiet")
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.count("tickets issued") == 3 and "2026-11-18:" in seeded.stdout
    model, learnt = tmp_path / "model.json", tmp_path / "learnt.toml"
    result = simulate("learn", "--config", config_path, "--database", database, "--model-out", str(model),
                      "--forecast-out", str(learnt))
    assert result.returncode == 0, result.stderr
    assert "learnt from 3 days" in result.stdout
    hall = config.halls[0]
    assert files.read(model, parse_model, hall).source.startswith("learnt from 3 recorded days")
    assert files.read(learnt, parse_forecast, hall).expected("A", 9) > 5
    replayed = simulate("run", "--config", config_path, "--plan", str(plan), "--database", database,
                        "--replay-day", "2026-11-19", "--model", str(model), "--json", "-", "--quiet")
    assert replayed.returncode == 0, replayed.stderr
    document = json.loads(replayed.stdout)
    assert document["source"] == "recorded 2026-11-19" and document["total"]["issued"] > 20
    empty = simulate("run", "--config", config_path, "--database", database, "--replay-day", "2026-11-10")
    assert empty.returncode == 2 and "no tickets recorded on 2026-11-10" in empty.stderr
