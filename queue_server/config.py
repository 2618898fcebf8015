"""The hall configuration file (TOML): parsed, validated at the edge, and turned into frozen
objects the rest of the server reads. A bad file is reported as one line naming the key; the
server never starts half-configured.

Keys beyond CONTRACT.md §2 are optional and documented in docs/config.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tomllib
import zoneinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hall_common.vocabulary import IdentifyMethod

from .core.rate_limits import LoginLimits
from .core.request_limits import Rate, RequestLimits
from .evaluation.settings import EvaluationSettings
from .manage.settings import AlertSettings

HALL_ID = r"^[a-z0-9-]+$"
QUEUE_ID = r"^[A-Z]{1,2}$"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Guide(_Strict):
    """办事指南: what a citizen needs to know before coming to the window."""

    conditions: str = ""  # 受理条件
    materials: tuple[str, ...] = ()  # 申请材料
    process: tuple[str, ...] = ()  # 办理流程
    legal_limit_days: int | None = Field(default=None, ge=0)  # 法定办结时限 (working days)
    promised_limit_days: int | None = Field(default=None, ge=0)  # 承诺办结时限
    fees: str = "不收费"  # 收费标准
    visits: int = Field(default=1, ge=0, le=9)  # 到现场次数 (0: 全程网办)
    location: str = ""  # 办理地点
    basis: str = ""  # 设定依据
    online_url: str = ""


class Item(_Strict):
    code: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    queue: str
    guide: Guide = Guide()
    # Optional English name shown when the kiosk is switched to English.
    name_en: str = ""


class Queue(_Strict):
    id: Annotated[str, Field(pattern=QUEUE_ID)]
    name: Annotated[str, Field(min_length=1, max_length=50)]
    name_en: str = ""
    # Tickets per service day; beyond it the kiosk gets 409 "今日号源已取完".
    daily_limit: int | None = Field(default=None, ge=1)
    # Average service time used for waiting estimates before there is any history.
    default_service_s: int | None = Field(default=None, ge=10, le=4 * 3600)
    # Queues a kiosk should not offer (e.g. 办不成事反映 handled only by staff referral).
    kiosk_visible: bool = True


class Window(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=50)]
    queues: tuple[str, ...] = Field(min_length=1)
    policy: Literal["fifo", "ordered"] = "fifo"
    # Descriptive tags shown in manager views: comprehensive (综合窗口), tidal (潮汐窗口), special.
    tags: tuple[Literal["comprehensive", "tidal", "special", "green"], ...] = ()


class Staff(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=50)]
    password_hash: Annotated[str, Field(min_length=10)]
    windows: tuple[str, ...] = ()
    role: Literal["staff", "manager"] = "staff"


class Device(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    kind: Literal["kiosk", "display", "integration", "evaluator"]
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    name: str = ""
    # A kiosk's own limits, instead of [server.request_limits] issue_per_device / identify_per_device.
    issue_rate: Rate | None = None
    identify_rate: Rate | None = None


class Session(_Strict):
    """One opening session within a day, e.g. 09:00-12:00."""

    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _ordered(self) -> Session:
        if self.end <= self.start:
            raise ValueError(f"session end {self.end} must be after its start {self.start}")
        return self


class HoursRule(_Strict):
    """A schedule rule: on these days (within an optional seasonal date range) the hall is open
    during these sessions. Later rules override earlier ones for the days they cover."""

    name: str = ""
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = Field(min_length=1)
    sessions: tuple[Session, ...] = Field(min_length=1)
    # Seasonal range as "MM-DD" (inclusive; may wrap over new year).
    season_from: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")] | None = None
    season_to: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")] | None = None

    @field_validator("sessions", mode="before")
    @classmethod
    def _sessions_from_pairs(cls, value: object) -> object:
        # Accept the compact TOML form [["09:00", "12:00"], ["13:00", "17:00"]].
        if isinstance(value, list) and value and isinstance(value[0], list):
            return [{"start": pair[0], "end": pair[1]} if len(pair) == 2 else pair for pair in value]
        return value


class DateOverride(_Strict):
    """A specific date: closed (holiday) or open with its own sessions (调休 workday, extended)."""

    date: dt.date
    closed: bool = False
    sessions: tuple[Session, ...] = ()
    note: str = ""

    @field_validator("sessions", mode="before")
    @classmethod
    def _sessions_from_pairs(cls, value: object) -> object:
        return HoursRule._sessions_from_pairs(value)

    @model_validator(mode="after")
    def _closed_or_sessions(self) -> DateOverride:
        if self.closed == bool(self.sessions):
            raise ValueError("a date override is either closed = true or has sessions")
        return self


class Hours(_Strict):
    rules: tuple[HoursRule, ...] = Field(min_length=1)
    dates: tuple[DateOverride, ...] = ()
    # Stop issuing walk-in tickets this many minutes before a session ends.
    last_ticket_minutes_before_end: int = Field(default=0, ge=0, le=240)


class Identification(_Strict):
    """Optional [halls.identification] table: which identification the hall offers and requires,
    and the limits that follow from knowing who a citizen is (docs/identity.md)."""

    # Queues whose tickets need an identity session, whatever the channel.
    required_queues: tuple[str, ...] = ()
    # Methods offered by POST …/identify; a typed identity number also needs allow_typed_id_number.
    allowed_methods: tuple[IdentifyMethod, ...] = tuple(IdentifyMethod)
    allow_typed_id_number: bool = False
    # Green channel from identity: age reached in the hall's zone, or a listed person.
    green_age: int = Field(default=70, ge=1, le=150)
    # Keyed hashes (`python -m queue_server hash-id`) of people granted the green channel.
    green_ids: tuple[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")], ...] = ()
    # Tickets one person may take per service day in this hall (None: no cap).
    max_tickets_per_person_per_day: int | None = Field(default=None, ge=1, le=100)
    # Reservation no-shows: this many within no_show_window_days block check-in for
    # no_show_block_days after the latest one (0 disables the block).
    no_show_limit: int = Field(default=0, ge=0, le=100)
    no_show_window_days: int = Field(default=90, ge=1, le=3650)
    no_show_block_days: int = Field(default=30, ge=1, le=3650)


class Hall(_Strict):
    id: Annotated[str, Field(pattern=HALL_ID, max_length=64)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    name_en: str = ""
    timezone: str
    queues: tuple[Queue, ...] = Field(min_length=1)
    items: tuple[Item, ...] = ()
    # A JSON or CSV file of items (path relative to the config file), merged with `items`.
    item_catalogue: str | None = None
    windows: tuple[Window, ...] = Field(min_length=1)
    staff: tuple[Staff, ...] = ()
    devices: tuple[Device, ...] = ()
    hours: Hours | None = None
    public_url: str | None = None  # base URL phones reach, for absolute track_url
    supervision_phone: str = ""  # 监督电话, printed on slips
    address: str = ""
    notice: str = ""  # scrolling notice on hall screens
    staff_token_hours: float = Field(default=12, gt=0, le=24 * 7)
    # A kiosk's bare "priority": "green" request: granted, or refused until identity exists.
    green_policy: Literal["granted", "identity"] = "granted"
    identification: Identification = Identification()
    evaluation: EvaluationSettings = EvaluationSettings()  # 好差评 (docs/evaluation.md)
    alerts: AlertSettings = AlertSettings()  # 排队超时预警 (docs/manager-console.md)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _references(self) -> Hall:
        queue_ids = [q.id for q in self.queues]
        _unique("queues", queue_ids)
        _unique("windows", [w.id for w in self.windows])
        _unique("staff", [s.id for s in self.staff])
        _unique("devices", [d.id for d in self.devices])
        _unique("items", [i.code for i in self.items])
        window_ids = {w.id for w in self.windows}
        for window in self.windows:
            for queue in window.queues:
                if queue not in queue_ids:
                    raise ValueError(f"window {window.id} serves unknown queue {queue!r}")
            _unique(f"window {window.id} queues", list(window.queues))
        for item in self.items:
            if item.queue not in queue_ids:
                raise ValueError(f"item {item.code} belongs to unknown queue {item.queue!r}")
        for queue in self.identification.required_queues:
            if queue not in queue_ids:
                raise ValueError(f"identification.required_queues lists unknown queue {queue!r}")
        self.evaluation.check(queue_ids, window_ids, {s.id for s in self.staff})
        self.alerts.check(queue_ids, window_ids)
        for person in self.staff:
            for window in person.windows:
                if window not in window_ids:
                    raise ValueError(f"staff {person.id} lists unknown window {window!r}")
        return self

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def queue(self, queue_id: str) -> Queue | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    def window(self, window_id: str) -> Window | None:
        return next((w for w in self.windows if w.id == window_id), None)

    def person(self, staff_id: str) -> Staff | None:
        return next((s for s in self.staff if s.id == staff_id), None)

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)


class SmsSettings(_Strict):
    """Optional [server.sms] table: silent-call text messages (see queue_server/notify)."""

    gateway: Literal["log", "http"] = "log"
    url: Annotated[str, Field(pattern=r"^https?://")] | None = None
    headers: dict[str, str] = {}
    body_template: dict[str, object] = {"phone": "{phone}", "text": "{text}"}
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=10)
    retry_backoff_s: float = Field(default=1.0, ge=0, le=60)
    max_per_number_per_hour: int = Field(default=6, ge=1, le=1000)
    text_called: Annotated[str, Field(min_length=1, max_length=300)] = "{number}号请到{window_name}办理。【{hall_name}】"
    text_three_ahead: Annotated[str, Field(min_length=1, max_length=300)] = (
        "{number}号前面还有{ahead}人，请回到等候区留意叫号。【{hall_name}】"
    )

    @model_validator(mode="after")
    def _usable(self) -> SmsSettings:
        if self.gateway == "http" and not self.url:
            raise ValueError('gateway = "http" needs url')
        from .notify.messages import check_template

        check_template("text_called", self.text_called)
        check_template("text_three_ahead", self.text_three_ahead)
        return self


class Provincial(_Strict):
    """A provincial platform reached over HTTP with signed requests (docs/identity.md)."""

    url: Annotated[str, Field(pattern=r"^https?://")]
    app_key: Annotated[str, Field(min_length=1, max_length=200)]
    app_secret: Annotated[str, Field(min_length=8, max_length=500)]
    timeout_s: float = Field(default=3.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=5)


class IdentitySettings(_Strict):
    """Optional [server.identity] table: verifiers, session and code lifetimes, retention."""

    # 鲁通码: "demo" verifies the project's own signed LTM1 codes; "provincial" asks the platform.
    lutong: Literal["demo", "provincial"] = "demo"
    lutong_provincial: Provincial | None = None
    # Face 1:1: "local" against templates enrolled at a window; "provincial" real-person check.
    face: Literal["local", "provincial"] = "local"
    face_provincial: Provincial | None = None
    face_threshold: float = Field(default=0.73, gt=0, lt=1)
    face_template_days: int = Field(default=365, ge=1, le=3650)
    # Third-generation social security cards: the person comes from this resolver, or nowhere.
    sscard_provincial: Provincial | None = None
    session_ttl_s: int = Field(default=300, ge=30, le=3600)
    sms_code_ttl_s: int = Field(default=300, ge=60, le=3600)
    sms_attempts: int = Field(default=5, ge=1, le=20)
    sms_window_s: int = Field(default=600, ge=60, le=86400)
    sms_per_number: int = Field(default=3, ge=1, le=100)
    sms_per_terminal: int = Field(default=30, ge=1, le=10000)
    # Identity data (sessions, codes, used 鲁通码 nonces, reservation names/phones, ticket phones)
    # is purged this many days after its use; face templates at their own expiry.
    retention_days: int = Field(default=30, ge=1, le=3650)
    purge_interval_s: int = Field(default=3600, ge=10, le=86400)

    @model_validator(mode="after")
    def _adapters(self) -> IdentitySettings:
        if self.lutong == "provincial" and self.lutong_provincial is None:
            raise ValueError('lutong = "provincial" needs [server.identity.lutong_provincial]')
        if self.face == "provincial" and self.face_provincial is None:
            raise ValueError('face = "provincial" needs [server.identity.face_provincial]')
        return self


class ServerSettings(_Strict):
    """Optional [server] table."""

    # File holding the server's secret key (keyed hashes, track secrets, encryption). Relative
    # paths are inside the data folder; created on first start when missing.
    secret_key_file: str = "secret.key"
    # SQLite durability: "full" survives power loss (default); "normal" survives a crash only.
    durability: Literal["full", "normal"] = "full"
    # A device that has not reported for this long shows as unreachable.
    device_stale_s: int = Field(default=180, ge=10, le=86400)
    # Events kept per hall for `since` resumption (the contract asks for at least 1,000).
    event_retention: int = Field(default=5000, ge=1000, le=1_000_000)
    # Identification (鲁通码, face, cards, SMS codes): verifiers and retention.
    identity: IdentitySettings = IdentitySettings()
    # Silent-call text messages; without the table they are only logged.
    sms: SmsSettings = SmsSettings()
    # Failed-login limits and lock-outs (queue_server/core/rate_limits.py, docs/operations.md).
    login_limits: LoginLimits = LoginLimits()
    # Issuing and identification per device, the public tracking routes per address (core/request_limits.py).
    request_limits: RequestLimits = RequestLimits()


class Config(_Strict):
    server: ServerSettings = ServerSettings()
    halls: tuple[Hall, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_halls(self) -> Config:
        _unique("halls", [h.id for h in self.halls])
        return self

    def hall(self, hall_id: str) -> Hall | None:
        return next((h for h in self.halls if h.id == hall_id), None)


def _unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate id {value!r} in {what}")
        seen.add(value)


def _describe(error: ValidationError, data: dict) -> str:
    """Each problem as `where: what`, naming the key the way a person reads the TOML."""
    problems = [_describe_one(e, data) for e in error.errors()[:5]]
    more = len(error.errors()) - len(problems)
    return "; ".join(problems) + (f"; and {more} more" if more > 0 else "")


def _describe_one(first: dict, data: dict) -> str:
    loc = first["loc"]
    # Name the key the way a person reads the TOML: halls[0].queues[2].id → halls."jn-city".queues.A
    parts: list[str] = []
    node: object = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            item = node[part]
            label = item.get("id") or item.get("code") if isinstance(item, dict) else None
            parts.append(f"[{label or part}]")
            node = item
        else:
            parts.append(f".{part}" if parts else str(part))
            node = node.get(part) if isinstance(node, dict) else None
    where = "".join(parts) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required key is missing"
    return f"{where}: {message}"


def load_item_catalogue(path: Path) -> list[dict]:
    """Items from a JSON list or a CSV file (columns: code, name, queue, then guide fields;
    list-valued guide fields separated by '|')."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        rows = json.loads(text)
        if not isinstance(rows, list):
            raise ValueError("an item catalogue JSON file holds a list of items")
        return rows
    if path.suffix.lower() != ".csv":
        raise ValueError("an item catalogue is a .json or .csv file")
    items = []
    guide_fields = set(Guide.model_fields)
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        item: dict = {"guide": {}}
        for key, value in row.items():
            if key is None:
                raise ValueError(f"line {line}: more cells than columns")
            value = (value or "").strip()
            if key in ("code", "name", "queue", "name_en"):
                item[key] = value
            elif key in guide_fields:
                if not value:
                    continue
                if key in ("materials", "process"):
                    item["guide"][key] = [part.strip() for part in value.split("|") if part.strip()]
                elif key in ("legal_limit_days", "promised_limit_days", "visits"):
                    item["guide"][key] = int(value)
                else:
                    item["guide"][key] = value
            else:
                raise ValueError(f"unknown column {key!r}")
        items.append(item)
    return items


def parse_config(data: dict, base_dir: Path) -> Config:
    halls = data.get("halls") if isinstance(data, dict) else None
    if isinstance(halls, list):
        for hall in halls:
            if isinstance(hall, dict) and hall.get("item_catalogue"):
                path = (base_dir / str(hall["item_catalogue"])).resolve()
                try:
                    extra = load_item_catalogue(path)
                except (OSError, ValueError, json.JSONDecodeError) as exc:
                    raise ConfigError(
                        f"halls[{hall.get('id')}].item_catalogue: cannot read {path}: {exc}"
                    ) from None
                hall["items"] = list(hall.get("items", [])) + extra
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, data)) from None


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, path.parent)

