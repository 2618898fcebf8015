"""`HallBoard`: what a hall's screens show, rebuilt from the hall stream (CONTRACT §7).

Pure Python, no I/O and no clock of its own: the stream client feeds it the snapshot and the events,
and passes the monotonic time it wants highlights measured with. Views only read it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Ticket statuses in which a ticket still occupies its window.
AT_WINDOW = ("called", "serving")
WINDOW_STATUSES = ("open", "paused", "closed")
RECENT_KEEP = 10


class BoardError(ValueError):
    """A message that does not fit the stream's contract; the client resynchronises."""


class SequenceGap(BoardError):
    """An event arrived whose seq is not one past the last applied one."""

    def __init__(self, expected: int, got: int):
        super().__init__(f"expected event {expected}, got {got}")
        self.expected = expected
        self.got = got


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Current:
    number: str
    status: str  # "called" or "serving"


@dataclass(frozen=True, slots=True)
class WindowBoard:
    id: str
    name: str
    status: str  # "open", "paused", "closed"
    queues: tuple[str, ...] = ()
    staff: Staff | None = None
    current: Current | None = None


@dataclass(frozen=True, slots=True)
class QueueBoard:
    id: str
    name: str
    waiting: int


@dataclass(frozen=True, slots=True)
class Call:
    number: str
    window: str
    window_name: str
    at: str
    recall: bool = False
    received: float = 0.0  # the caller's monotonic clock when the board applied it


@dataclass
class HallBoard:
    """The hall as the screens know it. `seq` is the last message applied (0: nothing yet)."""

    hall_id: str = ""
    hall_name: str = ""
    notice: str = ""
    service_day: str = ""
    seq: int = 0
    synced: bool = False  # a snapshot (or a replay on top of one) has been applied
    windows: dict[str, WindowBoard] = field(default_factory=dict)  # in the hall's order
    queues: dict[str, QueueBoard] = field(default_factory=dict)
    recent: list[Call] = field(default_factory=list)  # newest first, one entry per number
    latest: Call | None = None  # the newest call or recall: the screen's big number
    version: int = 0  # bumped on every applied change; views redraw when it moves
    snapshots: int = 0  # snapshots applied (a resumed connection replays events instead)

    # -- applying messages ---------------------------------------------------------------------

    def apply(self, message: dict[str, Any], now: float = 0.0) -> Call | None:
        """Apply one stream message. Returns the call it announced (a new call or a recall), if
        any, so the caller can highlight it or speak it. Raises `SequenceGap` when events were
        missed and `BoardError` for a malformed message; the board is unchanged then."""
        if not isinstance(message, dict):
            raise BoardError("a stream message is a JSON object")
        kind = message.get("type")
        seq = message.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise BoardError(f"message without a valid seq: {kind!r}")
        if kind == "snapshot":
            self._apply_snapshot(message)
            return None
        if not self.synced:
            raise BoardError(f"{kind!r} event before any snapshot")
        if seq <= self.seq:
            return None  # already applied (a replay overlapping what we have)
        if seq != self.seq + 1:
            raise SequenceGap(self.seq + 1, seq)
        handler = _HANDLERS.get(kind)  # type: ignore[arg-type]
        call = handler(self, message, now) if handler else None  # unknown types: skip, keep seq
        self.seq = seq
        self.version += 1
        return call

    def _apply_snapshot(self, message: dict[str, Any]) -> None:
        hall = message.get("hall") or {}
        windows = {}
        for raw in _list(message, "windows"):
            window = _window_from(raw)
            windows[window.id] = window
        queues = {}
        for raw in _list(message, "queues"):
            queue = QueueBoard(_text(raw, "id"), str(raw.get("name") or raw["id"]), _count(raw, "waiting"))
            queues[queue.id] = queue
        recent = []
        for raw in _list(message, "recent_calls"):
            recent.append(
                Call(
                    _text(raw, "number"),
                    _text(raw, "window"),
                    str(raw.get("window_name") or raw["window"]),
                    str(raw.get("at") or ""),
                )
            )
        self.hall_id = str(hall.get("id") or self.hall_id)
        self.hall_name = str(hall.get("name") or self.hall_name)
        self.notice = str(hall.get("notice") or "")
        self.service_day = str(message.get("service_day") or "")
        self.windows = windows
        self.queues = queues
        self.recent = _distinct(recent)
        # A snapshot is a resynchronisation, not an announcement: keep the big number if it is
        # still among the recent calls (no new highlight), else show the newest recent call.
        if self.recent:
            head = self.recent[0]
            if self.latest is None or (self.latest.number, self.latest.window) != (head.number, head.window):
                self.latest = head
        else:
            self.latest = None
        self.seq = message["seq"]
        self.synced = True
        self.snapshots += 1
        self.version += 1

    def _on_call(self, message: dict[str, Any], now: float) -> Call:
        call = Call(
            _text(message, "number"),
            _text(message, "window"),
            str(message.get("window_name") or message["window"]),
            str(message.get("at") or ""),
            bool(message.get("recall", False)),
            now,
        )
        window = self.windows.get(call.window)
        if window is not None:
            self.windows[call.window] = dataclasses.replace(window, current=Current(call.number, "called"))
        self._release_elsewhere(call.number, keep=call.window)
        self.recent = _distinct([call, *self.recent])
        self.latest = call
        return call

    def _on_ticket(self, message: dict[str, Any], now: float) -> None:
        number = _text(message, "number")
        status = _text(message, "status")
        for window_id, window in list(self.windows.items()):
            if window.current is None or window.current.number != number:
                continue
            if status in AT_WINDOW and window_id == message.get("window"):
                self.windows[window_id] = dataclasses.replace(window, current=Current(number, status))
            else:
                self.windows[window_id] = dataclasses.replace(window, current=None)
        if status == "expired":
            # A new service day expires yesterday's tickets: they leave the screens.
            self.recent = [c for c in self.recent if c.number != number]
            if self.latest is not None and self.latest.number == number:
                self.latest = self.recent[0] if self.recent else None

    def _on_queue(self, message: dict[str, Any], now: float) -> None:
        queue_id = _text(message, "queue")
        waiting = _count(message, "waiting")
        old = self.queues.get(queue_id)
        self.queues[queue_id] = QueueBoard(queue_id, old.name if old else queue_id, waiting)

    def _on_window(self, message: dict[str, Any], now: float) -> None:
        window_id = _text(message, "window")
        status = _text(message, "status")
        if status not in WINDOW_STATUSES:
            raise BoardError(f"unknown window status {status!r}")
        old = self.windows.get(window_id)
        self.windows[window_id] = WindowBoard(
            window_id,
            str(message.get("name") or (old.name if old else window_id)),
            status,
            tuple(str(q) for q in message.get("queues") or (old.queues if old else ())),
            _staff_from(message.get("staff")),
            old.current if old else None,
        )

    def _release_elsewhere(self, number: str, keep: str) -> None:
        for window_id, window in list(self.windows.items()):
            if window_id != keep and window.current is not None and window.current.number == number:
                self.windows[window_id] = dataclasses.replace(window, current=None)

    # -- reading -------------------------------------------------------------------------------

    def highlighted(self, now: float, seconds: float) -> Call | None:
        """The newest call while it is still fresh (a recall makes it fresh again)."""
        if self.latest is None or self.latest.received <= 0:
            return None
        return self.latest if 0 <= now - self.latest.received < seconds else None

    def window_list(self) -> list[WindowBoard]:
        return list(self.windows.values())

    def queue_list(self) -> list[QueueBoard]:
        return list(self.queues.values())

    def copy(self) -> HallBoard:
        """A copy for a reader on another thread (the entries themselves are immutable)."""
        return dataclasses.replace(
            self, windows=dict(self.windows), queues=dict(self.queues), recent=list(self.recent)
        )


_HANDLERS = {
    "call": HallBoard._on_call,
    "ticket": HallBoard._on_ticket,
    "queue": HallBoard._on_queue,
    "window": HallBoard._on_window,
}


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // max(1, per_page)))


def page_of(items: list[Any], page: int, per_page: int) -> list[Any]:
    """Items of page `page` (wrapping around), `per_page` at a time."""
    pages = page_count(len(items), per_page)
    start = (page % pages) * per_page
    return items[start : start + per_page]


# -- validation helpers -----------------------------------------------------------------------


def _list(message: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = message.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BoardError(f"{key!r} must be a list of objects")
    return value


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise BoardError(f"{key!r} must be a non-empty string")
    return value


def _count(raw: dict[str, Any], key: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BoardError(f"{key!r} must be a count")
    return value


def _staff_from(raw: Any) -> Staff | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BoardError("'staff' must be an object or null")
    return Staff(_text(raw, "id"), str(raw.get("name") or ""))


def _window_from(raw: dict[str, Any]) -> WindowBoard:
    status = _text(raw, "status")
    if status not in WINDOW_STATUSES:
        raise BoardError(f"unknown window status {status!r}")
    current = raw.get("current")
    if current is not None and not isinstance(current, dict):
        raise BoardError("'current' must be an object or null")
    return WindowBoard(
        _text(raw, "id"),
        str(raw.get("name") or raw["id"]),
        status,
        tuple(str(q) for q in raw.get("queues") or ()),
        _staff_from(raw.get("staff")),
        Current(_text(current, "number"), _text(current, "status")) if current else None,
    )


def _distinct(calls: list[Call]) -> list[Call]:
    """Newest first, each number once (a recall moves it back to the top)."""
    seen: set[str] = set()
    out = []
    for call in calls:
        if call.number not in seen:
            seen.add(call.number)
            out.append(call)
    return out[:RECENT_KEEP]
