"""The citizen's phone page (/t/{id}?k=…) in headless Chromium on a 360×640 screen against a
real server: position and estimate, the "前面还有3人" warning, the called banner with vibration
and a notification, the English toggle, the invalid-link page, and recovery after a server
restart without reloading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.queue_server.browser import running_server, screenshot
from tests.support.api import HallClient
from tests.support.servers import ServerProcess

PHONE = {"width": 360, "height": 640}

# Records vibrations and notifications (headless Chromium has neither a motor nor a tray).
ALERT_RECORDER = """
window.__alerts = [];
navigator.vibrate = (pattern) => { window.__alerts.push(["vibrate", pattern]); return true; };
class RecordedNotification {
  constructor(title, options) { window.__alerts.push(["notification", title, (options || {}).body]); }
  static requestPermission() { RecordedNotification.permission = "granted"; return Promise.resolve("granted"); }
}
RecordedNotification.permission = "default";
window.Notification = RecordedNotification;
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("phone"), halls=["ph1", "ph2"]) as process:
        yield process


def phone_page(new_page, url: str) -> Page:
    page = new_page(viewport=PHONE)
    page.add_init_script(ALERT_RECORDER)
    page.goto(url)
    return page


def alerts(page: Page, kind: str) -> list:
    return [a for a in page.evaluate("window.__alerts") if a[0] == kind]


def test_phone_page_follows_a_ticket_until_it_is_called(server: ServerProcess, new_page) -> None:
    hall = HallClient(server, "ph1")
    ahead = [hall.issue("C") for _ in range(4)]
    mine = hall.issue("C")
    assert mine["phone_url"].startswith("/t/") and "?k=" in mine["phone_url"]
    page = phone_page(new_page, server.url + mine["phone_url"])
    expect(page.locator("#number")).to_have_text(mine["number"])
    expect(page.locator("#s-main")).to_have_text("前面还有 4 人")
    expect(page.locator("#s-sub")).to_contain_text("预计等待约")
    expect(page.locator("#hall-name")).to_contain_text("测试政务服务中心")
    expect(page.locator("#conn")).to_have_text("实时更新中")
    expect(page.locator("#soon")).to_be_hidden()
    screenshot(page, "phone-360x640-waiting")

    # Alerts are asked for on a tap.
    page.locator("#notify-btn").click()
    expect(page.locator("#notify-hint")).to_have_text("叫号提醒已开启")

    first = hall.call("W03", staff="s02", expect=200).json()
    assert first["id"] == ahead[0]["id"]
    expect(page.locator("#soon-title")).to_have_text("前面还有3人")
    expect(page.locator("#s-main")).to_have_text("前面还有 3 人")
    assert alerts(page, "vibrate"), "a short vibration when 3 are ahead"
    screenshot(page, "phone-360x640-three-ahead")

    page.locator("#lang").click()
    expect(page.locator("#s-main")).to_have_text("3 people ahead of you")
    expect(page.locator("#soon-title")).to_have_text("3 ahead of you")
    screenshot(page, "phone-360x640-english")
    page.locator("#lang").click()
    expect(page.locator("#s-main")).to_have_text("前面还有 3 人")

    for ticket in ahead:
        hall.act(ticket["id"], "finish", staff="s02")
        called = hall.call("W03", staff="s02", expect=200).json()
        if called["id"] == mine["id"]:
            break
    assert called["id"] == mine["id"]
    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    expect(page.locator("#b-window")).to_have_text("3号窗口")
    expect(page.locator("#b-number")).to_have_text(mine["number"])
    notifications = alerts(page, "notification")
    assert any("3号窗口" in (n[2] or "") for n in notifications), notifications
    assert len(alerts(page, "vibrate")) >= 2
    screenshot(page, "phone-360x640-called")
    page.locator("#b-ok").click()
    expect(banner).to_be_hidden()
    expect(page.locator("#s-main")).to_have_text("请到 3号窗口 办理")

    hall.act(mine["id"], "start", staff="s02")
    expect(page.locator("#s-main")).to_have_text("正在 3号窗口 办理")
    hall.act(mine["id"], "finish", staff="s02")
    expect(page.locator("#s-main")).to_have_text("办理完成，感谢您的耐心等待")
    screenshot(page, "phone-360x640-done")
    hall.close()


def test_a_wrong_secret_shows_a_clear_page(server: ServerProcess, new_page) -> None:
    hall = HallClient(server, "ph2")
    ticket = hall.issue("A")
    for url in (f"/t/{ticket['id']}?k=wrong", f"/t/{ticket['id']}", "/t/no-such-ticket?k=abc"):
        response = httpx.get(server.url + url)
        assert response.status_code == 404
        assert "号票不存在或链接无效" in response.text
    page = new_page(viewport=PHONE)
    page.goto(f"{server.url}/t/{ticket['id']}?k=wrong")
    expect(page.locator("h1")).to_have_text("号票不存在或链接无效")
    screenshot(page, "phone-360x640-invalid")
    hall.close()


def test_phone_page_recovers_after_a_server_restart(tmp_path: Path, new_page) -> None:
    with running_server(tmp_path / "restart", halls=["ph3"]) as process:
        hall = HallClient(process, "ph3")
        hall.issue("C")
        mine = hall.issue("C")
        page = phone_page(new_page, process.url + mine["phone_url"])
        expect(page.locator("#s-main")).to_have_text("前面还有 1 人")

        process.kill()
        expect(page.locator("#conn")).to_have_text("连接中断，正在重连…")
        screenshot(page, "phone-360x640-lost")
        process.start()
        expect(page.locator("#conn")).to_have_text("实时更新中", timeout=30_000)
        hall.http.close()
        hall = HallClient(process, "ph3")
        hall.call("W03", staff="s02", expect=200)
        expect(page.locator("#s-main")).to_have_text("下一位就是您")
        hall.act(_current(hall, "W03"), "finish", staff="s02")
        assert hall.call("W03", staff="s02", expect=200).json()["id"] == mine["id"]
        expect(page.locator("#banner")).to_be_visible()
        expect(page.locator("#b-window")).to_have_text("3号窗口")
        hall.close()


def _current(hall: HallClient, window: str) -> str:
    return hall.http.get(hall.path(f"/windows/{window}"), headers=hall.display).json()["current_ticket"]["id"]
