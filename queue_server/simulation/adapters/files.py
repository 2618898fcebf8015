"""Plan, forecast and model files (TOML or JSON, by their suffix): read, parsed, and every key
located on its line so that a problem names the line. Writing plans and models back out."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, TypeVar

from ...config import Hall
from ..problems import InputError, Problem
from ..problems import Path as KeyPath

T = TypeVar("T")
Parser = Callable[..., T]

_TABLE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def read(path: str | Path, parser: Parser[T], hall: Hall) -> T:
    """`parser(data, hall, source=…, locate=…)` over the file's document."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(source, [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError(source, [Problem("", "not UTF-8 text")]) from None
    data, lines = load_text(text, json_file=path.suffix.lower() == ".json", source=source)
    return parser(data, hall, source=source, locate=lines.get)


def load_text(text: str, *, json_file: bool, source: str) -> tuple[Any, dict[KeyPath, int]]:
    if json_file:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(source, [Problem("", f"not valid JSON: {exc.msg}", exc.lineno)]) from None
        return data, json_lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(source, [Problem("", f"not valid TOML: {exc}", int(line[1]) if line else None)]) from None
    return data, toml_lines(text)


def toml_lines(text: str) -> dict[KeyPath, int]:
    """Where each table and key of a TOML document starts: ("windows", 2, "shifts") → line.
    Array-of-tables entries are counted as they appear; keys of inline values keep their line."""
    lines: dict[KeyPath, int] = {}
    counts: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header and not _KEY.match(line):
            names = [part.strip().strip("\"'") for part in header[2].split(".")]
            path = _resolve(names, counts)
            if header[1] == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                path = path + (index,)
            table = path
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(table + (key[1].strip("\"'"),), number)
    return lines


def _resolve(names: list[str], counts: dict[tuple[str | int, ...], int]) -> tuple[str | int, ...]:
    """windows.moves inside the latest [[windows]] → ("windows", 3, "moves")."""
    path: tuple[str | int, ...] = ()
    for position, name in enumerate(names):
        path = path + (name,)
        if position < len(names) - 1 and path in counts:
            path = path + (counts[path] - 1,)
    return path


def json_lines(text: str) -> dict[KeyPath, int]:
    """Where each value of a JSON document starts, by its key path."""
    lines: dict[KeyPath, int] = {}
    position = 0
    line = 1

    def skip() -> None:
        nonlocal position, line
        while position < len(text) and text[position] in " \t\r\n":
            if text[position] == "\n":
                line += 1
            position += 1

    def value(path: KeyPath) -> None:
        nonlocal position, line
        skip()
        lines.setdefault(path, line)
        char = text[position]
        if char == "{":
            position += 1
            skip()
            if text[position] == "}":
                position += 1
                return
            while True:
                skip()
                key, position = scanstring(text, position + 1)
                skip()
                position += 1  # the colon
                value(path + (key,))
                skip()
                position += 1
                if text[position - 1] == "}":
                    return
        elif char == "[":
            position += 1
            skip()
            if text[position] == "]":
                position += 1
                return
            index = 0
            while True:
                value(path + (index,))
                index += 1
                skip()
                position += 1
                if text[position - 1] == "]":
                    return
        elif char == '"':
            _, position = scanstring(text, position + 1)
        else:
            match = re.compile(r"-?[0-9.eE+-]+|true|false|null").match(text, position)
            position = match.end() if match else position + 1

    value(())
    return lines


def write_document(path: str | Path, document: dict[str, Any]) -> None:
    """JSON for .json files, else TOML (the small subset plans and forecasts need)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        path.write_text(to_toml(document), encoding="utf-8")


def to_toml(document: dict[str, Any], header: str = "") -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    _toml_table(document, (), lines)
    return "\n".join(lines).strip() + "\n"


def _inline(value: object) -> bool:
    """A small table of plain values reads best on one line: A = { "09" = 12, "10" = 14 }."""
    return isinstance(value, dict) and len(value) <= 24 and not any(isinstance(v, (dict, list)) for v in value.values())


def _toml_table(table: dict[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    plain = {k: v for k, v in table.items() if not _is_tables(v) and (not isinstance(v, dict) or _inline(v))}
    for key, value in plain.items():
        lines.append(f"{_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        if isinstance(value, dict) and not _inline(value):
            lines.append("")
            lines.append(f"[{'.'.join(_key(p) for p in path + (key,))}]")
            _toml_table(value, path + (key,), lines)
    for key, value in table.items():
        if _is_tables(value):
            for entry in value:
                lines.append("")
                lines.append(f"[[{'.'.join(_key(p) for p in path + (key,))}]]")
                _toml_table(entry, path + (key,), lines)


def _is_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_-][A-Za-z0-9_-]*", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")
