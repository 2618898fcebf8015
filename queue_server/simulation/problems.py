"""Input problems of the simulator: each names the key (and the line, when the input came from a
file) so the person who wrote the plan or the forecast can fix it. Nothing is simulated while any
problem stands."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Path = tuple[str | int, ...]  # a key inside a document: ("windows", 2, "shifts", 0)
Locate = Callable[[Path], int | None]  # a key → its line in the file, when known


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    key: str  # e.g. windows[W06].shifts[1]
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, {self.key}" if self.line else self.key
        return f"{where}: {self.message}" if where else self.message


class InputError(ValueError):
    """A plan, forecast or model the simulator cannot use; `problems` lists every fault found."""

    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = tuple(problems)
        shown = "; ".join(str(p) for p in self.problems[:8])
        more = len(self.problems) - 8
        super().__init__(f"{source}: {shown}" + (f"; and {more} more" if more > 0 else ""))


def key_name(path: Path, data: Any) -> str:
    """`windows[W06].shifts[1]`: list entries that carry an id are named by it."""
    parts: list[str] = []
    node = data
    for part in path:
        if isinstance(part, int):
            label: object = part
            if isinstance(node, list) and 0 <= part < len(node):
                item = node[part]
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    label = item["id"]
                node = item
            else:
                node = None
            parts.append(f"[{label}]")
        else:
            parts.append(f".{part}" if parts else part)
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(parts)


class Collector:
    """Gathers problems while a document is checked, naming keys and lines the same way."""

    def __init__(self, data: Any, locate: Locate | None = None):
        self.data = data
        self.locate = locate
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(key_name(path, self.data), message, self.line_of(path)))

    def line_of(self, path: Path) -> int | None:
        if self.locate is None:
            return None
        for end in range(len(path), -1, -1):  # the key itself, else the nearest enclosing one
            line = self.locate(path[:end])
            if line is not None:
                return line
        return None

    def unknown_keys(self, path: Path, table: Mapping[str, Any], known: set[str]) -> None:
        for key in table:
            if key not in known:
                self.add(path + (key,), f"unknown key (one of {', '.join(sorted(known))})")

    def raise_if_any(self, source: str) -> None:
        if self.problems:
            raise InputError(source, self.problems)


def open_document(
    data: object, source: str, locate: Locate | None, known: set[str], what: str, hall_id: str
) -> tuple[Collector, Mapping[str, Any]]:
    """Start checking a document: it is a table, of known keys, for this hall (when it says)."""
    check = Collector(data, locate)
    if not isinstance(data, Mapping):
        check.add((), f"a {what} is a table of keys ({', '.join(sorted(known))})")
        check.raise_if_any(source)
        raise AssertionError  # unreachable: raised above
    check.unknown_keys((), data, known)
    if "hall" in data and data["hall"] != hall_id:
        check.add(("hall",), f"this {what} is for hall {data['hall']!r}, not {hall_id!r}")
    return check, data
