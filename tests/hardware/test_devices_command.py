"""`python -m hardware devices`: every configured device with its health; exit 1 when one fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _devices(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hardware", "devices", *args],
        capture_output=True, text=True, cwd=REPO, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_simulated_kiosk_devices_are_all_ok(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[devices]\nprinter = "sim"\nscanner = "sim"\ncard_reader = "sim"\nidcard_reader = "sim"\n')
    result = _devices("--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["printer", "scanner", "card_reader", "idcard_reader"]
    assert all(line.split()[2] == "ok" for line in lines)


def test_a_dead_printer_is_reported_and_fails_the_check(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    result = _devices("--printer", f"tcp:127.0.0.1:{port}", "--scanner", "sim")
    assert result.returncode == 1
    printer_line = next(line for line in result.stdout.splitlines() if line.startswith("printer"))
    assert " error " in printer_line and "打印机" in printer_line
    assert "Traceback" not in result.stderr


def test_nothing_configured_says_so() -> None:
    result = _devices()
    assert result.returncode == 2 and "no devices configured" in result.stdout
