"""The command line (CONTRACT §1): short reasons and non-zero exits, hash-password, readiness."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from queue_server.security.passwords import verify_password
from tests.support.halls import write_config
from tests.support.servers import REPO, ServerProcess

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queue_server", *args], input=stdin, capture_output=True, text=True, env=ENV, cwd=REPO, timeout=60)


def test_hash_password_reads_one_line_without_its_newline() -> None:
    result = _run("hash-password", stdin="s3cret pass\n")
    assert result.returncode == 0
    printed = result.stdout.strip()
    assert verify_password(printed, "s3cret pass")
    assert not verify_password(printed, "s3cret pass\n")


def _serve(config: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return _run("serve", "--config", str(config), "--data-dir", str(tmp_path / "data"), "--port", "1", *extra)


def test_bad_config_names_the_key(tmp_path: Path) -> None:
    cases = {
        "unknown": ('[[halls]]\nid="x"\nname="X"\ntimezone="Asia/Shanghai"\ncolour="red"\n', "colour"),
        "timezone": ('[[halls]]\nid="x"\nname="X"\ntimezone="Mars/Base"\n[[halls.queues]]\nid="A"\nname="a"\n'
                     '[[halls.windows]]\nid="W1"\nname="1"\nqueues=["A"]\n', "timezone"),
        "queue": ('[[halls]]\nid="x"\nname="X"\ntimezone="Asia/Shanghai"\n[[halls.queues]]\nid="A"\nname="a"\n'
                  '[[halls.windows]]\nid="W1"\nname="1"\nqueues=["B"]\n', "unknown queue"),
        "toml": ("[[halls]\n", "TOML"),
    }
    for name, (text, expected) in cases.items():
        config = tmp_path / f"{name}.toml"
        config.write_text(text)
        result = _serve(config, tmp_path)
        assert result.returncode != 0, name
        assert expected in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 3
    missing = _serve(tmp_path / "nope.toml", tmp_path)
    assert missing.returncode != 0 and "nope.toml" in missing.stderr


def test_unreachable_database_names_the_url(tmp_path: Path) -> None:
    config = write_config(tmp_path / "halls.toml", ["x"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://someone:secretpw@127.0.0.1:{port}/nothing"
    result = _serve(config, tmp_path, "--database", url)
    assert result.returncode != 0
    assert f"127.0.0.1:{port}/nothing" in result.stderr and "secretpw" not in result.stderr
    assert "Traceback" not in result.stderr
    bad = _serve(config, tmp_path, "--database", "mysql://x/y")
    assert bad.returncode != 0 and "unsupported" in bad.stderr


def test_systemd_readiness_and_watchdog(tmp_path: Path) -> None:
    """systemd is not needed to test sd_notify: a datagram socket stands in for it."""
    config = write_config(tmp_path / "halls.toml", ["x"])
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(30)
        server = ServerProcess(config=config, data_dir=tmp_path / "data", env={"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1000000"})
        server.start()
        try:
            messages = []
            while not any("WATCHDOG=1" in m for m in messages):
                messages.append(sock.recv(4096).decode())
            assert any("READY=1" in m for m in messages)
        finally:
            server.stop()
