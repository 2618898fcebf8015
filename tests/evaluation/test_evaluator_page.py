"""The window evaluator (评价器) and the staff console's evaluation mark, in headless Chromium
against a real server: the clerk finishes → the evaluator asks → a 差评 with a reason → the console
shows it; one touch for 满意; the timeout goes back to idle with nothing recorded."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.evaluation.conftest import EvaluationHall, write_halls
from tests.queue_server.browser import screenshot
from tests.queue_server.test_staff_console import click_action, open_desk
from tests.support.halls import token_for
from tests.support.servers import ServerProcess

TABLET = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("evaluator")
    config = write_halls(root / "halls.toml", [f"v{i:02d}" for i in range(1, 9)], None, timeout_s=10)
    process = ServerProcess(config=config, data_dir=root / "data").start()
    process.hall_ids = itertools.count(1)  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def hall(server: ServerProcess) -> Iterator[EvaluationHall]:
    client = EvaluationHall(server, f"v{next(server.hall_ids):02d}")  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        client.close()


def open_evaluator(new_page: Callable[..., Page], hall: EvaluationHall, large: bool = False) -> Page:
    page = new_page(viewport=TABLET)
    token = token_for(hall.hall, "evaluator-W01")
    page.goto(f"{hall.server.url}/evaluate/window/W01?hall={hall.hall}&token={token}" + ("&large=1" if large else ""))
    return page


def _evaluations(hall: EvaluationHall) -> int:
    return hall.http.get(hall.path("/evaluations/figures"), headers=hall.manager).json()["total"]["evaluations"]


def test_clerk_finishes_evaluator_asks_bad_evaluation_marked(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    desk = new_page()
    open_desk(desk, hall)  # s01 signs in at W01
    evaluator = open_evaluator(new_page, hall)
    expect(evaluator.locator("#clerk-name")).to_have_text("王芳")
    expect(evaluator.locator("#clerk-id")).to_contain_text("工号 s01")
    screenshot(evaluator, "evaluator-idle")
    ticket = hall.issue("A")
    click_action(desk, "call")
    click_action(desk, "finish")
    expect(evaluator.locator("body")).to_have_attribute("data-view", "rate")
    expect(evaluator.locator("#rate-number")).to_have_text(f"号码 {ticket['number']}")
    expect(evaluator.locator(".level")).to_have_count(5)
    screenshot(evaluator, "evaluator-rate")
    evaluator.click('.level[data-level="2"]')
    expect(evaluator.locator("body")).to_have_attribute("data-view", "reasons")
    expect(evaluator.locator("#submit")).to_be_disabled()
    evaluator.click('.chip:has-text("等待时间长")')
    evaluator.fill("#text", "等了一个多小时")
    screenshot(evaluator, "evaluator-reasons")
    evaluator.click("#submit")
    expect(evaluator.locator("body")).to_have_attribute("data-view", "thanks")
    screenshot(evaluator, "evaluator-thanks")
    mark = desk.locator(f'.evaluated-row[data-ticket="{ticket["id"]}"] .evaluated-mark')
    expect(mark).to_have_text("已评价：不满意（评价器）")
    expect(mark).to_have_attribute("data-kind", "bad")
    screenshot(desk, "staff-console-evaluated")
    cases = hall.http.get(hall.path("/cases"), headers=hall.manager).json()
    assert [c["number"] for c in cases] == [ticket["number"]]
    expect(evaluator.locator("body")).to_have_attribute("data-view", "idle", timeout=15_000)


def test_one_touch_for_satisfied_and_large_text(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    evaluator = open_evaluator(new_page, hall, large=True)
    expect(evaluator.locator("body")).to_have_class("large")
    hall.served()
    expect(evaluator.locator("body")).to_have_attribute("data-view", "rate")
    screenshot(evaluator, "evaluator-rate-large")
    evaluator.click('.level[data-level="4"]')
    expect(evaluator.locator("body")).to_have_attribute("data-view", "thanks")
    assert _evaluations(hall) == 1


def test_timeout_goes_back_to_idle_and_records_nothing(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    evaluator = open_evaluator(new_page, hall)
    hall.served()
    expect(evaluator.locator("body")).to_have_attribute("data-view", "rate")
    expect(evaluator.locator("body")).to_have_attribute("data-view", "idle", timeout=15_000)  # the hall's 10 s
    assert _evaluations(hall) == 0


def test_a_refused_token_is_said_on_screen(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    page = new_page(viewport=TABLET)
    page.goto(f"{hall.server.url}/evaluate/window/W01?hall={hall.hall}&token=wrong")
    expect(page.locator("#conn")).to_contain_text("令牌无效")
