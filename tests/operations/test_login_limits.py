"""Login limits over real HTTP: 429 with Retry-After, lock-outs a manager lifts, the audit log,
and a client that cannot choose the address it is counted under."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.operations.conftest import write_limited_config
from tests.support.halls import STAFF_PASSWORD
from tests.support.servers import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(config=write_limited_config(tmp_path / "halls.toml", ["ops"]), data_dir=tmp_path / "data").start()
    try:
        yield process
    finally:
        process.stop()


def login(server: ServerProcess, staff_id: str, password: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/auth/login", json={"hall": "ops", "staff_id": staff_id, "password": password},
                      headers=headers, timeout=30)


def audit_rows(server: ServerProcess) -> list[tuple[str, str, str]]:
    with sqlite3.connect(server.data_dir / "queue.sqlite3") as conn:
        return conn.execute("SELECT actor, action, target FROM audit_log WHERE action LIKE 'login%' ORDER BY id").fetchall()


def test_an_account_locks_after_wrong_passwords_and_a_manager_lifts_it(server: ServerProcess) -> None:
    for _ in range(3):
        assert login(server, "s01", "wrong").status_code == 401
    locked = login(server, "s01", STAFF_PASSWORD)  # even the right password waits now
    assert locked.status_code == 429
    assert locked.json()["code"] == "login_locked" and "管理员" in locked.json()["message_zh"]
    assert 0 < int(locked.headers["Retry-After"]) <= 600
    assert audit_rows(server) == [("address:127.0.0.1", "login_lockout", "account:s01")]

    staff = {"Authorization": f"Bearer {login(server, 's02', STAFF_PASSWORD).json()['token']}"}
    manager = {"Authorization": f"Bearer {login(server, 'm01', STAFF_PASSWORD).json()['token']}"}
    lockouts = f"{server.url}/api/v1/auth/lockouts"
    assert httpx.get(lockouts, headers=staff).status_code == 403
    assert httpx.post(lockouts + "/lift", json={"staff_id": "s01"}, headers=staff).status_code == 403
    listed = httpx.get(lockouts, headers=manager).json()["lockouts"]
    assert [(lo["scope"], lo["key"], lo["failures"]) for lo in listed] == [("account", "s01", 3)]
    both = httpx.post(lockouts + "/lift", json={"staff_id": "s01", "address": "127.0.0.1"}, headers=manager)
    assert both.status_code == 422
    assert httpx.get(lockouts, headers=manager).json()["lockouts"] != []  # a refusal changed nothing
    lifted = httpx.post(lockouts + "/lift", json={"staff_id": "s01"}, headers=manager)
    assert lifted.status_code == 200 and lifted.json() == {"lifted": True, "scope": "account", "key": "s01"}
    assert httpx.post(lockouts + "/lift", json={"staff_id": "s01"}, headers=manager).status_code == 404
    assert login(server, "s01", STAFF_PASSWORD).status_code == 200
    assert audit_rows(server)[-1] == ("manager:m01", "login_lockout_lift", "account:s01")


def test_unknown_accounts_lock_alike(server: ServerProcess) -> None:
    for _ in range(3):
        assert login(server, "nobody", "wrong").status_code == 401
    assert login(server, "nobody", "wrong").status_code == 429


def test_an_address_is_blocked_and_a_forged_forwarded_header_does_not_help(server: ServerProcess) -> None:
    # Direct clients are not a trusted proxy: X-Forwarded-For is ignored, all count as 127.0.0.1.
    for index in range(6):
        response = login(server, f"x{index}", "wrong", **{"X-Forwarded-For": f"10.9.0.{index}"})
        assert response.status_code == 401
    blocked = login(server, "s01", STAFF_PASSWORD, **{"X-Forwarded-For": "10.9.9.9"})
    assert blocked.status_code == 429 and blocked.json()["code"] == "login_rate_limited"
    assert 0 < int(blocked.headers["Retry-After"]) <= 900
    assert ("address:127.0.0.1", "login_lockout", "address:127.0.0.1") in audit_rows(server)


def thread_nice_values(pid: int) -> dict[int, int]:
    """Each thread's nice value (field 19 of /proc/PID/task/TID/stat)."""
    values = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        values[int(task.name)] = int(fields[16])
    return values


def test_password_checks_run_at_the_lowest_cpu_priority(server: ServerProcess) -> None:
    """The argon2 thread yields the CPU to the hall's requests; the event loop keeps its priority."""
    assert server.process is not None
    assert login(server, "s01", STAFF_PASSWORD).status_code == 200  # the check thread now exists
    values = thread_nice_values(server.process.pid)
    assert values[server.process.pid] == 0  # the main thread: the event loop
    assert 19 in values.values(), values
    assert sorted(values.values()).count(19) == 1  # only the password-check thread
