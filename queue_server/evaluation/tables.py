"""好差评 tables, on the storage layer's `metadata` (migration 0004_evaluations). No citizen's
name, phone or identity number is stored here: the free text is masked before it is stored, and
a case knows only whether its evaluation was real-name."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, String, Table, Text, UniqueConstraint

from ..storage.schema import UTCDateTime, metadata

evaluations = Table(
    "evaluations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("kind", String(12), nullable=False),  # first, followup (追评)
    Column("level", Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
    Column("reasons", JSON, nullable=False),
    Column("text", Text, nullable=False),  # masked of phone and identity numbers
    Column("channel", String(12), nullable=False),  # window, kiosk, phone
    Column("real_name", Boolean, nullable=False),
    Column("service_day", Date, nullable=False),
    Column("number", String(12), nullable=False),
    Column("queue", String(2), nullable=False),
    Column("item_code", String(64)),
    Column("window", String(32)),
    Column("clerk_id", String(32)),
    Column("clerk_name", String(50)),
    Column("served_at", UTCDateTime, nullable=False),  # the ticket's finish (办结)
    Column("created_at", UTCDateTime, nullable=False),
    Column("source", String(80), nullable=False),  # the device or "phone"
    UniqueConstraint("ticket_id", "kind", name="uq_evaluation_once"),
    Index("ix_evaluations_hall_created", "hall_id", "created_at"),
)

evaluation_cases = Table(
    "evaluation_cases",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("evaluation_id", String(40), nullable=False),
    Column("number", String(12), nullable=False),
    Column("level", Integer, nullable=False),
    Column("real_name", Boolean, nullable=False),
    Column("queue", String(2), nullable=False),
    Column("item_code", String(64)),
    Column("window", String(32)),
    Column("clerk_id", String(32)),
    Column("lead", String(32)),  # the staff id it is assigned to; None: any manager
    Column("state", String(12), nullable=False),
    Column("appeal", String(12), nullable=False),
    Column("appealed_by", String(32)),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("deadline", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("result", Text),  # the last rectification / explanation note, for the upload
    UniqueConstraint("ticket_id", name="uq_case_per_ticket"),
    Index("ix_cases_hall_state", "hall_id", "state"),
)

# The provincial upload outbox: one row per record to deliver; per ticket in `id` order.
evaluation_uploads = Table(
    "evaluation_uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_id", String(64), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("record_key", String(80), nullable=False),  # evaluation:<id> or case:<id>
    Column("record", JSON, nullable=False),  # neutral fields; the mapping applies when sending
    Column("status", String(12), nullable=False),  # pending, sent, dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("last_error", String(200)),
    UniqueConstraint("hall_id", "record_key", name="uq_upload_once"),
    Index("ix_uploads_status_next", "status", "next_attempt_at"),
    Index("ix_uploads_ticket", "ticket_id", "id"),
)
