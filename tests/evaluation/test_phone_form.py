"""The phone follow page turning into the evaluation form once the ticket is done (headless
Chromium, real server): a 差评 needs a reason, one 追评 follows, and a page of a ticket not served
shows no form."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.evaluation.conftest import EvaluationHall
from tests.evaluation.test_evaluator_page import hall, server  # noqa: F401  (the same server)
from tests.queue_server.browser import screenshot

PHONE = {"width": 390, "height": 844}



def test_done_ticket_becomes_the_form_then_offers_a_followup(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    waiting = hall.issue("A")
    page = new_page(viewport=PHONE)
    page.goto(hall.server.url + waiting["phone_url"])
    expect(page.locator("#status")).to_have_attribute("data-status", "waiting")
    expect(page.locator("#evaluate")).to_be_hidden()
    headers = hall.staff("s01")
    assert hall.http.post(hall.path("/windows/W01/call-next"), headers=headers).json()["id"] == waiting["id"]
    hall.http.post(hall.path(f"/tickets/{waiting['id']}/actions"), json={"action": "finish"}, headers=headers)
    expect(page.locator("#status")).to_have_attribute("data-status", "done")
    expect(page.locator(".ev-level")).to_have_count(5)
    expect(page.locator(".ev-who")).to_contain_text("王芳")
    screenshot(page, "phone-evaluate-form")
    page.click('.ev-level[data-level="1"]')
    expect(page.locator("#ev-submit")).to_be_disabled()
    page.click('.ev-chip:has-text("一次告知不清")')
    page.fill("#ev-text", "材料清单没说清楚，我的电话是13812345678")
    screenshot(page, "phone-evaluate-bad")
    page.click("#ev-submit")
    expect(page.locator(".ev-thanks")).to_be_visible()
    expect(page.locator("#ev-followup")).to_be_visible()
    screenshot(page, "phone-evaluate-thanks")
    made = hall.http.get(hall.path("/cases"), headers=hall.manager).json()
    assert [c["number"] for c in made] == [waiting["number"]]
    page.click("#ev-followup")
    page.click('.ev-level[data-level="3"]')
    page.click("#ev-submit")
    expect(page.locator(".ev-done")).to_have_text("您已评价并追评，感谢您的反馈")
    page.reload()
    expect(page.locator(".ev-done")).to_have_text("您已评价并追评，感谢您的反馈")
    expect(page.locator(".ev-level")).to_have_count(0)


def test_english_and_a_ticket_not_served(new_page: Callable[..., Page], hall: EvaluationHall) -> None:
    ticket = hall.served()
    page = new_page(viewport=PHONE)
    page.goto(hall.server.url + ticket["phone_url"])
    expect(page.locator(".ev-level")).to_have_count(5)
    page.click("#lang")
    expect(page.locator(".ev-title")).to_have_text("Please rate this service")
    screenshot(page, "phone-evaluate-form-en")
    page.click('.ev-level[data-level="5"]')
    page.click("#ev-submit")
    expect(page.locator(".ev-thanks")).to_have_text("Thank you for your evaluation!")
    cancelled = hall.issue("B")
    hall.http.post(hall.path(f"/tickets/{cancelled['id']}/actions"), json={"action": "cancel"}, headers=hall.manager)
    other = new_page(viewport=PHONE)
    other.goto(hall.server.url + cancelled["phone_url"])
    expect(other.locator("#status")).to_have_attribute("data-status", "cancelled")
    expect(other.locator("#evaluate")).to_be_hidden()
