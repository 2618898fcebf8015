"""The core's vocabulary: tickets, windows and their states, as immutable values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from hall_common.vocabulary import TERMINAL_STATUSES as TERMINAL
from hall_common.vocabulary import TicketStatus, WindowPolicy, WindowStatus

__all__ = ["TERMINAL", "TicketStatus", "TicketClass", "Ticket"]


class TicketClass(enum.IntEnum):
    """Rank classes, best first (CONTRACT §4 "Rank")."""

    GREEN = 0
    RESERVATION = 1
    ORDINARY = 2


# A reservation checked in later than this after its slot's end ranks as an ordinary ticket.
RESERVATION_GRACE = dt.timedelta(minutes=30)


@dataclasses.dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    number: str
    queue: str  # the queue it waits in now (a transfer changes it; the number stays)
    seq: int
    service_day: dt.date
    channel: str
    status: TicketStatus
    issued_at: dt.datetime
    effective_at: dt.datetime  # rank time: the issue time, kept through transfers
    green: bool = False
    item_code: str | None = None
    window: str | None = None  # where it is (or was last) called
    target_window: str | None = None  # transferred to this window by name
    hold_until_calls: int | None = None  # requeued: held until its queue's call count reaches it
    slot_start: dt.datetime | None = None  # for reservation check-ins
    slot_end: dt.datetime | None = None
    reservation_id: str | None = None
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    recalls: int = 0
    phone_hash: str | None = None
    phone_masked: str | None = None
    holder_masked: str | None = None  # a masked name, when identification gave one
    identity_hash: str | None = None
    green_reason: str | None = None

    def replace(self, **changes: object) -> Ticket:
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True, slots=True)
class StaffRef:
    id: str
    name: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclasses.dataclass(frozen=True, slots=True)
class WindowState:
    id: str
    name: str
    queues: tuple[str, ...]
    policy: str = WindowPolicy.FIFO
    paused: bool = False
    staff: StaffRef | None = None
    current: str | None = None  # id of the ticket called or served here

    @property
    def status(self) -> WindowStatus:
        if self.staff is None:
            return WindowStatus.CLOSED
        return WindowStatus.PAUSED if self.paused else WindowStatus.OPEN

    def replace(self, **changes: object) -> WindowState:
        return dataclasses.replace(self, **changes)
