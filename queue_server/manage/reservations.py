"""The day's reservations for the manager (read only): slots, who checked in with which ticket,
who did not come. A reservation still booked 30 minutes after its slot ended is a no-show (the
same rule the identity checks count, identity/limits.py). Names, numbers and phones come
masked from the reservation service."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from ..identity.limits import NO_SHOW_GRACE
from ..runtime import Runtime
from ..services import reservations as reservation_service
from ..storage import schema as s


@dataclasses.dataclass(frozen=True, slots=True)
class DayReservations:
    day: dt.date
    rows: list[dict[str, Any]]  # the reservation service's masked shape, plus state and ticket
    counts: dict[str, int]  # total, booked, checked_in, no_show, cancelled


def state_of(status: str, slot_end: dt.datetime, now: dt.datetime) -> str:
    if status == "booked" and slot_end + NO_SHOW_GRACE < now:
        return "no_show"
    return status


async def for_day(rt: Runtime, hall_id: str, day: dt.date) -> DayReservations:
    now = rt.now()
    rows = await reservation_service.list_for_day(rt, hall_id, day)
    ticket_ids = [r["ticket_id"] for r in rows if r.get("ticket_id")]
    tickets = await rt.read(lambda conn: _tickets(conn, hall_id, ticket_ids)) if ticket_ids else {}
    counts = {"total": len(rows), "booked": 0, "checked_in": 0, "no_show": 0, "cancelled": 0}
    shown = []
    for row in rows:
        state = state_of(row["status"], dt.datetime.fromisoformat(row["slot_end"]), now)
        counts[state] = counts.get(state, 0) + 1
        number, ticket_status = tickets.get(row.get("ticket_id") or "", (None, None))
        shown.append({**row, "state": state, "ticket_number": number, "ticket_status": ticket_status})
    return DayReservations(day, shown, counts)


def _tickets(conn: Connection, hall_id: str, ids: list[str]) -> dict[str, tuple[str, str]]:
    t = s.tickets
    rows = conn.execute(select(t.c.id, t.c.number, t.c.status).where(t.c.hall_id == hall_id, t.c.id.in_(ids)))
    return {r.id: (r.number, r.status) for r in rows}
