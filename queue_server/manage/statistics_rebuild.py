"""`python -m queue_server stats rebuild`: the 统计分析 rollups recomputed from what is recorded, for
a database that had tickets before the rollups existed (or to check them).

Tickets give what they ended as: issued (in the queue of their number's prefix), served (wait,
handling, busy time), cancelled, expired. The clerk of a served ticket, and the skips (过号) and
transfers along the way, come from the audit log (the ticket service audits every action with
its actor). What the records do not keep is approximated: a rebuilt skip or transfer is counted
at the ticket's last window with no busy time, and a ticket transferred twice is counted in the
queue of its number's prefix. Rollups written live as tickets change are exact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, delete, select

from ..config import Hall
from ..core import statistics as stats
from ..core.model import TicketStatus
from ..storage import repository
from ..storage import schema as s
from ..storage.rollups import Rollups

ACTIONS = ("finish", "skip", "transfer")


def _days(conn: Connection, hall_id: str) -> list[dt.date]:
    t = s.tickets
    return list(conn.execute(select(t.c.service_day).where(t.c.hall_id == hall_id).distinct().order_by(t.c.service_day)).scalars())


def _actor_id(actor: str) -> str:
    return actor.split(":", 1)[1] if ":" in actor else actor


def rebuild_day(conn: Connection, hall: Hall, day: dt.date) -> Rollups:
    t, a = s.tickets, s.audit_log
    zone = hall.zone
    tickets = {row.id: repository.ticket_from_row(row) for row in conn.execute(
        select(t).where(t.c.hall_id == hall.id, t.c.service_day == day))}
    low = dt.datetime.combine(day, dt.time(), zone)
    high = low + dt.timedelta(days=2)  # actions on a day's tickets happen that day (a night shift: the next)
    actions = conn.execute(
        select(a.c.at, a.c.actor, a.c.action, a.c.target)
        .where(a.c.hall_id == hall.id, a.c.at >= low, a.c.at < high, a.c.action.in_(ACTIONS))
        .order_by(a.c.id)
    ).all()
    finisher: dict[str, str] = {}
    rollups = Rollups()
    queues = {q.id for q in hall.queues}
    for row in actions:
        ticket = tickets.get(row.target.removeprefix("ticket:"))
        if ticket is None:
            continue
        clerk = _actor_id(row.actor)
        if row.action == "finish":
            finisher[ticket.id] = clerk
            continue
        origin = ticket.number.rstrip("0123456789")
        before = ticket.replace(status=TicketStatus.CALLED, called_at=None,
                                queue=origin if row.action == "transfer" and origin in queues else ticket.queue)
        after = (ticket.replace(status=TicketStatus.MISSED, finished_at=row.at) if row.action == "skip"
                 else ticket.replace(status=TicketStatus.WAITING))
        for slot, tally in stats.contributions(before, after, created=False, now=row.at, staff=clerk, zone=zone):
            rollups.put(hall.id, slot, tally)
    for ticket in tickets.values():
        origin = ticket.number.rstrip("0123456789")
        issued = ticket.replace(queue=origin) if origin in queues else ticket
        for slot, tally in stats.contributions(None, issued, created=True, now=ticket.issued_at, staff=None, zone=zone):
            rollups.put(hall.id, slot, tally)
        if ticket.status in (TicketStatus.DONE, TicketStatus.CANCELLED, TicketStatus.EXPIRED):
            at_window = ticket.status is TicketStatus.DONE or (ticket.called_at is not None and ticket.window is not None)
            before = ticket.replace(status=TicketStatus.SERVING if at_window else TicketStatus.WAITING)
            moment = ticket.finished_at or ticket.issued_at
            staff = finisher.get(ticket.id)
            for slot, tally in stats.contributions(before, ticket, created=False, now=moment, staff=staff, zone=zone):
                rollups.put(hall.id, slot, tally)
    return rollups


def rebuild(engine: Engine, halls: Iterable[Hall], *, progress: bool = False) -> dict[str, int]:
    """Every hall's rollups dropped and recomputed, a day per transaction after the first (which
    deletes them). Returns the number of service days per hall."""
    done: dict[str, int] = {}
    for hall in halls:
        with engine.begin() as conn:
            conn.execute(delete(s.stats_daily).where(s.stats_daily.c.hall_id == hall.id))
            conn.execute(delete(s.stats_hourly).where(s.stats_hourly.c.hall_id == hall.id))
            days = _days(conn, hall.id)
        for day in days:
            with engine.begin() as conn:
                rebuild_day(conn, hall, day).flush(conn)
            if progress:
                print(f"{hall.id} {day.isoformat()}", flush=True)
        done[hall.id] = len(days)
    return done
