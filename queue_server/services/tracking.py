"""What a citizen's phone sees of a ticket (CONTRACT §6): position, estimate, window. Positions
of a hall are computed once per committed state and shared by every phone following it; after a
commit, each followed ticket's message is computed and encoded once and the same frame written
to every phone following that ticket (`Followers`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

import orjson

from ..core import views
from ..core.engine import HallState
from ..core.errors import NotFound
from ..core.model import TERMINAL, Ticket, TicketStatus
from ..core.ranking import rank_key
from ..events.frames import text_frame
from ..runtime import Runtime
from ..storage import repository

log = logging.getLogger("queue_server.tracking")

Positions = dict[str, tuple[int, int | None]]


class PositionCache:
    def __init__(self, rt: Runtime):
        self.rt = rt
        self._by_hall: dict[str, tuple[HallState, Positions]] = {}

    def positions(self, hall_id: str) -> Positions:
        state = self.rt.store.view(hall_id)
        cached = self._by_hall.get(hall_id)
        if cached is not None and cached[0] is state:
            return cached[1]
        now = self.rt.now()
        by_queue: dict[str, list[Ticket]] = {}
        for ticket in state.waiting():
            by_queue.setdefault(ticket.queue, []).append(ticket)
        result: Positions = {}
        for queue, tickets in by_queue.items():
            tickets.sort(key=lambda t: rank_key(t, now))
            for ahead, ticket in enumerate(tickets):
                result[ticket.id] = (ahead, views.queue_estimate(state, queue, ahead))
        self._by_hall[hall_id] = (state, result)
        return result


def content(rt: Runtime, cache: PositionCache, hall_id: str, ticket: Ticket) -> dict[str, Any]:
    return _content(rt.store.view(hall_id), cache.positions(hall_id), hall_id, ticket)


def _content(state: HallState, positions: Positions, hall_id: str, ticket: Ticket) -> dict[str, Any]:
    live = state.tickets.get(ticket.id, ticket)
    ahead, estimate = positions.get(live.id, (0, None))
    at_window = live.status in (TicketStatus.CALLED, TicketStatus.SERVING)
    window = state.windows.get(live.window) if at_window and live.window else None
    queue = state.hall.queue(live.queue)
    return {
        "number": live.number,
        "status": live.status.value,
        "waiting_ahead": ahead if live.status is TicketStatus.WAITING else 0,
        "estimated_wait_s": estimate if live.status is TicketStatus.WAITING else None,
        "window": live.window if at_window else None,
        "window_name": window.name if window else None,
        "queue": live.queue,
        "queue_name": queue.name if queue else live.queue,
        "hall": hall_id,
        "hall_name": state.hall.name,
        "issued_at": live.issued_at.isoformat(),
        # A recall changes these, so a phone following the ticket alerts its holder again.
        "called_at": live.called_at.isoformat() if at_window and live.called_at else None,
        "recalls": live.recalls if at_window else 0,
    }


async def find(rt: Runtime, ticket_id: str, secret: str | None) -> tuple[str, Ticket]:
    """The ticket a phone follows; a wrong or missing secret looks exactly like no ticket."""
    if not secret or len(ticket_id) > 64 or not rt.keys.track_secret_ok(ticket_id, secret):
        raise NotFound("no such ticket", "没有这张号票")
    for hall in rt.config.halls:
        live = rt.store.view(hall.id).tickets.get(ticket_id)
        if live is not None:
            return hall.id, live
    found = await rt.read(lambda conn: repository.load_ticket_any_hall(conn, ticket_id))
    if found is None or rt.config.hall(found[0]) is None:
        raise NotFound("no such ticket", "没有这张号票")
    hall_id, stored = found
    if stored.status not in TERMINAL:
        # Live, but not in this process's view: another server process has just written it.
        # Catch up with the hall (its events and state) before answering.
        await rt.hub.sync(hall_id)
        stored = rt.store.view(hall_id).tickets.get(ticket_id, stored)
    return hall_id, stored


# -- following tickets ---------------------------------------------------------------------------


class Sink(Protocol):
    def write(self, frame: bytes, text: str) -> None: ...


class _Followed:
    """A ticket some phones follow, with the last message they were sent."""

    __slots__ = ("ticket", "sinks", "last", "frame", "text", "loading")

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        self.sinks: set[Sink] = set()
        self.last: dict[str, Any] | None = None
        self.frame = b""
        self.text = ""
        self.loading = False

    def update(self, body: dict[str, Any]) -> bool:
        """Encode `body` once when it differs from what was sent; True when it did."""
        if body == self.last:
            return False
        payload = orjson.dumps(body)
        self.last, self.frame, self.text = body, text_frame(payload), payload.decode("utf-8")
        return True

    def send_all(self) -> None:
        for sink in tuple(self.sinks):
            sink.write(self.frame, self.text)


class _HallWatch:
    """The one hub subscriber per hall for every phone: a commit's events schedule one pass."""

    def __init__(self, followers: Followers, hall_id: str):
        self.followers = followers
        self.hall_id = hall_id

    def deliver(self, _event: object) -> None:
        self.followers.changed(self.hall_id)


class Followers:
    """Every tracking stream of this process. After a hall's events are published, one pass
    (scheduled once, however many events the commit had) computes each followed ticket's message
    against the new committed state and writes its frame to the ticket's phones when it changed."""

    def __init__(self, rt: Runtime, cache: PositionCache):
        self.rt = rt
        self.cache = cache
        self._halls: dict[str, dict[str, _Followed]] = {}
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        self._scheduled: set[str] = set()
        self._loads: set[asyncio.Task[None]] = set()

    def follow(self, hall_id: str, ticket: Ticket, sink: Sink) -> Callable[[], None]:
        """Send `sink` the ticket's message at once, then every change; returns the undo."""
        tickets = self._halls.setdefault(hall_id, {})
        if hall_id not in self._unsubscribe:
            self._unsubscribe[hall_id] = self.rt.hub.subscribe(hall_id, _HallWatch(self, hall_id))
        entry = tickets.get(ticket.id)
        if entry is None:
            entry = tickets[ticket.id] = _Followed(ticket)
        entry.sinks.add(sink)
        if self._refresh(hall_id, entry, self.rt.store.view(hall_id), self.cache.positions(hall_id)):
            entry.send_all()  # the others would get it with the next pass anyway
        elif entry.last is not None:
            sink.write(entry.frame, entry.text)

        def unfollow() -> None:
            entry.sinks.discard(sink)
            if not entry.sinks and tickets.get(ticket.id) is entry:
                del tickets[ticket.id]
            if not tickets and self._halls.get(hall_id) is tickets:
                del self._halls[hall_id]
                self._unsubscribe.pop(hall_id)()

        return unfollow

    def changed(self, hall_id: str) -> None:
        if hall_id not in self._scheduled:
            self._scheduled.add(hall_id)
            asyncio.get_running_loop().call_soon(self._pass, hall_id)

    def _pass(self, hall_id: str) -> None:
        self._scheduled.discard(hall_id)
        tickets = self._halls.get(hall_id)
        if not tickets:
            return
        state = self.rt.store.view(hall_id)
        positions = self.cache.positions(hall_id)
        for entry in tuple(tickets.values()):
            if self._refresh(hall_id, entry, state, positions):
                entry.send_all()

    def _refresh(self, hall_id: str, entry: _Followed, state: HallState, positions: Positions) -> bool:
        """Recompute the entry's message; a ticket that left the live state (finished,
        cancelled, expired) is read once from the database first."""
        ticket = entry.ticket
        if ticket.id not in state.tickets and ticket.status not in TERMINAL:
            if not entry.loading:
                entry.loading = True
                task = asyncio.get_running_loop().create_task(self._load(hall_id, entry))
                self._loads.add(task)
                task.add_done_callback(self._loads.discard)
            return False
        entry.ticket = state.tickets.get(ticket.id, ticket)
        return entry.update(_content(state, positions, hall_id, entry.ticket))

    async def _load(self, hall_id: str, entry: _Followed) -> None:
        try:
            stored = await self.rt.read(lambda conn: repository.load_ticket(conn, hall_id, entry.ticket.id))
        except Exception:
            log.exception("reading a followed ticket failed")
            stored = None
        finally:
            entry.loading = False
        state = self.rt.store.view(hall_id)
        if stored is not None and stored.id not in state.tickets:
            entry.ticket = stored
        body = _content(state, self.cache.positions(hall_id), hall_id, entry.ticket)
        if entry.update(body):
            entry.send_all()
