"""The upload outbox's rows: the neutral record of an evaluation or of a case's final state,
written inside the job that makes it (so it commits with it, or not at all). The hall's mapping
turns a record into the platform's fields only when it is sent (evaluation/upload.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from hall_common.vocabulary import UploadStatus

from ..config import Hall
from ..core import evaluation as core
from ..storage.writer import WriteTx
from .tables import evaluation_uploads


def _base(hall: Hall, row: dict[str, Any]) -> dict[str, Any]:
    upload = hall.evaluation.upload
    window = hall.window(row["window"]) if row.get("window") else None
    queue = hall.queue(row["queue"])
    item = hall.item(row["item_code"]) if row.get("item_code") else None
    return {
        "hall_id": hall.id, "hall_name": hall.name,
        "department_code": upload.department_code if upload else "", "region_code": upload.region_code if upload else "",
        "ticket_id": row["ticket_id"], "ticket_number": row["number"], "queue": row["queue"],
        "queue_name": queue.name if queue else row["queue"], "item_code": row.get("item_code") or "",
        "item_name": item.name if item else "", "window": row.get("window") or "",
        "window_name": window.name if window else "", "clerk_id": row.get("clerk_id") or "",
    }


def evaluation_record(hall: Hall, row: dict[str, Any]) -> dict[str, Any]:
    level = int(row["level"])
    return {
        **_base(hall, row), "record_id": f"ev-{row['id']}", "kind": row["kind"], "evaluation_id": row["id"],
        "clerk_name": row.get("clerk_name") or "", "level": level, "level_name": core.level_name(level),
        "reasons": list(row["reasons"]), "text": row["text"], "channel": row["channel"], "real_name": row["real_name"],
        "evaluated_at": row["created_at"].isoformat(), "served_at": row["served_at"].isoformat(),
    }


def case_record(hall: Hall, case: dict[str, Any]) -> dict[str, Any]:
    return {
        **_base(hall, case), "record_id": f"case-{case['id']}", "kind": "case", "evaluation_id": case["evaluation_id"],
        "level": case["level"], "real_name": case["real_name"], "case_id": case["id"], "case_state": case["state"],
        "case_closed_at": case["closed_at"].isoformat() if case.get("closed_at") else "",
        "case_result": case.get("result") or "", "case_excluded": case["appeal"] == "approved",
    }


def _insert(conn: Connection, hall_id: str, ticket_id: str, key: str, record: dict[str, Any], now: dt.datetime) -> None:
    values = dict(hall_id=hall_id, ticket_id=ticket_id, record_key=key, record=record, status=UploadStatus.PENDING.value,
                  attempts=0, next_attempt_at=now, created_at=now)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(evaluation_uploads).values(**values).on_conflict_do_nothing(index_elements=["hall_id", "record_key"]))


def enqueue_evaluation(tx: WriteTx, hall: Hall, row: dict[str, Any], now: dt.datetime) -> None:
    if hall.evaluation.upload is not None:
        _insert(tx.conn, hall.id, row["ticket_id"], f"evaluation:{row['id']}", evaluation_record(hall, row), now)


def enqueue_case(tx: WriteTx, hall: Hall, case: dict[str, Any], now: dt.datetime) -> None:
    """A case's final state (已办结, or closed by an approved appeal)."""
    if hall.evaluation.upload is not None:
        _insert(tx.conn, hall.id, case["ticket_id"], f"case:{case['id']}", case_record(hall, case), now)


def exists(conn: Connection, hall_id: str, key: str) -> bool:
    u = evaluation_uploads
    return conn.execute(select(u.c.id).where(u.c.hall_id == hall_id, u.c.record_key == key)).first() is not None
