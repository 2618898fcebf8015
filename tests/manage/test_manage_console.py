"""The manager's console (/manage) in headless Chromium against a real server over HTTP and
WebSocket, on SQLite and PostgreSQL: logging in (and a clerk refused), the live hall updated by the
stream after a call and after a reconnect, a tidal move previewed and confirmed, a pause with its
reason, signing a clerk out, an alert raised and acknowledged, the audit log exported as CSV and
opened, the device board and the day's reservations. Screenshots of every page at 1366×768 and
1920×1080 go to tests/artifacts/manage-*.png."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.manage.support import CLERKS, SHOW_HALL
from tests.queue_server.browser import screenshot
from tests.support.api import HallClient
from tests.support.halls import STAFF_PASSWORD
from tests.support.servers import ServerProcess

FULL_HD = {"width": 1920, "height": 1080}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def log_in(page: Page, hall: HallClient, staff: str = "m01", password: str = STAFF_PASSWORD) -> None:
    page.goto(f"{hall.server.url}/manage?hall={hall.hall}")
    expect(page.locator("#login-hall")).to_have_value(hall.hall)
    page.fill("#login-staff", staff)
    page.fill("#login-password", password)
    page.click("#login-submit")


def open_console(page: Page, hall: HallClient) -> None:
    log_in(page, hall)
    expect(page.locator("#view-live")).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator(".wcard")).to_have_count(4)


def card(page: Page, window: str):  # noqa: ANN201 - a Playwright locator
    return page.locator(f'.wcard[data-window="{window}"]')


def queue_cell(page: Page, queue: str, field: str):  # noqa: ANN201
    return page.locator(f'#queue-rows tr[data-queue="{queue}"] td[data-field="{field}"]')


def window_state(hall: HallClient, window: str) -> dict[str, Any]:
    response = hall.http.get(hall.path(f"/windows/{window}"), headers=hall.display)
    assert response.status_code == 200, response.text
    return response.json()


def shot(page: Page, server: ServerProcess, name: str) -> None:
    """Screenshots once, from the SQLite run (the pages are the same on PostgreSQL)."""
    if server.backend == "sqlite":  # type: ignore[attr-defined]
        screenshot(page, name)


# -- logging in ----------------------------------------------------------------------------------


def test_a_manager_logs_in_and_a_clerk_is_refused(hall: HallClient, new_page) -> None:
    page = new_page()
    page.goto(f"{hall.server.url}/manage?hall={hall.hall}")
    expect(page).to_have_title("大厅管理控制台")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("请输入工号")
    shot(page, hall.server, "manage-login")

    log_in(page, hall, staff="s01")
    expect(page.locator("#login-error")).to_contain_text("该账号不是管理人员")
    expect(page.locator("#view-login")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('manage.token')") is None
    log_in(page, hall, password="wrong-password")
    expect(page.locator("#login-error")).to_have_text("工号或密码错误")

    open_console(page, hall)
    expect(page.locator("#hall-name")).to_have_text(f"测试政务服务中心 {hall.hall}")
    expect(page.locator("#who")).to_have_text("张强（m01）")
    expect(page.locator('[data-nav="live"]')).to_have_attribute("aria-current", "page")
    expect(page.locator("#nav-statistics")).to_have_attribute("href", "#statistics")  # 统计分析 (test_statistics_page.py)
    token = page.evaluate("sessionStorage.getItem('manage.token')")
    assert token and token not in page.evaluate("Object.values(localStorage).join(' ')")

    page.click("#logout")
    expect(page.locator("#view-login")).to_be_visible()
    assert hall.http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_staff_console_offers_a_manager_the_console_without_a_second_login(hall: HallClient, new_page) -> None:
    page = new_page()
    page.goto(f"{hall.server.url}/staff?hall={hall.hall}")
    page.fill("#login-staff", "s01")
    page.fill("#login-password", STAFF_PASSWORD)
    page.click("#login-submit")
    expect(page.locator(".window-card")).to_have_count(2)
    expect(page.locator("#manage-offer")).to_be_hidden()
    page.click("#logout")

    page.fill("#login-staff", "m01")
    page.fill("#login-password", STAFF_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#manage-offer")).to_be_visible()
    shot(page, hall.server, "manage-offer-in-staff-console")
    page.click("#manage-link")
    expect(page).to_have_url(re.compile(rf"/manage\?hall={hall.hall}"))
    expect(page.locator("#view-live")).to_be_visible()
    expect(page.locator("#who")).to_have_text("张强（m01）")


# -- the live hall -------------------------------------------------------------------------------


def test_live_update_after_a_call_and_after_a_reconnect(hall: HallClient, new_page) -> None:
    page = new_page()
    routes: list[WebSocketRoute] = []
    urls: list[str] = []

    def route(ws: WebSocketRoute) -> None:
        urls.append(ws.url)
        routes.append(ws)
        ws.connect_to_server()

    page.route_web_socket(re.compile(r"/halls/[^/]+/stream\?"), route)
    open_console(page, hall)
    expect(card(page, "W01")).to_have_attribute("data-state", "closed")
    expect(card(page, "W01")).to_contain_text("无人签到")
    for queue in "AAB":
        hall.issue(queue)
    expect(queue_cell(page, "A", "waiting")).to_have_text("2")
    expect(queue_cell(page, "A", "arrivals")).to_have_text("2")
    expect(queue_cell(page, "B", "waiting")).to_have_text("1")

    hall.call("W01", expect=200)
    expect(card(page, "W01")).to_have_attribute("data-state", "calling")
    expect(card(page, "W01").locator(".wcard-number")).to_have_text("A001")
    expect(card(page, "W01").locator(".wcard-for")).to_have_text(re.compile(r"^\d+秒$"))  # since the call
    expect(card(page, "W01")).to_contain_text("王芳 s01")
    expect(queue_cell(page, "A", "waiting")).to_have_text("1")
    expect(queue_cell(page, "A", "windows")).to_have_text("1 / 3")
    ticket = hall.http.get(hall.path("/tickets?status=called"), headers=hall.manager).json()[0]
    hall.act(ticket["id"], "start")
    expect(card(page, "W01")).to_have_attribute("data-state", "serving")
    expect(page.locator("#window-tally")).to_contain_text("办理中1")

    # The stream drops; meanwhile the hall goes on; the page catches up with `since`.
    routes[0].close(code=1012, reason="service restart")
    expect(page.locator("#conn")).to_have_attribute("data-state", "reconnecting")
    hall.issue("C")
    hall.call("W03", staff="s02", expect=200)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=15_000)
    assert re.search(r"[?&]since=\d+", urls[-1]) and "since=" not in urls[0]
    expect(card(page, "W03").locator(".wcard-number")).to_have_text("C001")
    expect(card(page, "W03")).to_contain_text("李明 s02")
    hall.issue("A")  # and live again afterwards
    expect(queue_cell(page, "A", "waiting")).to_have_text("2")
    expect(queue_cell(page, "A", "arrivals")).to_have_text("3")


def test_a_tidal_move_is_previewed_then_confirmed(hall: HallClient, new_page) -> None:
    for _ in range(3):
        hall.issue("C")
    hall.call("W03", staff="s02", expect=200)
    hall.call("W01", expect=204)
    page = new_page()
    open_console(page, hall)
    expect(queue_cell(page, "C", "waiting")).to_have_text("2")

    card(page, "W01").click()
    expect(page.locator("#wd-title")).to_have_text("1号窗口 · 空闲")
    page.click("#wd-tidal")
    dialog = page.locator("#tidal-dialog")
    expect(dialog).to_be_visible()
    effects = page.locator("#tidal-effects tr")
    expect(effects).to_have_count(3)
    expect(page.locator("#tidal-confirm")).to_be_disabled()  # nothing changed yet
    for queue in ("A", "B"):
        dialog.locator(f'input[value="{queue}"]').uncheck()
    expect(page.locator("#tidal-error")).to_have_text("请至少选择一个业务类别")
    expect(page.locator("#tidal-confirm")).to_be_disabled()
    dialog.locator('input[value="C"]').check()
    expect(page.locator("#tidal-error")).to_be_hidden()
    after_c = page.locator('#tidal-effects tr[data-queue="C"] td[data-field="after"]')
    expect(after_c).to_have_class(re.compile(r"\bbetter\b"))
    expect(page.locator('#tidal-effects tr[data-queue="A"] td[data-field="after"]')).to_have_class(re.compile(r"\bworse\b"))
    shot(page, hall.server, "manage-tidal-preview")
    assert window_state(hall, "W01")["queues"] == ["A", "B"]  # a preview changes nothing

    page.click("#tidal-confirm")
    expect(dialog).to_be_hidden()
    expect(page.locator("#notice")).to_have_text("1号窗口 现办理：户政")
    expect(card(page, "W01").locator(".qchip")).to_have_text(["C"])
    expect(queue_cell(page, "C", "windows")).to_have_text("2 / 3")
    assert window_state(hall, "W01")["queues"] == ["C"]

    # Cancelled: nothing happens.
    card(page, "W01").click()
    page.click("#wd-tidal")
    dialog.locator('input[value="B"]').check()
    page.click("#tidal-cancel")
    expect(dialog).to_be_hidden()
    assert window_state(hall, "W01")["queues"] == ["C"]


def test_a_pause_with_its_reason_then_resume_and_sign_out(hall: HallClient, new_page) -> None:
    hall.call("W01", expect=204)
    page = new_page()
    open_console(page, hall)
    card(page, "W01").click()
    expect(page.locator("#wd-resume")).to_be_disabled()
    page.click("#wd-pause")
    page.click("#pause-confirm")
    expect(page.locator("#pause-error")).to_have_text("请选择或填写暂停原因")
    page.locator("#pause-reasons label", has_text="其他").click()
    page.click("#pause-confirm")
    expect(page.locator("#pause-error")).to_have_text("选择“其他”时请填写说明")
    assert window_state(hall, "W01")["paused"] is False  # refused in the page: nothing sent
    page.locator("#pause-reasons label", has_text="午休").click()
    page.fill("#pause-text", "12:30 回来")
    shot(page, hall.server, "manage-pause-dialog")
    page.click("#pause-confirm")
    expect(page.locator("#pause-dialog")).to_be_hidden()
    expect(card(page, "W01")).to_have_attribute("data-state", "paused")
    expect(card(page, "W01").locator(".wcard-pause")).to_have_text("原因：午休：12:30 回来")
    assert window_state(hall, "W01")["paused"] is True
    # Paused for 3 s raises this hall's window alert.
    expect(page.locator('#alert-list .alert[data-kind="window_paused"]')).to_contain_text("1号窗口已暂停", timeout=20_000)
    expect(card(page, "W01")).to_have_attribute("data-alert", "true")

    card(page, "W01").click()
    expect(page.locator("#wd-facts")).to_contain_text("午休：12:30 回来")
    page.click("#wd-resume")
    expect(page.locator("#confirm-text")).to_have_text("恢复 1号窗口 的叫号？")
    page.click("#confirm-ok")
    expect(card(page, "W01")).to_have_attribute("data-state", "idle")
    expect(page.locator('#alert-list .alert[data-kind="window_paused"]')).to_have_count(0, timeout=20_000)

    card(page, "W01").click()
    page.click("#wd-signout")
    expect(page.locator("#confirm-text")).to_contain_text("将 王芳（s01）从 1号窗口 签退？")
    page.click("#confirm-ok")
    expect(card(page, "W01")).to_have_attribute("data-state", "closed")
    expect(page.locator("#notice")).to_have_text("已将 王芳 从 1号窗口 签退")
    assert window_state(hall, "W01")["staff"] is None


def test_an_alert_is_raised_on_the_page_and_acknowledged(hall: HallClient, new_page) -> None:
    page = new_page()
    open_console(page, hall)
    expect(page.locator("#alert-empty")).to_have_text("暂无预警")
    expect(page.locator("#alert-rules")).to_have_text("已配置 3 项阈值")
    for _ in range(4):
        hall.issue("A")
    alert = page.locator('#alert-list .alert[data-kind="queue_waiting"]')
    expect(alert).to_contain_text("企业开办（A）等候 4 人，达到预警值 4 人", timeout=20_000)
    expect(page.locator('#queue-rows tr[data-queue="A"]')).to_have_attribute("data-alert", "true")
    expect(queue_cell(page, "A", "waiting")).to_have_class(re.compile(r"\bhot\b"))
    expect(page.locator("#alerts-panel")).to_have_attribute("data-active", "true")
    shot(page, hall.server, "manage-alert")

    alert.locator("button").click()
    expect(page.locator("#confirm-title")).to_have_text("确认预警")
    page.fill("#confirm-note", "已通知 2 号窗口协助")
    page.click("#confirm-ok")
    expect(alert).to_have_attribute("data-acked", "true")
    expect(alert).to_contain_text("已确认 · 张强")
    expect(alert).to_contain_text("已通知 2 号窗口协助")
    expect(page.locator("#alert-count")).to_have_text("0")
    rows = hall.http.get(hall.path("/manage/audit?action=alert_ack"), headers=hall.manager).json()["rows"]
    assert rows[0]["actor"] == "manager:m01" and rows[0]["detail"]["note"] == "已通知 2 号窗口协助"


# -- audit log, devices, reservations ------------------------------------------------------------


def test_the_audit_log_filters_and_exports_a_csv_that_opens(hall: HallClient, new_page, tmp_path) -> None:
    hall.call("W01", expect=204)
    paused = hall.http.post(hall.path("/manage/windows/W01/pause"), json={"reason": "联系 13812345678"}, headers=hall.manager)
    assert paused.status_code == 200
    hall.http.post(hall.path("/windows/W01/resume"), headers=hall.staff("s01"))
    page = new_page()
    open_console(page, hall)
    page.click('[data-nav="audit"]')
    expect(page.locator("#view-audit")).to_be_visible()
    rows = page.locator("#audit-rows tr")
    expect(rows.first).to_contain_text("恢复窗口")
    expect(page.locator('#audit-rows tr[data-action="pause"]')).to_contain_text("原因：联系 138****5678")
    expect(page.locator('#audit-rows tr[data-action="pause"]')).to_contain_text("1号窗口（W01）")

    page.select_option("#audit-staff", "s01")
    page.click("#audit-search")
    expect(page.locator("#audit-rows tr[data-action]")).to_have_count(1)
    expect(rows.first).to_contain_text("王芳（s01）")

    page.fill("#audit-since", "2026-12-02T10:00")
    page.fill("#audit-until", "2026-12-01T10:00")
    page.click("#audit-search")
    expect(page.locator("#audit-error")).to_have_text("开始时间不能晚于结束时间")
    page.click("#audit-reset")
    expect(page.locator("#audit-error")).to_be_hidden()
    page.select_option("#audit-kind", "pause")
    page.click("#audit-search")
    expect(page.locator("#audit-rows tr")).to_have_count(1)
    shot(page, hall.server, "manage-audit")

    with page.expect_download() as waiting:
        page.click("#audit-export")
    download = waiting.value
    assert re.fullmatch(rf"audit-{hall.hall}-\d{{8}}-\d{{4}}\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    assert table[0][0] == "时间 Time" and len(table) == 2
    assert table[1][1:5] == ["manager:m01", "张强", "pause", "window:W01"]
    assert "138****5678" in table[1][5] and "13812345678" not in raw.decode("utf-8")
    expect(page.locator("#notice")).to_have_text("已导出 1 条记录")


def test_the_device_board_shows_health_and_flags_the_silent(hall: HallClient, new_page) -> None:
    report = {
        "components": [
            {"name": "printer", "level": "error", "message_zh": "打印机缺纸", "message_en": "Printer out of paper"},
            {"name": "camera", "level": "ok", "message_zh": "正常", "message_en": "OK"},
        ],
        "app": {"version": "1.4.2", "screen": "home"},
    }
    assert hall.http.post(hall.path("/devices/health"), json=report, headers=hall.kiosk).status_code == 200
    page = new_page()
    open_console(page, hall)
    page.click('[data-nav="devices"]')
    kiosk = page.locator('#device-rows tr[data-device="kiosk-1"]')
    expect(kiosk).to_contain_text("在线")
    expect(kiosk.locator('[data-component="printer"]')).to_have_text("打印机：打印机缺纸")
    expect(kiosk).to_contain_text("故障")
    expect(kiosk).to_contain_text("version 1.4.2")
    expect(page.locator('#device-rows tr[data-device="screen-1"]')).to_have_attribute("data-flagged", "true")
    expect(page.locator('#device-rows tr[data-device="screen-1"]')).to_contain_text("从未上报")
    expect(page.locator('#device-rows tr[data-device="platform"]')).to_contain_text("不上报")
    expect(page.locator("#device-rule")).to_have_text("超过 1分 未上报即标记为失联")
    shot(page, hall.server, "manage-devices")


def book(hall: HallClient, people: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Reservations of today, one a slot from now (the first ones may have begun)."""
    now = dt.datetime.now(SHANGHAI)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    made = []
    for index, (name, id_number) in enumerate(people):
        start = max(now - dt.timedelta(minutes=10) + dt.timedelta(minutes=30 * index), midnight)
        start = min(start, midnight + dt.timedelta(hours=23))  # today's, whatever the hour
        end = min(start + dt.timedelta(minutes=30), midnight + dt.timedelta(hours=23, minutes=59))
        body = {"queue": "AB"[index % 2], "slot_start": start.isoformat(), "slot_end": max(end, now + dt.timedelta(minutes=1)).isoformat(),
                "name": name, "id_number": id_number, "phone": "13800000000", "external_id": f"ext-{index}"}
        response = hall.http.post(hall.path("/reservations"), json=body, headers=hall.platform)
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


def test_the_day_s_reservations(hall: HallClient, new_page) -> None:
    made = book(hall, [("张三", "370102199001011231"), ("王五", "370102198506153011")])
    checked = hall.http.post(hall.path("/reservations/check-in"), json={"code": made[0]["code"]}, headers=hall.kiosk)
    assert checked.status_code == 201
    page = new_page()
    open_console(page, hall)
    page.click('[data-nav="reservations"]')
    expect(page.locator("#res-rows tr")).to_have_count(2)
    first = page.locator(f'#res-rows tr[data-reservation="{made[0]["id"]}"]')
    expect(first).to_contain_text("已签到")
    expect(first).to_contain_text("A001")
    expect(first).to_contain_text("张*")
    expect(first).to_contain_text("3701**********1231")
    expect(page.locator(f'#res-rows tr[data-reservation="{made[1]["id"]}"]')).to_contain_text("待签到")
    expect(page.locator("#res-tally")).to_contain_text("已签到1")
    assert "370102199001011231" not in page.content()
    shot(page, hall.server, "manage-reservations")
    page.fill("#res-day", "")
    page.click("#res-form button[type=submit]")
    expect(page.locator("#res-error")).to_have_text("请选择日期")


def test_english(hall: HallClient, new_page) -> None:
    page = new_page()
    open_console(page, hall)
    keys = page.evaluate("[Object.keys(MANAGE_TEXT.zh).sort(), Object.keys(MANAGE_TEXT.en).sort()]")
    assert keys[0] == keys[1]
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('[data-nav="live"]')).to_have_text("Live hall")
    expect(card(page, "W01")).to_contain_text("Nobody signed in")
    expect(page.locator("#alert-empty")).to_have_text("No alerts")
    page.click("#lang-toggle")
    expect(page.locator('[data-nav="live"]')).to_have_text("实时大厅")


# -- looks ---------------------------------------------------------------------------------------


def busy_show_hall(server: ServerProcess) -> HallClient:
    """The 16-window hall with a working day under way (once per server)."""
    hall = HallClient(server, SHOW_HALL)
    if hall.http.get(hall.path("/queues"), headers=hall.display).json()[0]["issued_today"]:
        return hall
    for queue in "ABCABACABCAABBCAAB":
        hall.issue(queue)
    for index in range(5, 5 + len(CLERKS)):
        staff = f"c{index:02d}"
        hall.call(f"W{index:02d}", staff=staff)
    hall.call("W01", staff="s01")
    hall.call("W03", staff="s02")
    for ticket in hall.http.get(hall.path("/tickets?status=called"), headers=hall.manager).json()[:6]:
        hall.http.post(hall.path(f"/tickets/{ticket['id']}/actions"), json={"action": "start"}, headers=hall.manager)
    hall.http.post(hall.path("/manage/windows/W07/pause"), json={"reason": "设备故障：读卡器"}, headers=hall.manager)
    hall.http.post(hall.path("/windows/W09/pause"), headers=hall.staff("c09"))
    hall.http.put(hall.path("/windows/W12/queues"), json={"queues": ["A", "B"]}, headers=hall.manager)
    hall.http.post(hall.path("/devices/health"), headers=hall.kiosk, json={
        "components": [{"name": "printer", "level": "warning", "message_zh": "打印纸将尽", "message_en": "Paper low"},
                       {"name": "camera", "level": "ok", "message_zh": "正常", "message_en": "OK"},
                       {"name": "sscard", "level": "ok", "message_zh": "正常", "message_en": "OK"}],
        "app": {"version": "1.4.2", "screen": "home"},
    })
    book(hall, [("张三", "370102199001011231"), ("李娜", "370102198506153011"), ("王建国", "37010219480506001X")])
    checked = hall.http.post(hall.path("/reservations/check-in"), json={"id_number": "370102199001011231"}, headers=hall.kiosk)
    assert checked.status_code == 201, checked.text
    return hall


@pytest.mark.parametrize("size", ["1366x768", "1920x1080"])
def test_every_page_looks_right(console_server: ServerProcess, new_page, size: str) -> None:
    width, height = (int(v) for v in size.split("x"))
    hall = busy_show_hall(console_server)
    page = new_page(viewport={"width": width, "height": height})
    log_in(page, hall)
    expect(page.locator(".wcard")).to_have_count(16)
    expect(page.locator('.wcard[data-window="W07"] .wcard-pause')).to_contain_text("设备故障：读卡器")
    expect(page.locator("#alert-list .alert").first).to_be_visible(timeout=20_000)  # four waiting in A
    expect(page.locator("#live-updated")).to_contain_text("数据更新于")
    # Nothing spills: the page never scrolls as a whole at these sizes.
    assert page.evaluate("document.documentElement.scrollHeight") <= height
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, console_server, f"manage-live-{size}")
    for view in ("devices", "audit", "reservations"):
        page.click(f'[data-nav="{view}"]')
        expect(page.locator(f"#view-{view}")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, console_server, f"manage-{view}-{size}")
    page.click('[data-nav="live"]')
    page.locator('.wcard[data-window="W05"]').click()
    expect(page.locator("#window-dialog")).to_be_visible()
    shot(page, console_server, f"manage-window-dialog-{size}")
    page.click("#wd-tidal")
    expect(page.locator("#tidal-effects tr")).to_have_count(3)
    shot(page, console_server, f"manage-tidal-{size}")
    page.click("#tidal-cancel")
    page.click("#lang-toggle")
    expect(page.locator('[data-nav="live"]')).to_have_text("Live hall")
    shot(page, console_server, f"manage-live-en-{size}")
