"""The manager's console API over real HTTP and WebSocket, on SQLite and PostgreSQL: the live
hall's figures, pausing with a reason, signing a clerk out, the tidal preview, alerts (raised,
sent, acknowledged, cleared), the audit log and its CSV. Every refusal changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.sync.client import connect

from tests.manage.support import MANAGER_PHONE, Receiver
from tests.support.api import HallClient


def wait_for(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """The first truthy answer of `check` (the alert monitor checks every few seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.2)


def get(hall: HallClient, suffix: str, expect: int = 200) -> Any:
    response = hall.http.get(hall.path("/manage" + suffix), headers=hall.manager)
    assert response.status_code == expect, response.text
    return response.json()


def post(hall: HallClient, suffix: str, body: Any = None, expect: int = 200) -> Any:
    response = hall.http.post(hall.path("/manage" + suffix), json=body, headers=hall.manager)
    assert response.status_code == expect, response.text
    return response.json()


def windows(hall: HallClient) -> dict[str, dict[str, Any]]:
    return {w["id"]: w for w in get(hall, "/live")["windows"]}


def audit_rows(hall: HallClient, query: str = "") -> list[dict[str, Any]]:
    return get(hall, "/audit?limit=500" + query)["rows"]


def mine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of people, not the alert monitor's."""
    return [r for r in rows if not r["action"].startswith("alert_")]


def alerts(hall: HallClient) -> list[dict[str, Any]]:
    return get(hall, "/alerts")["alerts"]


# -- live hall -----------------------------------------------------------------------------------


def test_live_figures_beyond_the_stream(hall: HallClient) -> None:
    first = hall.issue("A")
    hall.issue("A")
    hall.issue("B")
    called = hall.call("W01", expect=200).json()
    assert called["number"] == first["number"]
    live = get(hall, "/live")
    w01 = {w["id"]: w for w in live["windows"]}["W01"]
    assert w01["status"] == "open" and w01["staff"] == {"id": "s01", "name": "王芳"}
    assert w01["current"]["number"] == "A001" and w01["current"]["status"] == "called"
    assert w01["current"]["called_at"] == called["called_at"] and w01["pause"] is None
    queues = {q["id"]: q for q in live["queues"]}
    assert queues["A"]["waiting"] == 1 and queues["A"]["arrivals_30m"] == 2 and len(queues["A"]["arrival_times"]) == 2
    assert queues["B"]["arrivals_30m"] == 1 and queues["C"]["arrivals_30m"] == 0
    assert queues["C"]["oldest_issued_at"] is None and queues["C"]["longest_wait_s"] is None
    a002 = hall.http.get(hall.path("/tickets?status=waiting&queue=A"), headers=hall.manager).json()[0]
    assert queues["A"]["oldest_issued_at"] == a002["issued_at"] and queues["A"]["longest_wait_s"] >= 0
    assert queues["A"]["windows"] == ["W01", "W02", "W04"] and queues["A"]["open_windows"] == 1
    assert queues["A"]["estimated_wait_s"] is not None
    with connect(hall.stream_url(), open_timeout=10) as ws:
        snapshot = json.loads(ws.recv(timeout=10))
    assert snapshot["seq"] == live["seq"]  # the figures include every event up to the stream's


# -- window controls -----------------------------------------------------------------------------


def test_pause_needs_a_reason_and_a_refused_pause_changes_nothing(hall: HallClient) -> None:
    hall.call("W01", expect=204)  # s01 signs in at W01
    before, rows_before = windows(hall), mine(audit_rows(hall))
    for body, status, words in (
        ({"reason": "   "}, 422, "请选择或填写暂停原因"),
        ({"reason": "长" * 61}, 422, "暂停原因不能超过 60 个字"),
        ({}, 422, "请求内容不正确"),
    ):
        refused = post(hall, "/windows/W01/pause", body, expect=status)
        assert refused["message_zh"] == words
    assert post(hall, "/windows/W03/pause", {"reason": "午休"}, expect=409)["message_zh"] == "该窗口无人签到，无需暂停"
    assert windows(hall) == before and mine(audit_rows(hall)) == rows_before

    paused = post(hall, "/windows/W01/pause", {"reason": "  设备故障： 打印机  联系 13812345678 "})["window"]
    assert paused["status"] == "paused"
    assert paused["pause"]["reason"] == "设备故障： 打印机 联系 138****5678" and paused["pause"]["by"] == "manager:m01"
    assert post(hall, "/windows/W01/pause", {"reason": "again"}, expect=409)["message_zh"] == "该窗口已暂停"
    row = audit_rows(hall, "&action=pause")[0]
    assert row["target"] == "window:W01" and row["detail"] == {"reason": "设备故障： 打印机 联系 138****5678"}
    assert row["actor"] == "manager:m01" and row["actor_name"] == "张强"
    # The staff console pauses without a reason: shown as such; resuming clears the pause.
    assert hall.http.post(hall.path("/windows/W01/resume"), headers=hall.manager).status_code == 200
    assert windows(hall)["W01"]["pause"] is None
    assert hall.http.post(hall.path("/windows/W01/pause"), headers=hall.staff("s01")).status_code == 200
    pause = windows(hall)["W01"]["pause"]
    assert pause["reason"] is None and pause["by"] == "staff:s01"


def test_sign_a_clerk_out(hall: HallClient) -> None:
    assert post(hall, "/windows/W01/sign-out", expect=409)["message_zh"] == "该窗口无人签到"
    hall.issue("A")
    hall.call("W01", expect=200)
    window = post(hall, "/windows/W01/sign-out")["window"]
    assert window["status"] == "closed" and window["staff"] is None
    assert window["current"]["number"] == "A001"  # the ticket stays at the window
    row = audit_rows(hall, "&action=sign_out")[0]
    assert row["detail"] == {"staff": "s01", "name": "王芳"} and row["target"] == "window:W01"
    assert hall.http.get("/api/v1/auth/me", headers=hall.staff("s01")).status_code == 200  # still logged in
    assert post(hall, "/windows/W01/sign-out", expect=409)["code"] == "window_closed"


def test_the_tidal_preview_changes_nothing_and_refuses_what_the_move_would(hall: HallClient) -> None:
    for _ in range(3):
        hall.issue("C")
    hall.call("W03", staff="s02", expect=200)  # W03 (C) open with s02
    hall.call("W01", expect=204)  # W01 (A, B) open with s01
    before = windows(hall)
    for body, words in (
        ({"queues": ["Z"]}, "没有业务类别 Z"),
        ({"queues": []}, "窗口至少办理一个业务类别"),
        ({"queues": ["A", "A"]}, "业务类别重复"),
    ):
        assert post(hall, "/windows/W01/tidal-preview", body, expect=422)["message_zh"] == words
    assert post(hall, "/windows/W01/tidal-preview", {"queues": ["C"], "policy": "lifo"}, expect=422)["code"] == "invalid"

    found = post(hall, "/windows/W01/tidal-preview", {"queues": ["C"], "policy": "fifo"})
    assert found["queues_before"] == ["A", "B"] and found["queues_after"] == ["C"]
    effect = {e["queue"]: e for e in found["effects"]}
    assert effect["C"]["waiting"] == 2 and effect["C"]["windows_before"] == 2 and effect["C"]["windows_after"] == 3
    assert effect["C"]["estimated_wait_after_s"] < effect["C"]["estimated_wait_before_s"] and effect["C"]["changed"]
    assert windows(hall) == before  # a preview is only a preview

    moved = hall.http.put(hall.path("/windows/W01/queues"), json={"queues": ["C"], "policy": "fifo"}, headers=hall.manager)
    assert moved.status_code == 200 and moved.json()["queues"] == ["C"]
    assert windows(hall)["W01"]["queues"] == ["C"]
    assert audit_rows(hall, "&action=tidal")[0]["detail"] == {"queues": ["C"], "policy": "fifo"}


# -- alerts --------------------------------------------------------------------------------------


def test_an_alert_is_raised_sent_acknowledged_and_cleared(hall: HallClient, receiver: Receiver) -> None:
    url = f"{hall.server.ws_url}/api/v1/halls/{hall.hall}/manage/stream?token={hall.manager['Authorization'].split()[1]}"
    with connect(url, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10)) == {"type": "alerts", "alerts": []}
        for _ in range(4):
            hall.issue("C")  # queue C has its waiting alert turned off (waiting = 0)
        for _ in range(4):
            hall.issue("A")
        pushed = json.loads(ws.recv(timeout=20))
    assert [(a["kind"], a["subject"], a["value"], a["threshold"]) for a in pushed["alerts"]] == [("queue_waiting", "A", 4, 4)]
    alert = pushed["alerts"][0]
    assert alert["text_zh"] == "企业开办（A）等候 4 人，达到预警值 4 人" and alert["acknowledged"] is None
    assert alerts(hall) == pushed["alerts"]

    raised = audit_rows(hall, "&action=alert_raised")
    assert [r["id"] for r in raised] == [alert["id"]] and raised[0]["actor"] == "system"
    assert raised[0]["target"] == "alert:queue_waiting:A"
    hooks = wait_for(lambda: [b for b in receiver.received("/webhook") if b["hall"] == hall.hall])
    assert hooks[0]["type"] == "queue_alert" and hooks[0]["kind"] == "queue_waiting" and hooks[0]["subject"] == "A"
    assert hooks[0]["id"] == f"alert-{alert['id']}" and "企业开办（A）等候 4 人" in hooks[0]["text"]
    texts = wait_for(lambda: [b for b in receiver.received("/sms") if hall.hall in b["content"]])
    assert texts[0]["mobile"] == MANAGER_PHONE and texts[0]["content"].startswith(f"【测试政务服务中心 {hall.hall}】排队预警：")

    # Acknowledging: a bad note or an unknown alert changes nothing; once only.
    rows_before = audit_rows(hall)
    assert post(hall, f"/alerts/{alert['id']}/ack", {"note": "x" * 201}, expect=422)["message_zh"] == "备注不能超过 200 个字"
    assert post(hall, "/alerts/999999/ack", {}, expect=404)["message_zh"] == "没有这条预警"
    assert audit_rows(hall) == rows_before
    acked = post(hall, f"/alerts/{alert['id']}/ack", {"note": "已加开 4 号窗口"})["alerts"][0]["acknowledged"]
    assert acked["by"] == "manager:m01" and acked["by_name"] == "张强" and acked["note"] == "已加开 4 号窗口"
    assert post(hall, f"/alerts/{alert['id']}/ack", {}, expect=409)["code"] == "alert_acknowledged"
    ack_row = audit_rows(hall, "&action=alert_ack")[0]
    assert ack_row["detail"] == {"raised_id": alert["id"], "note": "已加开 4 号窗口"} and ack_row["actor"] == "manager:m01"

    # Below 80 % of the threshold (3 < 3.2) the alert clears by itself.
    hall.call("W01", expect=200)
    assert wait_for(lambda: alerts(hall) == [])
    cleared = audit_rows(hall, "&action=alert_cleared")[0]
    assert cleared["detail"]["raised_id"] == alert["id"]
    assert post(hall, f"/alerts/{alert['id']}/ack", {}, expect=409)["code"] == "alert_cleared"


def test_time_alone_raises_a_window_alert(hall: HallClient) -> None:
    hall.call("W01", expect=204)
    post(hall, "/windows/W01/pause", {"reason": "会议"})
    found = wait_for(lambda: alerts(hall))
    assert found[0]["kind"] == "window_paused" and found[0]["subject"] == "W01" and found[0]["value"] >= 3
    assert found[0]["text_zh"].startswith("1号窗口已暂停 ")
    assert hall.http.post(hall.path("/windows/W01/resume"), headers=hall.manager).status_code == 200
    assert wait_for(lambda: alerts(hall) == [])


# -- audit log -----------------------------------------------------------------------------------


def test_audit_log_filters_pages_and_exports(hall: HallClient) -> None:
    ticket = hall.issue("A")
    hall.call("W01", expect=200)
    hall.act(ticket["id"], "start")
    hall.act(ticket["id"], "finish")
    post(hall, "/windows/W01/pause", {"reason": "午休 13800001111"})
    hall.http.post(hall.path("/windows/W01/resume"), headers=hall.staff("s01"))
    rows = mine(audit_rows(hall))
    assert [r["action"] for r in rows] == ["resume", "pause", "finish", "start"]
    assert rows[2]["detail"] == {"number": "A001", "status": "done"} and rows[2]["actor_name"] == "王芳"
    assert [r["action"] for r in mine(audit_rows(hall, "&staff=s01"))] == ["resume", "finish", "start"]
    assert [r["action"] for r in audit_rows(hall, "&action=start")] == ["start"]

    page = get(hall, "/audit?limit=2&staff=s01")
    assert len(page["rows"]) == 2 and page["next_before_id"] == page["rows"][-1]["id"]
    older = get(hall, f"/audit?limit=2&staff=s01&before_id={page['next_before_id']}")
    assert [r["action"] for r in older["rows"]] == ["start"] and older["next_before_id"] is None

    now = dt.datetime.now(dt.UTC)
    later = (now + dt.timedelta(hours=1)).isoformat()
    future = hall.http.get(hall.path("/manage/audit"), params={"since": later}, headers=hall.manager)
    assert future.status_code == 200 and future.json()["rows"] == []
    assert get(hall, "/audit?since=2026-01-01T00:00:00", expect=422)["code"] == "invalid"  # no offset
    early = (now - dt.timedelta(hours=1)).isoformat()
    refused = hall.http.get(hall.path("/manage/audit"), params={"since": later, "until": early}, headers=hall.manager)
    assert refused.status_code == 422 and refused.json()["message_zh"] == "开始时间不能晚于结束时间"
    assert get(hall, "/audit?action=DROP%20TABLE", expect=422)["code"] == "invalid"

    response = hall.http.get(hall.path("/manage/audit.csv"), params={"staff": "m01"}, headers=hall.manager)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith(f'attachment; filename="audit-{hall.hall}-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == ["时间 Time", "操作人 Actor", "姓名 Name", "操作 Action", "对象 Target", "详情 Detail"]
    assert [row[3] for row in table[1:]] == ["pause"] and response.headers["x-row-count"] == "1"
    assert table[1][1:5] == ["manager:m01", "张强", "pause", "window:W01"]
    assert json.loads(table[1][5]) == {"reason": "午休 138****1111"}
    assert "13800001111" not in response.text
