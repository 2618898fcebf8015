"""The live hall as the manager sees it: what the hall stream carries (window states, staff,
current numbers, waiting counts) plus what it does not — why and since when a window is paused,
when its current ticket was called, each queue's longest wait, estimate and arrivals in the last
30 minutes. `live_hall` is pure over the hall's state; `PauseBook` and `arrivals` read the rest."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from sqlalchemy import Connection, select

from hall_common.personal_data import scrub

from ..core import views
from ..core.alerts import QueueFacts, WindowFacts
from ..core.engine import HallState
from ..core.model import StaffRef, Ticket, TicketStatus
from ..events.hub import Encoded
from ..runtime import Runtime
from ..storage import schema as s

ARRIVALS_SPAN = dt.timedelta(minutes=30)
PAUSE_ACTION = "pause"  # the audit action of every pause (staff console or manager)


@dataclasses.dataclass(frozen=True, slots=True)
class PauseInfo:
    since: dt.datetime
    reason: str | None  # the staff console pauses without one
    by: str  # the audit log's actor, e.g. manager:m01


@dataclasses.dataclass(frozen=True, slots=True)
class WindowLive:
    id: str
    name: str
    status: str  # open, paused, closed (nobody signed in)
    queues: tuple[str, ...]
    policy: str
    tags: tuple[str, ...]
    staff: StaffRef | None
    current: Ticket | None  # called or in service here
    pause: PauseInfo | None


@dataclasses.dataclass(frozen=True, slots=True)
class QueueLive:
    id: str
    name: str
    name_en: str
    waiting: int
    oldest_issued_at: dt.datetime | None
    estimated_wait_s: int | None
    arrivals: tuple[dt.datetime, ...]  # issue times within ARRIVALS_SPAN, oldest first
    windows: tuple[str, ...]
    open_windows: int


@dataclasses.dataclass(frozen=True, slots=True)
class LiveHall:
    seq: int
    now: dt.datetime
    service_day: dt.date
    windows: tuple[WindowLive, ...]
    queues: tuple[QueueLive, ...]

    def facts(self) -> tuple[list[QueueFacts], list[WindowFacts]]:
        """What the alert thresholds are checked against."""
        queues = [
            QueueFacts(q.id, q.waiting, _seconds(self.now, q.oldest_issued_at), q.estimated_wait_s)
            for q in self.queues
        ]
        windows = [
            WindowFacts(
                w.id,
                _seconds(self.now, w.pause.since) if w.status == "paused" and w.pause else None,
                _seconds(self.now, w.current.called_at) if w.current else None,
            )
            for w in self.windows
        ]
        return queues, windows


def live_hall(
    state: HallState,
    now: dt.datetime,
    pauses: Mapping[str, PauseInfo],
    arrivals: Mapping[str, list[dt.datetime]] | None = None,
) -> LiveHall:
    oldest: dict[str, dt.datetime] = {}
    for ticket in state.waiting():
        if ticket.queue not in oldest or ticket.issued_at < oldest[ticket.queue]:
            oldest[ticket.queue] = ticket.issued_at
    tags = {w.id: tuple(w.tags) for w in state.hall.windows}
    windows = []
    for w in state.windows.values():
        current = views.current_of(state, w)
        live_current = current if current and current.status in (TicketStatus.CALLED, TicketStatus.SERVING) else None
        windows.append(
            WindowLive(
                w.id, w.name, w.status, w.queues, w.policy, tags.get(w.id, ()), w.staff,
                live_current, pauses.get(w.id) if w.paused else None,
            )
        )
    queues = []
    for q in state.hall.queues:
        waiting = state.waiting_counts.get(q.id, 0)
        serving = [w for w in state.windows.values() if q.id in w.queues]
        queues.append(
            QueueLive(
                q.id, q.name, q.name_en, waiting, oldest.get(q.id), views.queue_estimate(state, q.id, waiting),
                tuple(sorted((arrivals or {}).get(q.id, ()))), tuple(w.id for w in serving),
                sum(1 for w in serving if w.status == "open"),
            )
        )
    return LiveHall(state.seq, now, state.service_day, tuple(windows), tuple(queues))


def _seconds(now: dt.datetime, since: dt.datetime | None) -> int | None:
    return None if since is None else max(0, int((now - since).total_seconds()))


def read_arrivals(conn: Connection, hall_id: str, day: dt.date, now: dt.datetime) -> dict[str, list[dt.datetime]]:
    """Issue times of the day's tickets in the last 30 minutes, by the queue they are in now
    (the service day narrows the scan to one day's tickets through the numbering index)."""
    t = s.tickets
    rows = conn.execute(
        select(t.c.queue, t.c.issued_at).where(
            t.c.hall_id == hall_id, t.c.service_day == day, t.c.issued_at >= now - ARRIVALS_SPAN
        )
    )
    found: dict[str, list[dt.datetime]] = {}
    for row in rows:
        found.setdefault(row.queue, []).append(row.issued_at)
    return found


class PauseBook:
    """Since when and why each paused window is paused. Read from the audit log once per pause
    and kept in this process; any `window` event of the hall forgets that window's entry, so a
    resume and a new pause are read again."""

    # A pause older than this is shown without its start (the audit log is not searched further).
    LOOK_BACK = dt.timedelta(days=2)

    def __init__(self, rt: Runtime):
        self.rt = rt
        self._known: dict[tuple[str, str], PauseInfo | None] = {}

    def watcher(self, hall_id: str) -> _ForgetOnWindowEvent:
        """A hub subscriber for one hall (the console's lifespan subscribes it)."""
        return _ForgetOnWindowEvent(self._known, hall_id)

    async def for_state(self, state: HallState) -> dict[str, PauseInfo]:
        hall_id = state.hall.id
        paused = [w.id for w in state.windows.values() if w.paused]
        missing = [w for w in paused if (hall_id, w) not in self._known]
        if missing:
            since = self.rt.now() - self.LOOK_BACK
            found = await self.rt.read(lambda conn: _latest_pauses(conn, hall_id, missing, since))
            for window_id in missing:
                self._known.setdefault((hall_id, window_id), found.get(window_id))
        result = {}
        for window_id in paused:
            info = self._known.get((hall_id, window_id))
            if info is not None:
                result[window_id] = info
        return result


class _ForgetOnWindowEvent:
    def __init__(self, known: dict[tuple[str, str], PauseInfo | None], hall_id: str):
        self.known = known
        self.hall_id = hall_id

    def deliver(self, event: Encoded) -> None:
        if event.message.get("type") == "window":
            self.known.pop((self.hall_id, str(event.message.get("window"))), None)


def _latest_pauses(conn: Connection, hall_id: str, windows: list[str], since: dt.datetime) -> dict[str, PauseInfo]:
    a = s.audit_log
    found = {}
    for window_id in windows:
        row = conn.execute(
            select(a.c.at, a.c.actor, a.c.detail)
            .where(a.c.hall_id == hall_id, a.c.at >= since, a.c.action == PAUSE_ACTION, a.c.target == f"window:{window_id}")
            .order_by(a.c.at.desc(), a.c.id.desc())
            .limit(1)
        ).first()
        if row is not None:
            reason = row.detail.get("reason") if isinstance(row.detail, dict) else None
            found[window_id] = PauseInfo(row.at, scrub(reason) if isinstance(reason, str) else None, row.actor)
    return found

