"""Edits of the hall configuration file (TOML) that keep the operator's comments and layout:
staff and devices added, removed, given a new password hash or token hash (issue 18).

The edit functions are pure: they take a parsed document (tomlkit) and return an edited copy,
raising EditError with a one-line reason. `validated` checks the whole new text with the
server's own loader (config.parse_config), so an edit that the server would refuse at start is
refused here; `write_atomically` replaces the file in one rename, keeping its mode and owner.
Nothing here prints, and no error names a password, a hash or a token.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, Comment, InlineTable, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from ..config import Config, ConfigError, parse_config

KINDS = ("kiosk", "display", "integration", "evaluator")
ROLES = ("staff", "manager")


class EditError(Exception):
    """The edit cannot be made; the message says why in one line."""


def parse(text: str) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise EditError(f"not valid TOML: {exc}") from None


def _copy(doc: TOMLDocument) -> TOMLDocument:
    return tomlkit.parse(doc.as_string())


def _hall(doc: TOMLDocument, hall_id: str) -> Any:
    halls = doc.get("halls")
    if isinstance(halls, AoT | Array):
        for hall in halls:
            if isinstance(hall, dict) and hall.get("id") == hall_id:
                return hall
    raise EditError(f"no hall {hall_id!r} in the config")


def _entries(hall: Any, key: str, *, create: bool) -> Any:
    entries = hall.get(key)
    if entries is None and create:
        hall[key] = tomlkit.aot()
        entries = hall[key]
    if entries is not None and not isinstance(entries, AoT | Array):
        raise EditError(f"halls[{hall.get('id')}].{key} is not a list of tables")
    return entries


def _index(hall: Any, key: str, entry_id: str) -> int:
    entries = _entries(hall, key, create=False) or []
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get("id") == entry_id:
            return index
    raise EditError(f"no {_WHAT[key]} {entry_id!r} in hall {hall.get('id')!r}")


_WHAT = {"staff": "staff member", "devices": "device"}


def _append(hall: Any, key: str, values: dict[str, Any]) -> None:
    entries = _entries(hall, key, create=True)
    if any(isinstance(e, dict) and e.get("id") == values["id"] for e in entries):
        raise EditError(f"duplicate id {values['id']!r}: hall {hall.get('id')!r} already has that {_WHAT[key]}")
    entry: Table | InlineTable = tomlkit.table() if isinstance(entries, AoT) else tomlkit.inline_table()
    for name, value in values.items():
        entry[name] = value
    if isinstance(entry, Table) and len(entries) and isinstance(entries[-1], Table):
        _layout_like(entry, entries[-1])
    entries.append(entry)


def _layout_like(entry: Table, previous: Table) -> None:
    """The new [[…]] entry indented as the one before it, and followed by a blank line if it was."""
    keys = [item for _, item in previous.value.body if not isinstance(item, Whitespace | Comment)]
    entry.trivia.indent = previous.trivia.indent
    for _, item in entry.value.body:
        if keys:
            item.trivia.indent = keys[0].trivia.indent
    body = previous.value.body
    if body and isinstance(body[-1][1], Whitespace | Comment):
        entry.add(tomlkit.nl())


def add_staff(doc: TOMLDocument, hall_id: str, *, staff_id: str, name: str, windows: list[str],
              password_hash: str, role: str = "staff") -> TOMLDocument:
    if role not in ROLES:
        raise EditError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    doc = _copy(doc)
    hall = _hall(doc, hall_id)
    known = [w.get("id") for w in hall.get("windows", []) if isinstance(w, dict)]
    unknown = [w for w in windows if w not in known]
    if unknown:
        raise EditError(f"hall {hall_id!r} has no window {', '.join(unknown)} (its windows: {', '.join(map(str, known))})")
    values = {"id": staff_id, "name": name, "password_hash": password_hash, "windows": list(windows), "role": role}
    _append(hall, "staff", values)
    return doc


def add_device(doc: TOMLDocument, hall_id: str, *, device_id: str, kind: str, token_sha256: str,
               name: str = "") -> TOMLDocument:
    if kind not in KINDS:
        raise EditError(f"unknown device kind {kind!r} (one of {', '.join(KINDS)})")
    doc = _copy(doc)
    values = {"id": device_id, "kind": kind, **({"name": name} if name else {}), "token_sha256": token_sha256}
    _append(_hall(doc, hall_id), "devices", values)
    return doc


def remove(doc: TOMLDocument, hall_id: str, key: str, entry_id: str) -> TOMLDocument:
    """Without the staff member (key "staff") or device (key "devices") of that id."""
    doc = _copy(doc)
    hall = _hall(doc, hall_id)
    index = _index(hall, key, entry_id)
    entries = _entries(hall, key, create=False)
    del entries[index]
    if not len(entries):
        del hall[key]  # not an empty `staff = []` written where the hall begins
    return doc


def replace_secret(doc: TOMLDocument, hall_id: str, key: str, entry_id: str, field: str, value: str) -> TOMLDocument:
    """The entry's password_hash (staff) or token_sha256 (devices) set to a new value."""
    doc = _copy(doc)
    hall = _hall(doc, hall_id)
    entry = _entries(hall, key, create=False)[_index(hall, key, entry_id)]
    entry[field] = value
    return doc


def require(doc: TOMLDocument, hall_id: str, key: str | None = None, entry_id: str | None = None) -> None:
    """EditError unless the hall (and, with key and entry_id, that entry of it) exists."""
    hall = _hall(doc, hall_id)
    if key and entry_id is not None:
        _index(hall, key, entry_id)


def validated(text: str, base_dir: Path) -> Config:
    """The whole new text as the server would load it at start, or EditError."""
    try:
        return parse_config(tomllib.loads(text), base_dir)
    except tomllib.TOMLDecodeError as exc:
        raise EditError(f"the edited file would not be valid TOML: {exc}") from None
    except ConfigError as exc:
        raise EditError(f"the edited config would be refused by the server: {exc}") from None


def write_atomically(path: Path, text: str, expected: bytes) -> None:
    """Replace `path` by `text` in one rename: a temporary file in the same folder with the
    original's mode and owner, flushed to disk first. `expected` is what the file held when the
    edit began; a file changed meanwhile (another edit) is left alone and EditError raised."""
    path = Path(os.path.realpath(path))  # a symlinked config: replace its target, keep the link
    info = path.stat()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), info.st_mode & 0o7777)
            if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(handle.fileno(), info.st_uid, info.st_gid)
                except PermissionError:
                    raise EditError(f"cannot keep the owner of {path} (run as root or as its owner)") from None
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        if path.read_bytes() != expected:
            raise EditError(f"{path} changed while it was being edited; nothing written, try again")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
