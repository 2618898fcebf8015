"""`python -m queue_server stats rebuild`: the 统计分析 rollups recomputed from what is recorded, for
a database that had tickets before the rollups existed (or to check them).

Tickets give what they ended as: issued (in the queue of their number's prefix), served (wait,
handling, busy time), cancelled, expired. The clerk of a served ticket, and the skips (过号) and
transfers along the way, come from the audit log (the ticket service audits every action with
its actor); first evaluations and reservations are counted as the migration's triggers count
them live. What the records do not keep is approximated: a rebuilt skip or transfer is counted
at the ticket's last window with no busy time, and a ticket transferred twice is counted in the
queue of its number's prefix. Rollups written live as tickets change are exact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, delete, select

from ..config import Hall
from ..core import statistics as stats
from ..core.evaluation import is_bad
from ..core.model import Ticket, TicketStatus
from ..evaluation import tables as et
from ..storage import repository
from ..storage import schema as s
from ..storage.rollups import Rollups

ACTIONS = ("finish", "skip", "transfer")


def _days(conn: Connection, hall_id: str) -> list[dt.date]:
    """Every service day with a ticket or a reservation."""
    t, r = s.tickets, s.reservations
    found = set(conn.execute(select(t.c.service_day).where(t.c.hall_id == hall_id).distinct()).scalars())
    found |= set(conn.execute(select(r.c.service_day).where(r.c.hall_id == hall_id).distinct()).scalars())
    return sorted(found)


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
    _recorded(conn, hall, day, tickets, rollups)
    return rollups


def _recorded(conn: Connection, hall: Hall, day: dt.date, tickets: dict[str, Ticket], rollups: Rollups) -> None:
    """The day's first evaluations and its reservations, as the migration's triggers count them."""
    e, r = et.evaluations, s.reservations
    for row in conn.execute(select(e).where(e.c.hall_id == hall.id, e.c.service_day == day, e.c.kind == "first")):
        tally = stats.Tally()
        tally.add("evaluations")
        if is_bad(row.level):
            tally.add("bad")
        ticket = tickets.get(row.ticket_id)
        keys = [(stats.Dimension.HALL, ""), (stats.Dimension.QUEUE, row.queue), (stats.Dimension.WINDOW, row.window or ""),
                (stats.Dimension.STAFF, row.clerk_id or ""), (stats.Dimension.ITEM, row.item_code or ""),
                (stats.Dimension.CHANNEL, ticket.channel if ticket else "")]
        if ticket is not None and ticket.green:
            keys.append((stats.Dimension.CHANNEL, stats.GREEN))
        for dim, key in keys:
            rollups.put_daily(hall.id, day, dim, key, tally)
    for row in conn.execute(select(r.c.queue, r.c.status).where(r.c.hall_id == hall.id, r.c.service_day == day)):
        tally = stats.Tally()
        if row.status != "cancelled":
            tally.add("reservations_due")
        if row.status == "checked_in":
            tally.add("reservations_checked_in")
        if not tally.values:
            continue
        for dim, key in ((stats.Dimension.HALL, ""), (stats.Dimension.QUEUE, row.queue), (stats.Dimension.CHANNEL, "reservation")):
            rollups.put_daily(hall.id, day, dim, key, tally)


def rebuild(engine: Engine, halls: Iterable[Hall], *, progress: bool = False) -> dict[str, int]:
    """Every hall's rollups dropped and recomputed, a day per transaction after the first (which
    deletes them). Returns the number of service days per hall."""
    done: dict[str, int] = {}
    for hall in halls:
        with engine.begin() as conn:
            conn.execute(delete(s.stats_daily).where(s.stats_daily.c.hall_id == hall.id))
            conn.execute(delete(s.stats_hourly).where(s.stats_hourly.c.hall_id == hall.id))
            conn.execute(delete(s.stats_monthly).where(s.stats_monthly.c.hall_id == hall.id))
            days = _days(conn, hall.id)
        for day in days:
            with engine.begin() as conn:
                rebuild_day(conn, hall, day).flush(conn)
            if progress:
                print(f"{hall.id} {day.isoformat()}", flush=True)
        done[hall.id] = len(days)
    return done
