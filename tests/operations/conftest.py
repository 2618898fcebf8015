"""Fixtures for the operations suite: real servers with login limits small enough to reach."""

from __future__ import annotations

from pathlib import Path

from tests.support.halls import hall_toml

SMALL_LIMITS = """
[server.login_limits]
account = { failures = 3, window_s = 600, lockout_s = 600 }
address = { failures = 6, window_s = 600, lockout_s = 900 }
"""


def write_limited_config(path: Path, hall_ids: list[str], limits: str = SMALL_LIMITS, *, load_generator: bool = True) -> Path:
    path.write_text(limits + "\n" + "\n".join(hall_toml(h, load_generator=load_generator) for h in hall_ids), encoding="utf-8")
    return path
