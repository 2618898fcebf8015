"""The kiosk end to end: real Kivy windows (offscreen SDL) driven by touches on the real widgets,
against a real queue server subprocess with simulated devices. Assertions on the server's state
(HTTP) and on the printed bytes (the simulated printer's ESC/POS stream, rendered to a picture and
its QR code decoded), not only on widgets. Screenshots of every screen land in tests/artifacts/."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pytest

from hardware.camera import decode_qr
from hardware.printer import TicketSlip, build_ticket
from hardware.printer.render import render
from tests.kiosk.helpers import ARTIFACTS, CLOSED_TOKEN, SHANGHAI, Server, free_port, kiosk_toml, run_scenario, valid_id
from tests.support.slots import earlier_today, later_today


def slip_qr(slip_hex: str, save_as: str | None = None) -> str | None:
    picture = render(bytes.fromhex(slip_hex))
    if save_as:
        picture.save(ARTIFACTS / save_as)
    rgb = np.array(picture.image.convert("RGB"))
    return decode_qr(rgb[:, :, ::-1].copy())


def gb(text: str) -> bytes:
    return text.encode("gb18030")


@pytest.fixture(scope="module")
def flows(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("flows")
    now = dt.datetime.now(SHANGHAI)
    early_id = valid_id("37010219800101123")
    early = server.reserve("A", later_today(dt.timedelta(hours=2), now), 30, early_id, "kiosk-early")
    other = server.reserve("B", now + dt.timedelta(days=2), 30, valid_id("37010219750505234"), "kiosk-other-day")
    by_id_number = valid_id("37010219660606345")
    server.reserve("C", earlier_today(dt.timedelta(minutes=5), now), 60, by_id_number, "kiosk-by-id")
    scanned = server.reserve("K", earlier_today(dt.timedelta(minutes=1), now), 30, valid_id("37010219550707456"), "kiosk-scan")
    followed = server.issue("D")
    staff = server.staff_token("s004")
    with server.client(staff) as c:
        assert c.post("/api/v1/halls/demo/windows/W05/sign-in").status_code == 200
        called = c.post("/api/v1/halls/demo/windows/W05/call-next")
        assert called.status_code == 200 and called.json()["id"] == followed["id"]
    args = {
        "tag": "flows",
        "early_code": early["code"],
        "other_day_code": other["code"],
        "id_number": by_id_number,
        "scan_payload": f"https://yuyue.example.cn/checkin?code={scanned['code']}",
        "follow_payload": server.url + followed["phone_url"],
        "followed_number": followed["number"],
    }
    result = run_scenario(tmp, "flows", kiosk_toml(server.url), args)
    result["args"] = args
    result["reservations"] = {"early": early, "other": other, "scanned": scanned}
    return result


def test_walk_in_ticket_is_issued_printed_and_shown(flows: dict, server: Server) -> None:
    walkin = flows["walkin"]
    ticket = server.ticket(walkin["id"])
    assert ticket["status"] == "waiting" and ticket["channel"] == "walkin" and ticket["queue"] == "A"
    assert ticket["number"] == walkin["number"]
    slip = bytes.fromhex(walkin["slip"])
    assert gb(walkin["number"]) in slip or walkin["number"].encode() in slip
    assert gb("企业开办") in slip and gb("演示政务服务大厅") in slip
    # The printed QR and the on-screen QR both lead to this ticket's phone page on the server.
    printed = slip_qr(walkin["slip"], "kiosk-slip-walkin.png")
    assert printed == walkin["screen_qr"] == server.url + ticket["phone_url"]


def test_item_choice_reaches_the_server_and_the_slip(flows: dict, server: Server) -> None:
    ticket = server.ticket(flows["item"]["id"])
    assert ticket["item_code"] == flows["item"]["item_code"] and ticket["queue"] == "B"
    assert gb(ticket["item_name"]) in bytes.fromhex(flows["item"]["slip"])


def test_green_channel_ticket_has_priority(flows: dict, server: Server) -> None:
    ticket = server.ticket(flows["green"]["id"])
    assert ticket["priority"] == "green" and ticket["green"] is True
    assert gb("绿色通道") in bytes.fromhex(flows["green"]["slip"])


def test_identified_ways_follow_the_hall_and_the_devices(flows: dict, server: Server) -> None:
    ways = {w["arg"]: w for w in flows["identify"]}
    assert set(ways) == {"lutong", "card", "idcard", "face", "nocard"}
    with server.client() as c:
        identification = c.get("/api/v1/halls/demo").json().get("identification") or {}
    offered = set(identification.get("methods") or [])
    methods = {"lutong": {"lutong"}, "card": {"sscard"}, "idcard": {"idcard"}, "face": {"face"},
               "nocard": {"id_number", "sms"}}
    assert offered  # the demo hall offers identification; tests/identity plays each way end to end
    for way, button in ways.items():
        if not methods[way] & offered:
            assert button["disabled"] and "本大厅未开通" in button["text"], (way, button["text"])
        elif way == "face":  # this kiosk has no camera
            assert button["disabled"] and "摄像头不可用" in button["text"], button["text"]
        else:
            assert not button["disabled"], (way, button["text"])


def test_reservation_check_in_by_code_is_early_and_again_is_the_same_ticket(flows: dict, server: Server) -> None:
    first = server.ticket(flows["checkin_code"]["id"])
    assert first["channel"] == "reservation" and first["queue"] == "A"
    assert first["reservation_id"] == flows["reservations"]["early"]["id"]
    assert flows["checkin_again"]["id"] == first["id"]
    assert "不是今天" in flows["not_today"]
    assert "没有找到" in flows["unknown_code"]


def test_check_in_by_id_number_and_by_qr(flows: dict, server: Server) -> None:
    by_id = server.ticket(flows["checkin_id"]["id"])
    assert by_id["channel"] == "reservation" and by_id["queue"] == "C"
    assert by_id["priority"] == "reservation"  # the slot has begun: the reservation class applies
    assert flows["args"]["id_number"] not in flows["checkin_id"]["texts"]
    scanned = server.ticket(flows["checkin_scan"]["id"])
    assert scanned["reservation_id"] == flows["reservations"]["scanned"]["id"]


def test_guide_search_and_take_from_guide(flows: dict, server: Server) -> None:
    assert flows["search"]
    ticket = server.ticket(flows["guide_take"]["id"])
    assert ticket["item_code"] == flows["guide_take"]["item_code"]


def test_follow_a_ticket_shows_the_called_window(flows: dict) -> None:
    texts = flows["follow"]
    assert flows["args"]["followed_number"] in texts
    assert "已叫号" in texts and "5号窗口" in texts


def test_printer_failure_still_issues_and_tells_the_hall(flows: dict, server: Server) -> None:
    failed = flows["paper_out"]
    ticket = server.ticket(failed["id"])
    assert ticket["status"] == "waiting"
    assert "号票打印失败" in failed["texts"] and failed["number"] in failed["texts"]
    assert "打印机暂不可用" in flows["home_with_printer_problem"]
    # The health report of that moment reached the server (a later one may say "ok" again).
    deadline = time.monotonic() + 10
    kiosk = None
    while time.monotonic() < deadline:
        kiosk = next(d for d in server.devices() if d["id"] == "kiosk-1")
        if kiosk["report"]:
            break
        time.sleep(0.5)
    assert kiosk and kiosk["status"] == "reporting"
    names = {c["name"] for c in kiosk["report"]["components"]}
    assert {"printer", "scanner", "card_reader", "idcard_reader"} <= names


def test_large_text_makes_targets_bigger(flows: dict) -> None:
    assert flows["large_queue_button_heights"] and min(flows["large_queue_button_heights"]) >= 200


def test_idle_wipes_and_screensaver(flows: dict) -> None:
    assert "请触摸屏幕开始" in flows["screensaver"]


@pytest.mark.parametrize("orientation,large,lang", [
    ("portrait", False, "zh"), ("portrait", True, "zh"), ("landscape", False, "zh"), ("landscape", True, "zh"),
    ("portrait", False, "en"),
])
def test_screenshots_of_every_screen(server: Server, tmp_path: Path, orientation: str, large: bool, lang: str) -> None:
    tag = f"{orientation}-{'large' if large else 'normal'}" + ("-en" if lang == "en" else "")
    result = run_scenario(tmp_path, "tour", kiosk_toml(server.url, orientation=orientation, large=large, language=lang),
                          {"tag": tag})
    assert len(result["shots"]) >= 20
    for path in result["shots"]:
        assert Path(path).stat().st_size > 10_000, path


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_closed_hall_shows_hours_but_guides_work(server: Server, tmp_path: Path, orientation: str) -> None:
    result = run_scenario(tmp_path, "closed", kiosk_toml(server.url, hall="closed-hall", token=CLOSED_TOKEN,
                                                         orientation=orientation),
                          {"tag": f"{orientation}-closed"})
    assert "现在是非服务时间" in result["closed"] and "下次开放" in result["closed"]
    assert "今日服务时间" in result["closed"]
    assert "居住证明开具" in result["guide"] and "申请材料" in result["guide"]
    assert "工作人员" in result["green"] and result["green_buttons"] == 0
    assert result["jobs"] == 0
    with server.client(CLOSED_TOKEN) as c:
        assert c.get("/api/v1/halls/closed-hall/queues").json()[0]["issued_today"] == 0


def test_unreachable_server_then_reconnects(tmp_path: Path) -> None:
    port = free_port()
    marker = tmp_path / "offline-seen"
    proc = run_scenario(tmp_path, "offline", kiosk_toml(f"http://127.0.0.1:{port}"), {"marker": str(marker),
                                                                                       "tag": "offline"},
                        background=True)
    server = None
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, (tmp_path / "scenario-offline.log").read_text()[-4000:]
            assert time.monotonic() < deadline, "the kiosk never showed the offline state"
            time.sleep(0.2)
        server = Server(tmp_path, port).start()
        assert proc.wait(120) == 0, (tmp_path / "scenario-offline.log").read_text()[-4000:]
    finally:
        if proc.poll() is None:
            proc.kill()
        if server:
            result = __import__("json").loads((tmp_path / "result-offline.json").read_text()) \
                if (tmp_path / "result-offline.json").exists() else None
            ticket = server.ticket(result["ticket"]["id"]) if result else None
            server.stop()
    assert result["take_disabled"] is True
    assert "网络连接中断" in result["home"]
    assert result["take_enabled_after"] is True
    assert ticket["status"] == "waiting"


def test_slip_qr_in_front_of_the_camera(server: Server, tmp_path: Path) -> None:
    ticket = server.issue("K")
    slip = TicketSlip.from_ticket_json(ticket, hall_name="演示政务服务大厅", queue_name=ticket["queue_name"],
                                       windows_text="请留意叫号", server_base_url=server.url + "/")
    picture = render(build_ticket(slip))
    image = tmp_path / "slip.png"
    picture.save(image)
    result = run_scenario(tmp_path, "camera", kiosk_toml(server.url, devices={"printer": "sim", "camera": f"sim:{image}"}),
                          {"tag": "camera"})
    assert ticket["number"] in result["follow"] and "等候中" in result["follow"]


def test_missing_devices_are_greyed_with_reasons(server: Server, tmp_path: Path) -> None:
    result = run_scenario(tmp_path, "missing_devices",
                          kiosk_toml(server.url, devices={"camera": f"sim:{tmp_path}/no-such-camera.png"}),
                          {"tag": "missing"})
    assert result["follow_disabled"] and "摄像头不可用" in result["follow_text"]
    assert result["scan_disabled"] and "摄像头不可用" in result["scan_text"]
    assert "本机没有打印机" in result["ticket"]["texts"]
    assert server.ticket(result["ticket"]["id"])["status"] == "waiting"
