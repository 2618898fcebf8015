"""排队超时预警 at run time. Every few seconds, and shortly after any event of the hall, the
monitor checks the hall's facts against its thresholds (`core.alerts.evaluate`, pure). An alert
that starts holding is written to the audit log (`alert_raised`, actor `system`), logged, and sent
to the configured webhook and phones; one that stops holding is `alert_cleared`; a manager's
acknowledgement is `alert_ack`. The audit log is the only store: after a restart, or in another
server process over the same PostgreSQL, the open alerts are read back from it. Raising and
clearing re-check the log under the hall's lock, so two processes never raise the same alert twice.

    monitor = AlertMonitor(rt, pauses)   # on the running loop (the console's lifespan)
    monitor.start(); monitor.watch(hall_id, on_change); await monitor.stop()
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, insert, select

from hall_common.personal_data import scrub
from hall_common.vocabulary import AlertKind

from ..config import Hall, SmsSettings
from ..core.alerts import Alert, Limits, alert_key, evaluate
from ..core.errors import Conflict, Invalid, NotFound
from ..events.hub import Encoded
from ..notify.gateways import Gateway, HttpGateway, SendFailed, gateway_for
from ..runtime import Runtime
from ..services.principals import Principal
from ..storage import schema as s
from ..storage.writer import WriteTx
from . import messages
from .live import PauseBook, live_hall

log = logging.getLogger("queue_server.alerts")

RAISED, CLEARED, ACKNOWLEDGED = "alert_raised", "alert_cleared", "alert_ack"
SYSTEM = "system"  # the audit log's actor for raising and clearing
TICK_S = 5.0  # time alone raises alerts (a wait grows): checked this often without events
SETTLE_S = 0.5  # after an event, so a burst is checked once
LOAD_BACK = dt.timedelta(days=30)  # open alerts older than this are not read back at start
# Rows of other processes may commit a little after their time stamp: read back this far.
MARGIN = dt.timedelta(minutes=2)
NOTE_MAX = 200


@dataclasses.dataclass(frozen=True, slots=True)
class Acknowledgement:
    by: str  # manager:m01
    at: dt.datetime
    note: str


@dataclasses.dataclass(slots=True)
class OpenAlert:
    id: int  # the alert_raised row
    kind: AlertKind
    subject: str
    threshold: int
    raised_at: dt.datetime
    value: int  # at the latest check
    acknowledged: Acknowledgement | None = None

    @property
    def key(self) -> str:
        return alert_key(self.kind, self.subject)

    @property
    def alert(self) -> Alert:
        return Alert(self.kind, self.subject, self.value, self.threshold)


@dataclasses.dataclass
class _Hall:
    open: dict[str, OpenAlert] = dataclasses.field(default_factory=dict)  # by key
    closed: dict[int, dt.datetime] = dataclasses.field(default_factory=dict)  # cleared ids, recent
    seen_until: dt.datetime | None = None  # the audit log is read up to here
    listeners: set[Callable[[], None]] = dataclasses.field(default_factory=set)
    signature: tuple[object, ...] = ()
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)


class _Poke:
    """The hub subscriber of one hall."""

    def __init__(self, monitor: AlertMonitor, hall_id: str):
        self.monitor = monitor
        self.hall_id = hall_id

    def deliver(self, event: Encoded) -> None:
        self.monitor.poke(self.hall_id)


class AlertMonitor:
    def __init__(self, rt: Runtime, pauses: PauseBook, sms: Gateway | None = None):
        self.rt = rt
        self.pauses = pauses
        self.sms = sms or gateway_for(rt.config.server.sms)
        self._halls = {hall.id: _Hall() for hall in rt.config.halls}
        self._limits = {
            hall.id: hall.alerts.limits([q.id for q in hall.queues], [w.id for w in hall.windows])
            for hall in rt.config.halls
        }
        self._wake = asyncio.Event()
        self._dirty: set[str] = set()  # halls with events since the last check
        self._task: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    # -- life ------------------------------------------------------------------------------------
    def start(self) -> list[Callable[[], None]]:
        """Start checking; returns the hub unsubscriptions for the caller to run at stop."""
        self._task = asyncio.create_task(self._run())
        return [self.rt.hub.subscribe(hall_id, _Poke(self, hall_id)) for hall_id in self._halls]

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._sending) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.sms.close()

    def poke(self, hall_id: str) -> None:
        """An event of the hall: check it soon."""
        self._dirty.add(hall_id)
        self._wake.set()

    async def _run(self) -> None:
        halls = list(self._halls)
        while True:
            for hall_id in halls:
                try:
                    await self.check(hall_id)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("checking the alerts of hall %s failed", hall_id)
            try:
                await asyncio.wait_for(self._wake.wait(), TICK_S)
                await asyncio.sleep(SETTLE_S)  # a burst of events is checked once
                halls = sorted(self._dirty)
            except TimeoutError:
                halls = list(self._halls)  # time alone: every hall
            self._wake.clear()
            self._dirty.clear()

    # -- reading ---------------------------------------------------------------------------------
    def watch(self, hall_id: str, on_change: Callable[[], None]) -> Callable[[], None]:
        """Call `on_change` whenever the hall's open alerts, their values or acknowledgements change."""
        listeners = self._halls[hall_id].listeners
        listeners.add(on_change)
        return lambda: listeners.discard(on_change)

    def open_alerts(self, hall_id: str) -> list[OpenAlert]:
        """Newest first."""
        return sorted(self._halls[hall_id].open.values(), key=lambda a: a.id, reverse=True)

    def limits(self, hall_id: str) -> Limits:
        return self._limits[hall_id]

    # -- checking --------------------------------------------------------------------------------
    async def check(self, hall_id: str) -> None:
        hall = self.rt.config.hall(hall_id)
        assert hall is not None
        known = self._halls[hall_id]
        async with known.lock:
            now = self.rt.now()
            await self._catch_up(hall_id, known, now)
            state = self.rt.store.view(hall_id)
            limits = self._limits[hall_id]
            wants_pauses = any(w.paused_s for w in limits.windows.values())
            pauses = await self.pauses.for_state(state) if wants_pauses else {}
            queues, windows = live_hall(state, now, pauses).facts()
            holding = {a.key: a for a in evaluate(queues, windows, limits, known.open.keys())}
            to_raise = [a for key, a in holding.items() if key not in known.open]
            to_clear = [a for key, a in known.open.items() if key not in holding]
            if to_raise or to_clear:
                since = (known.seen_until or now) - MARGIN
                raised, cleared = await self.rt.write(
                    lambda tx: _record(tx, hall_id, now, since, to_raise, to_clear)
                )
                for alert, is_new in raised:
                    known.open[alert.key] = alert
                    if is_new:
                        self._announce(hall, alert)
                for alert in cleared:
                    known.closed[alert.id] = now
                    if known.open.get(alert.key) is alert:
                        del known.open[alert.key]
            for key, found in holding.items():
                if key in known.open:
                    known.open[key].value = found.value
            self._publish(known)

    async def _catch_up(self, hall_id: str, known: _Hall, now: dt.datetime) -> None:
        """Apply the alert rows written since the last look (by this process or another)."""
        since = known.seen_until - MARGIN if known.seen_until else now - LOAD_BACK
        rows = await self.rt.read(lambda conn: _alert_rows(conn, hall_id, since))
        for row in rows:
            _apply(known, row)
        known.seen_until = now
        for cleared_id, at in list(known.closed.items()):
            if at < now - 2 * MARGIN:
                del known.closed[cleared_id]

    def _publish(self, known: _Hall) -> None:
        signature = tuple(
            (a.id, a.acknowledged is not None, a.value if a.kind is AlertKind.QUEUE_WAITING else a.value // 60)
            for a in sorted(known.open.values(), key=lambda a: a.id)
        )
        if signature == known.signature:
            return
        known.signature = signature
        for listener in tuple(known.listeners):
            try:
                listener()
            except Exception:  # one broken console never stops the others
                log.exception("an alert listener failed; dropping it")
                known.listeners.discard(listener)

    # -- acknowledging ---------------------------------------------------------------------------
    async def acknowledge(self, hall_id: str, alert_id: int, note: str, principal: Principal) -> None:
        note = clean_note(note)

        def job(tx: WriteTx) -> None:
            a = s.audit_log
            raised = tx.conn.execute(
                select(a.c.target, a.c.at).where(a.c.id == alert_id, a.c.hall_id == hall_id, a.c.action == RAISED)
            ).first()
            if raised is None:
                raise NotFound("no such alert in this hall", "没有这条预警")
            later = {
                row.action
                for row in tx.conn.execute(
                    select(a.c.action, a.c.detail).where(
                        a.c.hall_id == hall_id, a.c.at >= raised.at, a.c.target == raised.target,
                        a.c.action.in_((CLEARED, ACKNOWLEDGED)),
                    )
                )
                if (row.detail or {}).get("raised_id") == alert_id
            }
            if CLEARED in later:
                raise Conflict("the alert has cleared already", "该预警已解除", code="alert_cleared")
            if ACKNOWLEDGED in later:
                raise Conflict("the alert is acknowledged already", "该预警已确认", code="alert_acknowledged")
            _audit(tx.conn, hall_id, self.rt.now(), principal.label, ACKNOWLEDGED, raised.target,
                   {"raised_id": alert_id, "note": note})

        await self.rt.write(job)
        await self.check(hall_id)

    # -- telling ---------------------------------------------------------------------------------
    def _announce(self, hall: Hall, alert: OpenAlert) -> None:
        zh, _ = messages.texts(hall, alert.alert)
        log.warning("alert %d raised in hall %s: %s", alert.id, hall.id, zh)
        settings = hall.alerts
        if not settings.sms_to and not settings.webhook_url:
            return
        task = asyncio.create_task(self._send(hall, alert))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, hall: Hall, alert: OpenAlert) -> None:
        text = messages.text_message(hall, alert.alert)
        for index, phone in enumerate(hall.alerts.sms_to):
            try:
                await self.sms.send(phone, text, f"alert-{alert.id}-{index}")
            except SendFailed as exc:
                log.warning("alert %d: text message %d not sent: %s", alert.id, index, exc)
        if hall.alerts.webhook_url:
            webhook = HttpGateway(SmsSettings(gateway="http", url=hall.alerts.webhook_url, body_template=_webhook_body(hall, alert)))
            try:
                await webhook.send("", text, f"alert-{alert.id}")
            except SendFailed as exc:
                log.warning("alert %d: webhook not reached: %s", alert.id, exc)
            finally:
                await webhook.close()


def clean_note(text: str) -> str:
    note = re.sub(r"\s+", " ", text or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(f"a note has at most {NOTE_MAX} characters", f"备注不能超过 {NOTE_MAX} 个字")
    return scrub(note)


def _webhook_body(hall: Hall, alert: OpenAlert) -> dict[str, object]:
    """The JSON the webhook receives ({id} and {text} are filled in by the gateway)."""
    zh, en = messages.texts(hall, alert.alert)
    return {
        "type": "queue_alert", "id": "{id}", "hall": hall.id, "hall_name": hall.name, "kind": alert.kind.value,
        "subject": alert.subject, "value": alert.value, "threshold": alert.threshold,
        "raised_at": alert.raised_at.isoformat(), "text": "{text}", "text_zh": zh, "text_en": en,
    }


# -- the audit log ------------------------------------------------------------------------------


def _audit(conn: Connection, hall_id: str, at: dt.datetime, actor: str, action: str, target: str, detail: dict[str, object]) -> int:
    """repository.audit, answering the new row's id (an alert's id)."""
    a = s.audit_log
    statement = insert(a).values(hall_id=hall_id, at=at, actor=actor, action=action, target=target, detail=detail)
    return int(conn.execute(statement.returning(a.c.id)).scalar_one())


def _alert_rows(conn: Connection, hall_id: str, since: dt.datetime) -> list[Any]:
    a = s.audit_log
    return list(
        conn.execute(
            select(a.c.id, a.c.at, a.c.actor, a.c.action, a.c.target, a.c.detail)
            .where(a.c.hall_id == hall_id, a.c.at >= since, a.c.action.in_((RAISED, CLEARED, ACKNOWLEDGED)))
            .order_by(a.c.id)
        ).all()
    )


def _opened(row: Any) -> OpenAlert | None:
    detail = row.detail or {}
    try:
        kind = AlertKind(detail["kind"])
        return OpenAlert(row.id, kind, str(detail["subject"]), int(detail["threshold"]),
                         row.at, int(detail["value"]))
    except (KeyError, ValueError, TypeError):
        log.warning("unreadable alert row %s", row.id)
        return None


def _apply(known: _Hall, row: Any) -> None:
    """One alert row, applied once whatever the order of reading (ids only go up)."""
    action, detail = row.action, row.detail or {}
    if action == RAISED:
        opened = _opened(row)
        if opened is None or opened.id in known.closed:
            return
        current = known.open.get(opened.key)
        if current is None or current.id < opened.id:
            known.open[opened.key] = opened
        return
    raised_id = detail.get("raised_id")
    if not isinstance(raised_id, int):
        log.warning("unreadable alert row %s", row.id)
        return
    match = next((a for a in known.open.values() if a.id == raised_id), None)
    if action == CLEARED:
        known.closed[raised_id] = row.at
        if match is not None:
            del known.open[match.key]
    elif match is not None and match.acknowledged is None:
        match.acknowledged = Acknowledgement(row.actor, row.at, str(detail.get("note") or ""))


def _record(
    tx: WriteTx, hall_id: str, now: dt.datetime, since: dt.datetime, to_raise: list[Alert], to_clear: list[OpenAlert]
) -> tuple[list[tuple[OpenAlert, bool]], list[OpenAlert]]:
    """Raise and clear under the hall's lock, re-reading what another process may have written
    since `since`: ([(the open alert, whether this call raised it)], [the alerts cleared])."""
    tx.hall(hall_id)  # PostgreSQL: the hall's row lock serialises this with the other processes
    a = s.audit_log
    raised: list[tuple[OpenAlert, bool]] = []
    for alert in to_raise:
        target = f"alert:{alert.key}"
        last = tx.conn.execute(
            select(a.c.id, a.c.at, a.c.action, a.c.detail)
            .where(a.c.hall_id == hall_id, a.c.at >= since, a.c.target == target, a.c.action.in_((RAISED, CLEARED)))
            .order_by(a.c.id.desc())
            .limit(1)
        ).first()
        if last is not None and last.action == RAISED and (found := _opened(last)) is not None:
            raised.append((found, False))
            continue
        detail: dict[str, object] = {"kind": alert.kind.value, "subject": alert.subject, "value": alert.value, "threshold": alert.threshold}
        alert_id = _audit(tx.conn, hall_id, now, SYSTEM, RAISED, target, detail)
        raised.append((OpenAlert(alert_id, alert.kind, alert.subject, alert.threshold, now, alert.value), True))
    for gone in to_clear:
        target = f"alert:{gone.key}"
        already = tx.conn.execute(
            select(a.c.id).where(
                a.c.hall_id == hall_id, a.c.at >= gone.raised_at, a.c.target == target, a.c.action == CLEARED
            )
        ).first()
        if already is None:
            _audit(tx.conn, hall_id, now, SYSTEM, CLEARED, target, {"raised_id": gone.id, "value": gone.value})
    return raised, to_clear
