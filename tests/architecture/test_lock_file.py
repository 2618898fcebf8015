"""requirements.lock (what scripts/setup.sh installs, hashes checked) agrees with pyproject.toml's
pins: every package pinned there is locked at the same version, every locked line carries a hash."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins: dict[str, str] = {}
    for requirement in [r for group in project["optional-dependencies"].values() for r in group]:
        match = PIN.match(requirement)
        if match:
            pins[normalise(match.group(1))] = match.group(2)
        else:
            assert requirement.startswith("shandong-hall-queue["), f"pyproject.toml: {requirement!r} is not pinned with =="
    return pins


def locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.M)
    names = re.findall(r"^[A-Za-z0-9_.\-]+==", text, re.M)
    assert len(entries) == len(names), "a locked package without a hash"
    return {normalise(name): version for name, version, _ in entries}


def test_every_pyproject_pin_is_locked_at_its_version() -> None:
    lock = locked()
    wrong = {name: (version, lock.get(name)) for name, version in pyproject_pins().items() if lock.get(name) != version}
    assert not wrong, f"pyproject.toml and requirements.lock disagree (pin, lock): {wrong}; regenerate the lock (see its header)"


def test_the_lock_is_whole() -> None:
    lock = locked()
    assert len(lock) > 50
    for needed in ("fastapi", "kivy", "pyscard", "pytest", "limits", "starlette", "pydantic-core"):
        assert needed in lock, needed
