"""The Kivy screens (offscreen, each in its own process) fed by a real server: calls, recalls,
pauses, staff signing in, screenshots at every supported size."""

from __future__ import annotations

from display_support import STAFF_NAMES, png_size, unpainted_pixels

HIGHLIGHT_LONG = {"highlight_seconds": 600, "page_seconds": 600}


def test_hall_screen_shows_calls_recalls_and_window_states(server, hall, displays):
    screen = displays(server, "hall", 1920, 1080, **HIGHLIGHT_LONG)
    state = screen.wait_for(lambda s: s["hall_name"] == "测试市政务服务中心" and s["connected"], "the hall")
    assert [w["state"] for w in state["windows"]] == ["暂停办理"] * 8  # nobody signed in yet
    assert state["call"]["number"] == "" and state["call"]["where"] == "暂无呼叫"
    assert state["notice"].startswith("请携带身份证原件")

    first = hall.issue("A")
    second = hall.issue("A")
    hall.issue("B")
    # Each ticket is its own event: wait for the last one (a frame may show the state in between).
    screen.wait_for(lambda s: {"A 企业开办 2人", "B 不动产登记 1人"} <= set(s["queues"]), "two waiting in A, one in B")

    hall.sign_in("s001", "W01")
    called = hall.call_next("s001", "W01")
    assert called["number"] == first["number"]
    state = screen.wait_for(
        lambda s: s["call"]["number"] == first["number"] and "A 企业开办 1人" in s["queues"], "the call and the queue count"
    )
    assert state["call"]["where"] == "请到 1号窗口 办理"
    assert state["call"]["highlighted"] is True
    assert state["windows"][0] == {"name": "1号窗口", "number": first["number"], "state": "呼叫中"}
    screen.screenshot("display-hall-1920x1080-call.png")

    # The citizen arrives; the window then finishes and calls the next one.
    hall.act(called["id"], "start", staff="s001")
    screen.wait_for(lambda s: s["windows"][0]["state"] == "办理中", "serving")
    hall.act(called["id"], "finish", staff="s001")
    screen.wait_for(lambda s: s["windows"][0] == {"name": "1号窗口", "number": "", "state": "空闲"}, "idle")
    nxt = hall.call_next("s001", "W01")
    state = screen.wait_for(lambda s: s["call"]["number"] == second["number"], "the next call")
    assert state["recent"][0] == first["number"]  # the previous call moved to the recent list

    # Another window calls; then W01 recalls: its number is the big one again, marked as a recall.
    hall.sign_in("s002", "W02")
    other = hall.call_next("s002", "W02")
    screen.wait_for(lambda s: s["call"]["number"] == other["number"], "W02's call")
    hall.act(nxt["id"], "recall", staff="s001")
    state = screen.wait_for(
        lambda s: s["call"]["number"] == second["number"] and s["call"]["heading"].startswith("再次呼叫"), "the recall"
    )
    assert state["call"]["where"] == "请到 1号窗口 办理"
    assert state["recent"][0] == other["number"]

    hall.pause("s002", "W02")
    state = screen.wait_for(lambda s: s["windows"][1]["state"] == "暂停服务", "W02 paused")
    assert state["windows"][1]["number"] == other["number"]  # a paused window keeps its ticket
    screen.screenshot("display-hall-1920x1080.png")
    hall.resume("s002", "W02")
    screen.wait_for(lambda s: s["windows"][1]["state"] == "呼叫中", "W02 resumed")


def test_hall_screen_highlight_ends_and_a_recall_highlights_again(server, hall, displays):
    screen = displays(server, "hall", 1280, 720, highlight_seconds=1.5, page_seconds=600)
    ticket = hall.issue("C")
    hall.sign_in("s003", "W03")
    called = hall.call_next("s003", "W03")
    screen.wait_for(lambda s: s["call"]["number"] == ticket["number"] and s["call"]["highlighted"], "highlighted")
    state = screen.wait_for(lambda s: not s["call"]["highlighted"], "the highlight over")
    assert state["call"]["number"] == ticket["number"]  # still shown, no longer flashing
    hall.act(called["id"], "recall", staff="s003")
    state = screen.wait_for(lambda s: s["call"]["highlighted"], "the recall highlighted")
    assert state["call"]["heading"].startswith("再次呼叫") and state["call"]["number"] == ticket["number"]
    path = screen.screenshot("display-hall-1280x720.png")
    assert unpainted_pixels(path) == 0


def test_hall_screen_4k(server, hall, displays):
    screen = displays(server, "hall", 3840, 2160, **HIGHLIGHT_LONG)
    for q in "ABCDK":
        hall.issue(q)
    hall.sign_in("s001", "W01")
    called = hall.call_next("s001", "W01")
    state = screen.wait_for(lambda s: s["call"]["number"] == called["number"], "the call")
    assert state["hall_name"] == "测试市政务服务中心"
    path = screen.screenshot("display-hall-3840x2160.png")
    assert png_size(path) == (3840, 2160)
    assert unpainted_pixels(path) == 0


def test_window_screen_shows_staff_number_and_states(server, hall, displays):
    screen = displays(server, "window", 1280, 400, window="W04", **HIGHLIGHT_LONG)
    state = screen.wait_for(lambda s: s["name"] == "4号窗口" and s["connected"], "the window")
    assert state["state"] == "暂停办理" and state["number"] == "暂停办理" and state["staff_name"] == "—"
    screen.screenshot("display-window-1280x400-closed.png")

    hall.sign_in("s004", "W04")
    state = screen.wait_for(lambda s: s["staff_name"].endswith(STAFF_NAMES[3]), "the staff member")
    assert state["staff_id"] == "工号  s004"
    assert state["state"] == "空闲"

    ticket = hall.issue("D")
    called = hall.call_next("s004", "W04")
    assert called["number"] == ticket["number"]
    state = screen.wait_for(lambda s: s["number"] == ticket["number"], "the called number")
    assert state["state"] == "呼叫中" and state["highlighted"] is True
    assert state["headline"] == "请" and state["footline"] == "号到本窗口办理"
    path = screen.screenshot("display-window-1280x400.png")
    assert png_size(path) == (1280, 400)

    hall.act(called["id"], "start", staff="s004")
    state = screen.wait_for(lambda s: s["state"] == "办理中", "serving")
    assert state["number"] == ticket["number"]

    hall.pause("s004", "W04")
    state = screen.wait_for(lambda s: s["state"] == "暂停服务", "paused")
    assert state["number"] == "暂停服务" and ticket["number"] in state["footline"]
    screen.screenshot("display-window-1280x400-paused.png")

    # Another window's calls do not show here.
    hall.sign_in("s005", "W05")
    hall.issue("A")
    hall.call_next("s005", "W05")
    hall.resume("s004", "W04")
    state = screen.wait_for(lambda s: s["state"] == "办理中", "resumed")
    assert state["number"] == ticket["number"]

    # Staff leaving closes the window screen; another person signing in shows their name and 工号.
    hall.sign_out("s004", "W04")
    screen.wait_for(lambda s: s["state"] == "暂停办理" and s["staff_name"] == "—", "closed")
    hall.sign_in("s006", "W04")
    state = screen.wait_for(lambda s: s["staff_id"] == "工号  s006", "the new staff member")
    assert state["staff_name"].endswith(STAFF_NAMES[5])


def test_window_screen_small_portrait_and_unknown_window(server, hall, displays):
    screen = displays(server, "window", 1024, 300, window="W08", **HIGHLIGHT_LONG)
    hall.sign_in("s001", "W08")
    ticket = hall.issue("K")
    hall.call_next("s001", "W08")
    state = screen.wait_for(lambda s: s["number"] == ticket["number"], "the call on a comprehensive window")
    assert state["name"] == "8号综合窗口"
    screen.screenshot("display-window-1024x300.png")
    missing = displays(server, "window", 1280, 400, window="W99", **HIGHLIGHT_LONG)
    state = missing.wait_for(lambda s: s["connected"] and "W99" in s["number"], "the unknown window message")
    assert state["number"] == "未找到窗口 W99"
