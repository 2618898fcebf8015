"""The hall stream's messages (CONTRACT §7, docs/api.md "The hall stream") as pydantic models.

The stream does not build its messages through these: the engine emits them as dicts and the hub
encodes each once for every subscriber (a thousand screens). The models say what those dicts
hold, for readers and clients (`HallMessage.json_schema()`); tests/queue_server/test_api_openapi.py
validates every message of real streams against them. The tracking stream's messages are
`replies.TrackReply`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from hall_common.vocabulary import EventType, TicketStatus, WindowPolicy, WindowStatus

from .replies import Day, Reply, StaffRef, Timestamp


class _Message(Reply):
    seq: int = Field(description="one higher than the message before; per hall, never goes back")


class SnapshotHall(Reply):
    id: str
    name: str
    notice: str


class SnapshotCurrent(Reply):
    number: str
    status: TicketStatus


class SnapshotWindow(Reply):
    id: str
    name: str
    status: WindowStatus
    queues: list[str]
    staff: StaffRef | None
    current: SnapshotCurrent | None


class SnapshotQueue(Reply):
    id: str
    name: str
    waiting: int


class RecentCall(Reply):
    number: str
    window: str
    window_name: str
    at: Timestamp


class SnapshotMessage(_Message):
    """The first message without `since` (or when `since` is too old)."""

    type: Literal[EventType.SNAPSHOT]
    hall: SnapshotHall
    service_day: Day
    windows: list[SnapshotWindow]
    queues: list[SnapshotQueue]
    recent_calls: list[RecentCall] = Field(description="newest first, each number once")


class CallMessage(_Message):
    type: Literal[EventType.CALL]
    number: str
    queue: str
    window: str
    window_name: str
    at: Timestamp
    recall: bool


class TicketMessage(_Message):
    """Any other status change of a ticket."""

    type: Literal[EventType.TICKET]
    number: str
    queue: str
    status: TicketStatus
    window: str | None = Field(description="null while waiting")
    target_window: str | None = Field(description="the window a transfer sent it to")


class QueueMessage(_Message):
    type: Literal[EventType.QUEUE]
    queue: str
    waiting: int


class WindowMessage(_Message):
    """Pause, resume, tidal change, staff in or out."""

    type: Literal[EventType.WINDOW]
    window: str
    name: str
    status: WindowStatus
    queues: list[str]
    policy: WindowPolicy
    staff: StaffRef | None


class DayMessage(_Message):
    """A new service day: `ticket` messages for the expired tickets follow."""

    type: Literal[EventType.DAY]
    service_day: Day


HallMessage = TypeAdapter(
    Annotated[
        SnapshotMessage | CallMessage | TicketMessage | QueueMessage | WindowMessage | DayMessage,
        Field(discriminator="type"),
    ]
)
