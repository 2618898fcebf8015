"""Request bodies, and `RequestBody`, the base of every request body of the API: unknown fields are
refused (422 naming them), so a client that believes it sent something (an `id_number` on a
ticket request, say) learns that the server did not take it; known fields are strict."""

from __future__ import annotations

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from hall_common.id_numbers import id_number_problem, normalise_id_number
from hall_common.phones import MOBILE_PATTERN
from hall_common.vocabulary import Channel, GreenReason, HealthLevel, Priority, TicketAction, WindowPolicy

PHONE = MOBILE_PATTERN


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)




def _valid_id_number(value: str) -> str:
    problem = id_number_problem(value)
    if problem:
        raise ValueError(problem)
    return normalise_id_number(value)


class LoginRequest(RequestBody):
    hall: str = Field(min_length=1, max_length=64)
    staff_id: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)


class TicketRequest(RequestBody):
    queue: str = Field(min_length=1, max_length=8, description="queue id, also the ticket prefix")
    channel: Channel = Field(description="walkin, nocard, lutong, face, card or reservation")
    item_code: str | None = Field(default=None, min_length=1, max_length=64)
    priority: Priority | None = None
    phone: str | None = Field(default=None, pattern=PHONE, description="for silent-call messages")
    identity: str | None = Field(
        default=None, min_length=16, max_length=64, description="identity session from POST …/identify"
    )


class ActionRequest(RequestBody):
    action: TicketAction
    queue: str | None = Field(default=None, min_length=1, max_length=8)
    window: str | None = Field(default=None, min_length=1, max_length=32)
    reason: GreenReason | None = Field(
        default=None, description="confirm_green only: why staff grant the green channel"
    )


class ReservationRequest(RequestBody):
    queue: str = Field(min_length=1, max_length=8)
    slot_start: AwareDatetime
    slot_end: AwareDatetime
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=32)
    phone: str | None = Field(default=None, pattern=PHONE)
    external_id: str = Field(min_length=1, max_length=128)

    _id = field_validator("id_number")(_valid_id_number)


class CheckInRequest(RequestBody):
    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{6,10}$")
    id_number: str | None = Field(default=None, min_length=1, max_length=32)
    identity: str | None = Field(default=None, min_length=16, max_length=64, description="identity session")

    @field_validator("id_number")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return None if value is None else _valid_id_number(value)

    @model_validator(mode="after")
    def _one_of(self) -> CheckInRequest:
        if [self.code, self.id_number, self.identity].count(None) != 2:
            raise ValueError("send one of code, id_number or identity")
        return self


class QueuesRequest(RequestBody):
    queues: list[str] = Field(min_length=1, max_length=50)
    policy: WindowPolicy | None = None


class HealthComponent(RequestBody):
    name: str = Field(min_length=1, max_length=64, description="printer, camera, card_reader, scanner, connection, …")
    level: HealthLevel
    message_zh: str = Field(default="", max_length=200)
    message_en: str = Field(default="", max_length=200)


class HealthReport(RequestBody):
    components: list[HealthComponent] = Field(max_length=32)
    app: dict[str, str] = Field(default_factory=dict, description="version, screen, uptime…")

    @field_validator("app")
    @classmethod
    def _small(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 20 or any(len(k) > 40 or len(v) > 200 for k, v in value.items()):
            raise ValueError("app holds at most 20 short fields")
        return value
