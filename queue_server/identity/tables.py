"""Identity tables, on the storage layer's `metadata` (so Alembic sees them; migration 0003).
Nothing here holds a whole identity number, phone or name: keyed hashes for matching, masked
copies for display, AES-GCM ciphertext where a later step needs the value."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from ..storage.schema import UTCDateTime, metadata

# A short-lived, single-use identity session handed to a kiosk (the id is stored as its sha256).
identity_sessions = Table(
    "identity_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("person_hash", String(64), nullable=False),  # id hash, or phone hash for SMS
    Column("id_hash", String(64)),
    Column("id_masked", String(20)),
    Column("phone_hash", String(64)),
    Column("phone_masked", String(20)),
    Column("phone_enc", Text),
    Column("holder_masked", String(50)),
    Column("age", Integer),
    Column("green_reason", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("used_for", String(60)),
    Index("ix_identity_sessions_created", "created_at"),
)

# SMS one-time codes: the code itself only as a keyed hash.
identity_otps = Table(
    "identity_otps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_id", String(64), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("phone_hash", String(64), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Index("ix_identity_otps_phone", "hall_id", "phone_hash", "created_at"),
    Index("ix_identity_otps_device", "hall_id", "device_id", "created_at"),
)

# Face reference templates enrolled at a window with the citizen's consent (encrypted vectors).
face_templates = Table(
    "face_templates",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("id_hash", String(64), nullable=False),
    Column("id_masked", String(20), nullable=False),
    Column("holder_masked", String(50)),
    Column("name_enc", Text),
    Column("embedder", String(16), nullable=False),
    Column("template_enc", Text, nullable=False),
    Column("enrolled_by", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_face_templates_person", "hall_id", "id_hash"),
)

# 鲁通码 already used (nonce of a demo code, or hash of a provincial code) until they expire.
lutong_nonces = Table(
    "lutong_nonces",
    metadata,
    Column("nonce_hash", String(64), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# Reservations not checked in by their slot's end + 30 minutes, per person.
no_shows = Table(
    "no_shows",
    metadata,
    Column("reservation_id", String(40), primary_key=True),
    Column("hall_id", String(64), nullable=False),
    Column("id_hash", String(64), nullable=False),
    Column("slot_end", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_no_shows_person", "hall_id", "id_hash", "slot_end"),
)
