"""Tables (SQLAlchemy Core). Times are stored in UTC and come back aware."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

from ..core import statistics as stats


class UTCDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no offset
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


metadata = MetaData()

hall_state = Table(
    "hall_state",
    metadata,
    Column("hall_id", String(64), primary_key=True),
    Column("last_seq", Integer, nullable=False),
    Column("service_day", Date, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("hall_id", String(64), nullable=False),
    Column("service_day", Date, nullable=False),
    Column("queue", String(2), nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("calls", Integer, nullable=False),
    PrimaryKeyConstraint("hall_id", "service_day", "queue"),
)

windows = Table(
    "windows",
    metadata,
    Column("hall_id", String(64), nullable=False),
    Column("window_id", String(32), nullable=False),
    Column("queues", JSON, nullable=False),
    Column("policy", String(8), nullable=False),
    Column("paused", Boolean, nullable=False),
    Column("staff_id", String(32)),
    Column("staff_name", String(50)),
    Column("current_ticket", String(40)),
    PrimaryKeyConstraint("hall_id", "window_id"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("service_day", Date, nullable=False),
    Column("queue", String(2), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(12), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status", String(12), nullable=False),
    Column("green", Boolean, nullable=False),
    Column("green_reason", String(200)),
    Column("item_code", String(64)),
    Column("window", String(32)),
    Column("target_window", String(32)),
    Column("hold_until_calls", Integer),
    Column("slot_start", UTCDateTime),
    Column("slot_end", UTCDateTime),
    Column("reservation_id", String(40)),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("called_at", UTCDateTime),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("recalls", Integer, nullable=False),
    Column("phone_hash", String(64)),
    Column("phone_masked", String(20)),
    Column("phone_enc", Text),
    Column("holder_masked", String(50)),
    Column("identity_hash", String(64)),
    # The rule that matters most: a number is issued once per hall and service day.
    UniqueConstraint("hall_id", "service_day", "number", name="uq_ticket_number_per_day"),
    Index("ix_tickets_active", "hall_id", "status"),
    Index("ix_tickets_finished", "hall_id", "queue", "finished_at"),
)

events = Table(
    "events",
    metadata,
    Column("hall_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(16), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("hall_id", "seq"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("code", String(10), nullable=False),
    Column("queue", String(2), nullable=False),
    Column("slot_start", UTCDateTime, nullable=False),
    Column("slot_end", UTCDateTime, nullable=False),
    Column("service_day", Date, nullable=False),
    Column("name_masked", String(50), nullable=False),
    Column("name_enc", Text),
    Column("id_hash", String(64), nullable=False),
    Column("id_masked", String(20), nullable=False),
    Column("phone_hash", String(64)),
    Column("phone_masked", String(20)),
    Column("phone_enc", Text),
    Column("status", String(12), nullable=False),  # booked, checked_in, cancelled
    Column("ticket_id", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("hall_id", "external_id", name="uq_reservation_external"),
    UniqueConstraint("hall_id", "code", name="uq_reservation_code"),
    Index("ix_reservations_person", "hall_id", "id_hash", "service_day"),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("staff_id", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

device_reports = Table(
    "device_reports",
    metadata,
    Column("hall_id", String(64), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reported_at", UTCDateTime, nullable=False),
    Column("report", JSON, nullable=False),
    PrimaryKeyConstraint("hall_id", "device_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_id", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(80), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_hall_at", "hall_id", "at"),
)


# 统计分析 rollups (core/statistics.py): one row per hall, dimension (hall, queue, window, staff,
# item, channel), its key and day (or month, or day and local hour), written with the ticket change
# that makes it; evaluations and reservations are added by triggers (migration 0006_statistics_monthly).
def _measures() -> list[Column[int]]:
    return [Column(name, Integer, nullable=False, server_default="0") for name in stats.MEASURES]


stats_daily = Table(
    "stats_daily",
    metadata,
    Column("hall_id", String(64), nullable=False),
    Column("dim", String(8), nullable=False),
    Column("day", Date, nullable=False),
    Column("key", String(64), nullable=False),
    *_measures(),
    PrimaryKeyConstraint("hall_id", "dim", "day", "key"),
)

stats_monthly = Table(
    "stats_monthly",
    metadata,
    Column("hall_id", String(64), nullable=False),
    Column("dim", String(8), nullable=False),
    Column("month", Date, nullable=False),  # its first day
    Column("key", String(64), nullable=False),
    *_measures(),
    PrimaryKeyConstraint("hall_id", "dim", "month", "key"),
)

stats_hourly = Table(
    "stats_hourly",
    metadata,
    Column("hall_id", String(64), nullable=False),
    Column("dim", String(8), nullable=False),
    Column("day", Date, nullable=False),
    Column("hour", Integer, nullable=False),
    Column("key", String(64), nullable=False),
    *_measures(),
    PrimaryKeyConstraint("hall_id", "dim", "day", "hour", "key"),
)

Index("ix_reservations_day", reservations.c.hall_id, reservations.c.service_day)
