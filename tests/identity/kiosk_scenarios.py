"""Identification scenarios played in a real (offscreen) Kivy kiosk window against a real server,
with simulated devices: each channel from the citizen's first touch to the ticket, and each
refusal. Run by tests/identity/test_kiosk_identity.py, one process per scenario, through the
runner of tests/kiosk/scenarios.py:

    python tests/identity/kiosk_scenarios.py NAME --config KIOSK.toml --args ARGS.json --result OUT.json --artifacts DIR
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from hardware.cards.idcard_sim import sample_identity  # noqa: E402
from hardware.cards.sscard_sim import sample_card  # noqa: E402
from kiosk.flow import Screen  # noqa: E402
from kiosk.testing import Driver  # noqa: E402
from tests.kiosk.scenarios import Shots, home, main, printed, scenario, wait_print  # noqa: E402


def to_confirm(d: Driver, queue: str) -> None:
    home(d)
    d.tap("home.take")
    d.wait_screen(Screen.QUEUES)
    d.tap("queue", queue)
    d.wait_screen(Screen.CONFIRM)


def outcome(d: Driver, timeout: float = 20.0) -> Screen:
    """Waits until identification ended on a ticket, a message or the reservations screen."""
    ends = (Screen.TICKET, Screen.MESSAGE, Screen.IDENTIFIED)
    d.wait(lambda: d.flow.screen in ends and d.controller.pending == 0 and not d.flow.busy, timeout,
           "identification outcome")
    d.pump(0.05)
    return d.flow.screen


def ticket_facts(d: Driver) -> dict:
    wait_print(d)
    s = d.flow.session
    return {"id": s.ticket.id, "number": s.ticket.number, "kind": s.ticket_kind, "texts": d.texts(),
            "slip": printed(d)[-1].hex()}


def refusal(d: Driver, shot: Shots | None = None, name: str = "") -> str:
    assert outcome(d) is Screen.MESSAGE, d.flow.screen
    text = d.texts()
    if shot is not None:
        shot(name)
    return text


def id_card(number: str, name: str) -> Any:
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return dataclasses.replace(sample_identity(), id_number=number, name=name, birth_date=birth)


def platform(args: dict, path: str, mode: Any) -> None:
    httpx.post(args["platform"] + "/control/mode", json={"path": path, "mode": mode}, timeout=5).raise_for_status()


def sms_code(args: dict, phone: str) -> str:
    text = httpx.get(f"{args['platform']}/control/sms/{phone}", timeout=5).json()["text"]
    return re.search(r"\d{6}", text).group(0)


def lutong(d: Driver, code: str) -> Screen:
    d.tap("identify", "lutong")
    d.wait_screen(Screen.SCAN)
    d.controller.devices.scanner.device.present_scan(code)
    return outcome(d)


@scenario
def identify_all(d: Driver, args: dict, shot: Shots) -> dict:
    out: dict[str, Any] = {}
    people = args["people"]
    cards = d.controller.devices
    idreader, ssreader = cards.idcard_reader, cards.card_reader

    # Every way is open in this hall; 户政 (C) needs an identity: walk-in is not offered there.
    d.wait(lambda: getattr(d.controller.device_health.get("camera"), "level", None) is not None
           and d.controller.device_health["camera"].level.value == "ok", 20, "camera up")
    to_confirm(d, "C")
    out["c_walkin_buttons"] = len(d.buttons("confirm.print"))
    out["c_texts"] = d.texts()
    out["ways"] = {b.arg: b.disabled for b in d.buttons("identify")}
    shot("confirm-identify-first")

    # 1. 鲁通码: a good code gives a ticket; the same code again, an expired or a forged one are refused.
    to_confirm(d, "A")
    assert lutong(d, args["lutong"]["good"]) is Screen.TICKET
    out["lutong"] = ticket_facts(d)
    shot("lutong-ticket")
    for kind in ("good", "expired", "forged"):
        to_confirm(d, "B")
        assert lutong(d, args["lutong"][kind]) is Screen.MESSAGE, kind
        out[f"lutong_refused_{kind}"] = d.texts()
    shot("lutong-refused")

    # 2. ID card of a citizen over 70: a green ticket in the queue that needs identification.
    to_confirm(d, "C")
    d.tap("identify", "idcard")
    d.wait_screen(Screen.IDENTIFY)
    shot("idcard-wait")
    idreader.present_card(id_card(people["elder"], "王秀英"))
    assert outcome(d) is Screen.TICKET
    out["elder"] = ticket_facts(d)
    shot("idcard-green-ticket")
    # The same person again: the waiting ticket is shown and printed again, not a second one.
    to_confirm(d, "C")
    d.tap("identify", "idcard")
    d.wait_screen(Screen.IDENTIFY)
    idreader.present_card(id_card(people["elder"], "王秀英"))
    assert outcome(d) is Screen.TICKET
    out["elder_again"] = ticket_facts(d)

    # 3. Social security card, 2nd generation (the card names the person).
    to_confirm(d, "B")
    d.tap("identify", "card")
    d.wait_screen(Screen.IDENTIFY)
    ssreader.present_card(dataclasses.replace(sample_card(2), social_security_number=people["ss2"], name="赵六"))
    assert outcome(d) is Screen.TICKET
    out["sscard2"] = ticket_facts(d)
    ssreader.remove_card()
    # 3rd generation: resolved by the province's platform; when it times out or talks nonsense the
    # citizen is told to use another way, and the kiosk stays online.
    card3 = dataclasses.replace(sample_card(3), card_id_code=people["ss3_code"])
    for mode in ("timeout", "garbage"):
        platform(args, "/sscard", mode)
        to_confirm(d, "A")
        d.tap("identify", "card")
        d.wait_screen(Screen.IDENTIFY)
        ssreader.present_card(card3)
        out[f"sscard3_{mode}"] = refusal(d)
        out[f"sscard3_{mode}_online"] = d.controller.online
        ssreader.remove_card()
    shot("sscard-platform-down")
    platform(args, "/sscard", "ok")
    to_confirm(d, "A")
    d.tap("identify", "card")
    d.wait_screen(Screen.IDENTIFY)
    ssreader.present_card(card3)
    assert outcome(d) is Screen.TICKET
    out["sscard3"] = ticket_facts(d)
    ssreader.remove_card()

    # 4. No card, SMS code: a person with two reservations today checks in the earliest, then the next.
    for turn in ("first", "second"):
        to_confirm(d, "A")
        d.tap("identify", "nocard")
        d.wait_screen(Screen.NOCARD)
        if turn == "first":
            shot("nocard-choice")
        d.tap("nocard.sms")
        d.type(people["sms_phone"])
        d.tap("keypad.ok")
        d.wait(lambda: d.flow.session.keypad_purpose == "sms_code" and not d.flow.busy, 10, "code keypad")
        d.pump(0.05)
        out[f"sms_keypad_{turn}"] = d.texts()
        d.type(sms_code(args, people["sms_phone"]))
        if turn == "first":
            shot("sms-code")
        d.tap("keypad.ok")
        assert outcome(d) is Screen.IDENTIFIED
        out[f"identified_{turn}"] = d.texts()
        if turn == "first":
            shot("identified-reservations")
        d.tap("identified.checkin")
        d.wait_screen(Screen.TICKET)
        out[f"sms_checkin_{turn}"] = ticket_facts(d)

    # 5. Wrong SMS codes until the code is locked.
    to_confirm(d, "A")
    d.tap("identify", "nocard")
    d.tap("nocard.sms")
    d.type(people["lock_phone"])
    d.tap("keypad.ok")
    d.wait(lambda: d.flow.session.keypad_purpose == "sms_code" and not d.flow.busy, 10, "code keypad")
    right = sms_code(args, people["lock_phone"])
    wrong = "000000" if right != "000000" else "111111"
    out["sms_wrong"] = []
    for _ in range(4):
        d.type(wrong)
        d.tap("keypad.ok")
        assert d.flow.screen is Screen.KEYPAD
        out["sms_wrong"].append(d.texts())
    shot("sms-wrong")
    d.type(wrong)
    d.tap("keypad.ok")
    out["sms_locked"] = refusal(d, shot, "sms-locked")

    # 6. Typed ID number at check-in: the reservation is for tomorrow.
    home(d)
    d.tap("home.checkin")
    d.tap("checkin.by_identity")
    d.wait_screen(Screen.WAYS)
    shot("checkin-ways")
    d.tap("identify", "nocard")
    d.tap("nocard.id")
    d.type(people["tomorrow"])
    d.tap("keypad.ok")
    d.wait(lambda: d.flow.session.keypad_purpose == "nocard_phone", 10, "phone keypad")
    d.tap("keypad.ok")  # the phone is optional
    out["tomorrow"] = refusal(d, shot, "checkin-tomorrow")

    # 6b. Typed ID number for a ticket, with a phone for the silent-call reminder.
    to_confirm(d, "B")
    d.tap("identify", "nocard")
    d.tap("nocard.id")
    d.type(people["typed"])
    out["typed_keypad"] = d.texts()
    d.tap("keypad.ok")
    d.wait(lambda: d.flow.session.keypad_purpose == "nocard_phone", 10, "phone keypad")
    d.type(people["typed_phone"])
    d.tap("keypad.ok")
    assert outcome(d) is Screen.TICKET
    out["typed"] = ticket_facts(d)

    # 7. Face: consent, the claimed identity, the camera's liveness check, 1:1 on the server.
    to_confirm(d, "A")
    d.tap("identify", "face")
    d.wait_screen(Screen.CONSENT)
    shot("face-consent")
    d.tap("consent.agree")
    d.type(people["face_ok"])
    d.tap("keypad.ok", settle=False)
    if d.flow.screen is Screen.IDENTIFY:  # the capture may be over before a picture can be taken
        shot("face-capture")
    assert outcome(d, 60) is Screen.TICKET
    out["face"] = ticket_facts(d)
    to_confirm(d, "B")
    d.tap("identify", "face")
    d.tap("consent.agree")
    d.type(people["face_other"])
    d.tap("keypad.ok")
    out["face_mismatch"] = refusal(d) if outcome(d, 60) is Screen.MESSAGE else d.texts()
    # Declining consent goes back, nothing taken.
    to_confirm(d, "B")
    d.tap("identify", "face")
    d.tap("consent.decline")
    out["face_declined_screen"] = d.flow.screen.value
    return out


@scenario
def identify_green(d: Driver, args: dict, shot: Shots) -> dict:
    """A hall whose green channel needs a qualifying identity."""
    out: dict[str, Any] = {}
    home(d)
    d.tap("home.green")
    d.wait_screen(Screen.GREEN)
    shot("green-identity")
    d.tap("green.identify")
    d.wait_screen(Screen.WAYS)
    d.tap("identify", "idcard")
    d.wait_screen(Screen.IDENTIFY)
    d.controller.devices.idcard_reader.present_card(id_card(args["people"]["elder"], "刘桂兰"))
    d.wait_screen(Screen.QUEUES, 20)
    d.tap("queue", "A")
    d.wait_screen(Screen.CONFIRM)
    out["confirm"] = d.texts()
    d.tap("confirm.print")
    d.wait_screen(Screen.TICKET)
    out["elder"] = ticket_facts(d)
    home(d)
    d.tap("home.green")
    d.tap("green.identify")
    d.tap("identify", "idcard")
    d.wait_screen(Screen.IDENTIFY)
    d.controller.devices.idcard_reader.present_card(id_card(args["people"]["young"], "陈刚"))
    out["young"] = refusal(d, shot, "green-not-eligible")
    return out


@scenario
def identity_tour(d: Driver, args: dict, shot: Shots) -> dict:
    """The identification screens in another orientation, language and text size, to look at."""
    out: dict[str, Any] = {}
    d.wait(lambda: getattr(d.controller.device_health.get("camera"), "level", None) is not None
           and d.controller.device_health["camera"].level.value == "ok", 20, "camera up")
    to_confirm(d, "C")
    shot("confirm")
    d.tap("identify", "face")
    shot("consent")
    d.tap("consent.decline")
    d.tap("identify", "nocard")
    shot("nocard")
    d.tap("nocard.sms")
    d.type(args["phone"])
    d.tap("keypad.ok")
    d.wait(lambda: d.flow.session.keypad_purpose == "sms_code" and not d.flow.busy, 10, "code keypad")
    d.pump(0.1)
    shot("sms-code")
    to_confirm(d, "A")
    d.tap("identify", "idcard")
    d.wait_screen(Screen.IDENTIFY)
    shot("idcard")
    d.controller.devices.idcard_reader.present_card(id_card(args["person"], "马红"))
    assert outcome(d) is Screen.IDENTIFIED
    shot("identified")
    out["identified"] = d.texts()
    home(d)
    d.tap("home.checkin")
    d.tap("checkin.by_identity")
    shot("ways")
    # A photo held still in front of the camera: the preview shows it, the kiosk asks for a blink
    # and never sends it.
    to_confirm(d, "A")
    d.tap("identify", "face")
    d.tap("consent.agree")
    d.type(args["person"])
    d.tap("keypad.ok", settle=False)
    d.wait(lambda: d.flow.session.id_advice[0] == "请眨眨眼", 30, "blink advice")
    d.pump(0.5)
    shot("face-still-photo")
    out["still"] = {"screen": d.flow.screen.value, "texts": d.texts(), "sent": d.flow.busy}
    home(d)
    return out


if __name__ == "__main__":
    sys.exit(main())
