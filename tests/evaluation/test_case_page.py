"""The 差评整改 case page in headless Chromium against a real server: a lead sees their case and
works it to 已办结; a manager sees the figures, every case, and decides an appeal."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.evaluation.conftest import EvaluationHall
from tests.evaluation.test_evaluator_page import hall, server  # noqa: F401  (the same server)
from tests.queue_server.browser import screenshot
from tests.support.halls import STAFF_PASSWORD


def _bad(hall: EvaluationHall, level: int = 1) -> dict:
    ticket = hall.served()
    made = hall.http.post(hall.path("/evaluations"), headers=hall.evaluator, json={
        "ticket_id": ticket["id"], "level": level, "reasons": ["态度不好", "多次跑动"], "text": "跑了三次，电话13812345678"})
    assert made.status_code == 201, made.text
    return made.json()


def _log_in(new_page: Callable[..., Page], hall: EvaluationHall, staff: str) -> Page:
    page = new_page()
    page.goto(f"{hall.server.url}/cases?hall={hall.hall}")
    expect(page.locator("#login-hall")).to_have_value(hall.hall)
    page.fill("#login-staff", staff)
    page.fill("#login-password", STAFF_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#view-desk")).to_be_visible()
    return page


def _step(page: Page, action: str, note: str = "") -> None:
    """Take a step and wait until the case's history shows it."""
    steps = page.locator("#detail .history li").count()
    if note:
        page.fill("#act-note", note)
    page.click(f'.act [data-action="{action}"]')
    expect(page.locator("#detail .history li")).to_have_count(steps + 1)


def test_a_lead_works_a_case_to_closed(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    evaluation = _bad(hall)
    page = _log_in(new_page, hall, "s01")
    expect(page.locator("tr.row")).to_have_count(1)
    expect(page.locator("#figures .figure")).to_have_count(0)  # figures are a manager's
    page.click("tr.row")
    expect(page.locator("#detail h2")).to_contain_text("非常不满意")
    expect(page.locator("#detail")).not_to_contain_text("13812345678")
    expect(page.locator("#detail")).to_contain_text("138****5678")
    screenshot(page, "cases-lead-open")
    _step(page, "verify")
    page.check("#act-reached")
    _step(page, "callback", "已电话回访，市民反映需多次补材料")
    _step(page, "rectify", "一次性告知材料清单，窗口张贴")
    page.select_option("#act-channel", "sms")
    _step(page, "reply", "已短信告知整改措施")
    _step(page, "close")
    expect(page.locator("#detail .pill[data-state='closed']")).to_be_visible()
    expect(page.locator("#detail .history li")).to_have_count(7)
    screenshot(page, "cases-lead-closed")
    case = hall.http.get(hall.path(f"/cases/{evaluation['case_id']}"), headers=hall.manager).json()
    assert case["state"] == "closed"


def test_a_manager_sees_figures_and_decides_an_appeal(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    first = _bad(hall)
    _bad(hall, level=2)
    hall.http.post(hall.path(f"/cases/{first['case_id']}/actions"), headers=hall.staff("s01"),
                   json={"action": "appeal", "reason": "malicious", "note": "辱骂工作人员，与办理无关"})
    page = _log_in(new_page, hall, "m01")
    expect(page.locator("tr.row")).to_have_count(2)
    expect(page.locator('#figures [data-figure="bad_rate"] .v')).to_have_text("100.0%")
    expect(page.locator("#uploads")).to_contain_text("未配置上报")
    page.check("#f-appeal")
    expect(page.locator("tr.row")).to_have_count(1)
    page.click("tr.row")
    screenshot(page, "cases-manager-appeal")
    page.fill("#act-note", "核实为恶意差评")
    page.click('.act [data-action="approve_appeal"]')
    expect(page.locator("tr.row")).to_have_count(0)  # no appeal waits any more
    page.uncheck("#f-appeal")
    expect(page.locator("tr.row")).to_have_count(2)
    expect(page.locator('#figures [data-figure="bad_rate"] .v')).to_have_text("100.0%")  # the other 差评 remains
    page.click("#lang")
    expect(page.locator(".top-title")).to_have_text("Bad-review remediation")
    screenshot(page, "cases-manager-en")


def test_a_clerk_refused_at_login_with_a_wrong_password(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    page = new_page()
    page.goto(f"{hall.server.url}/cases?hall={hall.hall}")
    page.fill("#login-staff", "s01")
    page.fill("#login-password", "wrong-password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).not_to_be_empty()
    expect(page.locator("#view-desk")).to_be_hidden()
