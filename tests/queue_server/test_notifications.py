"""Silent-call text messages through a real server and a local HTTP gateway that records what
it gets: "please go to window N" on a call, "前面还有3人" once, the configured body and auth
header, retries on errors and timeouts, the hourly limit per number, at most once across a
restart (pending rows resumed, sent ones never again) and phones masked in the log."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.api import HallClient
from tests.support.halls import hall_toml
from tests.support.http import send_json
from tests.support.servers import ServerProcess

HALLS = ["n1", "n2", "n3", "n4", "n5"]


@dataclass
class Gateway:
    """An SMS provider stand-in on 127.0.0.1. `plans[phone]` lists what to do with the next
    requests for that phone: "ok", "500", "400" or "sleep" (answer after the client gave up)."""

    plans: dict[str, list[str]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def start(self) -> Gateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                phone = body.get("mobile", "")
                with gateway.lock:
                    plan = gateway.plans.get(phone) or []
                    action = plan.pop(0) if plan else "ok"
                    gateway.requests.append({"body": body, "headers": dict(self.headers), "action": action})
                if action == "sleep":
                    time.sleep(1.5)
                    action = "ok"
                status = {"ok": 200, "500": 500, "400": 400}[action]
                payload = b'{"code": 0}' if status == 200 else b'{"code": 1, "error": "refused"}'
                send_json(self, status, payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def to(self, phone: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["body"].get("mobile") == phone]

    def delivered(self, phone: str) -> list[dict[str, Any]]:
        return [r for r in self.to(phone) if r["action"] in ("ok", "sleep")]

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()


class InfoServer(ServerProcess):
    """The server with INFO logging, so the test can read what the notifier logs."""

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--log-level") + 1] = "info"
        return command


def sms_config(gateway_url: str) -> str:
    return f"""[server.sms]
gateway = "http"
url = "{gateway_url}"
timeout_s = 0.5
retries = 2
retry_backoff_s = 0.1
max_per_number_per_hour = 3
text_called = "{{number}}号请到{{window_name}}办理【{{hall_name}}】"

[server.sms.headers]
Authorization = "Bearer sms-secret"

[server.sms.body_template]
mobile = "{{phone}}"
content = "{{text}}"
sign = "济南政务"
msg_id = "{{id}}"

"""


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    gateway = Gateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, gateway: Gateway) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("sms")
    config = root / "halls.toml"
    config.write_text(sms_config(gateway.url) + "".join(hall_toml(h) for h in HALLS), encoding="utf-8")
    process = InfoServer(config=config, data_dir=root / "data").start()
    yield process
    process.stop()


def wait_for(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def outbox(server: ServerProcess) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{server.data_dir / 'queue.sqlite3'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM notifications ORDER BY id")]


def rows_for(server: ServerProcess, ticket_id: str) -> list[dict[str, Any]]:
    return [r for r in outbox(server) if r["ticket_id"] == ticket_id]


def test_a_call_sends_one_message_with_the_configured_body(server: ServerProcess, gateway: Gateway) -> None:
    hall = HallClient(server, "n1")
    phone = "13800000001"
    mine = hall.issue("A", phone=phone)
    other = hall.issue("A")  # no phone: nothing is ever sent for it
    called = hall.call("W01", expect=200).json()
    assert called["id"] == mine["id"]
    [request] = wait_for(lambda: gateway.delivered(phone))
    body = request["body"]
    assert body["content"] == f"{mine['number']}号请到1号窗口办理【测试政务服务中心 n1】"
    assert body["sign"] == "济南政务" and body["msg_id"].startswith("n")
    assert request["headers"]["Authorization"] == "Bearer sms-secret"
    assert wait_for(lambda: [r for r in rows_for(server, mine["id"]) if r["status"] == "sent"])

    # A recall is the same event for the citizen: not texted again.
    hall.act(mine["id"], "recall")
    hall.act(mine["id"], "finish")
    hall.call("W01", expect=200)  # the ticket without a phone
    time.sleep(1.0)
    assert len(gateway.to(phone)) == 1
    assert rows_for(server, other["id"]) == []
    hall.close()


def test_three_ahead_is_sent_once_then_the_call(server: ServerProcess, gateway: Gateway) -> None:
    hall = HallClient(server, "n2")
    phone = "13800000002"
    ahead = [hall.issue("C") for _ in range(4)]
    mine = hall.issue("C", phone=phone)
    assert mine["waiting_ahead"] == 4
    time.sleep(0.5)
    assert gateway.to(phone) == []
    hall.call("W03", staff="s02", expect=200)
    [warning] = wait_for(lambda: gateway.delivered(phone))
    assert f"{mine['number']}号前面还有3人" in warning["body"]["content"]
    for ticket in ahead:
        hall.act(ticket["id"], "finish", staff="s02")
        called = hall.call("W03", staff="s02", expect=200).json()
    assert called["id"] == mine["id"]
    messages = wait_for(lambda: len(gateway.delivered(phone)) >= 2 and gateway.delivered(phone))
    assert [m["body"]["content"] for m in messages][1].startswith(f"{mine['number']}号请到3号窗口办理")
    time.sleep(0.5)
    assert len(gateway.to(phone)) == 2  # 2 ahead and 1 ahead sent nothing more
    kinds = sorted(r["kind"] for r in rows_for(server, mine["id"]))
    assert kinds == ["called:W03", "three_ahead"]
    hall.close()


def test_errors_and_timeouts_are_retried_with_backoff(server: ServerProcess, gateway: Gateway) -> None:
    hall = HallClient(server, "n3")
    plans = {
        "13800000003": ["500", "500", "ok"],  # third attempt succeeds
        "13800000004": ["sleep", "ok"],  # a timeout, then success
        "13800000005": ["500", "500", "500"],  # every attempt fails
        "13800000006": ["400"],  # refused: never retried
    }
    gateway.plans.update({phone: list(plan) for phone, plan in plans.items()})
    tickets = {phone: hall.issue("B", phone=phone) for phone in plans}
    for _ in plans:
        called = hall.call("W02", expect=200).json()
        hall.act(called["id"], "finish")

    def settled() -> bool:
        rows = [r for phone in plans for r in rows_for(server, tickets[phone]["id"]) if r["kind"].startswith("called")]
        return len(rows) == 4 and all(r["status"] in ("sent", "failed") for r in rows)

    assert wait_for(settled, timeout=30)
    status = {phone: [r for r in rows_for(server, t["id"]) if r["kind"].startswith("called")][0] for phone, t in tickets.items()}
    assert status["13800000003"]["status"] == "sent" and len(gateway.to("13800000003")) == 3
    assert status["13800000004"]["status"] == "sent" and len(gateway.to("13800000004")) == 2
    assert status["13800000005"]["status"] == "failed" and len(gateway.to("13800000005")) == 3
    assert "HTTP 500" in status["13800000005"]["error"]
    assert status["13800000006"]["status"] == "failed" and len(gateway.to("13800000006")) == 1
    # Retries of one message carry the same id, so a provider can drop a duplicate.
    assert len({r["body"]["msg_id"] for r in gateway.to("13800000003")}) == 1
    hall.close()


def test_the_hourly_limit_per_number_holds(server: ServerProcess, gateway: Gateway) -> None:
    hall = HallClient(server, "n4")
    phone = "13800000007"
    tickets = [hall.issue("C", phone=phone) for _ in range(5)]
    for _ in tickets:
        called = hall.call("W03", staff="s02", expect=200).json()
        hall.act(called["id"], "finish", staff="s02")
    ids = {t["id"] for t in tickets}

    def settled() -> list[dict[str, Any]]:
        rows = [r for r in outbox(server) if r["ticket_id"] in ids]
        calls = [r for r in rows if r["kind"].startswith("called")]
        return rows if len(calls) == 5 and all(r["status"] not in ("pending", "sending") for r in rows) else []

    rows = wait_for(settled, timeout=20)
    assert rows
    assert len(gateway.to(phone)) == 3
    assert sum(r["status"] == "sent" for r in rows) == 3
    assert sum(r["status"] == "limited" for r in rows) == len(rows) - 3
    hall.close()


def test_messages_go_out_once_across_a_restart(server: ServerProcess, gateway: Gateway) -> None:
    hall = HallClient(server, "n5")
    phone = "13800000008"
    mine = hall.issue("A", phone=phone)
    hall.call("W01", expect=200)
    assert wait_for(lambda: [r for r in rows_for(server, mine["id"]) if r["status"] == "sent"])
    server.kill()
    # While the server is down: one message still pending (it must go out after the start) and
    # one caught in the middle of sending (it may have reached the phone: never sent again).
    database = server.data_dir / "queue.sqlite3"
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT hall_id, phone_hash, created_at FROM notifications WHERE ticket_id = ?", (mine["id"],)).fetchone()
        for kind, text, status in (("test:pending", "恢复后补发", "pending"), ("test:sending", "发送中断", "sending")):
            db.execute(
                "INSERT INTO notifications (hall_id, ticket_id, kind, phone_hash, text, status, attempts, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (row[0], mine["id"], kind, row[1], text, status, row[2], row[2]),
            )
    server.start()
    texts = wait_for(lambda: [r["body"]["content"] for r in gateway.to(phone) if r["body"]["content"] == "恢复后补发"])
    assert texts == ["恢复后补发"]
    hall.http.close()
    hall = HallClient(server, "n5")
    hall.act(mine["id"], "recall")
    time.sleep(1.0)
    contents = [r["body"]["content"] for r in gateway.to(phone)]
    assert len(contents) == 2 and "发送中断" not in contents, contents
    statuses = {r["kind"]: r["status"] for r in rows_for(server, mine["id"])}
    assert statuses == {"called:W01": "sent", "test:pending": "sent", "test:sending": "unknown"}
    hall.close()


def test_the_log_never_holds_a_whole_phone_number(server: ServerProcess) -> None:
    log = Path(server.log_path).read_text(encoding="utf-8", errors="replace")
    assert "138****0003" in log and "attempt 3" in log
    for suffix in range(1, 9):
        assert f"1380000000{suffix}" not in log


def test_sms_settings_are_checked_at_start() -> None:
    from queue_server.config import ConfigError, parse_config

    halls = [{"id": "x", "name": "X", "timezone": "Asia/Shanghai", "queues": [{"id": "A", "name": "A"}],
              "windows": [{"id": "W1", "name": "1号窗口", "queues": ["A"]}]}]
    assert parse_config({"halls": halls}, Path(".")).server.sms.gateway == "log"  # the default
    for sms, problem in (
        ({"gateway": "http"}, "needs url"),
        ({"gateway": "http", "url": "ftp://x"}, "server.sms.url"),
        ({"text_called": "{number} {phone}"}, "unknown field(s) phone"),
        ({"timeout_s": 0}, "server.sms.timeout_s"),
        ({"gatway": "log"}, "unknown key"),
    ):
        with pytest.raises(ConfigError) as error:
            parse_config({"server": {"sms": sms}, "halls": halls}, Path("."))
        assert problem in str(error.value), error.value


def test_the_default_gateway_only_logs_with_the_phone_masked(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    import logging

    from queue_server.notify.gateways import LogGateway

    with caplog.at_level(logging.INFO, logger="queue_server.notify"):
        asyncio.run(LogGateway().send("13800000009", "A001号请到1号窗口办理", "n1"))
    assert "138****0009" in caplog.text and "A001号请到1号窗口办理" in caplog.text
    assert "13800000009" not in caplog.text


def test_postgresql_sends_each_message_once(tmp_path: Path, gateway: Gateway, postgres) -> None:
    """The outbox on PostgreSQL (its own ON CONFLICT): a call texted once, even after a restart."""
    config = tmp_path / "halls.toml"
    config.write_text(sms_config(gateway.url) + hall_toml("pg1"), encoding="utf-8")
    process = InfoServer(config=config, data_dir=tmp_path / "data", database_url=postgres.create_database()).start()
    try:
        hall = HallClient(process, "pg1")
        phone = "13800000010"
        mine = hall.issue("A", phone=phone)
        hall.call("W01", expect=200)
        assert wait_for(lambda: gateway.delivered(phone))
        process.restart()
        hall.http.close()
        hall = HallClient(process, "pg1")
        hall.act(mine["id"], "recall")
        time.sleep(1.0)
        assert len(gateway.to(phone)) == 1
        hall.close()
    finally:
        process.stop()
