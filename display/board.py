"""`HallBoard`: what a hall's screens show, rebuilt from the hall stream (CONTRACT §7).

Pure Python, no I/O and no clock of its own: the stream client feeds it the snapshot and the events,
and passes the monotonic time it wants highlights measured with. Views only read it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hall_common.vocabulary import EventType, TicketStatus, WindowStatus

# Ticket statuses in which a ticket still occupies its window.
AT_WINDOW = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
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
    status: TicketStatus  # called or serving


@dataclass(frozen=True, slots=True)
class WindowBoard:
    id: str
    name: str
    status: WindowStatus
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


# -- the stream's messages, parsed at the edge ----------------------------------------------------
# Every message is read into one of these typed values before the board changes at all, so a
# malformed one is refused whole (BoardError) and the board never holds a half-read word.


@dataclass(frozen=True, slots=True)
class Snapshot:
    seq: int
    hall_id: str
    hall_name: str
    notice: str
    service_day: str
    windows: tuple[WindowBoard, ...]
    queues: tuple[QueueBoard, ...]
    recent: tuple[Call, ...]  # newest first, as sent


@dataclass(frozen=True, slots=True)
class CallEvent:
    seq: int
    call: Call


@dataclass(frozen=True, slots=True)
class TicketEvent:
    seq: int
    number: str
    status: TicketStatus
    window: str | None


@dataclass(frozen=True, slots=True)
class QueueEvent:
    seq: int
    queue: str
    waiting: int


@dataclass(frozen=True, slots=True)
class WindowEvent:
    seq: int
    window: str
    status: WindowStatus
    name: str | None  # None: not sent, keep the one known
    queues: tuple[str, ...] | None
    staff: Staff | None


@dataclass(frozen=True, slots=True)
class DayEvent:
    seq: int
    service_day: str


@dataclass(frozen=True, slots=True)
class OtherEvent:
    """A type this screen does not know (a newer server): skipped, its seq still counts."""

    seq: int
    type: str


Message = Snapshot | CallEvent | TicketEvent | QueueEvent | WindowEvent | DayEvent | OtherEvent


def parse_message(message: Any, now: float = 0.0) -> Message:
    """One decoded stream message as a typed value; `BoardError` when it breaks the contract."""
    if not isinstance(message, dict):
        raise BoardError("a stream message is a JSON object")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise BoardError("a stream message has a 'type'")
    seq = _count(message, "seq", f"message without a valid seq: {kind!r}")
    try:
        known = EventType(kind)
    except ValueError:
        return OtherEvent(seq, kind)
    return _PARSERS[known](message, seq, now)


def _snapshot(message: dict[str, Any], seq: int, now: float) -> Snapshot:
    hall = message.get("hall") or {}
    if not isinstance(hall, dict):
        raise BoardError("'hall' must be an object")
    queues = tuple(
        QueueBoard(_text(raw, "id"), _optional_text(raw, "name") or raw["id"], _count(raw, "waiting"))
        for raw in _objects(message, "queues")
    )
    return Snapshot(
        seq,
        _optional_text(hall, "id"),
        _optional_text(hall, "name"),
        _optional_text(hall, "notice"),
        _optional_text(message, "service_day"),
        tuple(_window_from(raw) for raw in _objects(message, "windows")),
        queues,
        tuple(_call_from(raw) for raw in _objects(message, "recent_calls")),
    )


def _call(message: dict[str, Any], seq: int, now: float) -> CallEvent:
    return CallEvent(seq, _call_from(message, now))


def _ticket(message: dict[str, Any], seq: int, now: float) -> TicketEvent:
    window = message.get("window")
    if window is not None and not isinstance(window, str):
        raise BoardError("'window' must be a string or null")
    return TicketEvent(seq, _text(message, "number"), _word(message, "status", TicketStatus), window)


def _queue(message: dict[str, Any], seq: int, now: float) -> QueueEvent:
    return QueueEvent(seq, _text(message, "queue"), _count(message, "waiting"))


def _window(message: dict[str, Any], seq: int, now: float) -> WindowEvent:
    return WindowEvent(
        seq,
        _text(message, "window"),
        _word(message, "status", WindowStatus),
        _optional_text(message, "name") or None,
        _queues(message) if message.get("queues") is not None else None,
        _staff_from(message.get("staff")),
    )


def _day(message: dict[str, Any], seq: int, now: float) -> DayEvent:
    return DayEvent(seq, _text(message, "service_day"))


_PARSERS: dict[EventType, Callable[[dict[str, Any], int, float], Message]] = {
    EventType.SNAPSHOT: _snapshot,
    EventType.CALL: _call,
    EventType.TICKET: _ticket,
    EventType.QUEUE: _queue,
    EventType.WINDOW: _window,
    EventType.DAY: _day,
}


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

    def apply(self, message: Any, now: float = 0.0) -> Call | None:
        """Apply one stream message (decoded JSON). Returns the call it announced (a new call or
        a recall), if any, so the caller can highlight it or speak it. Raises `SequenceGap` when
        events were missed and `BoardError` for a malformed message; the board is unchanged then."""
        parsed = parse_message(message, now)
        if isinstance(parsed, Snapshot):
            self._apply_snapshot(parsed)
            return None
        if not self.synced:
            raise BoardError(f"{message['type']!r} event before any snapshot")
        if parsed.seq <= self.seq:
            return None  # already applied (a replay overlapping what we have)
        if parsed.seq != self.seq + 1:
            raise SequenceGap(self.seq + 1, parsed.seq)
        call = None
        if isinstance(parsed, CallEvent):
            call = self._on_call(parsed.call)
        elif isinstance(parsed, TicketEvent):
            self._on_ticket(parsed)
        elif isinstance(parsed, QueueEvent):
            self._on_queue(parsed)
        elif isinstance(parsed, WindowEvent):
            self._on_window(parsed)
        elif isinstance(parsed, DayEvent):
            self.service_day = parsed.service_day
        self.seq = parsed.seq
        self.version += 1
        return call

    def _apply_snapshot(self, snapshot: Snapshot) -> None:
        self.hall_id = snapshot.hall_id or self.hall_id
        self.hall_name = snapshot.hall_name or self.hall_name
        self.notice = snapshot.notice
        self.service_day = snapshot.service_day
        self.windows = {w.id: w for w in snapshot.windows}
        self.queues = {q.id: q for q in snapshot.queues}
        self.recent = _distinct(list(snapshot.recent))
        # A snapshot is a resynchronisation, not an announcement: keep the big number if it is
        # still among the recent calls (no new highlight), else show the newest recent call.
        if self.recent:
            head = self.recent[0]
            if self.latest is None or (self.latest.number, self.latest.window) != (head.number, head.window):
                self.latest = head
        else:
            self.latest = None
        self.seq = snapshot.seq
        self.synced = True
        self.snapshots += 1
        self.version += 1

    def _on_call(self, call: Call) -> Call:
        window = self.windows.get(call.window)
        if window is not None:
            self.windows[call.window] = dataclasses.replace(window, current=Current(call.number, TicketStatus.CALLED))
        self._release_elsewhere(call.number, keep=call.window)
        self.recent = _distinct([call, *self.recent])
        self.latest = call
        return call

    def _on_ticket(self, event: TicketEvent) -> None:
        number, status = event.number, event.status
        for window_id, window in list(self.windows.items()):
            if window.current is None or window.current.number != number:
                continue
            if status in AT_WINDOW and window_id == event.window:
                self.windows[window_id] = dataclasses.replace(window, current=Current(number, status))
            else:
                self.windows[window_id] = dataclasses.replace(window, current=None)
        if status is TicketStatus.EXPIRED:
            # A new service day expires yesterday's tickets: they leave the screens.
            self.recent = [c for c in self.recent if c.number != number]
            if self.latest is not None and self.latest.number == number:
                self.latest = self.recent[0] if self.recent else None

    def _on_queue(self, event: QueueEvent) -> None:
        old = self.queues.get(event.queue)
        self.queues[event.queue] = QueueBoard(event.queue, old.name if old else event.queue, event.waiting)

    def _on_window(self, event: WindowEvent) -> None:
        old = self.windows.get(event.window)
        self.windows[event.window] = WindowBoard(
            event.window,
            event.name or (old.name if old else event.window),
            event.status,
            event.queues if event.queues is not None else (old.queues if old else ()),
            event.staff,
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



def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // max(1, per_page)))


def page_of(items: list[Any], page: int, per_page: int) -> list[Any]:
    """Items of page `page` (wrapping around), `per_page` at a time."""
    pages = page_count(len(items), per_page)
    start = (page % pages) * per_page
    return items[start : start + per_page]


# -- reading a message's fields ------------------------------------------------------------------


def _objects(message: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = message.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BoardError(f"{key!r} must be a list of objects")
    return value


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise BoardError(f"{key!r} must be a non-empty string")
    return value


def _optional_text(raw: dict[str, Any], key: str) -> str:
    """A string that may be absent or null ("" then)."""
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise BoardError(f"{key!r} must be a string")
    return value or ""


def _count(raw: dict[str, Any], key: str, problem: str = "") -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BoardError(problem or f"{key!r} must be a count")
    return value


def _word(raw: dict[str, Any], key: str, words: type[TicketStatus] | type[WindowStatus]) -> Any:
    """A word of the contract's vocabulary (`hall_common.vocabulary`)."""
    value = _text(raw, key)
    try:
        return words(value)
    except ValueError:
        raise BoardError(f"unknown {key} {value!r}") from None


def _queues(raw: dict[str, Any]) -> tuple[str, ...]:
    value = raw.get("queues") or []
    if not isinstance(value, list) or not all(isinstance(q, str) and q for q in value):
        raise BoardError("'queues' must be a list of queue ids")
    return tuple(value)


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise BoardError(f"{key!r} must be true or false")
    return value


def _staff_from(raw: Any) -> Staff | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BoardError("'staff' must be an object or null")
    return Staff(_text(raw, "id"), _optional_text(raw, "name"))


def _call_from(raw: dict[str, Any], now: float = 0.0) -> Call:
    return Call(
        _text(raw, "number"),
        _text(raw, "window"),
        _optional_text(raw, "window_name") or raw["window"],
        _optional_text(raw, "at"),
        _flag(raw, "recall"),
        now,
    )


def _window_from(raw: dict[str, Any]) -> WindowBoard:
    current = raw.get("current")
    if current is not None and not isinstance(current, dict):
        raise BoardError("'current' must be an object or null")
    return WindowBoard(
        _text(raw, "id"),
        _optional_text(raw, "name") or raw["id"],
        _word(raw, "status", WindowStatus),
        _queues(raw),
        _staff_from(raw.get("staff")),
        Current(_text(current, "number"), _word(current, "status", TicketStatus)) if current else None,
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
