"""The optional `[halls.evaluation]` table (docs/config.md, docs/evaluation.md): reasons for a
差评, how long a ticket stays open for evaluation, case leads and deadline, and the upload to the
provincial 好差评 system with its field mapping. A hall without the table evaluates with the
defaults and uploads nothing. Only pydantic here: config.py imports this module."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .mappings import BUILTIN

DEFAULT_REASONS = ("态度不好", "等待时间长", "一次告知不清", "多次跑动", "办理超时", "业务不熟练", "环境设施不便")
# The fields of an uploaded record (what a mapping may rename); docs/evaluation.md lists them.
RECORD_FIELDS = (
    "record_id", "kind", "evaluation_id", "ticket_id", "ticket_number", "hall_id", "hall_name",
    "department_code", "region_code", "item_code", "item_name", "queue", "queue_name", "window",
    "window_name", "clerk_id", "clerk_name", "level", "level_name", "reasons", "text", "channel",
    "real_name", "evaluated_at", "served_at", "case_id", "case_state", "case_closed_at",
    "case_result", "case_excluded",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mapping(_Strict):
    """How a record is written for one platform: its field names, code lists and the reply
    that means "received"."""

    # our field → the platform's; a field not listed is not sent
    fields: dict[str, Annotated[str, Field(min_length=1, max_length=64)]]
    # The national standard numbers 非常满意 = 5 … 非常不满意 = 1; some platforms the other way.
    level_best: Literal[5, 1] = 5
    channel_codes: dict[Literal["window", "kiosk", "phone"], str] = {"window": "1", "kiosk": "2", "phone": "3"}
    kind_codes: dict[Literal["first", "followup", "case"], str] = {"first": "1", "followup": "2", "case": "3"}
    real_name_codes: dict[Literal["true", "false"], str] = {"true": "1", "false": "0"}
    reasons_joiner: str = ","
    # Records are sent in a JSON body, one per request, under this key ("" for the bare record).
    envelope: str = ""
    # The reply of success: this JSON field holds one of these values (the HTTP status is 2xx).
    ack_field: str = "code"
    ack_values: tuple[str, ...] = ("0", "200")

    @model_validator(mode="after")
    def _known(self) -> Mapping:
        unknown = sorted(set(self.fields) - set(RECORD_FIELDS))
        if unknown:
            raise ValueError(f"mapping fields: unknown record field(s) {', '.join(unknown)}")
        if len(set(self.fields.values())) != len(self.fields):
            raise ValueError("mapping fields: two record fields map to one name")
        return self


def builtin_mapping(name: str) -> Mapping:
    """A mapping shipped in evaluation/mappings.py ("national" or "demo")."""
    return Mapping.model_validate(BUILTIN[name])


class Upload(_Strict):
    """Optional [halls.evaluation.upload]: where evaluations and final case states go."""

    url: Annotated[str, Field(pattern=r"^https?://")]
    mapping: Literal["national", "demo"] = "national"
    # Replaces parts of the chosen mapping (same keys as the mapping files).
    mapping_override: dict[str, object] = {}
    # HMAC-SHA256 of the body with this key, hex, in `signature_header` (none when empty).
    hmac_key: str = ""
    signature_header: str = "X-Signature"
    headers: dict[str, str] = {}
    department_code: str = ""  # 实施部门编码 of the hall
    region_code: str = ""  # 行政区划代码
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    in_flight: int = Field(default=4, ge=1, le=64)
    backoff_s: float = Field(default=2.0, gt=0, le=600)
    backoff_max_s: float = Field(default=300.0, gt=0, le=86400)
    max_attempts: int = Field(default=20, ge=1, le=1000)  # then the record is a dead letter

    @model_validator(mode="after")
    def _mapping_loads(self) -> Upload:
        self.resolved()
        return self

    def resolved(self) -> Mapping:
        base = builtin_mapping(self.mapping).model_dump()
        return Mapping.model_validate({**base, **self.mapping_override})


class EvaluationSettings(_Strict):
    reasons: tuple[Annotated[str, Field(min_length=1, max_length=20)], ...] = Field(default=DEFAULT_REASONS, min_length=1)
    open_working_days: int = Field(default=5, ge=1, le=30)  # the phone form, 追评
    case_deadline_working_days: int = Field(default=5, ge=1, le=60)
    # Who a 差评's case goes to: by window, else by queue, else `lead`, else any manager.
    lead: str | None = None
    leads_by_window: dict[str, str] = {}
    leads_by_queue: dict[str, str] = {}
    evaluator_timeout_s: int = Field(default=60, ge=10, le=600)  # the window tablet, back to idle
    upload: Upload | None = None

    def check(self, queue_ids: list[str], window_ids: set[str], staff_ids: set[str]) -> None:
        """Called by the hall's validation: every name refers to something of the hall."""
        if len(set(self.reasons)) != len(self.reasons):
            raise ValueError("evaluation.reasons: a reason is listed twice")
        for window in self.leads_by_window:
            if window not in window_ids:
                raise ValueError(f"evaluation.leads_by_window: unknown window {window!r}")
        for queue in self.leads_by_queue:
            if queue not in queue_ids:
                raise ValueError(f"evaluation.leads_by_queue: unknown queue {queue!r}")
        leads = [self.lead] if self.lead else []
        for lead in [*leads, *self.leads_by_window.values(), *self.leads_by_queue.values()]:
            if lead not in staff_ids:
                raise ValueError(f"evaluation: lead {lead!r} is not a staff member of the hall")

    def lead_for(self, window: str | None, queue: str) -> str | None:
        if window and window in self.leads_by_window:
            return self.leads_by_window[window]
        return self.leads_by_queue.get(queue, self.lead)
