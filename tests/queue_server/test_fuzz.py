"""Fuzz the whole API from its own OpenAPI schema with schemathesis: whatever it sends, under
each kind of token, the server never answers 5xx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.halls import STAFF_PASSWORD, token_for, write_config
from tests.support.servers import REPO, ServerProcess


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("fuzz")
    config = write_config(root / "halls.toml", ["fz"])
    # The fuzzer's many wrong logins from 127.0.0.1 would lock the address (and m01, s01) before
    # the staff runs log in: this server's limits are out of its reach.
    limits = "[server.login_limits]\naccount = { failures = 1000, window_s = 1, lockout_s = 1 }\n" \
             "address = { failures = 1000, window_s = 1, lockout_s = 1 }\n\n"
    config.write_text(limits + config.read_text(encoding="utf-8"), encoding="utf-8")
    server = ServerProcess(config=config, data_dir=root / "data").start()
    # Some state for the operations to find.
    kiosk = {"Authorization": f"Bearer {token_for('fz', 'kiosk-1')}"}
    for queue in "ABC":
        httpx.post(f"{server.url}/api/v1/halls/fz/tickets", json={"queue": queue, "channel": "walkin"}, headers=kiosk)
    yield server
    server.stop()


def _token(server: ServerProcess, who: str) -> str:
    if who in ("m01", "s01"):
        response = httpx.post(f"{server.url}/api/v1/auth/login", json={"hall": "fz", "staff_id": who, "password": STAFF_PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()["token"]
    return token_for("fz", who)


@pytest.mark.parametrize("who", ["kiosk-1", "platform", "m01", "s01"])
def test_no_server_error_under_any_token(fuzz_server: ServerProcess, who: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text('[parameters]\nhall = "fz"\n' + ('window = "W01"\n' if who in ("m01", "s01") else ""))
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "run",
        f"{fuzz_server.url}/openapi.json", "--checks", "not_a_server_error",
        "--header", f"Authorization: Bearer {_token(fuzz_server, who)}",
        "--max-examples", "12", "--workers", "1", "--phases", "coverage,fuzzing", "--seed", "20261122",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stdout[-4000:] + fuzz_server.log()
    assert "passed" in result.stdout
