"""The notification service: watches each hall's committed events on the hub, writes outbox rows
for the triggers (a call → "please go to window N"; a ticket reaching 3 ahead → "3 ahead") and
a sender task delivers pending rows through the gateway, marking them sent or failed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..core.model import Ticket
from ..core.ranking import rank_key
from ..events.hub import Encoded
from ..runtime import Runtime
from . import outbox
from .gateways import Gateway, SendFailed, gateway_for
from .messages import render

log = logging.getLogger("queue_server.notify")

AHEAD_WARNING = 3
SENDERS = 4  # messages in flight at once (a slow gateway delays no more than this many)
IDLE_POLL_S = 30.0


class _HallWatcher:
    def __init__(self, service: Notifier, hall_id: str):
        self.service = service
        self.hall_id = hall_id

    def deliver(self, encoded: Encoded) -> None:  # on the event loop, in commit order
        message = encoded.message
        if message.get("type") in ("call", "queue"):
            self.service.triggers.put_nowait((self.hall_id, message))


class Notifier:
    def __init__(self, rt: Runtime, gateway: Gateway | None = None):
        self.rt = rt
        self.settings = rt.config.server.sms
        self.gateway = gateway or gateway_for(self.settings)
        self.triggers: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._done: set[tuple[str, str]] = set()  # (ticket, kind) already written this run
        self._ahead: dict[str, dict[str, tuple[str, int]]] = {}  # hall → ticket → (queue, ahead)
        self._baseline()
        self._unsubscribe = [rt.hub.subscribe(h.id, _HallWatcher(self, h.id)) for h in rt.config.halls]
        self._tasks = [asyncio.create_task(self._watch()), asyncio.create_task(self._send_loop())]

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.gateway.close()

    # -- triggers --------------------------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            hall_id, message = await self.triggers.get()
            try:
                if message["type"] == "call":
                    await self._on_call(hall_id, message)
                else:
                    await self._on_queue(hall_id, message["queue"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification trigger failed (hall %s, event %s)", hall_id, message.get("seq"))

    async def _on_call(self, hall_id: str, event: dict[str, Any]) -> None:
        state = self.rt.store.view(hall_id)
        number, window = event["number"], event["window"]
        live = next((t for t in state.tickets.values() if t.number == number and t.window == window), None)
        if live is not None and live.phone_hash is None:
            return  # no phone given: nothing to send (the common case, decided without a write)
        kind = f"called:{window}"
        if live is not None and (live.id, kind) in self._done:
            return
        queue = state.hall.queue(event.get("queue") or (live.queue if live else ""))
        text = render(
            self.settings.text_called, number=number, window=window, window_name=event.get("window_name") or window,
            hall_name=state.hall.name, queue_name=queue.name if queue else "",
        )
        now = self.rt.now()
        added = await self.rt.write(
            lambda tx: outbox.enqueue(tx, now, hall_id, kind, text, number=number, window=window)
        )
        if live is not None:
            self._done.add((live.id, kind))
        if added:
            self._wake.set()

    def _phone_positions(self, hall_id: str, queue_id: str) -> dict[str, tuple[Ticket, int]]:
        """Tickets of a queue that gave a phone, with how many wait ahead of them."""
        state = self.rt.store.view(hall_id)
        if not state.phone_waiting.get(queue_id):
            return {}  # the usual case, known without looking at the queue
        waiting = state.queue_waiting(queue_id)
        now = self.rt.now()
        waiting.sort(key=lambda t: rank_key(t, now))
        return {t.id: (t, ahead) for ahead, t in enumerate(waiting) if t.phone_hash}

    def _baseline(self) -> None:
        """Positions at start, so a ticket that moves to 3 ahead right after a restart is noticed."""
        for hall in self.rt.config.halls:
            seen = self._ahead.setdefault(hall.id, {})
            for queue in hall.queues:
                for ticket_id, (_, ahead) in self._phone_positions(hall.id, queue.id).items():
                    seen[ticket_id] = (queue.id, ahead)

    async def _on_queue(self, hall_id: str, queue_id: str) -> None:
        """A ticket that moves to 3 ahead (or past it in one step) gets "前面还有3人" once. A
        ticket first seen at 3 or fewer ahead (just issued: its slip says so) gets nothing."""
        seen = self._ahead.setdefault(hall_id, {})
        positions = self._phone_positions(hall_id, queue_id)
        due: list[tuple[Ticket, int]] = []
        for ticket_id, (ticket, ahead) in positions.items():
            before = seen.get(ticket_id)
            moved_up = before is not None and before[0] == queue_id and before[1] > AHEAD_WARNING
            if moved_up and 0 < ahead <= AHEAD_WARNING and (ticket_id, "three_ahead") not in self._done:
                due.append((ticket, ahead))
        for ticket_id in [k for k, (q, _) in seen.items() if q == queue_id and k not in positions]:
            del seen[ticket_id]
        seen.update({k: (queue_id, ahead) for k, (_, ahead) in positions.items()})
        if not due:
            return
        state = self.rt.store.view(hall_id)
        queue = state.hall.queue(queue_id)
        now = self.rt.now()
        for ticket, ahead in due:
            text = render(
                self.settings.text_three_ahead, number=ticket.number, ahead=ahead, hall_name=state.hall.name,
                queue_name=queue.name if queue else queue_id,
            )
            added = await self.rt.write(
                lambda tx, t=ticket, text=text: outbox.enqueue(tx, now, hall_id, "three_ahead", text, ticket_id=t.id)
            )
            self._done.add((ticket.id, "three_ahead"))
            if added:
                self._wake.set()

    # -- sending ---------------------------------------------------------------------------------
    async def _send_loop(self) -> None:
        while True:
            try:
                await self._sender()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database was away: start again (recovery included) shortly
                log.exception("the notification sender stopped; restarting it in 5 s")
                await asyncio.sleep(5)

    async def _sender(self) -> None:
        now = self.rt.now()
        unknown = await self.rt.write(lambda tx: outbox.recover(tx, now))
        if unknown:
            log.warning("%d message(s) were being sent when the server stopped; not sent again", unknown)
        slots = asyncio.Semaphore(SENDERS)
        in_flight: set[int] = set()
        while True:
            self._wake.clear()
            try:
                ids = await self.rt.read(outbox.pending_ids)
            except Exception:
                log.exception("reading the notification outbox failed")
                ids = []
            for notification_id in ids:
                if notification_id in in_flight:
                    continue
                await slots.acquire()
                in_flight.add(notification_id)
                task = asyncio.create_task(self._send_one(notification_id))
                task.add_done_callback(lambda _t, i=notification_id: (in_flight.discard(i), slots.release()))
            if len(ids) >= 50:
                self._wake.set()  # more are waiting
            try:
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_S)
            except TimeoutError:
                pass

    async def _send_one(self, notification_id: int) -> None:
        try:
            now = self.rt.now()
            per_hour = self.settings.max_per_number_per_hour
            job = await self.rt.write(lambda tx: outbox.claim(tx, now, notification_id, per_hour))
            if job is None:
                return
            error: str | None = None
            try:
                phone = self.rt.keys.decrypt(job["phone_enc"])
                await self.gateway.send(phone, job["text"], f"n{notification_id}")
            except SendFailed as exc:
                error = str(exc)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a broken gateway must not stop the sender
                log.exception("sms n%d: gateway error", notification_id)
                error = f"gateway error ({exc.__class__.__name__})"
            if error:
                log.warning("sms n%d failed: %s", notification_id, error)
            done_at = self.rt.now()
            await self.rt.write(lambda tx: outbox.finish(tx, done_at, notification_id, error))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sms n%d: could not update the outbox", notification_id)
