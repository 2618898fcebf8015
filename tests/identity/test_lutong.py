"""鲁通码: the demo format end to end (command → QR text → identity → ticket), its refusals
(forged, expired, replayed, malformed) and the provincial adapter against a local platform."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from queue_server.identity.lutong import make_demo_code
from tests.identity.helpers import identify, keys_of, person_id, refused, take
from tests.support.servers import REPO

ID = person_id("19900307", 123)


def demo_code(server, hall, tmp_path, id_number=ID, name="张三丰") -> str:  # type: ignore[no-untyped-def]
    png = tmp_path / "code.png"
    result = subprocess.run(
        [sys.executable, "-m", "queue_server", "demo-lutong", "--config", str(server.config), "--hall", hall.hall,
         "--id-number", id_number, "--name", name, "--png", str(png), "--data-dir", str(server.data_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    return result.stdout.strip()


def test_demo_code_to_ticket_single_use(id_server, hall, tmp_path):
    code = demo_code(id_server, hall, tmp_path)
    assert code.startswith("LTM1.") and ID not in code and "张三丰" not in code
    session = identify(hall, method="lutong", qr=code)
    # 张三丰 masks as 张* (PRODUCT.md): the server's old rule kept one star per hidden character.
    assert session["holder"] == "张*" and session["id_number"] == ID[:4] + "*" * 10 + ID[-4:]
    assert session["priority"] is None and session["age"] >= 30
    assert session["reservations_today"] == [] and session["waiting_tickets"] == []
    ticket = take(hall, channel="lutong", identity=session["identity"])
    assert ticket["channel"] == "lutong" and ticket["holder"] == "张*" and not ticket["green"]
    again = hall.http.post(hall.path("/tickets"), json={"queue": "B", "channel": "lutong", "identity": session["identity"]}, headers=hall.kiosk)
    refused(again, 409, "identity_used")
    # The same person identified again sees the ticket they hold.
    later = identify(hall, method="id_number", id_number=ID)
    assert later["waiting_tickets"] == [{"queue": "A", "number": ticket["number"], "id": ticket["id"]}]


def test_identified_channels_need_a_session(hall):
    for channel in ("lutong", "face", "card", "nocard"):
        response = hall.http.post(hall.path("/tickets"), json={"queue": "A", "channel": channel}, headers=hall.kiosk)
        refused(response, 422, "identity_required")
    # Queue C needs identification whatever the channel (hall configuration).
    refused(hall.http.post(hall.path("/tickets"), json={"queue": "C", "channel": "walkin"}, headers=hall.kiosk), 422, "identity_required")
    unknown = hall.http.post(hall.path("/tickets"), json={"queue": "A", "channel": "lutong", "identity": "x" * 32}, headers=hall.kiosk)
    refused(unknown, 409, "identity_unknown")
    assert hall.queues()["A"]["waiting"] == 0 and hall.queues()["C"]["waiting"] == 0


def test_forged_expired_replayed_and_malformed_codes(id_server, hall, tmp_path):
    keys = keys_of(id_server)
    now = dt.datetime.now(dt.UTC)
    good = make_demo_code(keys, ID, "李四", now)
    prefix, payload, mac = good.split(".")
    forged_payload = f"{prefix}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{mac}"
    refused(hall.http.post(hall.path("/identify"), json={"method": "lutong", "qr": forged_payload}, headers=hall.kiosk), 422, "lutong_invalid")
    forged_mac = f"{prefix}.{payload}.{'0' * 64}"
    refused(hall.http.post(hall.path("/identify"), json={"method": "lutong", "qr": forged_mac}, headers=hall.kiosk), 422, "lutong_invalid")
    from queue_server.security.keys import Keys

    stranger = make_demo_code(Keys(b"k" * 32), ID, "李四", now)  # another server's key
    refused(hall.http.post(hall.path("/identify"), json={"method": "lutong", "qr": stranger}, headers=hall.kiosk), 422, "lutong_invalid")
    expired = make_demo_code(keys, ID, "李四", now - dt.timedelta(minutes=10))
    refused(hall.http.post(hall.path("/identify"), json={"method": "lutong", "qr": expired}, headers=hall.kiosk), 409, "lutong_expired")
    for garbage in ("hello", "LTM1..", "LTM1.%%%.abc", "https://example.com/?q=1", "鲁通码"):
        refused(hall.http.post(hall.path("/identify"), json={"method": "lutong", "qr": garbage}, headers=hall.kiosk), 422, "lutong_invalid")
    refused(hall.http.post(hall.path("/identify"), json={"method": "lutong", "qr": ""}, headers=hall.kiosk), 422, "invalid")
    assert identify(hall, method="lutong", qr=good)["holder"] == "李*"
    refused(hall.http.post(hall.path("/identify"), json={"method": "lutong", "qr": good}, headers=hall.kiosk), 409, "lutong_used")
    assert hall.queues()["A"]["waiting"] == 0


def test_demo_command_refuses_bad_input(id_server, hall):
    base = [sys.executable, "-m", "queue_server", "demo-lutong", "--config", str(id_server.config),
            "--data-dir", str(id_server.data_dir), "--name", "王五"]
    bad_id = subprocess.run(base + ["--hall", hall.hall, "--id-number", ID[:-1] + ("0" if ID[-1] != "0" else "1")],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert bad_id.returncode == 2 and "check digit" in bad_id.stderr and ID[:10] not in bad_id.stderr
    no_hall = subprocess.run(base + ["--hall", "nowhere", "--id-number", ID], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert no_hall.returncode == 2 and "nowhere" in no_hall.stderr


# -- the provincial platform ----------------------------------------------------------------------


def test_provincial_lutong(platform, prov_hall):
    platform.answers["/lutong"] = lambda body: {"id_number": ID, "name": "赵六"} if body["qr"].startswith("AISD") else {}
    platform.mode["/lutong"] = "ok"
    before = platform.bad_signatures
    session = identify(prov_hall, method="lutong", qr="AISD-0001-raw-text")
    assert session["holder"] == "赵*" and platform.bad_signatures == before
    assert platform.requests[-1] == ("/lutong", {"qr": "AISD-0001-raw-text"})
    ticket = take(prov_hall, channel="lutong", identity=session["identity"])
    assert ticket["holder"] == "赵*"
    # The same code again: refused here, without asking the citizen's data twice.
    refused(prov_hall.http.post(prov_hall.path("/identify"), json={"method": "lutong", "qr": "AISD-0001-raw-text"}, headers=prov_hall.kiosk), 409, "lutong_used")


def test_provincial_lutong_failures_change_nothing(platform, prov_hall):
    post = lambda qr: prov_hall.http.post(prov_hall.path("/identify"), json={"method": "lutong", "qr": qr}, headers=prov_hall.kiosk)  # noqa: E731
    platform.mode["/lutong"] = ("refuse", 1001)
    refused(post("AISD-expired"), 409, "lutong_expired")
    platform.mode["/lutong"] = ("refuse", 1002)
    refused(post("AISD-used"), 409, "lutong_used")
    platform.mode["/lutong"] = ("refuse", 1003)
    refused(post("AISD-bad"), 422, "lutong_invalid")
    for mode in ("timeout", "garbage", "500"):
        platform.mode["/lutong"] = mode
        body = refused(post(f"AISD-{mode}"), 503, "verifier_unavailable")
        assert "其他方式" in body["message_zh"]
    platform.mode["/lutong"] = "ok"
    platform.answers["/lutong"] = lambda body: {"id_number": "not-a-number", "name": "x"}
    refused(post("AISD-nonsense"), 503, "verifier_unavailable")
    assert prov_hall.queues()["A"]["waiting"] == 0
    # After all that, the platform works again and so does the code.
    platform.answers["/lutong"] = lambda body: {"id_number": ID, "name": "赵六"}
    assert identify(prov_hall, method="lutong", qr="AISD-timeout")["holder"] == "赵*"


def test_one_code_and_one_session_under_concurrency(id_server, hall):
    from concurrent.futures import ThreadPoolExecutor

    code = make_demo_code(keys_of(id_server), person_id("19880808", 555), "冯一", dt.datetime.now(dt.UTC))
    post = lambda path, body: hall.http.post(hall.path(path), json=body, headers=hall.kiosk).status_code  # noqa: E731
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: post("/identify", {"method": "lutong", "qr": code}), range(8)))
    assert sorted(statuses) == [200] + [409] * 7
    session = identify(hall, method="id_number", id_number=person_id("19880808", 555))["identity"]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda q: post("/tickets", {"queue": q, "channel": "nocard", "identity": session}), "ABABABAB"))
    assert sorted(statuses) == [201] + [409] * 7
    assert hall.queues()["A"]["waiting"] + hall.queues()["B"]["waiting"] == 1
