"""The outbox table `notifications` (migration 0002) and the writer jobs that fill and drain it.

A row is one message for one ticket and one kind of event; the unique (ticket_id, kind) makes a
second insert of the same event a no-op, across restarts and processes. Statuses:
`pending` → `sending` → `sent` | `failed`; `limited` (the number's hourly limit was reached),
`unknown` (the server stopped while sending: never sent again, so never twice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ..storage import schema as s
from ..storage.writer import WriteTx

metadata = MetaData()

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_id", String(64), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("kind", String(48), nullable=False),  # "called:<window>" or "three_ahead"
    Column("phone_hash", String(64), nullable=False),  # keyed hash: the rate limit's key
    Column("text", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", s.UTCDateTime, nullable=False),
    Column("updated_at", s.UTCDateTime, nullable=False),
    Column("sent_at", s.UTCDateTime),
    Column("error", String(200)),
    UniqueConstraint("ticket_id", "kind", name="uq_notification_once"),
    Index("ix_notifications_status", "status"),
    Index("ix_notifications_phone_sent", "phone_hash", "sent_at"),
)

# Rows that count against a number's hourly limit: sent, or possibly sent.
COUNTED = ("sent", "sending", "unknown")


def enqueue(
    tx: WriteTx, now: dt.datetime, hall_id: str, kind: str, text: str, *, ticket_id: str | None = None,
    number: str | None = None, window: str | None = None,
) -> bool:
    """Insert the message for a ticket that gave a phone (by id, or by number and window for a
    call); False when it has no phone or the message exists already."""
    t = s.tickets
    query = select(t.c.id, t.c.phone_hash, t.c.phone_enc).where(t.c.hall_id == hall_id)
    if ticket_id is not None:
        query = query.where(t.c.id == ticket_id)
    else:
        query = query.where(t.c.number == number, t.c.window == window).order_by(t.c.issued_at.desc()).limit(1)
    row = tx.conn.execute(query).first()
    if row is None or not row.phone_enc or not row.phone_hash:
        return False
    values = dict(
        hall_id=hall_id, ticket_id=row.id, kind=kind, phone_hash=row.phone_hash, text=text,
        status="pending", attempts=0, created_at=now, updated_at=now,
    )
    dialect = tx.conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(notifications).values(**values)
        .on_conflict_do_nothing(index_elements=["ticket_id", "kind"])
        .returning(notifications.c.id)  # rowcount is not reliable across drivers here
    )
    return tx.conn.execute(statement).first() is not None


def pending_ids(conn: Connection, limit: int = 50) -> list[int]:
    n = notifications
    rows = conn.execute(select(n.c.id).where(n.c.status == "pending").order_by(n.c.id).limit(limit))
    return [r.id for r in rows]


def claim(tx: WriteTx, now: dt.datetime, notification_id: int, per_hour: int) -> dict[str, Any] | None:
    """Take a pending row for sending: check the number's hourly limit, mark it `sending` (so a
    crash from here on can never lead to a second send) and return what the sender needs."""
    n = notifications
    row = tx.conn.execute(select(n).where(n.c.id == notification_id)).first()
    if row is None or row.status != "pending":
        return None
    recent = tx.conn.execute(
        select(func.count()).select_from(n).where(
            n.c.phone_hash == row.phone_hash,
            n.c.status.in_(COUNTED),
            n.c.updated_at >= now - dt.timedelta(hours=1),
        )
    ).scalar_one()
    if recent >= per_hour:
        _set(tx.conn, notification_id, now, status="limited", error=f"over {per_hour} messages per hour for this number")
        return None
    phone_enc = tx.conn.execute(select(s.tickets.c.phone_enc).where(s.tickets.c.id == row.ticket_id)).scalar()
    if not phone_enc:
        _set(tx.conn, notification_id, now, status="failed", error="the ticket no longer has a phone")
        return None
    taken = tx.conn.execute(
        update(n).where(n.c.id == notification_id, n.c.status == "pending")
        .values(status="sending", attempts=n.c.attempts + 1, updated_at=now)
    )
    if taken.rowcount != 1:
        return None  # another process took it
    return {"id": notification_id, "phone_enc": phone_enc, "text": row.text}


def finish(tx: WriteTx, now: dt.datetime, notification_id: int, error: str | None) -> None:
    if error is None:
        _set(tx.conn, notification_id, now, status="sent", sent_at=now, error=None)
    else:
        _set(tx.conn, notification_id, now, status="failed", error=error[:200])


def recover(tx: WriteTx, now: dt.datetime) -> int:
    """After a restart: rows left `sending` may or may not have reached the citizen. They are
    marked `unknown` and never sent again (at most once)."""
    n = notifications
    result = tx.conn.execute(
        update(n).where(n.c.status == "sending").values(status="unknown", updated_at=now, error="server stopped while sending")
    )
    return result.rowcount


def _set(conn: Connection, notification_id: int, now: dt.datetime, **values: Any) -> None:
    n = notifications
    conn.execute(update(n).where(n.c.id == notification_id).values(updated_at=now, **values))
