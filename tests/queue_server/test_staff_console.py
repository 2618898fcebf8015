"""The staff console (/staff) in headless Chromium against a real server process.

Each test drives the page as a window clerk would (buttons and keyboard shortcuts), makes the
rest of the hall happen through the API (a kiosk issuing tickets, a colleague signing in), and
checks both what the page shows and what the server then holds. Screenshots of each state go to
tests/artifacts/staff-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.queue_server.browser import running_server, screenshot
from tests.support.api import HallClient
from tests.support.halls import STAFF_PASSWORD
from tests.support.servers import ServerProcess

HALLS = [f"sc{i:02d}" for i in range(1, 16)]


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("staff-console"), halls=HALLS) as process:
        process.unused_halls = iter(HALLS)  # type: ignore[attr-defined]
        yield process


@pytest.fixture
def desk_hall(staff_server: ServerProcess) -> Iterator[HallClient]:
    """A hall nobody else has touched: W01 (A, B), W02 (B, A), W03 (C), W04 (A, C); s01 works at
    W01 and W02, s02 at W03 and W04; m01 is the manager."""
    client = HallClient(staff_server, next(staff_server.unused_halls))  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        client.close()


# -- helpers -------------------------------------------------------------------------------------


def log_in(page: Page, hall: HallClient, staff: str = "s01", password: str = STAFF_PASSWORD) -> None:
    page.goto(f"{hall.server.url}/staff?hall={hall.hall}")
    expect(page.locator("#login-hall")).to_have_value(hall.hall)
    page.fill("#login-staff", staff)
    page.fill("#login-password", password)
    page.click("#login-submit")


def open_desk(page: Page, hall: HallClient, window: str = "W01", staff: str = "s01") -> None:
    log_in(page, hall, staff)
    page.click(f'.window-card[data-window="{window}"]')
    expect(page.locator("#view-desk")).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    expect(page.locator("#conn")).to_contain_text("已连接")
    idle(page)


def idle(page: Page) -> None:
    """The page has finished its last request (keys pressed meanwhile are ignored on purpose)."""
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bbusy\b"))


def press(page: Page, key: str) -> None:
    idle(page)
    page.keyboard.press(key)
    idle(page)


def click_action(page: Page, action: str) -> None:
    idle(page)
    page.click(f'#actions [data-action="{action}"]')
    idle(page)


def button(page: Page, action: str):  # noqa: ANN201 - a Playwright locator
    return page.locator(f'#actions [data-action="{action}"]')


def waiting_rows(page: Page):  # noqa: ANN201
    return page.locator("#waiting-list .ticket-row:visible .ticket-number")


def window_state(hall: HallClient, window: str = "W01") -> dict[str, Any]:
    response = hall.http.get(hall.path(f"/windows/{window}"), headers=hall.display)
    assert response.status_code == 200, response.text
    return response.json()


def waiting_at(hall: HallClient, window: str) -> list[str]:
    response = hall.http.get(hall.path(f"/windows/{window}/waiting"), headers=hall.display)
    assert response.status_code == 200, response.text
    return [t["number"] for t in response.json()["tickets"]]


def notice(page: Page):  # noqa: ANN201
    return page.locator("#notice")


# -- login ---------------------------------------------------------------------------------------


def test_login_refuses_a_wrong_password_in_chinese_and_keeps_the_token_in_session_storage(
    desk_hall: HallClient, new_page
) -> None:
    page = new_page()
    page.goto(f"{desk_hall.server.url}/staff?hall={desk_hall.hall}")
    expect(page).to_have_title("窗口工作台")
    expect(page.locator("#login-hall")).to_have_value(desk_hall.hall)

    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("请输入工号")

    log_in(page, desk_hall, password="not-the-password")
    expect(page.locator("#login-error")).to_have_text("工号或密码错误")
    expect(page.locator("#login-password")).to_have_value("")
    assert page.evaluate("sessionStorage.getItem('staff.token')") is None
    screenshot(page, "staff-login-error")

    page.fill("#login-password", STAFF_PASSWORD)
    page.click("#login-submit")
    cards = page.locator(".window-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("1号窗口")
    expect(cards.nth(1)).to_contain_text("2号窗口")
    expect(page.locator("#who-staff")).to_have_text("王芳（s01）")
    token = page.evaluate("sessionStorage.getItem('staff.token')")
    assert token
    stored = page.evaluate("Object.values(localStorage).join(' ')")
    assert token not in stored
    me = httpx.get(desk_hall.server.url + "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id"] == "s01"
    screenshot(page, "staff-windows")

    # Nobody is signed in until a window is chosen; choosing signs in there.
    assert window_state(desk_hall, "W02")["staff"] is None
    page.click('.window-card[data-window="W02"]')
    expect(page.locator("#who-window")).to_have_text("2号窗口")
    assert window_state(desk_hall, "W02")["staff"] == {"id": "s01", "name": "王芳"}

    # A reload stays at the desk (same tab session); another browser context must log in.
    page.reload()
    expect(page.locator("#view-desk")).to_be_visible()
    expect(page.locator("#who-window")).to_have_text("2号窗口")
    other = new_page()
    other.goto(f"{desk_hall.server.url}/staff?hall={desk_hall.hall}")
    expect(other.locator("#view-login")).to_be_visible()


def test_logout_signs_out_of_the_window_and_ends_the_token(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    open_desk(page, desk_hall)
    token = page.evaluate("sessionStorage.getItem('staff.token')")
    assert window_state(desk_hall)["status"] == "open"
    page.click("#logout")
    expect(page.locator("#view-login")).to_be_visible()
    expect(page.locator("#login-error")).to_have_text("已退出登录")
    assert page.evaluate("sessionStorage.getItem('staff.token')") is None
    assert window_state(desk_hall)["status"] == "closed"
    me = httpx.get(desk_hall.server.url + "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def test_a_revoked_token_returns_to_the_login_form(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    open_desk(page, desk_hall)
    token = page.evaluate("sessionStorage.getItem('staff.token')")
    revoked = httpx.post(desk_hall.server.url + "/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 200
    page.keyboard.press("F8")
    expect(page.locator("#view-login")).to_be_visible()
    expect(page.locator("#login-error")).to_have_text("登录已过期，请重新登录")
    assert page.evaluate("sessionStorage.getItem('staff.token')") is None
    assert window_state(desk_hall)["paused"] is False


# -- calling and serving -------------------------------------------------------------------------


def test_call_recall_start_finish_skip_and_requeue_by_buttons_and_keys(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    open_desk(page, desk_hall)
    expect(page.locator("#window-state")).to_have_text("窗口服务中")
    expect(page.locator("#current-number")).to_have_text("空闲")
    expect(page.locator("#waiting-empty")).to_be_visible()
    expect(button(page, "call")).to_contain_text("F1")
    expect(button(page, "finish")).to_contain_text("F4")
    for action in ("recall", "start", "finish", "skip", "transfer"):
        expect(button(page, action)).to_be_disabled()

    # Nothing waits: the server answers 204 and the page says so.
    click_action(page, "call")
    expect(notice(page)).to_have_text("当前没有等候的号")

    # Tickets issued at a kiosk appear without a reload, in calling order.
    issued = {t["number"]: t for t in (desk_hall.issue("A"), desk_hall.issue("A"), desk_hall.issue("B"))}
    expect(waiting_rows(page)).to_have_text(["A001", "A002", "B001"])
    expect(page.locator("#waiting-count")).to_have_text("3")
    expect(page.locator('.queue-chip[data-queue="A"]')).to_contain_text("2 人")
    desk_hall.issue("C")  # a queue W01 does not serve: only its count moves
    expect(page.locator('.queue-chip[data-queue="C"]')).to_contain_text("1 人")
    expect(waiting_rows(page)).to_have_count(3)
    screenshot(page, "staff-desk-waiting")

    # 叫号 by the button.
    click_action(page, "call")
    expect(page.locator("#current-number")).to_have_text("A001")
    expect(page.locator("#current-status")).to_contain_text("已叫号")
    expect(page.locator("#current-details")).to_contain_text("企业开办")
    expect(waiting_rows(page)).to_have_text(["A002", "B001"])
    assert desk_hall.ticket(issued["A001"]["id"])["status"] == "called"
    assert window_state(desk_hall)["current"]["number"] == "A001"
    expect(button(page, "call")).to_be_disabled()
    screenshot(page, "staff-desk-called")

    # Calling again while A001 is open is refused on the page, with the reason.
    press(page, "F1")
    expect(notice(page)).to_have_text("请先办结或过号当前号 A001")

    press(page, "F2")  # 重呼
    expect(page.locator("#current-status")).to_contain_text("已重呼 1 次")
    assert desk_hall.ticket(issued["A001"]["id"])["recalls"] == 1

    press(page, "F3")  # 开始办理
    expect(page.locator("#current-status")).to_have_text(re.compile("^办理中"))
    expect(button(page, "start")).to_be_disabled()
    expect(button(page, "skip")).to_be_disabled()
    assert desk_hall.ticket(issued["A001"]["id"])["status"] == "serving"
    screenshot(page, "staff-desk-serving")

    press(page, "F4")  # 办结
    expect(page.locator("#current-number")).to_have_text("空闲")
    expect(notice(page)).to_have_text("A001 已办结")
    assert desk_hall.ticket(issued["A001"]["id"])["status"] == "done"

    press(page, "Space")  # 叫号 by keyboard
    expect(page.locator("#current-number")).to_have_text("A002")
    assert desk_hall.ticket(issued["A002"]["id"])["status"] == "called"

    press(page, "F5")  # 过号
    expect(page.locator("#current-number")).to_have_text("空闲")
    missed = page.locator("#missed-list .missed-row")
    expect(missed).to_have_count(1)
    expect(missed.first).to_contain_text("A002")
    assert desk_hall.ticket(issued["A002"]["id"])["status"] == "missed"

    press(page, "F1")
    expect(page.locator("#current-number")).to_have_text("B001")
    click_action(page, "finish")
    assert desk_hall.ticket(issued["B001"]["id"])["status"] == "done"
    screenshot(page, "staff-desk-missed")

    # 重新排队 puts the missed ticket back in the list, marked.
    idle(page)
    missed.first.locator("button").click()
    expect(page.locator("#missed-list .missed-row")).to_have_count(0)
    expect(waiting_rows(page)).to_have_text(["A002"])
    expect(page.locator("#waiting-list .ticket-row").first).to_contain_text("过号重排")
    assert desk_hall.ticket(issued["A002"]["id"])["status"] == "waiting"

    press(page, "F1")  # nothing else waits, so the requeued ticket is called at once
    expect(page.locator("#current-number")).to_have_text("A002")
    press(page, "F4")
    press(page, "F1")
    expect(notice(page)).to_have_text("当前没有等候的号")
    assert window_state(desk_hall)["current"] is None


def test_transfer_to_another_queue_and_to_a_named_window(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    open_desk(page, desk_hall)
    first, second = desk_hall.issue("A"), desk_hall.issue("A")
    expect(waiting_rows(page)).to_have_text(["A001", "A002"])

    # To queue C (户政), which W01 does not serve: any window of C may call it.
    press(page, "F1")
    expect(page.locator("#current-number")).to_have_text("A001")
    press(page, "F6")
    dialog = page.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#transfer-number")).to_have_text("A001")
    expect(dialog.locator("#transfer-window")).to_be_disabled()
    dialog.locator("#transfer-confirm").click()
    expect(dialog.locator("#transfer-error")).to_have_text("请选择要转至的业务类别")
    dialog.locator('input[name="transfer-queue"][value="C"]').check()
    expect(dialog.locator("#transfer-window option")).to_have_text(
        ["不指定窗口（该业务任一窗口均可叫号）", re.compile("^3号窗口"), re.compile("^4号窗口")]
    )
    screenshot(page, "staff-transfer-dialog")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(notice(page)).to_have_text("A001 已转至 户政")
    expect(page.locator("#current-number")).to_have_text("空闲")
    expect(waiting_rows(page)).to_have_text(["A002"])
    moved = desk_hall.ticket(first["id"])
    assert (moved["status"], moved["queue"], moved["number"], moved["target_window"]) == ("waiting", "C", "A001", None)
    assert "A001" in waiting_at(desk_hall, "W03")

    # To queue A at window W04 by name: only W04 may call it now.
    click_action(page, "call")
    expect(page.locator("#current-number")).to_have_text("A002")
    click_action(page, "transfer")
    dialog.locator('input[name="transfer-queue"][value="A"]').check()
    dialog.locator("#transfer-window").select_option("W04")
    dialog.locator("#transfer-confirm").click()
    expect(dialog).to_be_hidden()
    expect(notice(page)).to_have_text("A002 已转至 4号窗口")
    expect(waiting_rows(page)).to_have_count(0)
    moved = desk_hall.ticket(second["id"])
    assert (moved["status"], moved["queue"], moved["target_window"]) == ("waiting", "A", "W04")
    assert "A002" in waiting_at(desk_hall, "W04")
    assert "A002" not in waiting_at(desk_hall, "W01")

    # Escape closes the dialog without a change.
    desk_hall.issue("B")
    press(page, "F1")
    expect(page.locator("#current-number")).to_have_text("B001")
    press(page, "F6")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#current-number")).to_have_text("B001")


def test_pause_shows_the_state_and_calling_is_refused_until_resumed(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    open_desk(page, desk_hall)
    desk_hall.issue("A")
    expect(waiting_rows(page)).to_have_text(["A001"])

    press(page, "F8")
    expect(page.locator("#window-state")).to_have_text("窗口暂停服务")
    expect(page.locator("#current-number")).to_have_text("窗口暂停服务")
    expect(button(page, "pause")).to_contain_text("恢复")
    expect(button(page, "call")).to_be_disabled()
    assert window_state(desk_hall)["status"] == "paused"
    press(page, "F1")
    expect(notice(page)).to_have_text("窗口已暂停服务，请先按 F8 恢复")
    refused = desk_hall.call("W01")
    assert refused.status_code == 409
    assert refused.json()["message_zh"] == "窗口已暂停服务，请先恢复"
    screenshot(page, "staff-desk-paused")

    click_action(page, "pause")
    expect(page.locator("#window-state")).to_have_text("窗口服务中")
    expect(button(page, "pause")).to_contain_text("暂停")
    assert window_state(desk_hall)["status"] == "open"
    press(page, "F1")
    expect(page.locator("#current-number")).to_have_text("A001")


def test_a_refused_action_shows_the_servers_message(desk_hall: HallClient, new_page) -> None:
    """The page's picture can be stale (here its stream is held back); the server then answers
    409 and the page shows that answer's message_zh, then catches up."""
    page = new_page()
    held: list[bool] = [False]

    def hold_stream(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda message: None if held[0] else ws.send(message))

    page.route_web_socket(re.compile(r"/stream\?"), hold_stream)
    open_desk(page, desk_hall)
    ticket = desk_hall.issue("A")
    expect(waiting_rows(page)).to_have_text(["A001"])
    press(page, "F1")
    expect(page.locator("#current-number")).to_have_text("A001")

    held[0] = True
    desk_hall.act(ticket["id"], "finish")  # the same clerk, from another device
    click_action(page, "skip")
    expect(notice(page)).to_have_text("号票 A001 已办结，不能执行此操作")
    expect(notice(page)).to_have_attribute("data-kind", "error")
    expect(page.locator("#current-number")).to_have_text("空闲")


def test_the_stream_reconnects_with_since_and_catches_up(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    urls: list[str] = []
    routes: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        urls.append(ws.url)
        routes.append(ws)
        if len(urls) == 2:
            ws.close(code=1011, reason="server restarting")  # the first retry fails
            return
        ws.connect_to_server()

    page.route_web_socket(re.compile(r"/stream\?"), route)
    open_desk(page, desk_hall)
    assert "since=" not in urls[0]
    desk_hall.issue("A")
    expect(waiting_rows(page)).to_have_text(["A001"])

    routes[0].close(code=1012, reason="service restart")
    expect(page.locator("#conn")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#conn")).to_contain_text("重新连接中")
    desk_hall.issue("B")  # while the page is away
    screenshot(page, "staff-desk-reconnecting")
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected", timeout=15_000)
    expect(waiting_rows(page)).to_have_text(["A001", "B001"])
    assert len(urls) == 3
    assert re.search(r"[?&]since=\d+", urls[1]) and re.search(r"[?&]since=\d+", urls[2])

    desk_hall.issue("A")  # and live again afterwards
    expect(waiting_rows(page)).to_have_text(["A001", "B001", "A002"])


def test_a_colleague_signing_in_at_my_window_is_shown(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    open_desk(page, desk_hall)
    response = desk_hall.http.post(desk_hall.path("/windows/W01/sign-in"), headers=desk_hall.manager)
    assert response.status_code == 200
    expect(notice(page)).to_contain_text("该窗口现由 张强（m01）签到")
    expect(notice(page)).to_have_attribute("data-kind", "warn")
    page.click("#sign-in-again")
    expect(notice(page)).not_to_contain_text("张强")
    assert window_state(desk_hall)["staff"]["id"] == "s01"


# -- looks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("height", [768, 650])
def test_a_busy_desk_fits_the_screen_without_scrollbars(desk_hall: HallClient, new_page, height: int) -> None:
    page = new_page(viewport={"width": 1366, "height": height})
    open_desk(page, desk_hall)
    for queue in "AB" * 12:
        desk_hall.issue(queue)
    desk_hall.issue("A", priority="green", item_code="ITEM-A-1")
    expect(page.locator("#waiting-count")).to_have_text("25")
    for _ in range(3):  # three no-shows: A013 (green channel first), A001, B001
        press(page, "F1")
        press(page, "F5")
    press(page, "F1")
    expect(page.locator("#current-number")).to_have_text("A002")
    expect(page.locator("#missed-list .missed-row")).to_have_count(3)
    expect(page.locator("#waiting-more")).to_contain_text("未显示")

    sizes = page.evaluate(
        "({sh: document.documentElement.scrollHeight, ch: document.documentElement.clientHeight,"
        " sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth})"
    )
    assert sizes["sh"] <= sizes["ch"] and sizes["sw"] <= sizes["cw"], sizes
    # Every panel ends inside the window, and the big number is really big.
    bottoms = page.evaluate(
        "Array.from(document.querySelectorAll('.card, .actions, .notice')).map(e => e.getBoundingClientRect().bottom)"
    )
    assert max(bottoms) <= height
    number_height = page.locator("#current-number").bounding_box()["height"]
    assert number_height >= 100
    screenshot(page, f"staff-desk-busy-{height}")


def test_english_toggle(desk_hall: HallClient, new_page) -> None:
    page = new_page()
    open_desk(page, desk_hall)
    desk_hall.issue("A")
    press(page, "F1")
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(button(page, "call")).to_contain_text("Call next")
    expect(button(page, "finish")).to_contain_text("Finish")
    expect(page.locator("#current-status")).to_contain_text("Called")
    expect(page.locator("#conn")).to_contain_text("Connected")
    screenshot(page, "staff-desk-en")
    press(page, "F1")
    expect(notice(page)).to_have_text("Finish or skip the current ticket A001 first")
    page.click("#lang-toggle")
    expect(button(page, "call")).to_contain_text("叫号")


# -- serving the page ----------------------------------------------------------------------------


def test_the_page_and_its_assets_are_served_locally(staff_server: ServerProcess) -> None:
    with httpx.Client(base_url=staff_server.url) as http:
        page = http.get("/staff")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from elsewhere
        for name in ("staff.css", "staff.js", "i18n.js", "icon.svg"):
            asset = http.get(f"/staff/assets/{name}")
            assert asset.status_code == 200, name
            assert "cdn" not in asset.text.lower()
        assert http.get("/staff/assets/routes.py").status_code == 404
        assert http.get("/staff/assets/..%2Froutes.py").status_code == 404
        assert http.get("/staff/assets/nothing.js").status_code == 404
        assert http.get("/staff/", follow_redirects=False).status_code == 308
        assert "/staff" not in http.get("/openapi.json").text
