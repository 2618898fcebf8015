"""The provincial 好差评 upload: delivers the outbox `evaluation_uploads` to each hall's configured
HTTP interface, in order per ticket, surviving restarts.

- A record is sent when it is due and no earlier record of its ticket is still unsent (a dead
  one holds back the ones after it until it is resent), so a case's final state never arrives
  before its evaluation.
- Before sending, a batch of rows is claimed in one writer job (its `next_attempt_at` moved past
  the send's timeout), so two server processes never send a row at once.
- Delivered means: a 2xx reply whose JSON carries the mapping's acknowledgement. Anything else
  (time-out, 5xx, malformed reply, a refusal) is retried with exponential backoff up to
  `max_attempts`, then the row is a dead letter, listed for managers and resendable.
- Every record carries its `record_id` (also the Idempotency-Key header): a record whose ack
  was lost (time-out after the platform stored it, a crash between reply and commit) is sent
  again with the same id, so the platform can count it once. A second ack changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from sqlalchemy import Connection, and_, exists, func, select, update
from sqlalchemy.orm import aliased

from hall_common.vocabulary import UploadStatus

from ..config import Hall
from ..core.errors import Conflict, NotFound
from ..runtime import Runtime
from ..storage import repository
from ..storage.writer import WriteTx
from .service import on_commit, published
from .settings import Mapping, Upload
from .tables import evaluation_uploads as u

log = logging.getLogger("queue_server.evaluation.upload")
BATCH = 200
IDLE_POLL_S = 5.0


def platform_body(mapping: Mapping, record: dict[str, Any]) -> dict[str, Any]:
    """The record in the platform's field names and codes."""
    out: dict[str, Any] = {}
    for ours, theirs in mapping.fields.items():
        value = record.get(ours, "")
        if ours == "level" and value != "":
            value = value if mapping.level_best == 5 else 6 - int(value)
        elif ours == "channel":
            value = mapping.channel_codes.get(value, value)
        elif ours == "kind":
            value = mapping.kind_codes.get(value, value)
        elif ours in ("real_name", "case_excluded"):
            value = mapping.real_name_codes["true" if value else "false"]
        elif ours == "reasons":
            value = mapping.reasons_joiner.join(value or [])
        out[theirs] = value
    return {mapping.envelope: out} if mapping.envelope else out


def sign(key: str, body: bytes) -> str:
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def acknowledged(mapping: Mapping, response: httpx.Response) -> str | None:
    """None when the reply acknowledges the record; else why not (for last_error)."""
    if not 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}"
    try:
        reply = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "malformed reply (not JSON)"
    if not isinstance(reply, dict):
        return "malformed reply (not an object)"
    value = reply.get(mapping.ack_field)
    if value is None or str(value) not in mapping.ack_values:
        return f"not acknowledged ({mapping.ack_field}={str(value)[:40]!r})"
    return None


def backoff(upload: Upload, attempts: int, row_id: int) -> dt.timedelta:
    """Exponential, capped, spread a little per row so a flood after an outage is not one wave."""
    seconds = min(upload.backoff_max_s, upload.backoff_s * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=seconds * (1 + (row_id % 10) / 40))


def _earlier_unsent() -> Any:
    before = aliased(u)
    return exists().where(and_(before.c.ticket_id == u.c.ticket_id, before.c.id < u.c.id, before.c.status != UploadStatus.SENT.value))


def due_rows(conn: Connection, now: dt.datetime, halls: list[str], limit: int = BATCH) -> list[int]:
    rows = conn.execute(
        select(u.c.id).where(u.c.status == UploadStatus.PENDING.value, u.c.next_attempt_at <= now, u.c.hall_id.in_(halls), ~_earlier_unsent())
        .order_by(u.c.id).limit(limit)
    )
    return [r.id for r in rows]


def claim(tx: WriteTx, now: dt.datetime, ids: list[int], lease: dt.timedelta) -> list[Any]:
    """Take due rows for one send each: their next attempt moves past the send's time-out, so
    another process does not take them meanwhile (and a crash leaves them due again later)."""
    taken = tx.conn.execute(
        update(u).where(u.c.id.in_(ids), u.c.status == UploadStatus.PENDING.value, u.c.next_attempt_at <= now)
        .values(next_attempt_at=now + lease).returning(u.c.id)
    )
    claimed = sorted(r.id for r in taken)
    if not claimed:
        return []
    return list(tx.conn.execute(select(u).where(u.c.id.in_(claimed)).order_by(u.c.id)))


def finish(tx: WriteTx, now: dt.datetime, outcomes: list[tuple[int, int, str | None]], settings: dict[int, Upload]) -> None:
    """(row id, attempts before, error or None) for each sent row."""
    for row_id, attempts, error in outcomes:
        if error is None:
            tx.conn.execute(update(u).where(u.c.id == row_id, u.c.status == UploadStatus.PENDING.value)
                            .values(status=UploadStatus.SENT.value, sent_at=now, attempts=attempts + 1, last_error=None))
            continue
        upload = settings[row_id]
        dead = attempts + 1 >= upload.max_attempts
        tx.conn.execute(update(u).where(u.c.id == row_id, u.c.status == UploadStatus.PENDING.value).values(
            status=UploadStatus.DEAD.value if dead else UploadStatus.PENDING.value, attempts=attempts + 1,
            last_error=error[:200], next_attempt_at=now + backoff(upload, attempts + 1, row_id)))


class Uploader:
    """One per server process. `run_once` sends what is due now (tests drive it with their own
    clock); `start` runs it in the background, woken after each evaluation's commit."""

    def __init__(self, rt: Runtime, client: httpx.AsyncClient | None = None):
        self.rt = rt
        self.halls: dict[str, Hall] = {h.id: h for h in rt.config.halls if h.evaluation.upload is not None}
        self.client = client or httpx.AsyncClient()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unhook = on_commit(self._poke)
        self.sent = 0
        self.failed = 0

    def _poke(self) -> None:
        loop = self.rt.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def _send(self, row: Any) -> str | None:
        hall = self.halls.get(row.hall_id)
        if hall is None or hall.evaluation.upload is None:
            return "the hall no longer uploads"
        upload = hall.evaluation.upload
        mapping = upload.resolved()
        body = orjson.dumps(platform_body(mapping, row.record))
        headers = {"Content-Type": "application/json", "Idempotency-Key": row.record["record_id"], **upload.headers}
        if upload.hmac_key:
            headers[upload.signature_header] = sign(upload.hmac_key, body)
        try:
            response = await self.client.post(upload.url, content=body, headers=headers, timeout=upload.timeout_s)
        except httpx.TimeoutException:
            return "timed out"
        except httpx.HTTPError as exc:
            return f"connection failed ({exc.__class__.__name__})"
        return acknowledged(mapping, response)

    async def run_once(self) -> int:
        """Send every row due now (batch by batch); how many were attempted."""
        attempted = 0
        while self.halls:
            count, more = await self._batch()
            attempted += count
            if not more:
                break
        return attempted

    async def _batch(self) -> tuple[int, bool]:
        now = self.rt.now()
        ids = await self.rt.read(lambda conn: due_rows(conn, now, list(self.halls)))
        if not ids:
            return 0, False
        uploads = [h.evaluation.upload for h in self.halls.values() if h.evaluation.upload]
        lease = dt.timedelta(seconds=max(x.timeout_s for x in uploads) * 2 + 30)
        rows = await self.rt.write(lambda tx: claim(tx, now, ids, lease))
        in_flight = asyncio.Semaphore(max(x.in_flight for x in uploads))

        async def one(row: Any) -> tuple[int, int, str | None]:
            async with in_flight:
                return row.id, row.attempts, await self._send(row)

        outcomes = list(await asyncio.gather(*(one(row) for row in rows)))
        settings = {row.id: self.halls[row.hall_id].evaluation.upload for row in rows if row.hall_id in self.halls}
        done_at = self.rt.now()
        await self.rt.write(lambda tx: finish(tx, done_at, outcomes, settings))  # type: ignore[arg-type]
        failed = sum(1 for _, _, error in outcomes if error is not None)
        self.sent += len(outcomes) - failed
        self.failed += failed
        return len(rows), bool(rows) and len(ids) >= BATCH

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the 好差评 upload failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_S)

    def start(self) -> None:
        if self.halls and self._task is None:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        self._unhook()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.aclose()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Merged into the app's lifespan by the evaluations router."""
    uploader = Uploader(app.state.runtime)
    app.state.evaluation_uploader = uploader
    uploader.start()
    try:
        yield
    finally:
        await uploader.stop()


# -- what managers see and do -------------------------------------------------------------------


async def overview(rt: Runtime, hall: Hall, limit: int = 50) -> dict[str, Any]:
    """Counts by status, the oldest unsent record's age (the lag) and the dead letters."""
    now = rt.now()

    def read(conn: Connection) -> dict[str, Any]:
        counts = {r.status: r.n for r in conn.execute(
            select(u.c.status, func.count().label("n")).where(u.c.hall_id == hall.id).group_by(u.c.status))}
        oldest = conn.execute(select(func.min(u.c.created_at)).where(u.c.hall_id == hall.id, u.c.status != UploadStatus.SENT.value)).scalar()
        last_sent = conn.execute(select(func.max(u.c.sent_at)).where(u.c.hall_id == hall.id)).scalar()
        dead = conn.execute(select(u).where(u.c.hall_id == hall.id, u.c.status == UploadStatus.DEAD.value).order_by(u.c.id).limit(limit))
        return {
            "hall": hall.id,
            "configured": hall.evaluation.upload is not None,
            "mapping": hall.evaluation.upload.mapping if hall.evaluation.upload else None,
            "pending": counts.get(UploadStatus.PENDING.value, 0),
            "sent": counts.get(UploadStatus.SENT.value, 0),
            "dead": counts.get(UploadStatus.DEAD.value, 0),
            "lag_s": round((now - oldest).total_seconds()) if oldest else 0,
            "last_sent_at": last_sent.isoformat() if last_sent else None,
            "dead_letters": [
                {"id": r.id, "record_key": r.record_key, "ticket_number": r.record.get("ticket_number"),
                 "kind": r.record.get("kind"), "attempts": r.attempts, "last_error": r.last_error,
                 "created_at": r.created_at.isoformat()} for r in dead
            ],
        }

    return await rt.read(read)


async def resend(rt: Runtime, hall: Hall, row_id: int, actor: str) -> dict[str, Any]:
    """A dead letter back to pending, due now, with its attempts counted from zero."""
    def job(tx: WriteTx) -> dict[str, Any]:
        now = rt.now()
        row = tx.conn.execute(select(u).where(u.c.id == row_id, u.c.hall_id == hall.id)).first()
        if row is None:
            raise NotFound("no such upload record", "没有这条上报记录")
        if row.status != UploadStatus.DEAD.value:
            raise Conflict(f"only a dead letter is resent (this one is {row.status})", "只有失败的记录可以重新上报")
        tx.conn.execute(update(u).where(u.c.id == row_id).values(status=UploadStatus.PENDING.value, attempts=0, next_attempt_at=now))
        repository.audit(tx.conn, hall.id, now, actor, "upload_resend", f"upload:{row_id}", {"record_key": row.record_key})
        return {"id": row_id, "status": UploadStatus.PENDING.value}

    result = await rt.write(job)
    published()
    return result
