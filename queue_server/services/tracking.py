"""What a citizen's phone sees of a ticket (CONTRACT §6): position, estimate, window. Positions
of a hall are computed once per committed state and shared by every phone following it."""

from __future__ import annotations

from typing import Any

from ..core import views
from ..core.engine import HallState
from ..core.errors import NotFound
from ..core.model import Ticket, TicketStatus
from ..core.ranking import rank_key
from ..runtime import Runtime
from ..storage import repository


class PositionCache:
    def __init__(self, rt: Runtime):
        self.rt = rt
        self._by_hall: dict[str, tuple[HallState, dict[str, tuple[int, int | None]]]] = {}

    def positions(self, hall_id: str) -> dict[str, tuple[int, int | None]]:
        state = self.rt.store.view(hall_id)
        cached = self._by_hall.get(hall_id)
        if cached is not None and cached[0] is state:
            return cached[1]
        now = self.rt.now()
        by_queue: dict[str, list[Ticket]] = {}
        for ticket in state.waiting():
            by_queue.setdefault(ticket.queue, []).append(ticket)
        result: dict[str, tuple[int, int | None]] = {}
        for queue, tickets in by_queue.items():
            tickets.sort(key=lambda t: rank_key(t, now))
            for ahead, ticket in enumerate(tickets):
                result[ticket.id] = (ahead, views.queue_estimate(state, queue, ahead))
        self._by_hall[hall_id] = (state, result)
        return result


def content(rt: Runtime, cache: PositionCache, hall_id: str, ticket: Ticket) -> dict[str, Any]:
    state = rt.store.view(hall_id)
    live = state.tickets.get(ticket.id, ticket)
    ahead, estimate = cache.positions(hall_id).get(live.id, (0, None))
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
    return found
