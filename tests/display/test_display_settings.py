"""The display config files: the examples load; mistakes are errors naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from display_support import REPO

from display.settings import SettingsError, load_settings, parse_settings

BASE = {"server": {"url": "http://127.0.0.1:8000", "hall": "demo", "token": "t"}}


def test_the_example_configs_load():
    hall = load_settings(REPO / "config" / "display-hall.toml")
    assert (hall.hall, hall.width, hall.height, hall.voice.enabled) == ("demo", 1920, 1080, False)
    assert hall.voice.command == ("espeak-ng", "-v", "cmn")
    window = load_settings(REPO / "config" / "display-window.toml")
    assert (window.window, window.width, window.height) == ("W01", 1280, 400)
    assert load_settings(REPO / "config" / "display-window.toml", window="W07").window == "W07"


def test_defaults_and_token_file(tmp_path: Path):
    (tmp_path / "token").write_text("secret-token\n")
    settings = parse_settings({"server": {"url": "https://q.example/", "hall": "demo", "token_file": "token"}}, base=tmp_path)
    assert settings.token == "secret-token" and settings.server_url == "https://q.example"
    assert "secret-token" not in repr(settings)
    assert settings.page_seconds == 8 and settings.voice.enabled is False


@pytest.mark.parametrize(
    "change, key",
    [
        ({"screen": {"colour": "red"}}, "screen.colour"),
        ({"extra": {}}, "[extra]"),
        ({"screen": {"width": "wide"}}, "screen.width"),
        ({"screen": {"height": 0}}, "screen.height"),
        ({"screen": {"fullscreen": 1}}, "screen.fullscreen"),
        ({"screen": {"width": True}}, "screen.width"),
        ({"screen": {"timezone": "Mars/Olympus"}}, "screen.timezone"),
        ({"voice": {"command": []}}, "voice.command"),
        ({"voice": {"template": "请{name}"}}, "voice.template"),
        ({"server": {"url": "ftp://x", "hall": "demo", "token": "t"}}, "server.url"),
        ({"server": {"url": "http://x", "hall": "demo"}}, "server.token"),
        ({"server": {"url": "http://x", "hall": "", "token": "t"}}, "server.hall"),
        ({"server": {"url": "http://x", "hall": "d", "token": "t", "token_file": "f"}}, "token_file"),
    ],
)
def test_mistakes_name_the_key(change, key):
    data = {**BASE, **change}
    with pytest.raises(SettingsError, match=key.replace("[", r"\[").replace(".", r"\.")):
        parse_settings(data)


def test_cli_reports_config_errors_without_a_traceback(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[server]\nurl = "http://x"\nhall = "demo"\ntoken = "t"\n[screen]\nwidht = 3\n')
    run = subprocess.run([sys.executable, "-m", "display", "hall", "--config", str(bad)], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "screen.widht" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "display", "window", "--config", str(REPO / "config" / "display-hall.toml")],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--window" in run.stderr
    run = subprocess.run([sys.executable, "-m", "display", "hall", "--config", str(tmp_path / "none.toml")],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no such file" in run.stderr
