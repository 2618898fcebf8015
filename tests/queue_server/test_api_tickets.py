"""Tickets over real HTTP (CONTRACT §4), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading

from tests.support.api import HallClient


def test_issue_returns_the_contract_fields_and_numbers_in_order(hall: HallClient) -> None:
    first = hall.issue("A")
    assert set(first) >= {
        "id", "number", "queue", "channel", "status", "issued_at",
        "waiting_ahead", "estimated_wait_s", "track_url",
    }
    assert first["number"] == "A001" and first["status"] == "waiting" and first["channel"] == "walkin"
    assert first["waiting_ahead"] == 0
    assert re.fullmatch(r"/api/v1/track/[0-9a-f]+\?k=\S+", first["track_url"])
    assert re.search(r"[+-]\d\d:\d\d$", first["issued_at"])
    second = hall.issue("A")
    other = hall.issue("B")
    assert (second["number"], second["waiting_ahead"]) == ("A002", 1)
    assert other["number"] == "B001"
    assert isinstance(second["estimated_wait_s"], int)  # default_service_s gives a base


def test_phone_is_masked_and_bad_bodies_are_422(hall: HallClient) -> None:
    ticket = hall.issue("A", phone="13812345678")
    assert ticket["phone"] == "138****5678"
    assert "13812345678" not in str(ticket)
    for body in (
        {"queue": "A"},
        {"queue": "A", "channel": "teleport"},
        {"queue": "A", "channel": "walkin", "phone": "12345"},
        {"queue": "A", "channel": "walkin", "priority": "vip"},
        {"queue": "A", "channel": "walkin", "item_code": "ITEM-B-1"},
        {"queue": "A", "channel": "walkin", "item_code": "NOPE"},
    ):
        response = hall.http.post(hall.path("/tickets"), json=body, headers=hall.kiosk)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["message"]
    response = hall.http.post(hall.path("/tickets"), content=b"{not json", headers={**hall.kiosk, "content-type": "application/json"})
    assert response.status_code == 422
    assert hall.queues()["A"]["waiting"] == 1  # nothing changed


def test_unknown_hall_and_queue_are_404(hall: HallClient) -> None:
    response = hall.http.post(hall.path("/tickets"), json={"queue": "Z", "channel": "walkin"}, headers=hall.kiosk)
    assert response.status_code == 404
    assert hall.queues()["A"]["waiting"] == 0


def test_green_then_ordinary_and_policies(hall: HallClient) -> None:
    a1 = hall.issue("A")
    b1 = hall.issue("B")
    green = hall.issue("B", priority="green")
    assert green["priority"] == "green" and green["waiting_ahead"] == 0
    # W01 is fifo over A, B: green first, then the earliest.
    assert hall.call("W01", expect=200).json()["number"] == green["number"]
    hall.act(green["id"], "finish")
    assert hall.call("W01", expect=200).json()["number"] == a1["number"]
    hall.act(a1["id"], "finish")
    # W02 is ordered B then A.
    a2 = hall.issue("A")
    called = hall.call("W02", expect=200).json()
    assert called["number"] == b1["number"] and called["window"] == "W02"
    hall.act(b1["id"], "finish")
    assert hall.call("W02", expect=200).json()["number"] == a2["number"]


def test_call_next_204_paused_and_busy_409(hall: HallClient) -> None:
    assert hall.call("W01").status_code == 204
    ticket = hall.issue("A")
    hall.issue("A")
    assert hall.call("W01", expect=200).json()["id"] == ticket["id"]
    busy = hall.call("W01", expect=409)
    assert busy.json()["message_zh"]
    hall.act(ticket["id"], "finish")
    paused = hall.http.post(hall.path("/windows/W01/pause"), headers=hall.staff())
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    hall.call("W01", expect=409)
    resumed = hall.http.post(hall.path("/windows/W01/resume"), headers=hall.staff())
    assert resumed.json()["status"] == "open"
    hall.call("W01", expect=200)


def test_every_action_from_every_state(hall: HallClient) -> None:
    t = hall.issue("A")
    hall.act(t["id"], "start", expect=409)
    hall.act(t["id"], "recall", expect=409)
    hall.call("W01", expect=200)
    assert hall.act(t["id"], "recall")["status"] == "called"
    assert hall.act(t["id"], "start")["status"] == "serving"
    conflict = hall.act(t["id"], "skip", expect=409)
    assert "serving" in conflict["message"]
    assert hall.act(t["id"], "finish")["status"] == "done"
    for action in ("recall", "start", "finish", "skip", "requeue", "cancel"):
        hall.act(t["id"], action, expect=409)
    u = hall.issue("A")
    hall.call("W01", expect=200)
    assert hall.act(u["id"], "skip")["status"] == "missed"
    assert hall.act(u["id"], "requeue")["status"] == "waiting"
    assert hall.act(u["id"], "cancel")["status"] == "cancelled"
    hall.act(u["id"], "cancel", expect=409)


def test_requeued_ticket_waits_for_two_other_calls(hall: HallClient) -> None:
    first = hall.issue("C")
    others = [hall.issue("C") for _ in range(3)]
    # W03 serves C only; s02 works there.
    hall.call("W03", staff="s02", expect=200)
    hall.act(first["id"], "skip", staff="s02")
    hall.act(first["id"], "requeue", staff="s02")
    order = []
    for _ in range(4):
        called = hall.call("W03", staff="s02", expect=200).json()
        order.append(called["number"])
        hall.act(called["id"], "finish", staff="s02")
    assert order == [others[0]["number"], others[1]["number"], first["number"], others[2]["number"]]


def test_transfer_to_queue_and_to_window(hall: HallClient) -> None:
    early = hall.issue("A")
    later = hall.issue("C")
    hall.call("W01", expect=200)
    moved = hall.act(early["id"], "transfer", queue="C")
    assert moved["status"] == "waiting" and moved["queue"] == "C" and moved["number"] == early["number"]
    # It keeps its effective time, so it now leads queue C.
    assert hall.ticket(early["id"])["waiting_ahead"] == 0
    assert hall.ticket(later["id"])["waiting_ahead"] == 1
    # Now in C, it is no longer s01's to act on; a manager's.
    hall.act(early["id"], "transfer", expect=403, queue="A")
    hall.act(early["id"], "transfer", staff="m01", expect=422, queue="C", window="W01")  # W01 does not serve C
    hall.act(early["id"], "transfer", staff="m01", expect=422, queue="Q")
    named = hall.act(early["id"], "transfer", staff="m01", queue="C", window="W04")
    assert named["target_window"] == "W04"
    # W03 (C only) may not take a ticket sent to W04 by name.
    assert hall.call("W03", staff="s02", expect=200).json()["id"] == later["id"]
    assert hall.call("W04", staff="s02", expect=200).json()["id"] == early["id"]


def test_staff_act_only_at_their_windows(hall: HallClient) -> None:
    ticket = hall.issue("C")
    assert hall.http.post(hall.path("/windows/W03/call-next"), headers=hall.staff("s01")).status_code == 403
    hall.call("W03", staff="s02", expect=200)
    hall.act(ticket["id"], "finish", staff="s01", expect=403)
    hall.act(ticket["id"], "finish", staff="m01")
    kiosk_try = hall.http.post(hall.path("/windows/W01/call-next"), headers=hall.kiosk)
    assert kiosk_try.status_code == 403


def test_two_windows_calling_at_once_never_share_a_ticket(hall: HallClient) -> None:
    for _ in range(40):
        hall.issue("A")
    results: dict[str, list[str]] = {"W01": [], "W02": [], "W04": []}
    staff = {"W01": "s01", "W02": "s01", "W04": "s02"}
    for window in results:
        hall.staff(staff[window])

    def work(window: str) -> None:
        import httpx

        with httpx.Client(base_url=hall.server.url, timeout=30) as client:
            headers = hall.staff(staff[window])
            while True:
                response = client.post(hall.path(f"/windows/{window}/call-next"), headers=headers)
                if response.status_code == 204:
                    return
                assert response.status_code == 200, response.text
                ticket = response.json()
                results[window].append(ticket["number"])
                finished = client.post(hall.path(f"/tickets/{ticket['id']}/actions"), json={"action": "finish"}, headers=headers)
                assert finished.status_code == 200, finished.text

    # W01 and W02 are both s01's; one person at two windows moves between them, so use managers'
    # rights for the second: sign-in follows the caller, calls still must never overlap.
    threads = [threading.Thread(target=work, args=(w,)) for w in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    called = [n for numbers in results.values() for n in numbers]
    assert len(called) == 40 and len(set(called)) == 40


def test_tidal_window_change_persists_and_next_call_follows(hall: HallClient) -> None:
    c_ticket = hall.issue("C")
    hall.issue("A")
    response = hall.http.put(hall.path("/windows/W01/queues"), json={"queues": ["C"]}, headers=hall.manager)
    assert response.status_code == 200 and response.json()["queues"] == ["C"]
    assert hall.http.put(hall.path("/windows/W01/queues"), json={"queues": ["C"]}, headers=hall.staff()).status_code == 403
    assert hall.http.put(hall.path("/windows/W01/queues"), json={"queues": ["X"]}, headers=hall.manager).status_code == 422
    assert hall.http.put(hall.path("/windows/W99/queues"), json={"queues": ["C"]}, headers=hall.manager).status_code == 404
    assert hall.call("W01", expect=200).json()["id"] == c_ticket["id"]
    windows = {w["id"]: w for w in hall.http.get(hall.path("/windows"), headers=hall.display).json()}
    assert windows["W01"]["queues"] == ["C"]


def test_waiting_list_and_reads(hall: HallClient) -> None:
    a = hall.issue("A", item_code="ITEM-A-1")
    b = hall.issue("B")
    listing = hall.http.get(hall.path("/windows/W02/waiting"), headers=hall.staff()).json()
    assert [t["number"] for t in listing["tickets"]] == [b["number"], a["number"]]  # ordered: B first
    assert listing["tickets"][1]["item_name"] == "企业设立登记"
    items = hall.http.get(hall.path("/items"), params={"q": "社保"}, headers=hall.kiosk).json()
    assert [i["code"] for i in items] == ["ITEM-B-1"] and "guide" in items[0]
    assert hall.http.get(hall.path("/items/NOPE"), headers=hall.kiosk).status_code == 404
    info = hall.http.get(hall.path(""), headers=hall.kiosk).json()
    assert info["open_now"] is True and info["always_open"] is True
    assert info["identification"]["required_queues"] == [] and "lutong" in info["identification"]["methods"]
    assert "id_number" not in info["identification"]["methods"]  # typed numbers only where allowed


def test_tracking_without_token(hall: HallClient) -> None:
    ticket = hall.issue("A")
    hall.issue("A")
    tracked = hall.http.get(ticket["track_url"])
    assert tracked.status_code == 200
    body = tracked.json()
    assert body["number"] == ticket["number"] and body["status"] == "waiting" and body["window"] is None
    hall.call("W01", expect=200)
    assert hall.http.get(ticket["track_url"]).json()["window"] == "W01"
    wrong = ticket["track_url"].split("?k=")[0] + "?k=wrong"
    assert hall.http.get(wrong).status_code == 404
    assert hall.http.get(ticket["track_url"].split("?")[0]).status_code == 404
