"""排队超时预警, the pure part: thresholds from the config, which alerts hold for given facts, the
hysteresis that keeps an open alert from flapping, and how an alert reads in both languages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hall_common.vocabulary import AlertKind
from queue_server.config import ConfigError, parse_config
from queue_server.core.alerts import (
    CLEAR_RATIO,
    Alert,
    Limits,
    QueueFacts,
    QueueLimits,
    WindowFacts,
    WindowLimits,
    evaluate,
)
from queue_server.manage.messages import duration_en, duration_zh, text_message, texts
from queue_server.manage.settings import AlertSettings

LIMITS = Limits(
    queues={"A": QueueLimits(longest_wait_s=1800, waiting=20, estimate_s=2400), "B": QueueLimits()},
    windows={"W01": WindowLimits(paused_s=900, serving_s=1800)},
)


def queue(q: str = "A", waiting: int = 0, longest: int | None = None, estimate: int | None = None) -> QueueFacts:
    return QueueFacts(q, waiting, longest, estimate)


def window(w: str = "W01", paused: int | None = None, serving: int | None = None) -> WindowFacts:
    return WindowFacts(w, paused, serving)


def kinds(alerts: list[Alert]) -> list[tuple[str, str, int]]:
    return [(a.kind.value, a.subject, a.value) for a in alerts]


def test_nothing_holds_below_every_threshold() -> None:
    assert evaluate([queue(waiting=19, longest=1799, estimate=2399)], [window(paused=899, serving=1799)], LIMITS) == []


def test_each_threshold_is_reached_at_its_value() -> None:
    found = evaluate([queue(waiting=20, longest=1800, estimate=2400)], [window(paused=900, serving=1800)], LIMITS)
    assert kinds(found) == [
        ("queue_longest_wait", "A", 1800),
        ("queue_waiting", "A", 20),
        ("queue_estimate", "A", 2400),
        ("window_paused", "W01", 900),
        ("window_serving", "W01", 1800),
    ]
    assert found[0].threshold == 1800 and found[0].key == "queue_longest_wait:A"


def test_no_threshold_no_alert_and_unknown_facts_are_not_alerts() -> None:
    assert evaluate([queue("B", waiting=999, longest=99999, estimate=99999)], [window("W02", paused=99999)], LIMITS) == []
    assert evaluate([queue(waiting=0, longest=None, estimate=None)], [window(paused=None, serving=None)], LIMITS) == []


@pytest.mark.parametrize("waiting, was_open, holds", [(16, True, True), (15, True, False), (16, False, False), (20, False, True)])
def test_an_open_alert_stays_until_its_value_falls_below_the_clearing_level(waiting: int, was_open: bool, holds: bool) -> None:
    assert CLEAR_RATIO == 0.8  # 20 → open until below 16
    open_keys = {"queue_waiting:A"} if was_open else set()
    found = evaluate([queue(waiting=waiting)], [], LIMITS, open_keys)
    assert bool(found) is holds


def test_limits_merge_defaults_with_a_queue_s_own_table_where_zero_turns_one_off() -> None:
    settings = AlertSettings.model_validate(
        {
            "queue": {"waiting": 30, "longest_wait_s": 1800},
            "queues": {"B": {"waiting": 10, "longest_wait_s": 0}},
            "window": {"paused_s": 900},
            "windows": {"W02": {"serving_s": 600}},
        }
    )
    limits = settings.limits(["A", "B"], ["W01", "W02"])
    assert limits.queues["A"] == QueueLimits(longest_wait_s=1800, waiting=30)
    assert limits.queues["B"] == QueueLimits(longest_wait_s=None, waiting=10)
    assert limits.windows["W02"] == WindowLimits(paused_s=900, serving_s=600)
    assert AlertSettings().limits(["A"], ["W01"]) == Limits(queues={"A": QueueLimits()}, windows={"W01": WindowLimits()})


HALL = """
[[halls]]
id = "h"
name = "测试大厅"
timezone = "Asia/Shanghai"
{alerts}
[[halls.queues]]
id = "A"
name = "企业开办"
name_en = "Business start-up"
[[halls.windows]]
id = "W01"
name = "1号窗口"
queues = ["A"]
"""


def load(alerts: str):  # noqa: ANN201 - the parsed config
    import tomllib
    from pathlib import Path

    return parse_config(tomllib.loads(HALL.format(alerts=alerts)), Path("."))


@pytest.mark.parametrize(
    "alerts, problem",
    [
        ("[halls.alerts.queues.Z]\nwaiting = 3", "alerts.queues lists unknown queue 'Z'"),
        ("[halls.alerts.windows.W09]\npaused_s = 3", "alerts.windows lists unknown window 'W09'"),
        ("[halls.alerts.queue]\nwaiting = -1", "greater than or equal to 0"),
        ("[halls.alerts.queue]\nlongest = 3", "unknown key"),
        ('[halls.alerts]\nsms_to = ["12345"]', "should match pattern"),
        ('[halls.alerts]\nwebhook_url = "ftp://x"', "should match pattern"),
    ],
)
def test_a_bad_alerts_table_is_reported_naming_the_key(alerts: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load(alerts)
    assert problem in str(refused.value)
    assert "alerts" in str(refused.value)


def test_an_alerts_table_is_optional_and_read_when_given() -> None:
    assert load("").halls[0].alerts == AlertSettings()
    hall = load('[halls.alerts]\nsms_to = ["13800000000"]\n[halls.alerts.queue]\nwaiting = 5').halls[0]
    assert hall.alerts.queue.waiting == 5 and hall.alerts.sms_to == ("13800000000",)
    with pytest.raises(ValidationError):
        AlertSettings.model_validate({"queues": {"A": {"waiting": "many"}}})


def test_alerts_in_words() -> None:
    hall = load("").halls[0]
    assert texts(hall, Alert(AlertKind.QUEUE_LONGEST_WAIT, "A", 2130, 1800)) == (
        "企业开办（A）最长等候 35 分钟，达到预警值 30 分钟",
        "Business start-up (A): longest wait 35 min, limit 30 min",
    )
    assert texts(hall, Alert(AlertKind.QUEUE_WAITING, "A", 21, 20))[0] == "企业开办（A）等候 21 人，达到预警值 20 人"
    assert texts(hall, Alert(AlertKind.WINDOW_PAUSED, "W01", 3700, 900)) == (
        "1号窗口已暂停 1 小时 1 分，达到预警值 15 分钟",
        "1号窗口 (W01): paused for 1 h 1 min, limit 15 min",
    )
    message = text_message(hall, Alert(AlertKind.WINDOW_SERVING, "W01", 45, 30))
    assert message == "【测试大厅】排队预警：1号窗口当前号已办理 45 秒，达到预警值 30 秒。1号窗口 (W01): current ticket for 45 s, limit 30 s."
    assert [duration_zh(s) for s in (5, 60, 3600, 5400)] == ["5 秒", "1 分钟", "1 小时", "1 小时 30 分"]
    assert [duration_en(s) for s in (5, 60, 3600, 5400)] == ["5 s", "1 min", "1 h", "1 h 30 min"]
