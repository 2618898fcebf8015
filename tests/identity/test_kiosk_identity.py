"""Each identification channel end to end: a real Kivy kiosk window with simulated devices (scanner,
card readers, a camera showing a blinking face) → the real server → a ticket with the right
priority and the right reservation → the hall stream a screen shows. And each refusal (forged,
expired and replayed 鲁通码, wrong SMS codes until lock-out, face mismatch, a reservation for
tomorrow, the province's platform timing out or answering nonsense): a clear message and nothing
changed. The scenarios themselves are in tests/identity/kiosk_scenarios.py."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest
from websockets.sync.client import connect

from queue_server.identity.face import MISMATCH_ZH
from queue_server.identity.lutong import EXPIRED_ZH, INVALID_ZH, USED_ZH, make_demo_code
from queue_server.identity.service import SSCARD_DOWN_ZH
from queue_server.security.keys import Keys
from tests.identity.helpers import Platform, demo_server_toml, jpeg, keys_of, person_id, write_identity_config
from tests.kiosk.helpers import kiosk_toml, run_scenario
from tests.support.api import HallClient
from tests.support.halls import token_for
from tests.support.servers import ServerProcess
from tests.support.slots import later_today

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hardware"))
from camera_fixtures import BLINK, astronaut, close_eyes, grace_hopper, noisy, on_canvas  # noqa: E402

# The module's scenarios run whole kiosk visits in one fixture (its subprocess allows 600 s):
# pytest's default 300 s would cut them first on a busy machine.
pytestmark = pytest.mark.timeout(900)

SCRIPT = Path(__file__).with_name("kiosk_scenarios.py")

PEOPLE = {
    "young": person_id("19900415", 301),  # the 鲁通码 holder
    "elder": person_id("19490801", 302),  # over 70: green by age
    "ss2": person_id("19880202", 303),
    "ss3": person_id("19770707", 304),  # behind a 3rd-generation card
    "booker": person_id("19821111", 305),  # two reservations today, found by phone
    "tomorrow": person_id("19950505", 306),
    "face_ok": person_id("19660606", 307),
    "face_other": person_id("19700101", 308),
    "typed": person_id("19610303", 309),
}
SMS_PHONE, LOCK_PHONE, TYPED_PHONE = "13905310001", "13905310002", "13905310004"
NAMES = {"young": "周杰伦", "ss3": "孙丽华", "face_ok": "钱学森", "face_other": "吴晓明"}


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory: pytest.TempPathFactory, platform: Platform) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("kiosk-identity")
    config = write_identity_config(tmp / "halls.toml", demo_server_toml(platform), 1)
    process = ServerProcess(config=config, data_dir=tmp / "data").start()
    try:
        yield process
    finally:
        process.stop()


def reserve(hall: HallClient, id_number: str, start: dt.datetime, queue: str, phone: str, tag: str) -> dict[str, Any]:
    body = {"queue": queue, "slot_start": start.isoformat(), "slot_end": (start + dt.timedelta(minutes=30)).isoformat(),
            "name": "李淑芬", "id_number": id_number, "phone": phone, "external_id": f"kiosk-{tag}"}
    response = hall.http.post(hall.path("/reservations"), json=body, headers=hall.platform)
    assert response.status_code == 201, response.text
    return response.json()


def enrol(hall: HallClient, id_number: str, name: str, image: Any) -> None:
    response = hall.http.post(hall.path("/identity/face-templates"), headers=hall.staff(),
                              json={"id_number": id_number, "name": name, "image_b64": jpeg(image), "consent": True})
    assert response.status_code == 201, response.text


def still_camera(directory: Path) -> str:
    """A printed photo held still in front of the camera (only sensor noise changes)."""
    directory.mkdir(parents=True, exist_ok=True)
    base = cv2.cvtColor(on_canvas(grace_hopper()), cv2.COLOR_RGB2BGR)
    for i in range(6):
        cv2.imwrite(str(directory / f"frame-{i:02d}.png"), noisy(base, 3, seed=i))
    return f"sim:{directory}"


def blinking_camera(directory: Path) -> str:
    """A folder the simulated camera shows in turn: a real face that blinks, with sensor noise."""
    from faces import FaceDetector

    directory.mkdir(parents=True, exist_ok=True)
    base = cv2.cvtColor(on_canvas(grace_hopper()), cv2.COLOR_RGB2BGR)
    face = FaceDetector().detect(base)[0]
    for i, closed in enumerate(BLINK):
        cv2.imwrite(str(directory / f"frame-{i:02d}.png"), noisy(close_eyes(base, face, closed), 3, seed=i))
    return f"sim:{directory}"


def stream_seq(hall: HallClient) -> int:
    with connect(hall.stream_url()) as ws:
        return json.loads(ws.recv(timeout=5))["seq"]


def events_since(hall: HallClient, seq: int, until: Any) -> list[dict[str, Any]]:
    """The hall stream as a screen receives it, resumed after `seq`, up to the first event `until` accepts."""
    seen = []
    with connect(hall.stream_url(since=seq)) as ws:
        while True:
            message = json.loads(ws.recv(timeout=10))
            seen.append(message)
            if until(message):
                return seen


def hall_issued(hall: HallClient) -> int:
    return sum(q.get("issued_today", 0) for q in hall.queues().values())


@pytest.fixture(scope="module")
def run(kiosk_server: ServerProcess, platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    hall = HallClient(kiosk_server, "i01")
    tmp = tmp_path_factory.mktemp("kiosk-identity-run")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    keys = keys_of(kiosk_server)
    codes = {
        "good": make_demo_code(keys, PEOPLE["young"], NAMES["young"], now),
        "expired": make_demo_code(keys, PEOPLE["young"], NAMES["young"], now - dt.timedelta(minutes=10)),
        "forged": make_demo_code(Keys(b"k" * 32), PEOPLE["young"], NAMES["young"], now),
    }
    platform.answers["/sscard"] = lambda request: {"id_number": PEOPLE["ss3"], "name": NAMES["ss3"]}
    early = reserve(hall, PEOPLE["booker"], later_today(dt.timedelta(minutes=30), now), "B", SMS_PHONE, "early")
    late = reserve(hall, PEOPLE["booker"], later_today(dt.timedelta(minutes=90), now), "A", SMS_PHONE, "late")
    reserve(hall, PEOPLE["tomorrow"], now + dt.timedelta(days=1), "A", "13905310003", "tomorrow")
    enrol(hall, PEOPLE["face_ok"], NAMES["face_ok"], on_canvas(grace_hopper()))
    enrol(hall, PEOPLE["face_other"], NAMES["face_other"], on_canvas(astronaut()))
    camera = blinking_camera(tmp / "camera")
    seq = stream_seq(hall)
    args = {"platform": platform.url, "lutong": codes, "tag": "identity",
            "people": {"elder": PEOPLE["elder"], "ss2": PEOPLE["ss2"], "ss3_code": "370100D15600000500FFEEDDCCBBAA99",
                       "sms_phone": SMS_PHONE, "lock_phone": LOCK_PHONE, "tomorrow": PEOPLE["tomorrow"],
                       "face_ok": PEOPLE["face_ok"], "face_other": PEOPLE["face_other"],
                       "typed": PEOPLE["typed"], "typed_phone": TYPED_PHONE}}
    devices = {"printer": "sim", "scanner": "sim", "card_reader": "sim", "idcard_reader": "sim", "camera": camera}
    config = kiosk_toml(kiosk_server.url, hall="i01", token=token_for("i01", "kiosk-1"), devices=devices,
                        timeouts={"idle_s": 120})
    try:
        out = run_scenario(tmp, "identify_all", config, args, timeout=600, script=SCRIPT)
        yield {"out": out, "hall": hall, "seq": seq, "early": early, "late": late}
    finally:
        platform.mode["/sscard"] = "ok"
        hall.close()


def test_a_queue_that_needs_identity_offers_every_way_but_no_walk_in(run: dict) -> None:
    out = run["out"]
    assert out["c_walkin_buttons"] == 0
    assert "该业务需先核验身份" in out["c_texts"]
    assert out["ways"] == {"lutong": False, "card": False, "idcard": False, "face": False, "nocard": False}


def test_lutong_code_gives_a_ticket_and_bad_codes_are_refused(run: dict) -> None:
    out, hall = run["out"], run["hall"]
    ticket = hall.ticket(out["lutong"]["id"])
    assert ticket["channel"] == "lutong" and ticket["queue"] == "A" and ticket["holder"] == "周*"
    assert out["lutong"]["kind"] == "issued" and ticket["number"] in out["lutong"]["texts"]
    assert USED_ZH in out["lutong_refused_good"]
    assert EXPIRED_ZH in out["lutong_refused_expired"]
    assert INVALID_ZH in out["lutong_refused_forged"]


def test_id_card_over_70_is_green_in_the_identified_queue_and_again_is_a_reprint(run: dict) -> None:
    out, hall = run["out"], run["hall"]
    ticket = hall.ticket(out["elder"]["id"])
    assert ticket["queue"] == "C" and ticket["channel"] == "card" and ticket["priority"] == "green"
    assert "绿色通道" in out["elder"]["texts"]
    again = out["elder_again"]
    assert again["id"] == ticket["id"] and again["kind"] == "reprint" and "您已在排队" in again["texts"]
    assert bytes.fromhex(again["slip"]).count(ticket["number"].encode()) >= 1  # printed again


def test_social_security_cards_and_the_platform_failing(run: dict) -> None:
    out, hall = run["out"], run["hall"]
    assert hall.ticket(out["sscard2"]["id"])["channel"] == "card"
    for mode in ("timeout", "garbage"):
        assert SSCARD_DOWN_ZH in out[f"sscard3_{mode}"], out[f"sscard3_{mode}"]
        assert out[f"sscard3_{mode}_online"] is True  # one verifier down is not the server down
    resolved = hall.ticket(out["sscard3"]["id"])
    assert resolved["holder"] == "孙*" and resolved["channel"] == "card"


def test_sms_identity_checks_in_two_reservations_in_slot_order(run: dict) -> None:
    out, hall = run["out"], run["hall"]
    assert "139****0001" in out["sms_keypad_first"] and SMS_PHONE not in out["sms_keypad_first"]
    first, second = hall.ticket(out["sms_checkin_first"]["id"]), hall.ticket(out["sms_checkin_second"]["id"])
    assert out["sms_checkin_first"]["kind"] == out["sms_checkin_second"]["kind"] == "checkin"
    assert (first["channel"], first["queue"]) == ("reservation", run["early"]["queue"])
    assert (second["channel"], second["queue"]) == ("reservation", run["late"]["queue"])
    assert "您今天的预约" in out["identified_first"] and "预约签到" in out["identified_first"]
    assert "已签到" in out["identified_second"]


def test_wrong_sms_codes_lock_the_code(run: dict) -> None:
    out = run["out"]
    for texts, left in zip(out["sms_wrong"], (4, 3, 2, 1)):
        assert f"还可以再试{left}次" in texts
    assert "验证码错误次数过多" in out["sms_locked"]


def test_tomorrows_reservation_is_refused_with_its_date(run: dict) -> None:
    assert "不是今天" in run["out"]["tomorrow"]


def test_typed_id_number_gives_a_no_card_ticket_with_the_phone_for_reminders(run: dict) -> None:
    out, hall = run["out"], run["hall"]
    ticket = hall.ticket(out["typed"]["id"])
    assert ticket["channel"] == "nocard" and ticket["queue"] == "B" and ticket["phone"] == "139****0004"
    assert PEOPLE["typed"][:4] + "*" * 10 + PEOPLE["typed"][-4:] in out["typed_keypad"]  # masked while typed


def test_face_pickup_matches_the_enrolled_face_and_refuses_another(run: dict) -> None:
    out, hall = run["out"], run["hall"]
    assert hall.ticket(out["face"]["id"])["channel"] == "face"
    assert MISMATCH_ZH in out["face_mismatch"]
    assert out["face_declined_screen"] == "confirm"


def test_refusals_changed_nothing_and_tickets_reach_the_screen(run: dict) -> None:
    out, hall = run["out"], run["hall"]
    # lutong, elder (the reprint is not a new ticket), two cards, two check-ins, typed number, face.
    assert hall_issued(hall) == 8
    called = hall.http.post(hall.path("/windows/W03/call-next"), headers=hall.staff("s02"))
    assert called.status_code == 200, called.text
    events = events_since(hall, run["seq"], lambda m: m.get("type") == "call")
    call = events[-1]
    assert call["number"] == out["elder"]["number"] and call["window"] == "W03"
    assert all(m["type"] != "snapshot" for m in events)  # resumed in order, nothing lost


def test_no_identity_number_phone_or_name_is_shown_or_printed(run: dict) -> None:
    text = json.dumps(run["out"], ensure_ascii=False)
    for secret in [*PEOPLE.values(), SMS_PHONE, LOCK_PHONE, TYPED_PHONE, *NAMES.values()]:
        assert secret not in text, secret
        assert secret.encode("gb18030").hex() not in text


@pytest.fixture(scope="module")
def green_run(kiosk_server: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    hall = HallClient(kiosk_server, "gp")
    tmp = tmp_path_factory.mktemp("kiosk-identity-green")
    before = hall.issue("A")  # an ordinary ticket already waiting
    seq = stream_seq(hall)
    args = {"tag": "identity-green", "people": {"elder": person_id("19450303", 311), "young": person_id("19990909", 312)}}
    config = kiosk_toml(kiosk_server.url, hall="gp", token=token_for("gp", "kiosk-1"))
    try:
        yield {"out": run_scenario(tmp, "identify_green", config, args, timeout=300, script=SCRIPT), "hall": hall,
               "before": before, "seq": seq}
    finally:
        hall.close()


def test_green_channel_by_identity_jumps_the_queue_on_the_screen(green_run: dict) -> None:
    out, hall = green_run["out"], green_run["hall"]
    ticket = hall.ticket(out["elder"]["id"])
    assert ticket["priority"] == "green" and ticket["channel"] == "card"
    assert "绿色通道" in out["confirm"]
    assert hall.http.post(hall.path("/windows/W01/call-next"), headers=hall.staff()).status_code == 200
    call = events_since(hall, green_run["seq"], lambda m: m.get("type") == "call")[-1]
    assert call["number"] == ticket["number"] != green_run["before"]["number"]
    assert "暂不符合绿色通道条件" in out["young"]
    assert hall_issued(hall) == 2  # the young citizen's refusal issued nothing


@pytest.mark.parametrize("orientation,language,large", [("landscape", "en", False), ("portrait", "zh", True)])
def test_identification_screens_in_each_layout(kiosk_server: ServerProcess, tmp_path: Path, orientation: str,
                                               language: str, large: bool) -> None:
    hall = HallClient(kiosk_server, "i01")
    person = person_id("19520520" if large else "19830303", 320 + large)
    try:
        reserve(hall, person, later_today(dt.timedelta(minutes=40)), "A", "13905310009",
                f"tour-{orientation}-{language}")
    finally:
        hall.close()
    tag = f"identity-{orientation}-{language}{'-large' if large else ''}"
    config = kiosk_toml(kiosk_server.url, hall="i01", token=token_for("i01", "kiosk-1"), orientation=orientation,
                        language=language, large=large, devices={"printer": "sim", "scanner": "sim",
                                                                 "card_reader": "sim", "idcard_reader": "sim",
                                                                 "camera": still_camera(tmp_path / "camera")})
    out = run_scenario(tmp_path, "identity_tour", config, {"tag": tag, "person": person,
                                                           "phone": f"1390531001{int(large)}"}, script=SCRIPT)
    expected = ("Your bookings today", "Check in") if language == "en" else ("您今天的预约", "预约签到")
    assert all(text in out["identified"] for text in expected), out["identified"]
    if large:
        assert "自动享受绿色通道" in out["identified"]  # born 1952: over 70
    # The still photo is asked to blink, shown in the preview, and never sent to the server.
    assert out["still"]["screen"] == "identify" and not out["still"]["sent"]
    assert ("blink" if language == "en" else "请眨眨眼") in out["still"]["texts"]
