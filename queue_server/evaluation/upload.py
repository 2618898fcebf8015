"""The provincial 好差评 upload: delivers the outbox `evaluation_uploads` to each hall's configured
HTTP interface, in order per ticket, surviving restarts.

- A record is sent when it is due and no earlier record of its ticket is still unsent (a dead
  one holds back the ones after it until it is resent), so a case's final state never arrives
  before its evaluation.
- Before sending, a round's rows are claimed in one writer job (their `next_attempt_at` moved
  past the time the round may take), so two server processes never send a row at once; a
  crash leaves them due again when the claim runs out (at once after a restart on SQLite,
  where one process is the only sender).
- Delivered means: a 2xx reply whose JSON carries the mapping's acknowledgement. Anything else
  is a failure of one of two kinds. *Refused*: the platform answered, about this record (a JSON
  reply without the acknowledgement, a 4xx). *Unavailable*: it did not (a time-out, a dropped
  connection, a 5xx, 408, 429, a body that is not JSON, as a gateway's error page).
- A record's failures count towards `max_attempts` (then it is a dead letter, listed for
  managers and resendable) and back it off exponentially, when the failure is its own: refused,
  or unavailable while the same endpoint acknowledged another record in the same round.
- An outage is the endpoint's, not the records': when nothing of a round got through and some
  of it was unavailable, the endpoint is *down* in this process. Its records wait, neither sent
  nor counted, while a probe of a few records, a backoff apart (at most PROBE_MAX_S), asks
  whether it is back; the first acknowledged probe makes everything waiting due at once. So a
  two-hour outage kills no record, and the flood after it starts within PROBE_MAX_S.
- One connection per request: a reply the platform sends twice (a duplicate acknowledgement)
  dies with its connection instead of being read as the reply to the next record.
- Every record carries its `record_id` (also the Idempotency-Key header): a record whose ack
  was lost (time-out after the platform stored it, a crash between reply and commit) is sent
  again with the same id, so the platform can count it once. A second ack changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import math
from collections import defaultdict
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

BATCH = 200  # rows read per round, at most
ROUND_PER_SENDER = 16  # rows claimed per round and endpoint: in_flight × this (bounds the claim's time)
IDLE_POLL_S = 5.0
LEASE_MARGIN_S = 10.0  # a claim outlasts its round's sends by this (the commit of their outcomes)
PROBE_MAX_S = 10.0  # a down endpoint is asked again at least this often
SENDING = "sending"  # last_error while a row is claimed (a crash leaves it so)


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


@dataclasses.dataclass(frozen=True, slots=True)
class Failure:
    error: str  # for last_error
    unavailable: bool  # the endpoint did not answer about the record (else: it refused it)


def acknowledged(mapping: Mapping, response: httpx.Response) -> Failure | None:
    """None when the reply acknowledges the record; else why not."""
    status = response.status_code
    if status >= 500 or status in (408, 429):
        return Failure(f"HTTP {status}", unavailable=True)
    if not 200 <= status < 300:
        return Failure(f"HTTP {status}", unavailable=False)
    try:
        reply = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return Failure("malformed reply (not JSON)", unavailable=True)
    if not isinstance(reply, dict):
        return Failure("malformed reply (not an object)", unavailable=True)
    value = reply.get(mapping.ack_field)
    if value is None or str(value) not in mapping.ack_values:
        return Failure(f"not acknowledged ({mapping.ack_field}={str(value)[:40]!r})", unavailable=False)
    return None


def backoff(upload: Upload, attempts: int, row_id: int) -> dt.timedelta:
    """Exponential, capped, spread a little per row so a flood after an outage is not one wave."""
    seconds = min(upload.backoff_max_s, upload.backoff_s * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=seconds * (1 + (row_id % 10) / 40))


def probe_delay(upload: Upload, failures: int) -> dt.timedelta:
    """How long a down endpoint is left alone after `failures` rounds in a row got nothing through."""
    seconds = min(upload.backoff_max_s, PROBE_MAX_S, upload.backoff_s * 2 ** max(0, failures - 1))
    return dt.timedelta(seconds=seconds)


def _earlier_unsent() -> Any:
    before = aliased(u)
    return exists().where(and_(before.c.ticket_id == u.c.ticket_id, before.c.id < u.c.id, before.c.status != UploadStatus.SENT.value))


def _sendable(halls: list[str]) -> Any:
    return and_(u.c.status == UploadStatus.PENDING.value, u.c.hall_id.in_(halls), ~_earlier_unsent())


def due_rows(conn: Connection, now: dt.datetime, halls: list[str], limit: int = BATCH) -> list[tuple[int, str]]:
    """(id, hall) of the rows that may be sent now, oldest first: due, and first of their ticket."""
    rows = conn.execute(
        select(u.c.id, u.c.hall_id).where(_sendable(halls), u.c.next_attempt_at <= now).order_by(u.c.id).limit(limit)
    )
    return [(r.id, r.hall_id) for r in rows]


def next_due(conn: Connection, halls: list[str]) -> dt.datetime | None:
    """When the earliest row that may be sent next is due (None: nothing waits)."""
    return conn.execute(select(func.min(u.c.next_attempt_at)).where(_sendable(halls))).scalar()


def claim(tx: WriteTx, now: dt.datetime, ids: list[int], lease: dt.timedelta) -> list[Any]:
    """Take due rows for one send each: their next attempt moves past the round's time, so
    another process does not take them meanwhile (and a crash leaves them due again later)."""
    if not ids:
        return []
    taken = tx.conn.execute(
        update(u).where(u.c.id.in_(ids), u.c.status == UploadStatus.PENDING.value, u.c.next_attempt_at <= now)
        .values(next_attempt_at=now + lease, last_error=SENDING).returning(u.c.id)
    )
    claimed = sorted(r.id for r in taken)
    if not claimed:
        return []
    return list(tx.conn.execute(select(u).where(u.c.id.in_(claimed)).order_by(u.c.id)))


def release_claims(tx: WriteTx, now: dt.datetime) -> int:
    """Claims a killed process left behind, due again now (SQLite only: one process sends)."""
    done = tx.conn.execute(update(u).where(u.c.status == UploadStatus.PENDING.value, u.c.last_error == SENDING)
                           .values(next_attempt_at=now, last_error="claimed when the server stopped"))
    return done.rowcount or 0


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    row_id: int
    attempts: int  # before this send
    failure: Failure | None  # None: acknowledged
    sent: bool = True  # False: not sent (its endpoint stopped answering during the round)
    charged: bool = True  # the failure counts towards the record's attempts


def finish(tx: WriteTx, now: dt.datetime, outcomes: list[Outcome], settings: dict[int, Upload]) -> None:
    """Record a round's outcomes: sent rows, records' own failures (backoff, dead letters), and
    rows that wait for their endpoint (due again at once: the endpoint's probe decides)."""
    pending = u.c.status == UploadStatus.PENDING.value
    acked = [o.row_id for o in outcomes if o.sent and o.failure is None]
    if acked:
        tx.conn.execute(update(u).where(u.c.id.in_(acked), pending)
                        .values(status=UploadStatus.SENT.value, sent_at=now, attempts=u.c.attempts + 1, last_error=None))
    waiting = [o for o in outcomes if not o.sent or (o.failure is not None and not o.charged)]
    for error, group in _by_error(waiting).items():
        tx.conn.execute(update(u).where(u.c.id.in_(group), pending).values(next_attempt_at=now, last_error=error))
    for o in outcomes:
        if not o.sent or o.failure is None or not o.charged:
            continue
        upload = settings[o.row_id]
        dead = o.attempts + 1 >= upload.max_attempts
        tx.conn.execute(update(u).where(u.c.id == o.row_id, pending).values(
            status=UploadStatus.DEAD.value if dead else UploadStatus.PENDING.value, attempts=o.attempts + 1,
            last_error=o.failure.error[:200], next_attempt_at=now + backoff(upload, o.attempts + 1, o.row_id)))


def _by_error(outcomes: list[Outcome]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for o in outcomes:
        error = o.failure.error if o.failure is not None else "not sent: the platform was not answering"
        groups[error[:200]].append(o.row_id)
    return groups


@dataclasses.dataclass(slots=True)
class Endpoint:
    """What this process knows of one upload URL: up, or down since `failures` rounds in a row
    got nothing through, to be probed again at `probe_at`."""

    upload: Upload
    failures: int = 0
    probe_at: dt.datetime | None = None

    @property
    def down(self) -> bool:
        return self.failures > 0

    def ready(self, now: dt.datetime) -> bool:
        return self.probe_at is None or self.probe_at <= now


class Uploader:
    """One per server process. `run_once` sends what is due now (tests drive it with their own
    clock); `start` runs it in the background, woken after each evaluation's commit."""

    def __init__(self, rt: Runtime, client: httpx.AsyncClient | None = None):
        self.rt = rt
        self.halls: dict[str, Hall] = {h.id: h for h in rt.config.halls if h.evaluation.upload is not None}
        self.endpoints: dict[str, Endpoint] = {}
        self._url: dict[str, str] = {}  # hall → its endpoint's URL
        for hall in self.halls.values():
            upload = hall.evaluation.upload
            assert upload is not None
            self.endpoints.setdefault(upload.url, Endpoint(upload))
            self._url[hall.id] = upload.url
        # No connection is kept for a second request: a stray reply on it (a duplicate
        # acknowledgement) would be read as the next record's.
        self.client = client or httpx.AsyncClient(limits=httpx.Limits(max_connections=256, max_keepalive_connections=0))
        self._mappings = {h.id: h.evaluation.upload.resolved() for h in self.halls.values() if h.evaluation.upload}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unhook = on_commit(self._poke)
        self.sent = 0
        self.failed = 0

    def _poke(self) -> None:
        loop = self.rt.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def _send(self, row: Any) -> Failure | None:
        hall = self.halls.get(row.hall_id)
        if hall is None or hall.evaluation.upload is None:
            return Failure("the hall no longer uploads", unavailable=False)
        upload = hall.evaluation.upload
        mapping = self._mappings[hall.id]
        body = orjson.dumps(platform_body(mapping, row.record))
        headers = {"Content-Type": "application/json", "Idempotency-Key": row.record["record_id"], **upload.headers}
        if upload.hmac_key:
            headers[upload.signature_header] = sign(upload.hmac_key, body)
        try:
            response = await self.client.post(upload.url, content=body, headers=headers, timeout=upload.timeout_s)
        except httpx.TimeoutException:
            return Failure("timed out", unavailable=True)
        except httpx.HTTPError as exc:
            return Failure(f"connection failed ({exc.__class__.__name__})", unavailable=True)
        return acknowledged(mapping, response)

    async def run_once(self) -> int:
        """Send every row due now (round by round); how many were attempted."""
        attempted = 0
        while self.halls:
            count, more = await self._round()
            attempted += count
            if not more:
                break
        return attempted

    def _pick(self, now: dt.datetime, due: list[tuple[int, str]]) -> list[int]:
        """At most in_flight × ROUND_PER_SENDER rows per endpoint; a down one's first in_flight
        only (its probe). A down endpoint with nothing due is probed later."""
        taken: dict[str, int] = defaultdict(int)
        picked = []
        for row_id, hall_id in due:
            endpoint = self.endpoints[self._url[hall_id]]
            cap = endpoint.upload.in_flight * (1 if endpoint.down else ROUND_PER_SENDER)
            if taken[endpoint.upload.url] < cap:
                taken[endpoint.upload.url] += 1
                picked.append(row_id)
        for url, endpoint in self.endpoints.items():
            if endpoint.down and endpoint.ready(now) and not taken[url]:
                endpoint.probe_at = now + probe_delay(endpoint.upload, endpoint.failures)
        return picked

    def _lease(self, due: list[tuple[int, str]], picked: list[int]) -> dt.timedelta:
        """Longer than the round can take: each endpoint's rows go in_flight at a time, each send
        within its time-out; then the outcomes' commit."""
        hall_of = dict(due)
        count: dict[str, int] = defaultdict(int)
        for row_id in picked:
            count[self._url[hall_of[row_id]]] += 1
        seconds = max(self.endpoints[url].upload.timeout_s * (math.ceil(n / self.endpoints[url].upload.in_flight) + 1)
                      for url, n in count.items())
        return dt.timedelta(seconds=seconds + LEASE_MARGIN_S)

    async def _round(self) -> tuple[int, bool]:
        now = self.rt.now()
        halls = [h for h in self.halls if self.endpoints[self._url[h]].ready(now)]
        if not halls:
            return 0, False
        due = await self.rt.read(lambda conn: due_rows(conn, now, halls))
        picked = self._pick(now, due)
        if not picked:
            return 0, False
        rows = await self.rt.write(lambda tx: claim(tx, now, picked, self._lease(due, picked)))
        outcomes = await self._send_all(rows)
        # each row's own hall's max_attempts and backoff (halls may share an endpoint)
        settings = {row.id: upload for row in rows if (upload := self.halls[row.hall_id].evaluation.upload)}
        done_at = self.rt.now()
        await self.rt.write(lambda tx: finish(tx, done_at, outcomes, settings))
        failed = sum(1 for o in outcomes if o.sent and o.failure is not None)
        acked = sum(1 for o in outcomes if o.sent and o.failure is None)
        self.sent += acked
        self.failed += failed
        return len(rows), acked > 0 or len(due) > len(picked) or len(due) >= BATCH

    async def _send_all(self, rows: list[Any]) -> list[Outcome]:
        """Each endpoint's rows, in_flight at a time. While none got through and one was
        unavailable, no send starts beyond the first in_flight (the rest wait, not sent). Then
        the endpoints' state from what they did."""
        by_url: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            by_url[self._url[row.hall_id]].append(row)
        done = await asyncio.gather(*(self._send_to(self.endpoints[url], group) for url, group in by_url.items()))
        return [outcome for group in done for outcome in group]

    async def _send_to(self, endpoint: Endpoint, rows: list[Any]) -> list[Outcome]:
        in_flight = asyncio.Semaphore(endpoint.upload.in_flight)
        seen = {"started": 0, "acked": 0, "unavailable": 0}

        async def one(row: Any) -> tuple[Any, Failure | None, bool]:
            async with in_flight:
                if seen["acked"] == 0 and seen["unavailable"] and seen["started"] >= endpoint.upload.in_flight:
                    return row, None, False  # nothing got through yet, something did not: no more than the first wave
                seen["started"] += 1
                failure = await self._send(row)
                if failure is None:
                    seen["acked"] += 1
                elif failure.unavailable:
                    seen["unavailable"] += 1
                return row, failure, True

        done = await asyncio.gather(*(one(row) for row in rows))
        up = seen["acked"] > 0
        now = self.rt.now()
        if up or seen["unavailable"] == 0:
            if endpoint.down:
                log.warning("the 好差评 platform %s answers again", endpoint.upload.url)
            endpoint.failures, endpoint.probe_at = 0, None
        else:
            endpoint.failures += 1
            endpoint.probe_at = now + probe_delay(endpoint.upload, endpoint.failures)
            if endpoint.failures == 1:
                log.warning("the 好差评 platform %s is not answering; probing it", endpoint.upload.url)
        return [
            Outcome(row.id, row.attempts, failure, sent=sent, charged=failure is None or not failure.unavailable or up)
            for row, failure, sent in done
        ]

    async def _idle_s(self) -> float:
        """Until the next probe or the next row due (at most IDLE_POLL_S)."""
        now = self.rt.now()
        up = [h for h in self.halls if not self.endpoints[self._url[h]].down]
        times = [e.probe_at for e in self.endpoints.values() if e.down and e.probe_at is not None]
        if up:
            earliest = await self.rt.read(lambda conn: next_due(conn, up))
            if earliest is not None:
                times.append(earliest)
        if not times:
            return IDLE_POLL_S
        return max(0.02, min(IDLE_POLL_S, (min(times) - now).total_seconds()))

    async def _loop(self) -> None:
        if self.rt.write_engine.dialect.name == "sqlite":
            released = await self.rt.write(lambda tx: release_claims(tx, self.rt.now()))
            if released:
                log.warning("%d 好差评 records claimed by the previous run are due again", released)
        while True:
            self._wake.clear()
            idle = IDLE_POLL_S
            try:
                await self.run_once()
                idle = await self._idle_s()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the 好差评 upload failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), idle)

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
