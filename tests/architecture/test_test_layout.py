"""The suite's own layout: test modules are imported by their file name (no packages under tests/),
so two test files of one name in two parts stop pytest's collection of the whole suite (CI failed
so once: tests/queue_server/test_cli.py and tests/simulator/test_cli.py)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_module_has_a_name_of_its_own() -> None:
    places: dict[str, list[str]] = defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        places[path.name].append(str(path.relative_to(TESTS)))
    shared = {name: found for name, found in places.items() if len(found) > 1}
    assert len(places) > 50  # the whole suite was found
    assert not shared, f"rename one of each: {shared}"
