"""The web hall screen (综合屏) and window screen (窗口屏) in headless Chromium against a real
server: calls, recalls, pauses and window states, paging of 100 windows, staff name and 工号, the
"connection lost" mark and recovery after a server restart without reloading the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.queue_server.browser import running_server, screenshot
from tests.support.api import HallClient
from tests.support.halls import hall_toml, token_for
from tests.support.servers import ServerProcess

FULL_HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
WINDOW_SCREEN = {"width": 1280, "height": 400}


def write_halls(path: Path) -> Path:
    notice = 'notice = "请携带本人有效身份证件办理业务；中午不休息，周六上午正常办公。"'
    text = hall_toml("scr", extra=notice, name="济南市政务服务中心") + hall_toml("big", windows=100, name="历下区便民服务中心")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("screens")
    with running_server(root, config=write_halls(root / "halls.toml")) as process:
        yield process


def hall_url(server: ServerProcess, hall: str, extra: str = "") -> str:
    return f"{server.url}/screen/hall?hall={hall}&token={token_for(hall, 'screen-1')}{extra}"


def window_url(server: ServerProcess, hall: str, window: str) -> str:
    return f"{server.url}/screen/window/{window}?hall={hall}&token={token_for(hall, 'screen-1')}"


def card(page: Page, window: str):
    return page.locator(f'.wcard[data-window="{window}"]')


def test_hall_screen_shows_calls_recalls_pauses_and_window_states(server: ServerProcess, new_page) -> None:
    hall = HallClient(server, "scr")
    page = new_page(viewport=FULL_HD)
    page.goto(hall_url(server, "scr", "&highlight_s=2"))
    expect(page.locator("#hall-name")).to_have_text("济南市政务服务中心")
    expect(card(page, "W01")).to_have_attribute("data-state", "closed")
    expect(page.locator("#notice")).to_contain_text("请携带本人有效身份证件")
    expect(page.locator("#clock-date")).to_contain_text("星期")

    tickets = [hall.issue("A") for _ in range(3)] + [hall.issue("B"), hall.issue("C")]
    expect(page.locator('.qchip[data-queue="A"] b')).to_have_text("3")
    expect(page.locator('.qchip[data-queue="B"] b')).to_have_text("1")

    called = hall.call("W01", expect=200).json()
    assert called["number"] == "A001"
    expect(page.locator("#now-number")).to_have_text("A001")
    expect(page.locator("#now")).to_have_attribute("data-state", "flash")
    expect(page.locator("#now-window")).to_contain_text("1号窗口")
    expect(card(page, "W01")).to_have_attribute("data-state", "called")
    expect(card(page, "W01").locator(".wcard-number")).to_have_text("A001")
    expect(page.locator('.qchip[data-queue="A"] b')).to_have_text("2")
    screenshot(page, "web-hall-1920x1080-call")

    # Another window calls, then the first recalls: highlighted again, marked as a recall.
    at_w03 = hall.call("W03", staff="s02", expect=200).json()
    # Each new call keeps the screen for a few seconds before the next one.
    expect(page.locator("#now-number")).to_have_text("C001", timeout=15_000)
    hall.act(called["id"], "recall")
    expect(page.locator("#now.recall #now-number")).to_have_text("A001", timeout=15_000)
    expect(page.locator("#recent")).to_contain_text("C001")

    # Serving, paused (with its number kept) and closed windows.
    hall.act(called["id"], "start")
    expect(card(page, "W01")).to_have_attribute("data-state", "serving")
    at_w02 = hall.call("W02", expect=200).json()
    pause = hall.http.post(hall.path("/windows/W02/pause"), headers=hall.staff())
    assert pause.status_code == 200, pause.text
    expect(card(page, "W02")).to_have_attribute("data-state", "paused")
    expect(card(page, "W02").locator(".wcard-state")).to_contain_text("暂停服务")
    expect(card(page, "W04")).to_have_attribute("data-state", "closed")
    expect(card(page, "W04").locator(".wcard-state")).to_contain_text("未开放")
    # The highlight ends by itself after a few seconds.
    expect(page.locator("#now")).to_have_attribute("data-state", "shown", timeout=30_000)
    screenshot(page, "web-hall-1920x1080")

    # s01 moved to W02, so W01 is closed now; a finished ticket leaves its window.
    expect(card(page, "W01")).to_have_attribute("data-state", "closed")
    hall.act(at_w03["id"], "finish", staff="s02")
    expect(card(page, "W03")).to_have_attribute("data-state", "idle")
    assert tickets[0]["id"] == called["id"]

    big = new_page(viewport=UHD)
    big.goto(hall_url(server, "scr"))
    expect(card(big, "W02")).to_have_attribute("data-state", "paused")
    expect(big.locator("#now-number")).to_have_text(at_w02["number"])
    screenshot(big, "web-hall-3840x2160")
    hall.close()


def test_hall_screen_pages_through_100_windows(server: ServerProcess, new_page) -> None:
    hall = HallClient(server, "big")
    for _ in range(6):
        hall.issue("A")
    hall.issue("C")
    # One person works at one window at a time: s01 at W01, s02 at W03, the manager at W17.
    for window, staff in (("W01", "s01"), ("W03", "s02"), ("W17", "m01")):
        hall.call(window, staff=staff, expect=200)
    page = new_page(viewport=FULL_HD)
    page.goto(hall_url(server, "big", "&page_s=3&highlight_s=2"))
    expect(page.locator("#window-page")).to_have_text("1 / 7")
    expect(page.locator(".wcard")).to_have_count(16)
    expect(card(page, "W01")).to_have_attribute("data-state", "called")
    expect(card(page, "W03")).to_have_attribute("data-state", "called")
    # Text stays readable: a window card's number is never tiny on a full HD screen.
    size = page.locator('.wcard[data-window="W01"] .wcard-number').evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 40, size
    screenshot(page, "web-hall-1920x1080-100-windows-page1")
    expect(page.locator("#window-page")).to_have_text("2 / 7", timeout=15_000)
    expect(card(page, "W17")).to_have_attribute("data-state", "called")
    # A new call brings its window's page to the screen.
    hall.issue("A")
    hall.call("W98", staff="m01", expect=200)
    expect(page.locator("#window-page")).to_have_text("7 / 7", timeout=15_000)
    expect(card(page, "W98")).to_have_class("wcard flash")
    expect(card(page, "W100")).to_have_attribute("data-state", "closed")
    screenshot(page, "web-hall-1920x1080-100-windows-page7")
    hall.close()


def test_window_screen_shows_staff_number_pause_and_closed(server: ServerProcess, new_page) -> None:
    hall = HallClient(server, "scr")
    hall.issue("C")
    page = new_page(viewport=WINDOW_SCREEN)
    page.goto(window_url(server, "scr", "W03"))
    expect(page.locator("#ws-name")).to_have_text("3号窗口")
    # W03 was signed in by the first test's call (李明, s02); its number is being called.
    response = hall.call("W03", staff="s02")
    if response.status_code == 409:  # still busy from the earlier test: finish it first
        current = hall.http.get(hall.path("/windows/W03"), headers=hall.display).json()["current_ticket"]
        hall.act(current["id"], "finish", staff="s02")
        response = hall.call("W03", staff="s02")
    assert response.status_code == 200, response.text
    number = response.json()["number"]
    expect(page.locator("#ws-staff")).to_contain_text("李明")
    expect(page.locator("#ws-staff")).to_contain_text("工号 s02")
    expect(page.locator("#ws-number")).to_have_text(number)
    expect(page.locator("body")).to_have_class("window-screen flash")
    expect(page.locator("#ws-label")).to_contain_text("请到本窗口")
    screenshot(page, "web-window-1280x400-called")

    hall.http.post(hall.path("/windows/W03/pause"), headers=hall.staff("s02")).raise_for_status()
    expect(page.locator("#ws-number")).to_have_text("暂停服务")
    expect(page.locator("body")).to_have_attribute("data-state", "paused")
    screenshot(page, "web-window-1280x400-paused")
    hall.http.post(hall.path("/windows/W03/resume"), headers=hall.staff("s02")).raise_for_status()
    expect(page.locator("#ws-number")).to_have_text(number)

    closed = new_page(viewport=WINDOW_SCREEN)
    closed.goto(window_url(server, "scr", "W04"))
    expect(closed.locator("#ws-number")).to_have_text("暂未开放")
    expect(closed.locator("#ws-name")).to_have_text("4号窗口")
    screenshot(closed, "web-window-1280x400-closed")
    hall.close()


def test_a_wrong_token_is_shown_on_screen(server: ServerProcess, new_page) -> None:
    page = new_page(viewport=FULL_HD)
    page.goto(f"{server.url}/screen/hall?hall=scr&token=wrong")
    expect(page.locator("#conn")).to_contain_text("令牌无效")


def test_screens_recover_after_a_server_restart(tmp_path: Path, new_page) -> None:
    root = tmp_path / "restart"
    with running_server(root, config=write_halls(root.mkdir() or root / "halls.toml")) as process:
        hall = HallClient(process, "scr")
        hall.issue("A")
        hall.issue("A")
        first = hall.call("W01", expect=200).json()
        screen = new_page(viewport=FULL_HD)
        screen.goto(hall_url(process, "scr"))
        window = new_page(viewport=WINDOW_SCREEN)
        window.goto(window_url(process, "scr", "W01"))
        expect(screen.locator("#now-number")).to_have_text(first["number"])
        expect(window.locator("#ws-number")).to_have_text(first["number"])

        process.kill()
        expect(screen.locator("#conn")).to_be_visible()
        expect(screen.locator("#conn")).to_contain_text("连接中断")
        expect(window.locator("#conn")).to_contain_text("连接中断")
        screenshot(screen, "web-hall-1920x1080-lost")
        screenshot(window, "web-window-1280x400-lost")

        process.start()  # same port, same data
        expect(screen.locator("#conn")).to_be_hidden(timeout=30_000)
        expect(window.locator("#conn")).to_be_hidden(timeout=30_000)
        hall.http.close()
        hall = HallClient(process, "scr")  # staff tokens outlive the restart, connections do not
        hall.act(first["id"], "finish")
        second = hall.call("W01", expect=200).json()
        expect(screen.locator("#now-number")).to_have_text(second["number"])
        expect(window.locator("#ws-number")).to_have_text(second["number"])
        hall.close()


SPEECH_RECORDER = """
window.__spoken = [];
window.speechSynthesis.speak = (utterance) => window.__spoken.push([utterance.text, utterance.lang]);
"""


def test_voice_is_off_by_default_and_speaks_chinese_when_asked(server: ServerProcess, new_page) -> None:
    hall = HallClient(server, "big")
    silent = new_page(viewport=FULL_HD)
    silent.add_init_script(SPEECH_RECORDER)
    silent.goto(hall_url(server, "big", "&highlight_s=2"))
    speaking = new_page(viewport=WINDOW_SCREEN)
    speaking.add_init_script(SPEECH_RECORDER)
    speaking.goto(window_url(server, "big", "W98") + "&voice=1")
    expect(speaking.locator("#ws-name")).to_have_text("98号窗口")
    expect(silent.locator("#hall-name")).to_have_text("历下区便民服务中心")
    current = hall.http.get(hall.path("/windows/W98"), headers=hall.display).json()["current_ticket"]
    if current:  # left by the paging test
        hall.act(current["id"], "finish", staff="m01")
    hall.issue("A")
    called = hall.call("W98", staff="m01", expect=200).json()
    expect(speaking.locator("#ws-number")).to_have_text(called["number"])
    expect(silent.locator("#now-number")).to_have_text(called["number"], timeout=15_000)
    digits = " ".join("零一二三四五六七八九"[int(c)] if c.isdigit() else c for c in called["number"])
    assert speaking.evaluate("window.__spoken") == [[f"请 {digits} 号，到 98号窗口 办理", "zh-CN"]]
    assert silent.evaluate("window.__spoken") == []
    hall.close()
