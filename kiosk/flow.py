"""The kiosk's screens and rules as plain data, with no Kivy and no I/O: which screen shows, what
the citizen typed, what is on offer given the hall's hours, the connection and the devices, when
idleness sends the kiosk home or to its notice loop. Unit-tested on its own (tests/kiosk)."""

from __future__ import annotations

import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hall_common.personal_data import mask_typed as mask_typed_value
from hall_common.phones import MOBILE_PATTERN
from hall_common.vocabulary import Channel, HealthLevel, IdentifyMethod

from .evaluation import NUMBER_MAX, EvaluationVisit
from .replies import Followed, HallInfo, IdentitySession, Item, QueueInfo, Ticket
from .strings import SEARCH_WORDS, pick, t, weekday


class Screen(enum.StrEnum):
    HOME = "home"
    QUEUES = "queues"  # choose a queue (for a ticket, or a green ticket)
    ITEMS = "items"  # optionally the exact item of the chosen queue
    CONFIRM = "confirm"  # who is ahead, estimated wait, "take and print", other ways
    IDENTIFY = "identify"  # waiting for a card, an ID card or a face (鲁通码: SCAN)
    WAYS = "ways"  # choose how to identify (check-in, green channel by identity)
    NOCARD = "nocard"  # no card: SMS code or typed ID number
    CONSENT = "consent"  # face pickup: the citizen's explicit consent first
    IDENTIFIED = "identified"  # who the server says this is: reservations, priority, choices
    KEYPAD = "keypad"  # reservation code, ID number, phone, item code
    TICKET = "ticket"  # the issued ticket with its QR and print state
    CLOSED = "closed"  # outside service hours: the hours and the next opening
    CHECKIN = "checkin"  # choose how to check in
    SCAN = "scan"  # waiting for a QR: reservation code or a slip to follow
    GUIDE_HOME = "guide_home"  # browse by queue or search
    GUIDE_ITEMS = "guide_items"  # items of a queue, or search results
    GUIDE_SEARCH = "guide_search"  # common-word keyboard
    GUIDE = "guide"  # one item's guide
    FOLLOW = "follow"  # a followed ticket's position
    GREEN = "green"  # green channel explanation
    EVALUATE = "evaluate"  # 好差评: the ticket and the five levels
    EVAL_REASONS = "eval_reasons"  # a 差评's reasons
    EVAL_REFUSED = "eval_refused"  # this ticket cannot be evaluated now, in plain words (追评 offered)
    EVAL_DONE = "eval_done"  # thank you
    MESSAGE = "message"  # a refusal or error, in plain words
    OFFLINE = "offline"  # the server cannot be reached
    SCREENSAVER = "screensaver"


# Keypad purposes and their layouts.
KEYPADS = {
    "checkin_code": "alnum",
    "checkin_id": "id",
    "nocard_id": "id",
    "nocard_phone": "digits",
    "face_id": "id",
    "sms_phone": "digits",
    "sms_code": "code6",
    "guide_code": "alnum",
    "eval_number": "ticket",
}
KEYPAD_MAX = {"alnum": 10, "id": 18, "digits": 11, "code6": 6, "ticket": NUMBER_MAX}
KEYPAD_PROMPTS = {
    "checkin_code": "checkin.code_prompt",
    "checkin_id": "checkin.id_prompt",
    "nocard_id": "id.nocard.prompt",
    "nocard_phone": "id.phone.prompt",
    "face_id": "id.face.id_prompt",
    "sms_phone": "id.sms.phone_prompt",
    "sms_code": "id.sms.code_prompt",
    "guide_code": "guide.search_code",
    "eval_number": "eval.number_prompt",
}
# Reservation or guide codes may be long item codes; the keypad for those allows more.
GUIDE_CODE_MAX = 32


@dataclass(frozen=True)
class Typed:
    """What the citizen typed, or a card gave, for identification: kept only until the server
    answered, never logged, never shown whole."""

    id_number: str = ""
    phone: str = ""


@dataclass
class Session:
    """Everything one citizen's visit holds. Wiped whenever the kiosk goes home, so nothing a
    citizen typed or showed survives into the next visit."""

    queue: str | None = None
    item: Item | None = None
    green: bool = False
    channel: str = Channel.WALKIN
    identity: Typed | None = None  # transient: what was typed or read, until the server answered
    id_purpose: str = "ticket"  # what identification is for: "ticket", "checkin" or "green"
    id_session: IdentitySession | None = None  # the server's masked answer
    id_advice: tuple[str, str] = ("", "")  # live advice while reading (face: "请眨眨眼")
    keypad_purpose: str = ""
    keypad_text: str = ""
    keypad_error: str = ""  # strings key
    keypad_error_text: tuple[str, str] = ("", "")  # the server's own words (zh, en), e.g. "还可以再试4次"
    keypad_note: tuple[str, str] = ("", "")  # information under the display, e.g. where a code was sent
    scan_purpose: str = ""  # "checkin", "follow", "lutong"
    identify_channel: str = ""
    ticket: Ticket | None = None
    ticket_kind: str = "issued"  # issued | checkin | again | reprint (already waiting: the same ticket)
    print_state: str = "none"  # none | printing | printed | failed | no_printer
    print_reason: tuple[str, str] = ("", "")
    message_title: str = "msg.error_title"
    message_body: tuple[str, str] = ("", "")
    message_hint: str = "msg.try_later"
    guide_queue: str | None = None
    guide_items: list[Item] = field(default_factory=list)
    guide_item: Item | None = None
    search_terms: list[str] = field(default_factory=list)
    follow: Followed | None = None
    evaluation: EvaluationVisit | None = None  # 好差评: the ticket, the level and reasons chosen


class Flow:
    def __init__(self, *, idle_s: float = 60.0, ticket_s: float = 30.0, screensaver_s: float = 180.0,
                 language: str = "zh", large: bool = False, now: float = 0.0):
        self.idle_s = idle_s
        self.ticket_s = ticket_s
        self.screensaver_s = screensaver_s
        self.default_language = language
        self.default_large = large
        self.lang = language
        self.large = large
        self.screen = Screen.HOME
        self.history: list[Screen] = []
        self.session = Session()
        self.busy = False
        self.last_touch = now

    # -- navigation ------------------------------------------------------------------------------
    def go(self, screen: Screen, *, push: bool = True) -> None:
        if push and self.screen not in (screen, Screen.SCREENSAVER, Screen.MESSAGE):
            self.history.append(self.screen)
        self.screen = screen

    def replace(self, screen: Screen) -> None:
        self.go(screen, push=False)

    def back(self) -> None:
        self.busy = False
        while self.history:
            previous = self.history.pop()
            if previous not in (Screen.TICKET, Screen.SCREENSAVER):
                self.screen = previous
                return
        self.home()

    def home(self, *, reset_preferences: bool = False) -> None:
        """Back to the start; the visit's data is gone. An idle return also restores the default
        language and text size for the next citizen."""
        self.screen = Screen.HOME
        self.history.clear()
        self.session = Session()
        self.busy = False
        if reset_preferences:
            self.lang = self.default_language
            self.large = self.default_large

    # -- idleness ------------------------------------------------------------------------------
    def touch(self, now: float) -> None:
        self.last_touch = now

    def idle_limit(self) -> float | None:
        if self.screen is Screen.SCREENSAVER or self.busy:
            return None
        if self.screen is Screen.HOME:
            return self.screensaver_s
        if self.screen in (Screen.TICKET, Screen.EVAL_DONE):
            return self.ticket_s
        return self.idle_s

    def seconds_left(self, now: float) -> float | None:
        limit = self.idle_limit()
        return None if limit is None else max(0.0, limit - (now - self.last_touch))

    def tick(self, now: float) -> str | None:
        """Called about once a second. → "home" when an idle visit was wiped, "screensaver" when
        the notice loop starts, else None."""
        left = self.seconds_left(now)
        if left is None or left > 0:
            return None
        if self.screen is Screen.HOME:
            self.lang, self.large = self.default_language, self.default_large
            self.screen = Screen.SCREENSAVER
            self.history.clear()
            return "screensaver"
        self.home(reset_preferences=True)
        self.last_touch = now
        return "home"

    # -- keypad ----------------------------------------------------------------------------------
    def open_keypad(self, purpose: str) -> None:
        self.session.keypad_purpose = purpose
        self.session.keypad_text = ""
        self.session.keypad_error = ""
        self.session.keypad_error_text = ("", "")
        self.session.keypad_note = ("", "")
        self.go(Screen.KEYPAD)

    def keypad_layout(self) -> str:
        return KEYPADS.get(self.session.keypad_purpose, "alnum")

    def keypad_max(self) -> int:
        if self.session.keypad_purpose == "guide_code":
            return GUIDE_CODE_MAX
        return KEYPAD_MAX[self.keypad_layout()]

    def key(self, key: str) -> None:
        s = self.session
        s.keypad_error = ""
        s.keypad_error_text = ("", "")
        if key == "DEL":
            s.keypad_text = s.keypad_text[:-1]
        elif key == "CLEAR":
            s.keypad_text = ""
        elif len(key) == 1 and key.isalnum() and len(s.keypad_text) < self.keypad_max():
            layout = self.keypad_layout()
            if layout in ("digits", "code6") and not key.isdigit():
                return
            if layout == "id" and not (key.isdigit() or key == "X"):
                return
            if layout == "id" and key == "X" and len(s.keypad_text) != 17:
                return  # X is only ever the check character
            s.keypad_text += key.upper()


# -- pure helpers ---------------------------------------------------------------------------------

CODE_RE = re.compile(r"^[A-Z0-9]{6,10}$")
PHONE_RE = re.compile(MOBILE_PATTERN)


def mask_typed(value: str, layout: str) -> str:
    """What the keypad display shows: an identity number or phone is never shown whole, even
    while typed (first 4 and the last 4 typed; phones 3 and 4). Codes show as typed."""
    return mask_typed_value(value, {"id": "id", "digits": "phone"}.get(layout, "text"))


def checkin_code_from_qr(payload: str) -> str | None:
    """A reservation QR holds the bare check-in code, or a URL with `code=…` (or ending in it)."""
    text = payload.strip()
    candidate = text.upper()
    if CODE_RE.match(candidate):
        return candidate
    parts = urlsplit(text)
    if parts.scheme in ("http", "https"):
        query = parse_qs(parts.query)
        for key in ("code", "checkin", "c"):
            if query.get(key):
                value = query[key][0].strip().upper()
                return value if CODE_RE.match(value) else None
        last = parts.path.rstrip("/").rsplit("/", 1)[-1].upper()
        if CODE_RE.match(last):
            return last
    return None


def zone_of(hall: HallInfo | None) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo((hall.timezone if hall else "") or "Asia/Shanghai")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Asia/Shanghai")


def local_hm(value: dt.datetime | None, hall: HallInfo | None) -> str:
    return value.astimezone(zone_of(hall)).strftime("%H:%M") if value else ""


def reservation_note(ticket: Ticket, now: dt.datetime) -> tuple[str, dict[str, str]] | None:
    """For a checked-in reservation: early (priority from the slot's start), now, or late."""
    start, end = ticket.slot_start, ticket.slot_end
    if ticket.channel != Channel.RESERVATION or start is None:
        return None
    if now < start:
        return "ticket.reservation_early", {}
    if end is not None and now > end + dt.timedelta(minutes=30):
        return "ticket.reservation_late", {}
    return "ticket.reservation_now", {}


def sessions_text(hall: HallInfo | None, lang: str) -> str:
    sessions = hall.today_sessions if hall else ()
    return t("sessions.sep", lang).join(f"{s.start}–{s.end}" for s in sessions)


def opening_text(hall: HallInfo | None, lang: str, now: dt.datetime | None = None) -> str:
    """The next opening as a citizen reads it: 今天 14:00, 明天 09:00, 11月25日 09:00."""
    opening = hall.next_opening if hall else None
    if opening is None:
        return ""
    zone = zone_of(hall)
    local = opening.astimezone(zone)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()
    days = (local.date() - today).days
    hm = local.strftime("%H:%M")
    if days == 0:
        return t("time.today", lang, hm=hm)
    if days == 1:
        return t("time.tomorrow", lang, hm=hm)
    return t("time.date", lang, month=local.month, day=local.day, weekday=weekday(local.weekday(), lang), hm=hm)


def hall_open(hall: HallInfo | None) -> bool:
    return hall is not None and hall.open_now


# -- what is on offer -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    key: str  # action name, also the strings key prefix
    enabled: bool = True
    reason: str | None = None  # strings key saying why not (or a note when enabled)
    visible: bool = True


@dataclass
class Context:
    online: bool = True
    hall: HallInfo | None = None
    # device name → "ok" | "warning" | "error" (HealthLevel); absent: not configured.
    devices: dict[str, str] = field(default_factory=dict)
    offered_channels: tuple[str, ...] = ()
    have_cached_guides: bool = False

    def usable(self, device: str) -> bool:
        return self.devices.get(device) in (HealthLevel.OK, HealthLevel.WARNING)

    def configured(self, device: str) -> bool:
        return device in self.devices

    def offered_methods(self) -> frozenset[str]:
        """Identification methods the server offers for this hall (GET hall `identification.methods`;
        a server without that field offers none)."""
        return self.hall.identification.methods if self.hall else frozenset()

    def green_age(self) -> int:
        """From which age the green channel is automatic (GET hall `identification.green_age`)."""
        return (self.hall or HallInfo()).identification.green_age

    def identity_queues(self) -> frozenset[str]:
        """Queues whose tickets need an identity session (GET hall `identification.required_queues`)."""
        return self.hall.identification.required_queues if self.hall else frozenset()


# The kiosk's identification ways and the server methods (POST …/identify) behind each.
CHANNEL_METHODS = {"lutong": (IdentifyMethod.LUTONG,), "card": (IdentifyMethod.SSCARD,),
                   "idcard": (IdentifyMethod.IDCARD,), "face": (IdentifyMethod.FACE,),
                   "nocard": (IdentifyMethod.ID_NUMBER, IdentifyMethod.SMS)}
# Methods this kiosk version can carry through the server's identity session to a ticket.
IMPLEMENTED_METHODS: frozenset[str] = frozenset(IdentifyMethod)


def scan_option(ctx: Context, key: str) -> Option:
    """A QR read by the camera or a scanner: usable if either works."""
    if not (ctx.configured("camera") or ctx.configured("scanner")):
        return Option(key, False, "reason.no_scanner", visible=False)
    if ctx.usable("scanner") or ctx.usable("camera"):
        return Option(key)
    return Option(key, False, "reason.no_camera" if ctx.configured("camera") else "reason.no_scanner")


def home_options(ctx: Context) -> list[Option]:
    offline = None if ctx.online else "reason.offline"
    closed = None if hall_open(ctx.hall) else "reason.closed"
    options = [
        Option("home.take", ctx.online, offline or closed),
        Option("home.checkin", ctx.online, offline),
        Option("home.guide", ctx.online or ctx.have_cached_guides,
               None if ctx.online else ("reason.cached" if ctx.have_cached_guides else "reason.offline")),
    ]
    follow = scan_option(ctx, "home.follow")
    if not ctx.online:
        follow = Option("home.follow", False, "reason.offline", follow.visible)
    options.append(follow)
    options.append(Option("home.green", ctx.online, offline or closed))
    # 好差评 by the slip's QR code or its number: the keypad works without a scanner.
    options.append(Option("home.evaluate", ctx.online, offline))
    return options


_CHANNEL_DEVICE = {"card": ("card_reader", "reason.no_card_reader"),
                   "idcard": ("idcard_reader", "reason.no_idcard_reader"),
                   "face": ("camera", "reason.no_camera")}


def channel_options(ctx: Context) -> list[Option]:
    """The identification ways to take a ticket, beside the plain walk-in one. Each is hidden if
    this terminal does not offer it; greyed "本大厅未开通" when the server does not offer its method
    for this hall, "暂未开通" while this kiosk cannot yet complete it; greyed with the device's
    reason when its device is missing or broken."""
    offered = ctx.offered_methods()
    result = []
    for channel in ("lutong", "card", "idcard", "face", "nocard"):
        key = f"id.{channel}"
        if channel not in ctx.offered_channels:
            continue
        methods = set(CHANNEL_METHODS[channel])
        if not methods & offered:
            result.append(Option(key, False, "reason.not_offered"))
            continue
        if not methods & offered & IMPLEMENTED_METHODS:
            result.append(Option(key, False, "reason.not_open"))
            continue
        if channel == "lutong":
            scan = scan_option(ctx, key)
            result.append(scan if scan.visible else Option(key, False, "reason.no_scanner"))
            continue
        if channel in _CHANNEL_DEVICE:
            device, reason = _CHANNEL_DEVICE[channel]
            if not ctx.usable(device):
                result.append(Option(key, False, reason))
                continue
        result.append(Option(key))
    return result


def checkin_options(ctx: Context) -> list[Option]:
    options = [Option("checkin.by_code"), scan_option(ctx, "checkin.by_scan"), Option("checkin.by_id")]
    if any(o.enabled for o in channel_options(ctx)):
        options.append(Option("checkin.by_identity"))
    return options


def nocard_options(ctx: Context) -> list[Option]:
    """No card at all: a code by SMS to the citizen's phone, or the typed number where allowed."""
    offered = ctx.offered_methods()
    return [Option(key) for key, method in (("nocard.sms", IdentifyMethod.SMS), ("nocard.id", IdentifyMethod.ID_NUMBER))
            if method in offered]


# -- queues, items, search ---------------------------------------------------------------------------

def visible_queues(queues: Iterable[QueueInfo]) -> list[QueueInfo]:
    return [q for q in queues if q.kiosk_visible]


def windows_text(queue: QueueInfo | None, windows: dict[str, str], lang: str) -> str:
    """The windows that serve a queue, by name: "请留意 1号窗口、7号综合窗口 叫号"."""
    if not queue:
        return t("ticket.windows_any", lang)
    names = [windows.get(w, w) for w in queue.windows]
    if not names:
        return t("ticket.windows_any", lang)
    if len(names) > 4:
        names = names[:4] + ["…"]
    return t("ticket.windows", lang, windows=t("windows.sep", lang).join(names))


def common_words(items: Iterable[Item], limit: int = 36) -> list[str]:
    names = [i.name for i in items]
    counted = [(w, sum(w in n for n in names)) for w in SEARCH_WORDS]
    present = [(w, c) for w, c in counted if c > 0]
    present.sort(key=lambda wc: -wc[1])
    return [w for w, _ in present[:limit]]


def search_items(items: Iterable[Item], terms: list[str], code_prefix: str = "") -> list[Item]:
    """Items whose name holds every term (Chinese or English) and whose code starts with the prefix."""
    result = []
    prefix = code_prefix.strip().upper()
    for item in items:
        name = f"{item.name} {item.name_en.lower()}"
        if all(term.lower() in name for term in terms) and item.code.upper().startswith(prefix):
            result.append(item)
    return result


def item_name(item: Item | None, lang: str) -> str:
    return pick(item.name, item.name_en, lang) if item else ""


def queue_name(queue: QueueInfo | None, lang: str) -> str:
    return pick(queue.name, queue.name_en, lang) if queue else ""


def guide_rows(item: Item, lang: str) -> list[tuple[str, Any]]:
    """The guide as (heading, text or list) rows, in the order a citizen needs them."""
    guide = item.guide
    rows: list[tuple[str, Any]] = []
    unknown = t("guide.unknown", lang)
    rows.append((t("guide.conditions", lang), guide.conditions or unknown))
    rows.append((t("guide.materials", lang), list(guide.materials) or unknown))
    rows.append((t("guide.process", lang), list(guide.process) or unknown))
    legal, promised = guide.legal_limit_days, guide.promised_limit_days
    if promised == 0:
        limit = t("guide.limit_legal_now", lang, legal=legal) if legal else t("guide.limit_now", lang)
    elif legal is None and promised is None:
        limit = unknown
    else:
        limit = t("guide.limit_days", lang, legal=legal if legal is not None else "—",
                  promised=promised if promised is not None else "—")
    rows.append((t("guide.limits", lang), limit))
    rows.append((t("guide.fees", lang), guide.fees or unknown))
    visits = guide.visits
    rows.append((t("guide.visits", lang), t("guide.visits_0", lang) if visits == 0 else
                 t("guide.visits_n", lang, visits=visits) if visits is not None else unknown))
    rows.append((t("guide.location", lang), guide.location or unknown))
    rows.append((t("guide.queue", lang), f"{item.queue} {item.queue_name}".strip()))
    if guide.basis:
        rows.append((t("guide.basis", lang), guide.basis))
    if guide.online_url:
        rows.append((t("guide.online", lang), guide.online_url))
    return rows
