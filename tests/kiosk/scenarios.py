"""Kiosk scenarios played in a real (offscreen) Kivy window by touching the real widgets.

    python tests/kiosk/scenarios.py NAME --config KIOSK.toml --args ARGS.json --result OUT.json --artifacts DIR

Each scenario asserts what the citizen sees on the way and returns facts (ticket ids, printed
bytes as hex, texts) for the pytest side, which checks them against the server's state. Run by
tests/kiosk/test_kiosk_ui.py, one process per scenario (one Kivy window per process)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.config import load  # noqa: E402
from kiosk.flow import Screen  # noqa: E402
from kiosk.testing import Driver  # noqa: E402

SCENARIOS: dict[str, Callable[[Driver, dict, Shots], dict]] = {}


def scenario(fn: Callable[[Driver, dict, Shots], dict]) -> Callable[[Driver, dict, Shots], dict]:
    SCENARIOS[fn.__name__] = fn
    return fn


class Shots:
    def __init__(self, driver: Driver, directory: Path, tag: str):
        self.driver, self.directory, self.tag = driver, directory, tag
        self.taken: list[str] = []

    def __call__(self, name: str) -> None:
        path = self.directory / f"kiosk-{self.tag}-{name}.png"
        self.driver.screenshot(path)
        self.taken.append(str(path))


def printed(d: Driver) -> list[bytes]:
    return d.controller.devices.printer.jobs


def wait_print(d: Driver, state: str = "printed") -> None:
    d.wait(lambda: d.flow.session.print_state == state and d.controller.pending == 0, 10, f"print {state}")
    d.pump(0.05)


def home(d: Driver) -> None:
    if d.flow.screen is not Screen.HOME:
        d.tap("nav.home") if d.buttons("nav.home") else d.tap("ticket.done")
    d.wait_screen(Screen.HOME)


def take_ticket(d: Driver, queue: str) -> dict:
    """The walk-in path: home → queue → take and print: three touches."""
    d.tap("home.take")
    d.wait_screen(Screen.QUEUES)
    d.tap("queue", queue)
    d.wait_screen(Screen.CONFIRM)
    d.tap("confirm.print")
    d.wait_screen(Screen.TICKET)
    return d.flow.session.ticket


def check_in_by_code(d: Driver, code: str, expect: Screen) -> None:
    """home → 预约签到 → 输入预约码 → the code → 确定."""
    d.tap("home.checkin")
    d.wait_screen(Screen.CHECKIN)
    d.tap("checkin.by_code")
    d.wait_screen(Screen.KEYPAD)
    d.type(code)
    assert code in d.texts()
    d.tap("keypad.ok")
    d.wait_screen(expect)


# -- the flows, asserted end to end ---------------------------------------------------------------

@scenario
def flows(d: Driver, args: dict, shot: Shots) -> dict:
    out: dict[str, Any] = {}
    scanner = d.controller.devices.scanner.device  # hardware.scanner's sim twin
    printer = d.controller.devices.printer

    # 1. Walk-in ticket in three touches; printed slip; the same ticket on screen with its QR.
    jobs_before = len(printed(d))
    ticket = take_ticket(d, "A")
    wait_print(d)
    assert len(printed(d)) == jobs_before + 1
    assert ticket.number in d.texts()
    qr = [w for w in d.root.walk() if type(w).__name__ == "QrImage"]
    assert len(qr) == 1 and qr[0].qr_data.startswith("http"), "ticket QR on screen"
    out["walkin"] = {"id": ticket.id, "number": ticket.number, "screen_qr": qr[0].qr_data,
                     "slip": printed(d)[-1].hex()}
    d.tap("ticket.done")
    d.wait_screen(Screen.HOME)

    # 2. With the exact item chosen.
    d.tap("home.take")
    d.tap("queue", "B")
    d.tap("confirm.choose_item")
    d.wait_screen(Screen.ITEMS)
    item = d.controller.queue_items("B")[0]
    d.tap("item", item.code)
    d.wait_screen(Screen.CONFIRM)
    assert item.name in d.texts()
    d.tap("confirm.print")
    d.wait_screen(Screen.TICKET)
    wait_print(d)
    out["item"] = {"id": d.flow.session.ticket.id, "item_code": item.code, "slip": printed(d)[-1].hex()}
    home(d)

    # 3. Identification ways are shown, greyed with the reason when one cannot work.
    d.tap("home.take")
    d.tap("queue", "A")
    ways = d.buttons("identify")
    out["identify"] = [{"arg": b.arg, "disabled": b.disabled, "text": b.text} for b in ways]
    home(d)

    # 4. Green channel (the demo hall grants it to a kiosk's request).
    d.tap("home.green")
    d.wait_screen(Screen.GREEN)
    d.tap("green.choose")
    d.wait_screen(Screen.QUEUES)
    d.tap("queue", "C")
    d.tap("confirm.print")
    d.wait_screen(Screen.TICKET)
    wait_print(d)
    out["green"] = {"id": d.flow.session.ticket.id, "slip": printed(d)[-1].hex()}
    home(d)

    # 5. Reservation check-in by code (booked for later today: early arrival note).
    check_in_by_code(d, args["early_code"], Screen.TICKET)
    wait_print(d)
    assert d.flow.session.ticket_kind == "checkin"
    assert "您到得早了" in d.texts(), d.texts()
    out["checkin_code"] = {"id": d.flow.session.ticket.id, "slip": printed(d)[-1].hex()}
    home(d)

    # 6. The same code again: "already checked in", same ticket, reprint on request.
    check_in_by_code(d, args["early_code"], Screen.TICKET)
    assert d.flow.session.ticket_kind == "again"
    assert "您已签到" in d.texts()
    jobs = len(printed(d))
    d.tap("ticket.reprint")
    wait_print(d)
    assert len(printed(d)) == jobs + 1
    out["checkin_again"] = {"id": d.flow.session.ticket.id}
    home(d)

    # 7. A reservation of another day.
    check_in_by_code(d, args["other_day_code"], Screen.MESSAGE)
    out["not_today"] = d.texts()
    home(d)

    # 8. An unknown code, then a malformed one (refused on the kiosk, nothing sent).
    check_in_by_code(d, "ZZZZ9999", Screen.MESSAGE)
    out["unknown_code"] = d.texts()
    d.tap("nav.back")
    d.wait_screen(Screen.KEYPAD)
    d.tap("key", "CLEAR")
    d.type("AB1")
    d.tap("keypad.ok")
    assert d.flow.screen is Screen.KEYPAD and d.flow.session.keypad_error == "checkin.code_invalid"
    home(d)

    # 9. By identity number: typed on the keypad, never shown whole.
    d.tap("home.checkin")
    d.tap("checkin.by_id")
    d.type(args["id_number"])
    shown = d.texts()
    assert args["id_number"] not in shown, "identity number shown whole"
    assert args["id_number"][:4] + "**********" + args["id_number"][-4:] in shown
    d.tap("keypad.ok")
    d.wait_screen(Screen.TICKET)
    wait_print(d)
    out["checkin_id"] = {"id": d.flow.session.ticket.id, "texts": d.texts()}
    home(d)

    # 10. By the reservation's QR code on the scanner.
    d.tap("home.checkin")
    d.tap("checkin.by_scan")
    d.wait_screen(Screen.SCAN)
    scanner.present_scan(args["scan_payload"])
    d.wait_screen(Screen.TICKET)
    wait_print(d)
    out["checkin_scan"] = {"id": d.flow.session.ticket.id}
    home(d)

    # 11. Guides: browse by queue, search by common words, by item code, then take a ticket.
    d.tap("home.guide")
    d.wait_screen(Screen.GUIDE_HOME)
    d.tap("guide.queue", "A")
    d.wait_screen(Screen.GUIDE_ITEMS)
    first = d.flow.session.guide_items[0]
    d.tap("guide.item", first.code)
    d.wait_screen(Screen.GUIDE)
    texts = d.texts()
    for heading in ("受理条件", "申请材料", "办理流程", "办结时限", "收费标准", "到现场次数", "办理地点"):
        assert heading in texts, heading
    assert first.guide.materials[0] in texts
    d.tap("nav.back")
    d.tap("nav.back")
    d.wait_screen(Screen.GUIDE_HOME)
    d.tap("guide.search")
    d.wait_screen(Screen.GUIDE_SEARCH)
    d.tap("word", "登记")
    d.tap("word", "不动产")
    count = d.controller.search_count()
    assert count > 0
    d.tap("guide.results")
    d.wait_screen(Screen.GUIDE_ITEMS)
    names = [i.name for i in d.flow.session.guide_items]
    assert names and all("登记" in n and "不动产" in n for n in names), names
    out["search"] = names
    d.tap("nav.home")
    d.tap("home.guide")
    d.tap("guide.code")
    d.type(first.code[:12])
    d.tap("keypad.ok")
    d.wait_screen(Screen.GUIDE_ITEMS)
    assert any(i.code == first.code for i in d.flow.session.guide_items)
    d.tap("guide.item", first.code)
    d.tap("guide.take")
    d.wait_screen(Screen.CONFIRM)
    assert d.flow.session.item.code == first.code
    d.tap("confirm.print")
    d.wait_screen(Screen.TICKET)
    wait_print(d)
    out["guide_take"] = {"id": d.flow.session.ticket.id, "item_code": first.code}
    home(d)

    # 12. Follow a ticket by the QR code of its slip.
    d.tap("home.follow")
    d.wait_screen(Screen.SCAN)
    scanner.present_scan(args["follow_payload"])
    d.wait_screen(Screen.FOLLOW)
    out["follow"] = d.texts()
    home(d)

    # 13. Printer out of paper: the ticket is still issued and shown with its QR; the hall is told.
    printer.set_condition("paper_out")
    d.controller.check_health_now()
    d.wait(lambda: d.controller.printer_problem() is not None, 10, "printer problem noticed")
    d.pump(0.1)
    out["home_with_printer_problem"] = d.texts()
    ticket = take_ticket(d, "K")
    wait_print(d, "failed")
    assert [w for w in d.root.walk() if type(w).__name__ == "QrImage"], "QR on screen without printer"
    out["paper_out"] = {"id": ticket.id, "number": ticket.number, "texts": d.texts(), "jobs": len(printed(d))}
    time.sleep(1.0)  # let the health report go out
    home(d)
    printer.set_condition("ok")
    d.controller.check_health_now()
    d.wait(lambda: d.controller.printer_problem() is None, 10, "printer back")

    # 14. Large text and English, one touch away, on any screen.
    d.tap("home.take")
    d.tap("toggle.large")
    assert d.flow.large
    d.tap("toggle.lang")
    assert d.flow.lang == "en" and "Choose a service" in d.texts()
    sizes = [b.height for b in d.buttons("queue")]
    out["large_queue_button_heights"] = sizes
    d.tap("toggle.lang")
    d.tap("toggle.large")
    home(d)

    # 15. Idleness: input wiped and home; then the notice loop; a touch wakes it.
    d.tap("home.checkin")
    d.tap("checkin.by_code")
    d.type("AB12")
    d.tap("toggle.lang")
    d.flow.idle_s, d.flow.screensaver_s = 1.0, 2.0  # shortened once the citizen has typed
    d.wait(lambda: d.flow.screen is Screen.HOME, 5, "idle return")
    assert d.flow.session.keypad_text == "" and d.flow.lang == "zh"
    d.wait(lambda: d.flow.screen is Screen.SCREENSAVER, 5, "screensaver")
    d.pump(0.1)
    out["screensaver"] = d.texts()
    d.tap("screensaver.wake")
    d.wait_screen(Screen.HOME)
    out["jobs_total"] = len(printed(d))
    return out


# -- every screen, for people to look at -----------------------------------------------------------

@scenario
def tour(d: Driver, args: dict, shot: Shots) -> dict:
    scanner = d.controller.devices.scanner.device
    shot("home")
    d.tap("home.take")
    shot("queues")
    d.tap("queue", "B")
    shot("confirm")
    d.tap("confirm.choose_item")
    shot("items")
    d.tap("item", d.controller.queue_items("B")[1].code)
    d.tap("confirm.print")
    wait_print(d)
    shot("ticket")
    ticket = d.flow.session.ticket
    d.tap("ticket.done")
    d.tap("home.checkin")
    shot("checkin")
    d.tap("checkin.by_code")
    d.type("AB12C")
    shot("keypad-code")
    d.tap("keypad.ok")
    shot("keypad-error")
    d.tap("nav.home")
    d.tap("home.checkin")
    d.tap("checkin.by_id")
    d.type("37010219900101")
    shot("keypad-id")
    d.tap("nav.home")
    check_in_by_code(d, "ZZZZ9999", Screen.MESSAGE)
    shot("message")
    d.tap("nav.home")
    d.tap("home.follow")
    shot("scan")
    scanner.present_scan(d.controller.api.absolute(ticket.phone_url))
    d.wait_screen(Screen.FOLLOW)
    shot("follow")
    d.tap("nav.home")
    d.tap("home.guide")
    shot("guide-home")
    d.tap("guide.search")
    d.tap("word", "登记")
    shot("guide-search")
    d.tap("guide.results")
    shot("guide-items")
    d.tap("guide.item", d.flow.session.guide_items[0].code)
    shot("guide")
    d.tap("nav.home")
    d.tap("home.green")
    shot("green")
    d.tap("nav.home")
    # Screens the server cannot produce today, shown through the flow itself for the pictures:
    # an identification prompt (channels not open yet) and the offline screen.
    d.tap("home.take")
    d.tap("queue", "A")
    d.flow.session.identify_channel = "face"
    d.flow.go(Screen.IDENTIFY)
    d.root.render(force=True)
    shot("identify-face")
    d.flow.open_keypad("nocard_phone")
    d.flow.session.keypad_text = "1380000"
    d.root.render(force=True)
    shot("keypad-phone")
    d.tap("nav.home")
    d.controller.flow.go(Screen.OFFLINE)
    d.root.render(force=True)
    shot("offline")
    d.flow.home()
    d.flow.screensaver_s = 0.5
    d.wait(lambda: d.flow.screen is Screen.SCREENSAVER, 5, "screensaver")
    d.pump(0.1)
    shot("screensaver")
    return {"shots": shot.taken}


@scenario
def closed(d: Driver, args: dict, shot: Shots) -> dict:
    out: dict[str, Any] = {}
    home_texts = d.texts()
    shot("home")
    d.tap("home.take")
    d.wait_screen(Screen.CLOSED)
    out["closed"] = d.texts()
    shot("hours")
    d.tap("home.guide")  # guides keep working outside the hours
    d.wait_screen(Screen.GUIDE_HOME)
    d.tap("guide.queue", "A")
    d.tap("guide.item", "TEST0001")
    d.wait_screen(Screen.GUIDE)
    out["guide"] = d.texts()
    d.tap("nav.home")
    d.tap("home.green")
    d.wait_screen(Screen.GREEN)
    out["green"] = d.texts()
    out["green_buttons"] = len(d.buttons("green.choose"))
    shot("green-identity")
    out["home"] = home_texts
    out["jobs"] = len(d.controller.devices.printer.jobs)
    return out


@scenario
def offline(d: Driver, args: dict, shot: Shots) -> dict:
    """Starts with no server: a clear state, greyed options; the test then starts the server and
    the kiosk reconnects by itself."""
    out: dict[str, Any] = {}
    d.wait(lambda: not d.controller.online and d.controller.next_retry_at is not None, 15, "offline noticed")
    d.pump(0.2)
    out["take_disabled"] = d.button("home.take").disabled
    out["home"] = d.texts()
    shot("home")
    Path(args["marker"]).write_text("offline seen")
    d.wait(lambda: d.controller.online and d.controller.items, 60, "reconnected")
    d.settle()
    out["take_enabled_after"] = not d.button("home.take").disabled
    ticket = take_ticket(d, "A")
    wait_print(d)
    out["ticket"] = {"id": ticket.id, "number": ticket.number}
    return out


@scenario
def camera(d: Driver, args: dict, shot: Shots) -> dict:
    """The slip's QR, as printed (rendered from the printer's bytes), in front of the camera."""
    d.wait(lambda: d.controller.device_health.get("camera") and d.controller.device_health["camera"].level.value == "ok",
           15, "camera frames")
    d.pump(0.2)
    d.tap("home.follow")
    d.wait_screen(Screen.FOLLOW, timeout=20)
    return {"follow": d.texts()}


@scenario
def missing_devices(d: Driver, args: dict, shot: Shots) -> dict:
    d.wait(lambda: "camera" in d.controller.device_health, 10, "camera health")
    d.pump(0.2)
    follow = d.button("home.follow")
    out = {"follow_disabled": follow.disabled, "follow_text": follow.text}
    d.tap("home.checkin")
    scan = d.button("checkin.by_scan")
    out["scan_disabled"] = scan.disabled
    out["scan_text"] = scan.text
    shot("checkin-no-camera")
    d.tap("nav.home")
    ticket = take_ticket(d, "A")
    d.wait(lambda: d.flow.session.print_state == "no_printer", 5, "no printer")
    d.pump(0.1)
    out["ticket"] = {"id": ticket.id, "texts": d.texts()}
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=sorted(SCENARIOS))
    parser.add_argument("--config", required=True)
    parser.add_argument("--args", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--wait-online", default="auto")
    opts = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = json.loads(Path(opts.args).read_text(encoding="utf-8"))
    config = load(opts.config)
    started = time.monotonic()
    driver = Driver(config, wait_online=opts.name != "offline")
    print(f"kiosk ready in {time.monotonic() - started:.2f} s", flush=True)
    tag = args.get("tag", opts.name)
    shots = Shots(driver, Path(opts.artifacts), tag)
    try:
        result = SCENARIOS[opts.name](driver, args, shots)
    finally:
        driver.close()
    print(f"scenario {opts.name} done in {time.monotonic() - started:.2f} s", flush=True)
    Path(opts.result).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
