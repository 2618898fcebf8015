"""Request and reply bodies of the manager's console (`api/manage.py`), in the shape of
`api/replies.py`: one model per reply, times as the ISO strings the server writes, the
contract's words typed by `hall_common.vocabulary`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hall_common.vocabulary import AlertKind, DeviceKind, HealthLevel, Role, TicketStatus, WindowPolicy, WindowStatus

from .replies import Day, Reply, ReservationReply, StaffRef, Timestamp
from .schemas import RequestBody

# -- requests ------------------------------------------------------------------------------------


class PauseRequest(RequestBody):
    reason: str = Field(max_length=500, description="why (1–60 characters once trimmed): 午休, 设备故障 …")


class TidalRequest(RequestBody):
    queues: list[str] = Field(max_length=50, description="the queues the window would serve, in order")
    policy: Literal["fifo", "ordered"] | None = None


class AckRequest(RequestBody):
    note: str = Field(default="", max_length=1000, description="optional, up to 200 characters once trimmed")


# -- the console ---------------------------------------------------------------------------------


class NamedQueue(Reply):
    id: str
    name: str
    name_en: str


class NamedHall(Reply):
    id: str
    name: str
    name_en: str


class NamedWindow(Reply):
    id: str
    name: str
    tags: list[str]


class Person(Reply):
    id: str
    name: str
    role: Role


class QueueThresholdsReply(Reply):
    queue: str
    longest_wait_s: int | None
    waiting: int | None
    estimate_s: int | None


class WindowThresholdsReply(Reply):
    window: str
    paused_s: int | None
    serving_s: int | None


class ConsoleLinks(Reply):
    evaluations: str | None = Field(description="the 好差评 case page, when this server has one")
    staff_console: str


class ContextReply(Reply):
    """What the console needs once: the hall, who is logged in, names, thresholds."""

    hall: NamedHall
    timezone: str
    me: StaffRef
    queues: list[NamedQueue]
    windows: list[NamedWindow]
    staff: list[Person]
    queue_thresholds: list[QueueThresholdsReply]
    window_thresholds: list[WindowThresholdsReply]
    device_stale_s: int
    links: ConsoleLinks
    now: Timestamp


# -- live hall -----------------------------------------------------------------------------------


class PauseReply(Reply):
    since: Timestamp
    reason: str | None = Field(description="null: paused at the staff console, which asks for none")
    by: str = Field(description="who paused it, e.g. staff:s01")


class CurrentTicket(Reply):
    number: str
    status: TicketStatus
    queue: str
    called_at: Timestamp | None
    started_at: Timestamp | None


class LiveWindowReply(Reply):
    id: str
    name: str
    status: WindowStatus
    queues: list[str]
    policy: WindowPolicy
    tags: list[str]
    staff: StaffRef | None
    current: CurrentTicket | None
    pause: PauseReply | None = Field(description="when paused (null also when the pause is older than two days)")


class LiveQueueReply(Reply):
    id: str
    name: str
    name_en: str
    waiting: int
    oldest_issued_at: Timestamp | None = Field(description="the longest-waiting ticket's issue time")
    longest_wait_s: int | None
    estimated_wait_s: int | None = Field(description="what a ticket taken now would wait")
    arrivals_30m: int = Field(description="tickets issued in the last 30 minutes (in this queue now)")
    arrival_times: list[Timestamp] = Field(description="their issue times, oldest first")
    windows: list[str]
    open_windows: int


class LiveHallReply(Reply):
    seq: int = Field(description="the hall stream's last event these figures include")
    now: Timestamp
    service_day: Day
    windows: list[LiveWindowReply]
    queues: list[LiveQueueReply]


class QueueEffectReply(Reply):
    queue: str
    name: str
    waiting: int
    windows_before: int
    windows_after: int
    estimated_wait_before_s: int | None
    estimated_wait_after_s: int | None
    changed: bool


class TidalPreviewReply(Reply):
    window: str
    queues_before: list[str]
    queues_after: list[str]
    policy_after: WindowPolicy
    effects: list[QueueEffectReply]


class WindowActionReply(Reply):
    window: LiveWindowReply


# -- alerts --------------------------------------------------------------------------------------


class AcknowledgementReply(Reply):
    by: str
    by_name: str | None
    at: Timestamp
    note: str


class AlertReply(Reply):
    id: int = Field(description="the alert_raised row of the audit log")
    kind: AlertKind
    subject: str = Field(description="the queue's or window's id")
    value: int = Field(description="seconds, or a count for queue_waiting, at the latest check")
    threshold: int
    raised_at: Timestamp
    text_zh: str
    text_en: str
    acknowledged: AcknowledgementReply | None


class AlertsReply(Reply):
    type: Literal["alerts"] = "alerts"
    alerts: list[AlertReply] = Field(description="open alerts, newest first")


# -- devices -------------------------------------------------------------------------------------


class DeviceComponent(Reply):
    name: str
    level: str
    message_zh: str
    message_en: str


class DeviceStateReply(Reply):
    id: str
    name: str
    kind: DeviceKind
    state: Literal["reporting", "silent", "never_reported", "streaming", "not_reporting"]
    flagged: bool = Field(description="silent past the limit, or never heard of")
    level: HealthLevel | None
    last_report_at: Timestamp | None
    last_seen_at: Timestamp | None
    silent_for_s: int | None
    streams: int = Field(description="hall streams open with its token, in this server process")
    components: list[DeviceComponent]
    app: dict[str, str]


class DeviceBoardReply(Reply):
    device_stale_s: int
    now: Timestamp
    devices: list[DeviceStateReply]


# -- audit log -----------------------------------------------------------------------------------


class AuditRowReply(Reply):
    id: int
    at: Timestamp
    actor: str
    actor_name: str | None
    action: str
    target: str
    detail: dict[str, object]


class AuditPageReply(Reply):
    rows: list[AuditRowReply]
    next_before_id: int | None = Field(description="pass as before_id for the next (older) page")


# -- reservations --------------------------------------------------------------------------------


class DayReservation(ReservationReply):
    state: Literal["booked", "checked_in", "no_show", "cancelled"] = Field(description="no_show: still booked 30 min after the slot")
    ticket_number: str | None
    ticket_status: TicketStatus | None


class ReservationCounts(Reply):
    total: int
    booked: int
    checked_in: int
    no_show: int
    cancelled: int


class DayReservationsReply(Reply):
    day: Day
    counts: ReservationCounts
    reservations: list[DayReservation]
