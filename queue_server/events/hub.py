"""The in-process event hub: per hall, a replay buffer of the latest events and the live
subscribers. It runs on the event loop; the writer hands it committed events in commit order.

`EventHub` is the seam for several processes: a broker-backed hub (PostgreSQL LISTEN/NOTIFY or
Redis) would publish committed events to the broker and feed `deliver` from it in every process.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from .frames import text_frame

log = logging.getLogger("queue_server.hub")


@dataclass(frozen=True, slots=True)
class Encoded:
    seq: int
    text: str
    frame: bytes
    message: dict[str, Any]

    @classmethod
    def of(cls, message: dict[str, Any]) -> "Encoded":
        payload = orjson.dumps(message)
        return cls(message["seq"], payload.decode("utf-8"), text_frame(payload), message)


class Subscriber(Protocol):
    def deliver(self, event: Encoded) -> None: ...


class EventHub(Protocol):
    def publish(self, hall_id: str, messages: Iterable[dict[str, Any]]) -> None: ...
    def replay_after(self, hall_id: str, seq: int) -> list[Encoded] | None: ...
    def subscribe(self, hall_id: str, subscriber: Subscriber) -> Callable[[], None]: ...


class LocalHub:
    def __init__(self, keep: int = 1000):
        self._keep = keep
        self._buffers: dict[str, deque[Encoded]] = {}
        self._subscribers: dict[str, set[Subscriber]] = {}

    def preload(self, hall_id: str, messages: Iterable[dict[str, Any]]) -> None:
        buffer = self._buffers.setdefault(hall_id, deque(maxlen=self._keep))
        for message in messages:
            buffer.append(Encoded.of(message))

    def last_seq(self, hall_id: str) -> int:
        buffer = self._buffers.get(hall_id)
        return buffer[-1].seq if buffer else 0

    def publish(self, hall_id: str, messages: Iterable[dict[str, Any]]) -> None:
        buffer = self._buffers.setdefault(hall_id, deque(maxlen=self._keep))
        subscribers = self._subscribers.get(hall_id, ())
        for message in messages:
            encoded = Encoded.of(message)  # once, whatever the number of subscribers
            if buffer and encoded.seq <= buffer[-1].seq:
                continue  # already seen (a broker may deliver twice)
            buffer.append(encoded)
            for subscriber in tuple(subscribers):
                try:
                    subscriber.deliver(encoded)
                except Exception:  # one broken client never stops the others
                    log.exception("subscriber failed; dropping it")
                    subscribers.discard(subscriber)  # type: ignore[union-attr]

    def replay_after(self, hall_id: str, seq: int) -> list[Encoded] | None:
        """Every event after `seq` when the buffer still holds them all; None otherwise."""
        buffer = self._buffers.get(hall_id)
        if not buffer:
            return [] if seq == 0 else None
        if seq > buffer[-1].seq or seq < buffer[0].seq - 1:
            return None
        return [e for e in buffer if e.seq > seq]

    def subscribe(self, hall_id: str, subscriber: Subscriber) -> Callable[[], None]:
        subscribers = self._subscribers.setdefault(hall_id, set())
        subscribers.add(subscriber)
        return lambda: subscribers.discard(subscriber)

    def subscriber_count(self, hall_id: str | None = None) -> int:
        if hall_id is not None:
            return len(self._subscribers.get(hall_id, ()))
        return sum(len(s) for s in self._subscribers.values())
