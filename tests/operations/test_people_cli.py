"""`python -m queue_server staff …` and `device …` (issue 18) as an operator runs them: real
subprocesses editing a real hall config, a real server started on the result. The operator's
comments survive, the new staff member logs in with the password given on stdin, the printed
token works, removals take effect, and every refusal exits 2 with the file untouched."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from queue_server.config import load_config
from tests.support.halls import STAFF_PASSWORD, token_for, write_config
from tests.support.servers import REPO, ServerProcess

COMMENT = "# 运维备注：本文件由 staff/device 命令修改 (operator's note, must survive)\n"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "queue_server", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path / "halls.toml", ["ops", "other"])
    text = path.read_text(encoding="utf-8")
    path.write_text(COMMENT + text.replace('[[halls.devices]]\nid = "kiosk-1"', '# 一楼\n[[halls.devices]]\nid = "kiosk-1"', 1),
                    encoding="utf-8")
    path.chmod(0o640)
    return path


def login(server: ServerProcess, staff_id: str, password: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/auth/login", json={"hall": "ops", "staff_id": staff_id, "password": password},
                      timeout=30)


def queues(server: ServerProcess, token: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1/halls/ops/queues", headers={"Authorization": f"Bearer {token}"}, timeout=30)


def printed_token(result: subprocess.CompletedProcess[str]) -> str:
    match = re.search(r"^token = (\S+)$", result.stdout, re.M)
    assert match, result.stdout
    return match.group(1)


def test_staff_and_devices_added_rotated_and_removed_work_on_a_real_server(config: Path, tmp_path: Path) -> None:
    added = run("staff", "add", "--config", str(config), "--hall", "ops", "--id", "s012", "--name", "王芳",
                "--windows", "W03,W04", stdin="新口令-5678\n")
    assert added.returncode == 0, added.stderr
    assert "systemctl restart queue-server" in added.stdout
    assert "新口令-5678" not in added.stdout + added.stderr and "argon2" not in added.stdout + added.stderr
    kiosk = run("device", "add", "--config", str(config), "--hall", "ops", "--id", "kiosk-3", "--kind", "kiosk",
                "--name", "一楼大厅自助取号机3")
    assert kiosk.returncode == 0, kiosk.stderr
    token = printed_token(kiosk)
    assert "kiosk.token" in kiosk.stdout and token not in config.read_text(encoding="utf-8")
    assert run("staff", "remove", "--config", str(config), "--hall", "ops", "--id", "s02").returncode == 0
    assert run("device", "remove", "--config", str(config), "--hall", "ops", "--id", "kiosk-1").returncode == 0

    text = config.read_text(encoding="utf-8")
    assert text.startswith(COMMENT) and "# 一楼\n" in text
    assert oct(config.stat().st_mode & 0o777) == "0o640"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    hall = load_config(config).hall("ops")
    assert hall is not None
    person = hall.person("s012")
    assert person is not None and person.windows == ("W03", "W04") and person.role == "staff"
    assert [d.name for d in hall.devices if d.id == "kiosk-3"] == ["一楼大厅自助取号机3"]
    assert hall.person("s02") is None and "kiosk-1" not in [d.id for d in hall.devices]
    assert load_config(config).hall("other").person("s02") is not None  # type: ignore[union-attr]

    server = ServerProcess(config=config, data_dir=tmp_path / "data").start()
    try:
        assert login(server, "s012", "新口令-5678").status_code == 200
        assert login(server, "s012", STAFF_PASSWORD).status_code == 401
        assert login(server, "s02", STAFF_PASSWORD).status_code == 401  # removed
        assert queues(server, token).status_code == 200
        assert queues(server, token_for("ops", "kiosk-1")).status_code == 401  # removed
    finally:
        server.stop()

    assert run("staff", "password", "--config", str(config), "--hall", "ops", "--id", "s012",
               stdin="另一个口令\n").returncode == 0
    rotated = run("device", "token", "--config", str(config), "--hall", "ops", "--id", "kiosk-3")
    assert rotated.returncode == 0, rotated.stderr
    new_token = printed_token(rotated)
    assert new_token != token
    server = ServerProcess(config=config, data_dir=tmp_path / "data").start()
    try:
        assert login(server, "s012", "另一个口令").status_code == 200
        assert login(server, "s012", "新口令-5678").status_code == 401
        assert queues(server, new_token).status_code == 200
        assert queues(server, token).status_code == 401
    finally:
        server.stop()
    assert config.read_text(encoding="utf-8").startswith(COMMENT)


REFUSALS = [
    (["staff", "add", "--hall", "nowhere", "--id", "s013", "--name", "赵六"], "x\n", "no hall 'nowhere'"),
    (["staff", "add", "--hall", "ops", "--id", "s01", "--name", "赵六"], "x\n", "duplicate id 's01'"),
    (["staff", "add", "--hall", "ops", "--id", "s013", "--name", "赵六", "--windows", "W03,W09"], "x\n", "no window W09"),
    (["staff", "add", "--hall", "ops", "--id", "s013", "--name", "赵六"], "\n", "no password"),
    (["staff", "add", "--hall", "ops", "--id", "s013", "--name", "赵六"], "", "no password"),
    (["staff", "add", "--hall", "ops", "--id", "bad id!", "--name", "赵六"], "x\n", "would be refused by the server"),
    (["staff", "password", "--hall", "ops", "--id", "s099"], "x\n", "no staff member 's099'"),
    (["staff", "password", "--hall", "ops", "--id", "s01"], "", "no password"),
    (["staff", "remove", "--hall", "ops", "--id", "s099"], "", "no staff member 's099'"),
    (["device", "add", "--hall", "ops", "--id", "kiosk-1", "--kind", "kiosk"], "", "duplicate id 'kiosk-1'"),
    (["device", "add", "--hall", "ops", "--id", "kiosk-9", "--kind", "toaster"], "", "unknown device kind"),
    (["device", "add", "--hall", "nowhere", "--id", "kiosk-9", "--kind", "kiosk"], "", "no hall 'nowhere'"),
    (["device", "token", "--hall", "ops", "--id", "kiosk-9"], "", "no device 'kiosk-9'"),
    (["device", "remove", "--hall", "ops", "--id", "kiosk-9"], "", "no device 'kiosk-9'"),
]


def test_every_refusal_exits_2_in_one_line_and_leaves_the_file_alone(config: Path) -> None:
    before = config.read_bytes()
    for args, stdin, reason in REFUSALS:
        result = run(*args[:2], "--config", str(config), *args[2:], stdin=stdin)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
        assert reason in result.stderr, (args, result.stderr)
        assert "token =" not in result.stdout
        assert config.read_bytes() == before, args
    assert sorted(p.name for p in config.parent.iterdir()) == ["halls.toml"]
    missing = run("staff", "remove", "--config", str(config.parent / "missing.toml"), "--hall", "ops", "--id", "s01")
    assert missing.returncode == 2 and missing.stderr.startswith("error: cannot read config file")
