"""The systemd units start the display apps the way the docs say, restart them and watch them."""

from __future__ import annotations

import configparser

import pytest
from display_support import REPO


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read(REPO / "systemd" / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize(
    "name, command",
    [
        ("queue-display-hall.service", "-m display hall --config"),
        ("queue-display-window@.service", "-m display window --window %i --config"),
    ],
)
def test_display_units(name, command):
    parsed = unit(name)
    service = parsed["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert service["Restart"] == "always" and int(service["WatchdogSec"]) > 0
    assert command in service["ExecStart"]
    assert "graphical.target" in parsed["Unit"]["After"]
    assert parsed["Install"]["WantedBy"] == "graphical.target"
