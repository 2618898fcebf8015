"""Identity cards, typed identity numbers, social security cards: tickets with the right priority,
reservations found by the person, the per-person limits and the green channel rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.identity.helpers import identify, person_id, refused, take
from tests.support.api import HallClient
from tests.support.slots import earlier_today, later_today

ELDER = person_id("19500612", 231)  # well over 70
YOUNG = person_id("19920101", 452)


def reserve(hall: HallClient, id_number: str, start: dt.datetime, queue: str = "A", name: str = "孙七") -> dict[str, Any]:
    body = {
        "queue": queue, "slot_start": start.isoformat(), "slot_end": (start + dt.timedelta(minutes=30)).isoformat(),
        "name": name, "id_number": id_number, "phone": "13800138000", "external_id": f"ext-{start.timestamp()}-{queue}",
    }
    response = hall.http.post(hall.path("/reservations"), json=body, headers=hall.platform)
    assert response.status_code == 201, response.text
    return response.json()


def check_in(hall: HallClient, expect: int = 201, **body: Any) -> dict[str, Any]:
    response = hall.http.post(hall.path("/reservations/check-in"), json=body, headers=hall.kiosk)
    assert response.status_code == expect, response.text
    return response.json()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def test_id_card_elder_gets_green_and_two_reservations_in_order(hall):
    late = reserve(hall, ELDER, later_today(dt.timedelta(hours=2)), queue="B")
    early = reserve(hall, ELDER, later_today(dt.timedelta(minutes=30)), queue="A")
    birth = dt.date(1950, 6, 12).isoformat()
    # The card's address is no field of the method: refused by name (the server keeps only what it needs).
    with_address = {"method": "idcard", "id_number": ELDER, "name": "孙七", "birth_date": birth, "address": "济南市历下区…"}
    body = refused(hall.http.post(hall.path("/identify"), json=with_address, headers=hall.kiosk), 422, "invalid")
    assert body["message"] == "unknown field(s), nothing was done: idcard.address"  # the method's field
    session = identify(hall, method="idcard", id_number=ELDER, name="孙七", birth_date=birth)
    assert session["priority"] == "green" and session["green_reason"] == "age" and session["age"] >= 70
    assert [r["code"] for r in session["reservations_today"]] == [early["code"], late["code"]]
    assert all(r["name"] == "孙*" and r["status"] == "booked" for r in session["reservations_today"])
    first = check_in(hall, identity=session["identity"])
    assert first["reservation_id"] == early["id"] and first["green"] and first["priority"] == "green"
    refused(hall.http.post(hall.path("/reservations/check-in"), json={"identity": session["identity"]}, headers=hall.kiosk), 409, "identity_used")
    second = check_in(hall, identity=identify(hall, method="idcard", id_number=ELDER, name="孙七")["identity"])
    assert second["reservation_id"] == late["id"] and second["queue"] == "B"
    # An elder's walk-in ticket is green too, with no request for it.
    walk_in = take(hall, queue="C", channel="card", identity=identify(hall, method="idcard", id_number=ELDER, name="孙七")["identity"])
    assert walk_in["green"] and walk_in["priority"] == "green"
    mismatch = hall.http.post(hall.path("/identify"), json={"method": "idcard", "id_number": ELDER, "name": "孙七", "birth_date": "1950-06-13"}, headers=hall.kiosk)
    refused(mismatch, 422, "invalid")


def test_reservation_for_tomorrow_is_refused_and_the_session_stays_usable(hall):
    reserve(hall, YOUNG, now() + dt.timedelta(days=1))
    session = identify(hall, method="id_number", id_number=YOUNG)
    assert session["reservations_today"] == [] and session["priority"] is None
    body = refused(hall.http.post(hall.path("/reservations/check-in"), json={"identity": session["identity"]}, headers=hall.kiosk), 409, "reservation_other_day")
    assert "不是今天" in body["message_zh"]
    # Nothing changed: the same session still takes an ordinary ticket.
    ticket = take(hall, channel="nocard", identity=session["identity"])
    assert ticket["priority"] == "ordinary" and ticket["holder"] is None


def test_one_waiting_ticket_per_queue_and_a_daily_cap(hall):
    person = person_id("19851111", 617)
    fresh = lambda: identify(hall, method="id_number", id_number=person)["identity"]  # noqa: E731
    first = take(hall, channel="nocard", identity=fresh())
    again = take(hall, expect=200, channel="nocard", identity=fresh())
    assert again["id"] == first["id"] and again["reprint"] is True
    assert hall.queues()["A"]["waiting"] == 1
    take(hall, queue="B", channel="nocard", identity=fresh())
    take(hall, queue="C", channel="nocard", identity=fresh())
    hall.act(first["id"], "cancel")
    capped = hall.http.post(hall.path("/tickets"), json={"queue": "A", "channel": "nocard", "identity": fresh()}, headers=hall.kiosk)
    refused(capped, 409, "person_daily_limit")
    assert hall.queues()["A"]["waiting"] == 0


def test_typed_id_number_only_where_allowed_and_sscard(platform, hall, id_server):
    gp = HallClient(id_server, "gp")
    try:
        # Hall "gp" allows typed numbers too; its green channel needs an identity that qualifies.
        refused(gp.http.post(gp.path("/tickets"), json={"queue": "A", "channel": "walkin", "priority": "green"}, headers=gp.kiosk), 409, "green_needs_identity")
        young = identify(gp, method="id_number", id_number=YOUNG)["identity"]
        refused(gp.http.post(gp.path("/tickets"), json={"queue": "A", "channel": "nocard", "priority": "green", "identity": young}, headers=gp.kiosk), 409, "green_not_eligible")
        assert take(gp, channel="nocard", identity=young)["green"] is False  # the refusal left the session usable
        elder = identify(gp, method="id_number", id_number=ELDER)["identity"]
        assert take(gp, channel="nocard", priority="green", identity=elder)["green"] is True
    finally:
        gp.close()
    # Social security cards: 2nd generation give the number; 3rd generation need the resolver.
    session = identify(hall, method="sscard", card_id_code="A12345678", id_number=YOUNG, name="周八")
    assert session["holder"] == "周*"
    platform.mode["/sscard"] = "ok"
    platform.answers["/sscard"] = lambda body: {"id_number": ELDER, "name": "吴九"} if body["card_id_code"] == "G3CARD01" else {}
    resolved = identify(hall, method="sscard", card_id_code="G3CARD01")
    assert resolved["holder"] == "吴*" and resolved["priority"] == "green"
    platform.answers["/sscard"] = lambda body: {}
    refused(hall.http.post(hall.path("/identify"), json={"method": "sscard", "card_id_code": "G3CARD02"}, headers=hall.kiosk), 503, "verifier_unavailable")
    platform.mode["/sscard"] = ("refuse", 3001)
    refused(hall.http.post(hall.path("/identify"), json={"method": "sscard", "card_id_code": "G3CARD03"}, headers=hall.kiosk), 409, "sscard_unresolvable")
    platform.mode["/sscard"] = "timeout"
    refused(hall.http.post(hall.path("/identify"), json={"method": "sscard", "card_id_code": "G3CARD01"}, headers=hall.kiosk), 503, "verifier_unavailable")
    platform.mode["/sscard"] = "ok"


def test_staff_confirm_green(hall):
    ticket = take(hall)
    other = take(hall)
    refused(hall.http.post(hall.path(f"/tickets/{other['id']}/actions"), json={"action": "confirm_green"}, headers=hall.staff()), 422, "invalid")
    refused(hall.http.post(hall.path(f"/tickets/{other['id']}/actions"), json={"action": "confirm_green", "reason": "vip"}, headers=hall.staff()), 422, "invalid")
    refused(hall.http.post(hall.path(f"/tickets/{other['id']}/actions"), json={"action": "skip", "reason": "military"}, headers=hall.staff()), 422, "invalid")
    confirmed = hall.act(other["id"], "confirm_green", reason="military")
    assert confirmed["green"] and confirmed["priority"] == "green" and confirmed["waiting_ahead"] == 0
    called = hall.call(expect=200).json()
    assert called["id"] == other["id"]
    refused(hall.http.post(hall.path(f"/tickets/{other['id']}/actions"), json={"action": "confirm_green", "reason": "pregnancy"}, headers=hall.staff()), 409, "ticket_state")
    assert hall.ticket(ticket["id"])["green"] is False


def test_no_show_blocks_reservation_check_in(hall):
    person = person_id("19780404", 808)
    missed = reserve(hall, person, earlier_today(dt.timedelta(hours=3)), name="郑十")
    later = reserve(hall, person, later_today(dt.timedelta(hours=1)), name="郑十")
    body = refused(hall.http.post(hall.path("/reservations/check-in"), json={"code": later["code"]}, headers=hall.kiosk), 409, "reservation_blocked")
    assert "预约未到" in body["message_zh"]
    session = identify(hall, method="id_number", id_number=person)
    refused(hall.http.post(hall.path("/reservations/check-in"), json={"identity": session["identity"]}, headers=hall.kiosk), 409, "reservation_blocked")
    assert missed["status"] == "booked"
    # A walk-in ticket is still possible with the same session.
    assert take(hall, channel="nocard", identity=session["identity"])["status"] == "waiting"


def test_green_list_from_hash_id_command(tmp_path):
    import subprocess
    import sys

    from queue_server.security.keys import Keys
    from tests.identity.helpers import write_identity_config
    from tests.support.servers import REPO, ServerProcess

    listed = person_id("19950505", 321)
    data = tmp_path / "data"
    Keys.load_or_create(data / "secret.key")
    probe = write_identity_config(tmp_path / "probe.toml", "", 1)
    made = subprocess.run(
        [sys.executable, "-m", "queue_server", "hash-id", "--config", str(probe), "--data-dir", str(data)],
        input=listed + "\n", cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert made.returncode == 0 and listed not in made.stdout, made.stderr
    digest = made.stdout.strip()
    config = write_identity_config(tmp_path / "halls.toml", "", 1, extra=f'[halls.identification]\ngreen_ids = ["{digest}"]\nallow_typed_id_number = true\n')
    server = ServerProcess(config=config, data_dir=data).start()
    hall = HallClient(server, "i01")
    try:
        session = identify(hall, method="id_number", id_number=listed)
        assert session["priority"] == "green" and session["green_reason"] == "list"
        assert identify(hall, method="id_number", id_number=YOUNG)["priority"] is None
        assert take(hall, channel="nocard", identity=session["identity"])["green"] is True
    finally:
        hall.close()
        server.stop()
