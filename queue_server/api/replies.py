"""Response bodies: one pydantic model per reply shape, so `/openapi.json` documents every answer.

Routes declare them with `response_model=` (the success shape) and, for a second success status,
`responses={200: {"model": …}}`; every router shares `ERRORS`, the error shape of any 4xx or 5xx.
Routes still return plain dicts (built by the services): FastAPI validates them against the model
and serialises them, so the field order here is the order on the wire.

- Times are ISO 8601 strings as the server writes them (`Timestamp`), not datetimes: a datetime
  field would be re-formatted on the way out (`+00:00` → `Z`).
- Words of the contract are typed by `hall_common.vocabulary`.
- Replies allow fields they do not list (`extra="allow"`): the contract lets the server add
  fields, and a field added to a service's dict reaches the wire instead of being dropped.
  tests/queue_server/test_api_openapi.py checks real replies against these models with no extra
  field allowed, so the models stay complete.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hall_common.vocabulary import (
    Channel,
    DeviceKind,
    DeviceStatus,
    ErrorCode,
    HealthLevel,
    IdentifyMethod,
    Priority,
    RankClass,
    ReservationStatus,
    Role,
    TicketStatus,
    WindowPolicy,
    WindowStatus,
)

from ..config import Guide
from .schemas import HealthComponent

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"}, description="ISO 8601 with offset")]
Day = Annotated[str, Field(json_schema_extra={"format": "date"}, description="YYYY-MM-DD, the hall's service day")]


class Reply(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- errors --------------------------------------------------------------------------------------


class FieldProblem(Reply):
    field: str = Field(description="dotted path of the field in the request; empty for the whole body")
    problem: str


class ErrorReply(Reply):
    """Every refusal (4xx, 5xx). The body never echoes what was sent."""

    code: ErrorCode = Field(description="what a client branches on")
    message: str = Field(description="English, for people")
    message_zh: str = Field(description="中文, for people")
    errors: list[FieldProblem] | None = Field(default=None, description="422 only: each field at fault")


ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorReply, "description": "refused: 401, 403, 404, 409 or 422 (docs/api.md)"},
    "5XX": {"model": ErrorReply, "description": "503 storage_unavailable: nothing was saved"},
}


# -- small parts ---------------------------------------------------------------------------------


class HallRef(Reply):
    id: str
    name: str


class StaffRef(Reply):
    id: str
    name: str


class OkReply(Reply):
    ok: bool


class HealthzReply(Reply):
    ok: bool
    halls: list[str]


# -- auth ----------------------------------------------------------------------------------------


class StaffLogin(Reply):
    id: str
    name: str
    role: Role


class LoginReply(Reply):
    token: str
    expires_at: Timestamp
    staff: StaffLogin
    windows: list[str] = Field(description="where this person may work (a manager: every window)")
    hall: HallRef


class MeReply(Reply):
    hall: HallRef
    kind: DeviceKind | Role
    id: str
    name: str
    windows: list[str]


# -- tickets -------------------------------------------------------------------------------------


class TicketReply(Reply):
    """A ticket, as every route that answers with one shows it (personal data masked)."""

    id: str
    number: str
    queue: str
    queue_name: str
    channel: Channel
    status: TicketStatus
    issued_at: Timestamp
    service_day: Day
    waiting_ahead: int
    estimated_wait_s: int | None
    track_url: str
    phone_url: str
    window: str | None = Field(description="while called or serving")
    window_name: str | None
    last_window: str | None
    target_window: str | None = Field(description="transferred to this window by name")
    item_code: str | None
    item_name: str | None
    priority: RankClass
    green: bool
    reservation_id: str | None
    slot_start: Timestamp | None
    slot_end: Timestamp | None
    phone: str | None = Field(description="masked")
    holder: str | None = Field(description="masked name")
    called_at: Timestamp | None
    recalls: int
    hall: str
    hall_name: str


class ReprintReply(TicketReply):
    """An identified person already waiting in the queue gets that ticket again (200)."""

    reprint: Literal[True]


class WaitingEntry(Reply):
    id: str
    number: str
    queue: str
    channel: Channel
    priority: RankClass
    issued_at: Timestamp
    item_name: str | None
    requeued: bool
    transferred_to_window: str | None
    holder: str | None


class WaitingReply(Reply):
    window: str
    total: int = Field(description="how many wait for this window in all")
    tickets: list[WaitingEntry] = Field(description="in the order the window would call them")


class TrackReply(Reply):
    """`GET /track/{id}` and each message of its stream."""

    number: str
    status: TicketStatus
    waiting_ahead: int
    estimated_wait_s: int | None
    window: str | None
    window_name: str | None
    queue: str
    queue_name: str
    hall: str
    hall_name: str
    issued_at: Timestamp
    called_at: Timestamp | None
    recalls: int


# -- halls, queues, windows, items ---------------------------------------------------------------


class SessionTimes(Reply):
    start: str = Field(description="HH:MM, the hall's local time")
    end: str


class IdentificationInfo(Reply):
    methods: list[str] = Field(description="IdentifyMethod values, plus sscard_second_generation_only")
    required_queues: list[str]
    green_age: int
    lutong_verifier: str
    face_verifier: str


class HallReply(Reply):
    id: str
    name: str
    name_en: str
    timezone: str
    address: str
    supervision_phone: str
    notice: str
    green_policy: str = Field(description="granted or identity")
    service_day: Day
    open_now: bool
    next_opening: Timestamp | None
    always_open: bool
    today_sessions: list[SessionTimes]
    now: Timestamp
    identification: IdentificationInfo


class QueueReply(Reply):
    id: str
    name: str
    name_en: str
    waiting: int
    estimated_wait_s: int | None = Field(description="what a ticket taken now would wait")
    windows: list[str]
    open_windows: int
    kiosk_visible: bool
    daily_limit: int | None
    issued_today: int


class WindowCurrent(Reply):
    number: str
    status: TicketStatus
    id: str


class WindowReply(Reply):
    id: str
    name: str
    status: WindowStatus
    paused: bool
    queues: list[str]
    policy: WindowPolicy
    tags: list[str]
    staff: StaffRef | None
    current: WindowCurrent | None


class WindowDetailReply(WindowReply):
    current_ticket: TicketReply | None


class ItemReply(Reply):
    code: str
    name: str
    name_en: str
    queue: str
    queue_name: str
    guide: Guide


# -- reservations --------------------------------------------------------------------------------


class ReservationReply(Reply):
    id: str
    code: str = Field(description="the check-in code")
    external_id: str
    queue: str
    slot_start: Timestamp
    slot_end: Timestamp
    service_day: Day
    name: str = Field(description="masked")
    id_number: str = Field(description="masked")
    phone: str | None = Field(description="masked")
    status: ReservationStatus
    ticket_id: str | None


# -- devices -------------------------------------------------------------------------------------


class DeviceReport(Reply):
    components: list[HealthComponent]
    app: dict[str, str]
    level: HealthLevel = Field(description="the worst of the components")


class HealthReply(Reply):
    """The stored report of `POST …/devices/health`."""

    device: str
    reported_at: Timestamp
    components: list[HealthComponent]
    app: dict[str, str]
    level: HealthLevel = Field(description="the worst of the components")


class DeviceReply(Reply):
    id: str
    name: str
    kind: DeviceKind
    status: DeviceStatus
    level: HealthLevel
    last_report_at: Timestamp | None
    report: DeviceReport | None


# -- identification ------------------------------------------------------------------------------


class ReservationToday(Reply):
    id: str
    code: str
    queue: str
    queue_name: str
    slot_start: Timestamp
    slot_end: Timestamp
    status: ReservationStatus
    name: str = Field(description="masked")
    ticket_id: str | None


class WaitingTicket(Reply):
    id: str
    number: str
    queue: str


class IdentityReply(Reply):
    identity: str = Field(description="the single-use identity session, for POST …/tickets or check-in")
    expires_at: Timestamp
    method: IdentifyMethod
    holder: str | None = Field(description="masked name")
    id_number: str | None = Field(description="masked")
    phone: str | None = Field(description="masked")
    age: int | None
    priority: Priority | None = Field(description="green when the person qualifies")
    green_reason: str | None = Field(description="age or list")
    reservations_today: list[ReservationToday]
    waiting_tickets: list[WaitingTicket]


class SmsCodeReply(Reply):
    sent: bool
    phone: str = Field(description="masked")
    expires_at: Timestamp


class FaceTemplateReply(Reply):
    id: str
    id_number: str = Field(description="masked")
    holder: str | None = Field(description="masked name")
    created_at: Timestamp
    expires_at: Timestamp
    enrolled_by: str


class FaceWithdrawalReply(Reply):
    deleted: int
    id_number: str = Field(description="masked")
