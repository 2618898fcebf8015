"""好差评 over real HTTP on SQLite and PostgreSQL: the whole loop (clerk finishes → the evaluator
shows the ticket → 差评 → case → closed → uploaded), each channel, and every refusal changing
nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from tests.evaluation.conftest import EvaluationHall
from tests.evaluation.receiver import Receiver


def _uploaded(receiver: Receiver, record_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in list(receiver.received):
            if record["id"] == record_id:
                return record
        time.sleep(0.1)
    raise AssertionError(f"{record_id} never arrived")


def _secret(ticket: dict) -> tuple[str, str]:
    parts = urlsplit(ticket["track_url"])
    return parts.path.rsplit("/", 1)[1], parts.query.split("k=", 1)[1]


def test_the_whole_loop(hall: EvaluationHall, receiver: Receiver) -> None:
    idle = hall.http.get(hall.path("/evaluations/window/W01"), headers=hall.evaluator)
    assert idle.status_code == 200 and idle.json()["pending"] is None
    ticket = hall.served()
    shown = hall.http.get(hall.path("/evaluations/window/W01"), headers=hall.evaluator).json()
    assert shown["staff"] == {"id": "s01", "name": "王芳"}
    pending = shown["pending"]
    assert pending["ticket_id"] == ticket["id"] and pending["may_evaluate"] and pending["clerk_id"] == "s01"
    bad = hall.http.post(hall.path("/evaluations"), headers=hall.evaluator, json={
        "ticket_id": ticket["id"], "level": 1, "reasons": ["等待时间长"], "text": "等了很久，电话13812345678"})
    assert bad.status_code == 201, bad.text
    evaluation = bad.json()
    assert evaluation["channel"] == "window" and evaluation["bad"] and evaluation["case_id"]
    assert "13812345678" not in evaluation["text"] and evaluation["clerk_id"] == "s01"
    assert hall.http.get(hall.path("/evaluations/window/W01"), headers=hall.evaluator).json()["pending"] is None
    marks = hall.http.get(hall.path("/evaluations/evaluated"), params={"tickets": ticket["id"]}, headers=hall.staff()).json()
    assert marks["tickets"][ticket["id"]]["level"] == 1

    case_id = evaluation["case_id"]
    lead = hall.staff("s01")  # W01's lead
    assert [c["id"] for c in hall.http.get(hall.path("/cases"), headers=lead).json()] == [case_id]
    assert hall.http.get(hall.path("/cases"), headers=hall.staff("s02")).json() == []
    steps = [
        {"action": "verify"},
        {"action": "callback", "note": "已电话回访，市民反映等候过久", "reached": True},
        {"action": "rectify", "note": "高峰期增开窗口"},
        {"action": "reply", "note": "已告知整改措施", "channel": "phone"},
        {"action": "close"},
    ]
    for step in steps:
        done = hall.http.post(hall.path(f"/cases/{case_id}/actions"), json=step, headers=lead)
        assert done.status_code == 200, done.text
    detail = hall.http.get(hall.path(f"/cases/{case_id}"), headers=hall.manager).json()
    assert detail["state"] == "closed" and detail["closed_at"]
    actions = [h["action"] for h in detail["history"]]
    assert actions == ["evaluate", "case_open", "case_verify", "case_callback", "case_rectify", "case_reply", "case_close"]
    assert "13812345678" not in json.dumps(detail)

    figures = hall.http.get(hall.path("/evaluations/figures"), params={"by": "window"}, headers=hall.manager).json()
    assert figures["total"]["bad"] == 1 and figures["total"]["real_name_bad"] == 0
    assert figures["groups"][0]["key"] == "W01"

    sent = _uploaded(receiver, f"ev-{evaluation['id']}")
    assert sent["level"] == 1 and sent["channel"] == "window" and sent["number"] == ticket["number"]
    closed = _uploaded(receiver, f"case-{case_id}")
    assert closed["case_state"] == "closed"
    order = receiver.ids()
    assert order.index(f"ev-{evaluation['id']}") < order.index(f"case-{case_id}")
    headers = receiver.headers[order.index(f"ev-{evaluation['id']}")]
    assert headers["Idempotency-Key"] == f"ev-{evaluation['id']}"
    assert len(headers["X-Signature"]) == 64  # HMAC-SHA256 hex (checked in test_upload_outbox)
    state = hall.http.get(hall.path("/evaluations/uploads"), headers=hall.manager).json()
    deadline = time.monotonic() + 10
    while state["pending"] and time.monotonic() < deadline:
        time.sleep(0.1)
        state = hall.http.get(hall.path("/evaluations/uploads"), headers=hall.manager).json()
    assert (state["sent"], state["pending"], state["dead"]) == (2, 0, 0)


def test_phone_and_kiosk_channels_and_followup(hall: EvaluationHall) -> None:
    ticket = hall.served()
    ticket_id, k = _secret(ticket)
    form = hall.http.get(hall.path("/evaluations/ticket"), params={"ticket_id": ticket_id, "k": k})
    assert form.status_code == 200 and form.json()["may_evaluate"]
    good = hall.http.post(hall.path("/evaluations"), json={"ticket_id": ticket_id, "k": k, "level": 5})
    assert good.status_code == 201 and good.json()["channel"] == "phone" and good.json()["case_id"] is None
    again = hall.http.post(hall.path("/evaluations"), json={"ticket_id": ticket_id, "k": k, "level": 4})
    assert again.status_code == 409 and again.json()["code"] == "evaluation_exists"
    by_link = hall.http.get(hall.path("/evaluations/ticket"), params={"link": ticket["track_url"]}, headers=hall.kiosk).json()
    assert by_link["evaluated"] and by_link["may_follow_up"]
    follow = hall.http.post(hall.path("/evaluations"), headers=hall.kiosk, json={
        "number": ticket["number"], "level": 2, "reasons": ["一次告知不清"], "followup": True})
    assert follow.status_code == 201, follow.text
    assert follow.json()["kind"] == "followup" and follow.json()["channel"] == "kiosk" and follow.json()["case_id"]
    third = hall.http.post(hall.path("/evaluations"), headers=hall.kiosk, json={"number": ticket["number"], "level": 5, "followup": True})
    assert third.status_code == 409


def _count(hall: EvaluationHall) -> tuple[int, int]:
    figures = hall.http.get(hall.path("/evaluations/figures"), headers=hall.manager).json()["total"]
    cases = hall.http.get(hall.path("/cases"), headers=hall.manager).json()
    return figures["evaluations"] + figures["excluded"], len(cases)


def test_bad_input_is_refused_and_changes_nothing(hall: EvaluationHall) -> None:
    ticket = hall.served()
    ticket_id, k = _secret(ticket)
    waiting = hall.issue("B")
    wid, wk = _secret(waiting)
    post = lambda body, headers=None: hall.http.post(hall.path("/evaluations"), json=body, headers=headers)  # noqa: E731
    refusals = [
        (post({"ticket_id": ticket_id, "level": 5}), 401),  # a phone without the secret
        (post({"ticket_id": ticket_id, "k": "wrong", "level": 5}), 404),
        (post({"ticket_id": "nope", "k": k, "level": 5}), 404),
        (post({"ticket_id": ticket_id, "k": k, "level": 6}), 422),
        (post({"ticket_id": ticket_id, "k": k, "level": 0}), 422),
        (post({"ticket_id": ticket_id, "k": k, "level": 1}), 422),  # 差评 without a reason
        (post({"ticket_id": ticket_id, "k": k, "level": 1, "reasons": ["天气不好"]}), 422),
        (post({"ticket_id": ticket_id, "k": k, "level": 5, "text": "长" * 301}), 422),
        (post({"ticket_id": ticket_id, "k": k, "level": "很好"}), 422),
        (post({"ticket_id": ticket_id, "k": k, "level": 5, "followup": True}), 409),  # nothing to follow up
        (post({"ticket_id": wid, "k": wk, "level": 5}), 409),  # never served
        (post({"ticket_id": ticket_id, "level": 5}, hall.staff()), 403),  # staff do not evaluate for citizens
        (post({"number": ticket["number"], "level": 5}, hall.evaluator), 422),
        (post({"number": "Z999", "level": 5}, hall.kiosk), 404),
        (post({"link": "https://example.invalid/nothing", "level": 5}, hall.kiosk), 422),
        (post({"ticket_id": ticket_id, "level": 5}, {"Authorization": "Bearer nope"}), 401),
    ]
    for response, status in refusals:
        assert response.status_code == status, response.text
        assert response.json()["message_zh"]
    assert _count(hall) == (0, 0)
    skipped = hall.issue("C")
    called = hall.http.post(hall.path("/windows/W03/call-next"), headers=hall.staff("s02")).json()
    assert called["id"] == skipped["id"]
    hall.http.post(hall.path(f"/tickets/{skipped['id']}/actions"), json={"action": "skip"}, headers=hall.staff("s02"))
    sid, sk = _secret(skipped)
    no_show = post({"ticket_id": sid, "k": sk, "level": 5})
    assert no_show.status_code == 409 and no_show.json()["code"] == "evaluation_not_served"
    assert _count(hall) == (0, 0)


def test_case_refusals_and_appeal(hall: EvaluationHall) -> None:
    ticket = hall.served()
    made = hall.http.post(hall.path("/evaluations"), headers=hall.evaluator, json={
        "ticket_id": ticket["id"], "level": 2, "reasons": ["态度不好"]}).json()
    case = made["case_id"]
    act = lambda body, who: hall.http.post(hall.path(f"/cases/{case}/actions"), json=body, headers=who)  # noqa: E731
    assert act({"action": "verify"}, hall.staff("s02")).status_code == 404  # not theirs: not visible
    assert act({"action": "close"}, hall.staff("s01")).status_code == 409
    assert act({"action": "dance"}, hall.staff("s01")).status_code == 422
    assert act({"action": "verify"}, hall.kiosk).status_code == 403
    assert hall.http.get(hall.path("/cases/none"), headers=hall.manager).status_code == 404
    assert act({"action": "appeal", "reason": "malicious", "note": "与办理无关的辱骂"}, hall.staff("s01")).status_code == 200
    assert act({"action": "approve_appeal"}, hall.staff("s01")).status_code == 403  # not a manager
    approved = act({"action": "approve_appeal", "note": "核实为恶意差评"}, hall.manager)
    assert approved.status_code == 200 and approved.json()["state"] == "closed" and approved.json()["appeal"] == "approved"
    figures = hall.http.get(hall.path("/evaluations/figures"), headers=hall.manager).json()["total"]
    assert figures["bad"] == 0 and figures["excluded"] == 1 and figures["evaluations"] == 0
