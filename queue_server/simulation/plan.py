"""A window plan: which windows are staffed when, serving which queues (潮汐窗口 moves at set
times), breaks, staggered lunch (错时) and extended hours (延时服务), and when kiosks issue tickets.
Parsed from a plain dict (a TOML or JSON document, or an API body) and checked against the hall
before anything runs; every problem names its key, and its line when the document says where.

    hall = "jn-city"                       # optional; must be the hall simulated
    name = "weekday, staggered lunch"
    shifts = [["09:00", "12:00"], ["13:00", "17:00"]]   # default for windows without their own
    [issuing]                              # optional; default: the hall's configured hours
    sessions = [["09:00", "12:00"], ["13:00", "16:30"]]
    [[windows]]
    id = "W06"                             # or ids = ["W06", "W07"] for several alike
    shifts = [["08:30", "12:30"], ["13:30", "17:30"]]
    breaks = [["10:30", "10:45"]]
    queues = ["B"]                         # optional: the hall's configuration otherwise
    policy = "fifo"                        # optional
      [[windows.moves]]
      at = "14:00"
      queues = ["C"]

A window listed nowhere stays closed all day. Gaps between a window's shifts are spent paused
(the window keeps its staff signed in, as at lunch); breaks pause it too, letting the current
citizen finish.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..config import Hall
from ..core import hours as hours_rules
from .clock import DAY_S, format_time, parse_time
from .problems import Collector, Locate, Path, open_document

POLICIES = ("fifo", "ordered")
_TOP_KEYS = {"hall", "name", "shifts", "issuing", "windows"}
_WINDOW_KEYS = {"id", "ids", "shifts", "breaks", "queues", "policy", "moves"}
_ISSUING_KEYS = {"sessions", "last_ticket_minutes_before_end"}
_MOVE_KEYS = {"at", "queues", "policy"}


@dataclasses.dataclass(frozen=True, slots=True)
class Span:
    start: int  # seconds after local midnight
    end: int

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def label(self) -> str:
        return f"{format_time(self.start)}–{format_time(self.end)}"


@dataclasses.dataclass(frozen=True, slots=True)
class Move:
    """潮汐窗口: from `at` the window serves these queues."""

    at: int
    queues: tuple[str, ...]
    policy: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class WindowPlan:
    window: str
    shifts: tuple[Span, ...]  # sorted, disjoint
    breaks: tuple[Span, ...] = ()  # sorted, disjoint, inside shifts
    queues: tuple[str, ...] | None = None  # None: as configured
    policy: str | None = None
    moves: tuple[Move, ...] = ()  # sorted by time

    @property
    def opens(self) -> int:
        return self.shifts[0].start

    @property
    def closes(self) -> int:
        return self.shifts[-1].end

    def staffed_seconds(self) -> int:
        return sum(s.seconds for s in self.shifts) - sum(b.seconds for b in self.breaks)

    def pauses(self) -> tuple[Span, ...]:
        """When the window is staffed but calls nobody: breaks and the gaps between shifts."""
        gaps = tuple(Span(a.end, b.start) for a, b in zip(self.shifts, self.shifts[1:]))
        return tuple(sorted(gaps + self.breaks, key=lambda s: s.start))


@dataclasses.dataclass(frozen=True, slots=True)
class Issuing:
    sessions: tuple[Span, ...]
    last_ticket_minutes_before_end: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    name: str
    windows: tuple[WindowPlan, ...]  # in the plan's order (ties between idle windows go by it)
    issuing: Issuing | None = None  # None: the hall's configured hours

    def window(self, window_id: str) -> WindowPlan | None:
        return next((w for w in self.windows if w.window == window_id), None)

    @property
    def opens(self) -> int:
        return min(w.opens for w in self.windows)

    @property
    def closes(self) -> int:
        return max(w.closes for w in self.windows)

    def staffed_count(self, second: int) -> int:
        return sum(1 for w in self.windows if any(s.start <= second < s.end for s in w.shifts))

    def replace_window(self, updated: WindowPlan) -> Plan:
        if self.window(updated.window) is None:
            return dataclasses.replace(self, windows=self.windows + (updated,))
        return dataclasses.replace(
            self, windows=tuple(updated if w.window == updated.window else w for w in self.windows)
        )

    def to_document(self) -> dict[str, Any]:
        """The plan as a document `parse_plan` reads back (TOML or JSON)."""
        document: dict[str, Any] = {"name": self.name, "windows": [window_document(w) for w in self.windows]}
        if self.issuing is not None:
            document["issuing"] = {
                "sessions": [_pair(s) for s in self.issuing.sessions],
                "last_ticket_minutes_before_end": self.issuing.last_ticket_minutes_before_end,
            }
        return document


def _pair(span: Span) -> list[str]:
    return [format_time(span.start), format_time(span.end)]


def window_document(window: WindowPlan) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": window.window, "shifts": [_pair(s) for s in window.shifts]}
    if window.breaks:
        entry["breaks"] = [_pair(b) for b in window.breaks]
    if window.queues is not None:
        entry["queues"] = list(window.queues)
    if window.policy is not None:
        entry["policy"] = window.policy
    if window.moves:
        entry["moves"] = [
            {"at": format_time(m.at), "queues": list(m.queues), **({"policy": m.policy} if m.policy else {})}
            for m in window.moves
        ]
    return entry


# -- parsing ---------------------------------------------------------------------------------------


def parse_plan(data: object, hall: Hall, *, source: str = "plan", locate: Locate | None = None) -> Plan:
    """The plan in `data`, checked against `hall`; InputError listing every problem otherwise."""
    check, data = open_document(data, source, locate, _TOP_KEYS, "plan", hall.id)
    name = data.get("name", "plan")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        check.add(("name",), "a name is text of 1 to 100 characters")
        name = "plan"
    default_shifts = _spans(check, ("shifts",), data["shifts"]) if "shifts" in data else None
    issuing = _issuing(check, data["issuing"]) if "issuing" in data else None
    windows: list[WindowPlan] = []
    seen: dict[str, Path] = {}
    entries = data.get("windows")
    if not isinstance(entries, list):
        check.add(("windows",), "windows is a list of [[windows]] tables")
        entries = []
    for index, entry in enumerate(entries):
        windows.extend(_window_entries(check, ("windows", index), entry, hall, default_shifts, seen))
    if not check.problems and not windows:
        check.add(("windows",), "the plan opens no window: nothing would be served that day")
    check.raise_if_any(source)
    return Plan(name, tuple(windows), issuing)


def _spans(check: Collector, path: Path, value: object, *, allow_empty: bool = False) -> tuple[Span, ...] | None:
    """Sorted, non-overlapping [start, end] pairs; None after a problem."""
    if not isinstance(value, list) or (not value and not allow_empty):
        check.add(path, 'a list of ["HH:MM", "HH:MM"] pairs' + ("" if allow_empty else ", at least one"))
        return None
    spans: list[tuple[Span, Path]] = []
    ok = True
    for index, pair in enumerate(value):
        where = path + (index,)
        if not isinstance(pair, list) or len(pair) != 2:
            check.add(where, 'a pair ["HH:MM", "HH:MM"]')
            ok = False
            continue
        try:
            start, end = parse_time(pair[0]), parse_time(pair[1])
        except ValueError as exc:
            check.add(where, str(exc))
            ok = False
            continue
        if end <= start:
            check.add(where, f"ends at {format_time(end)}, not after its start {format_time(start)}")
            ok = False
            continue
        spans.append((Span(start, end), where))
    spans.sort(key=lambda item: item[0].start)
    for (first, _), (second, where) in zip(spans, spans[1:]):
        if second.start < first.end:
            check.add(where, f"{first.label()} and {second.label()} overlap")
            ok = False
    return tuple(s for s, _ in spans) if ok else None


def _issuing(check: Collector, value: object) -> Issuing | None:
    path: Path = ("issuing",)
    if not isinstance(value, Mapping):
        check.add(path, "issuing is a table with sessions (and last_ticket_minutes_before_end)")
        return None
    check.unknown_keys(path, value, _ISSUING_KEYS)
    sessions = _spans(check, path + ("sessions",), value.get("sessions"))
    cutoff = value.get("last_ticket_minutes_before_end", 0)
    if not isinstance(cutoff, int) or isinstance(cutoff, bool) or not 0 <= cutoff <= 240:
        check.add(path + ("last_ticket_minutes_before_end",), "whole minutes from 0 to 240")
        cutoff = 0
    if sessions is not None and any(s.end >= DAY_S for s in sessions):
        check.add(path + ("sessions",), "ticket-taking sessions end before midnight (at 23:59 at the latest)")
        return None
    return Issuing(sessions, cutoff) if sessions is not None else None


def _queues(check: Collector, path: Path, value: object, hall: Hall) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value or not all(isinstance(q, str) for q in value):
        check.add(path, "a list of queue ids, at least one")
        return None
    known = {q.id for q in hall.queues}
    ok = True
    for index, queue in enumerate(value):
        if queue not in known:
            check.add(path + (index,), f"hall {hall.id} has no queue {queue!r} (queues: {', '.join(sorted(known))})")
            ok = False
    if len(set(value)) != len(value):
        check.add(path, "a queue is listed twice")
        ok = False
    return tuple(value) if ok else None


def _policy(check: Collector, path: Path, value: object) -> str | None:
    if value not in POLICIES:
        check.add(path, 'policy is "fifo" or "ordered"')
        return None
    return str(value)


def _window_entries(
    check: Collector,
    path: Path,
    entry: object,
    hall: Hall,
    default_shifts: tuple[Span, ...] | None,
    seen: dict[str, Path],
) -> list[WindowPlan]:
    if not isinstance(entry, Mapping):
        check.add(path, "a [[windows]] table")
        return []
    check.unknown_keys(path, entry, _WINDOW_KEYS)
    ids: list[tuple[str, Path]] = []
    if ("id" in entry) == ("ids" in entry):
        check.add(path, "give the window's id, or ids for several windows planned alike")
    elif "id" in entry:
        ids = [(entry["id"], path + ("id",))]
    elif isinstance(entry["ids"], list) and entry["ids"]:
        ids = [(value, path + ("ids", i)) for i, value in enumerate(entry["ids"])]
    else:
        check.add(path + ("ids",), "a list of window ids, at least one")
    known = {w.id for w in hall.windows}
    good_ids = []
    for window_id, where in ids:
        if not isinstance(window_id, str) or window_id not in known:
            check.add(where, f"hall {hall.id} has no window {window_id!r}")
        elif window_id in seen:
            check.add(where, f"window {window_id} is planned twice (also at {_plain(seen[window_id])})")
        else:
            seen[window_id] = where
            good_ids.append(window_id)
    if "shifts" in entry:
        shifts = _spans(check, path + ("shifts",), entry["shifts"])
    elif default_shifts is not None:
        shifts = default_shifts
    else:
        check.add(path, "no shifts: give shifts here or a default shifts at the top of the plan")
        shifts = None
    breaks = _spans(check, path + ("breaks",), entry["breaks"], allow_empty=True) if "breaks" in entry else ()
    queues = _queues(check, path + ("queues",), entry["queues"], hall) if "queues" in entry else None
    policy = _policy(check, path + ("policy",), entry["policy"]) if "policy" in entry else None
    moves = _moves(check, path + ("moves",), entry.get("moves", []), hall)
    if shifts is None or breaks is None or moves is None:
        return []
    for index, pause in enumerate(breaks):
        if not any(s.start <= pause.start and pause.end <= s.end for s in shifts):
            check.add(path + ("breaks", index), f"the break {pause.label()} is not inside one of the shifts")
    for index, move in enumerate(moves):
        if not shifts[0].start <= move.at < shifts[-1].end:
            check.add(path + ("moves", index, "at"), f"{format_time(move.at)} is outside the window's hours")
    if "queues" in entry and queues is None or "policy" in entry and policy is None:
        return []
    return [WindowPlan(w, shifts, breaks, queues, policy, moves) for w in good_ids]


def _moves(check: Collector, path: Path, value: object, hall: Hall) -> tuple[Move, ...] | None:
    if not isinstance(value, list):
        check.add(path, "a list of [[windows.moves]] tables")
        return None
    moves: list[Move] = []
    ok = True
    for index, move in enumerate(value):
        where = path + (index,)
        if not isinstance(move, Mapping):
            check.add(where, "a table with at and queues")
            ok = False
            continue
        check.unknown_keys(where, move, _MOVE_KEYS)
        try:
            at = parse_time(move.get("at"))
        except ValueError as exc:
            check.add(where + ("at",), str(exc))
            ok = False
            continue
        queues = _queues(check, where + ("queues",), move.get("queues"), hall)
        policy = _policy(check, where + ("policy",), move["policy"]) if "policy" in move else None
        if queues is None or ("policy" in move and policy is None):
            ok = False
            continue
        if any(m.at == at for m in moves):
            check.add(where + ("at",), f"two moves at {format_time(at)}")
            ok = False
            continue
        moves.append(Move(at, queues, policy))
    return tuple(sorted(moves, key=lambda m: m.at)) if ok else None


def _plain(path: Path) -> str:
    return ".".join(str(p) for p in path)


# -- plans made from the hall ----------------------------------------------------------------------


DEFAULT_SESSIONS = (Span(9 * 3600, 12 * 3600), Span(13 * 3600, 17 * 3600))  # a hall with no hours


def hall_sessions(hall: Hall, date: dt.date) -> tuple[Span, ...]:
    """The hall's opening sessions on `date` (its hours rules and dated overrides); a hall
    without hours is taken as open 09:00–12:00 and 13:00–17:00; () on a closed day."""
    if hall.hours is None:
        return DEFAULT_SESSIONS
    return tuple(
        Span(parse_time(s.start), parse_time(s.end) if s.end != dt.time(23, 59, 59) else 24 * 3600)
        for s in hours_rules.sessions_on(hall.hours, date)
    )


def config_plan(hall: Hall, sessions: tuple[Span, ...], name: str = "all windows as configured") -> Plan:
    """Every window of the hall staffed during `sessions` (the gaps between them are lunch),
    serving its configured queues: the hall as its configuration describes it."""
    return Plan(name, tuple(WindowPlan(w.id, sessions) for w in hall.windows))
