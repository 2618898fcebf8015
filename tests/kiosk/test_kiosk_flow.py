"""The kiosk's pure flow model: screens, keypad, idleness, what is on offer. No Kivy, no I/O."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_common.id_numbers import is_valid_id_number as valid_id_number
from kiosk.flow import (
    Context,
    Flow,
    Screen,
    channel_options,
    checkin_code_from_qr,
    checkin_options,
    common_words,
    guide_rows,
    home_options,
    mask_typed,
    nocard_options,
    opening_text,
    reservation_note,
    search_items,
    sessions_text,
    visible_queues,
    windows_text,
)
from kiosk.replies import HallInfo, Item, QueueInfo, Ticket
from kiosk.strings import LANGS, STRINGS, placeholders, t, wait_text
from tests.kiosk.helpers import valid_id

UTC = dt.UTC
OPEN_JSON = {"id": "demo", "open_now": True, "always_open": True, "timezone": "Asia/Shanghai", "green_policy": "granted"}
OPEN_HALL = HallInfo.from_json(OPEN_JSON)


def hall(**fields: object) -> HallInfo:
    """The open demo hall as GET /halls/{hall} would send it, with other fields."""
    return HallInfo.from_json({**OPEN_JSON, **fields})
ALL_DEVICES = {"printer": "ok", "camera": "ok", "scanner": "ok", "card_reader": "ok", "idcard_reader": "ok"}
OFFERED = ("lutong", "card", "idcard", "face", "nocard")


def options(opts: list) -> dict:
    return {o.key: o for o in opts}


# -- strings -------------------------------------------------------------------------------------

def test_every_string_has_both_languages_and_the_same_placeholders() -> None:
    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert placeholders(zh) == placeholders(en), key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) or key == "toggle.lang" or not zh.isascii(), key


def test_views_and_flow_only_use_known_keys() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "kiosk"
    used = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r'\b(?:tr|t)\(\s*"([a-z_]+\.[a-z_.0-9]+)"', path.read_text(encoding="utf-8")))
    missing = {k for k in used if k not in STRINGS}
    assert not missing, missing


def test_t_never_fails() -> None:
    assert t("no.such.key", "zh") == "no.such.key"
    assert t("queues.waiting", "zh") == "等候 {waiting} 人"  # a missing value leaves the text as is
    assert t("queues.waiting", "en", waiting=3) == "3 waiting"
    assert set(LANGS) == {"zh", "en"}


@pytest.mark.parametrize("seconds,zh,en", [(None, "暂无估算", "no estimate yet"), (30, "不到 1 分钟", "under a minute"),
                                           (300, "约 5 分钟", "about 5 min"), (4000, "约 1 小时 7 分钟", "about 1 h 7 min")])
def test_wait_text(seconds: int | None, zh: str, en: str) -> None:
    assert wait_text(seconds, "zh") == zh and wait_text(seconds, "en") == en


# -- navigation and idleness ------------------------------------------------------------------------

def test_back_and_home_wipe_the_visit() -> None:
    flow = Flow()
    flow.go(Screen.QUEUES)
    flow.session.queue = "A"
    flow.go(Screen.CONFIRM)
    flow.back()
    assert flow.screen is Screen.QUEUES
    flow.session.identity = {"id_number": "x"}
    flow.home()
    assert flow.screen is Screen.HOME and flow.session.queue is None and flow.session.identity is None
    flow.back()  # nothing to go back to: home
    assert flow.screen is Screen.HOME


def test_back_never_returns_to_a_ticket() -> None:
    flow = Flow()
    flow.go(Screen.QUEUES)
    flow.go(Screen.TICKET)
    flow.go(Screen.MESSAGE)
    flow.back()
    assert flow.screen is Screen.QUEUES


def test_idle_returns_home_wipes_input_and_restores_preferences() -> None:
    flow = Flow(idle_s=60, screensaver_s=180, language="zh", now=0)
    flow.open_keypad("checkin_code")
    for key in "AB12":
        flow.key(key)
    flow.lang, flow.large = "en", True
    flow.touch(10)
    assert flow.tick(69) is None and flow.seconds_left(69) == pytest.approx(1)
    assert flow.tick(70.5) == "home"
    assert flow.screen is Screen.HOME and flow.session.keypad_text == ""
    assert flow.lang == "zh" and flow.large is False
    assert flow.tick(70.5 + 179) is None
    assert flow.tick(70.5 + 181) == "screensaver"
    assert flow.screen is Screen.SCREENSAVER and flow.tick(10_000) is None


def test_no_idle_reset_while_waiting_for_the_server() -> None:
    flow = Flow(idle_s=1, now=0)
    flow.go(Screen.CONFIRM)
    flow.busy = True
    assert flow.tick(100) is None and flow.screen is Screen.CONFIRM


def test_ticket_screen_has_its_own_shorter_timeout() -> None:
    flow = Flow(idle_s=60, ticket_s=20, now=0)
    flow.go(Screen.TICKET)
    assert flow.tick(21) == "home"


# -- keypad --------------------------------------------------------------------------------------------

def test_keypad_layouts_refuse_what_they_cannot_hold() -> None:
    flow = Flow()
    flow.open_keypad("nocard_phone")
    for key in "1A38X00000000000":
        flow.key(key)
    assert flow.session.keypad_text == "13800000000"  # digits only, 11 at most
    flow.open_keypad("checkin_id")
    flow.key("X")
    assert flow.session.keypad_text == ""  # X only as the 18th character
    for key in "37010219900101123X":
        flow.key(key)
    assert flow.session.keypad_text == "37010219900101123X"
    flow.key("DEL")
    assert flow.session.keypad_text == "37010219900101123"
    flow.key("CLEAR")
    assert flow.session.keypad_text == ""
    flow.open_keypad("checkin_code")
    for key in "ab12cd34ef56":
        flow.key(key)
    assert flow.session.keypad_text == "AB12CD34EF"


def test_typed_identity_is_never_shown_whole() -> None:
    assert mask_typed("370102199001011231", "id") == "3701**********1231"
    assert mask_typed("37010219", "id") == "3701****"
    assert mask_typed("370", "id") == "370"
    assert mask_typed("13800000000", "digits") == "138****0000"
    assert mask_typed("13800", "digits") == "138**"
    assert mask_typed("AB12CD", "alnum") == "AB12CD"


def test_identity_number_check_digit() -> None:
    assert valid_id_number(valid_id("37010219900101123"))
    assert not valid_id_number("370102199001011230")
    assert not valid_id_number(valid_id("37010219901301123")[:17] + "0")  # month 13
    assert not valid_id_number("12345")


@pytest.mark.parametrize("payload,code", [
    ("AB12CD34", "AB12CD34"), ("ab12cd", "AB12CD"), ("https://x.cn/checkin?code=K7M2Q9", "K7M2Q9"),
    ("https://x.cn/r/K7M2Q9", "K7M2Q9"), ("https://x.cn/r/", None), ("hello world", None), ("ABC", None),
    ("javascript:alert(1)", None), ("https://x.cn/?code=<script>", None),
])
def test_checkin_code_from_qr(payload: str, code: str | None) -> None:
    assert checkin_code_from_qr(payload) == code


# -- what is on offer --------------------------------------------------------------------------------

def test_home_when_everything_works() -> None:
    opts = options(home_options(Context(online=True, hall=OPEN_HALL, devices=ALL_DEVICES)))
    assert all(opts[k].enabled for k in ("home.take", "home.checkin", "home.guide", "home.follow", "home.green"))
    assert opts["home.evaluate"].enabled and opts["home.evaluate"].reason is None  # 服务评价 works


def test_home_offline_keeps_cached_guides_only() -> None:
    opts = options(home_options(Context(online=False, hall=OPEN_HALL, devices=ALL_DEVICES, have_cached_guides=True)))
    assert [k for k, o in opts.items() if o.enabled] == ["home.guide"]
    assert opts["home.take"].reason == "reason.offline" and opts["home.guide"].reason == "reason.cached"
    none_cached = options(home_options(Context(online=False, hall=OPEN_HALL, devices=ALL_DEVICES)))
    assert not none_cached["home.guide"].enabled


def test_home_closed_hall_says_so_but_guides_and_follow_work() -> None:
    closed = hall(open_now=False, always_open=False)
    opts = options(home_options(Context(online=True, hall=closed, devices=ALL_DEVICES)))
    assert opts["home.take"].reason == "reason.closed"
    assert opts["home.guide"].enabled and opts["home.follow"].enabled and opts["home.follow"].reason is None


def test_scanning_needs_a_camera_or_scanner() -> None:
    no_devices = options(home_options(Context(online=True, hall=OPEN_HALL, devices={"printer": "ok"})))
    assert not no_devices["home.follow"].visible
    broken_camera = options(home_options(Context(online=True, hall=OPEN_HALL, devices={"camera": "error"})))
    assert not broken_camera["home.follow"].enabled and broken_camera["home.follow"].reason == "reason.no_camera"
    scanner_only = options(checkin_options(Context(online=True, hall=OPEN_HALL, devices={"camera": "error",
                                                                                         "scanner": "ok"})))
    assert scanner_only["checkin.by_scan"].enabled


def test_identified_channels_follow_the_server_then_the_kiosk_then_the_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.flow as flow_module

    # A server that says nothing about identification offers none of it.
    opts = options(channel_options(Context(hall=OPEN_HALL, devices=ALL_DEVICES, offered_channels=OFFERED)))
    assert len(opts) == 5 and all(not o.enabled and o.reason == "reason.not_offered" for o in opts.values())
    # GET hall's identification.methods: the others are "not offered in this hall".
    methods = ["lutong", "sscard", "face", "sms"]
    identified = hall(identification={"methods": methods, "required_queues": ["B"]})
    opts = options(channel_options(Context(hall=identified, devices=ALL_DEVICES, offered_channels=OFFERED)))
    assert opts["id.idcard"].reason == "reason.not_offered" and not opts["id.idcard"].enabled
    assert all(opts[k].enabled for k in ("id.lutong", "id.card", "id.face", "id.nocard"))
    assert Context(hall=identified).identity_queues() == {"B"}
    # A method this kiosk version cannot carry through is "not open yet".
    monkeypatch.setattr(flow_module, "IMPLEMENTED_METHODS", frozenset({"lutong", "sscard", "idcard", "face"}))
    opts = options(channel_options(Context(hall=identified, devices=ALL_DEVICES, offered_channels=OFFERED)))
    assert opts["id.nocard"].reason == "reason.not_open" and opts["id.lutong"].enabled
    monkeypatch.undo()
    # Each way depends on its device.
    identified = hall(identification={"methods": [*methods, "idcard"]})
    devices = {"camera": "error", "scanner": "ok", "card_reader": "ok", "idcard_reader": "error"}
    opts = options(channel_options(Context(hall=identified, devices=devices, offered_channels=OFFERED)))
    assert opts["id.lutong"].enabled and opts["id.card"].enabled and opts["id.nocard"].enabled
    assert opts["id.face"].reason == "reason.no_camera" and opts["id.idcard"].reason == "reason.no_idcard_reader"
    # Check-in by identity shows once any way works; no-card offers what the hall allows.
    ctx = Context(hall=identified, devices=devices, offered_channels=OFFERED)
    assert options(checkin_options(ctx))["checkin.by_identity"].enabled
    assert [o.key for o in nocard_options(ctx)] == ["nocard.sms"]
    typed = Context(hall=hall(identification={"methods": [*methods, "idcard", "id_number"]}), devices=devices,
                    offered_channels=OFFERED)
    assert [o.key for o in nocard_options(typed)] == ["nocard.sms", "nocard.id"]
    assert "checkin.by_identity" not in options(checkin_options(Context(hall=OPEN_HALL, devices=devices,
                                                                        offered_channels=OFFERED)))
    # A terminal that does not offer a way does not show it.
    opts = options(channel_options(Context(hall=identified, devices=devices, offered_channels=("nocard",))))
    assert list(opts) == ["id.nocard"]


# -- hall data as citizens read it ----------------------------------------------------------------------

def test_hours_and_next_opening_texts() -> None:
    raw = {"timezone": "Asia/Shanghai", "today_sessions": [{"start": "09:00", "end": "12:00"},
                                                           {"start": "13:00", "end": "17:00"}],
           "next_opening": "2026-11-24T01:00:00+00:00"}
    jinan = HallInfo.from_json(raw)
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 18:00 in Jinan
    assert sessions_text(jinan, "zh") == "09:00–12:00、13:00–17:00"
    assert opening_text(jinan, "zh", now) == "明天 09:00"
    assert opening_text(jinan, "en", now) == "tomorrow 09:00"
    later = HallInfo.from_json({**raw, "next_opening": "2026-11-26T01:00:00+00:00"})
    assert opening_text(later, "zh", now) == "11月26日（周四） 09:00"
    assert opening_text(HallInfo.from_json({}), "zh", now) == ""


def test_reservation_notes() -> None:
    base = {"id": "t1", "number": "A001", "queue": "A", "issued_at": "2026-11-23T00:50:00+00:00"}
    ticket = Ticket.from_json({**base, "channel": "reservation", "slot_start": "2026-11-23T02:00:00+00:00",
                               "slot_end": "2026-11-23T02:30:00+00:00"})
    assert reservation_note(ticket, dt.datetime(2026, 11, 23, 1, 0, tzinfo=UTC))[0] == "ticket.reservation_early"
    assert reservation_note(ticket, dt.datetime(2026, 11, 23, 2, 10, tzinfo=UTC))[0] == "ticket.reservation_now"
    assert reservation_note(ticket, dt.datetime(2026, 11, 23, 3, 10, tzinfo=UTC))[0] == "ticket.reservation_late"
    assert reservation_note(Ticket.from_json({**base, "channel": "walkin"}), dt.datetime.now(UTC)) is None


def test_queues_items_and_search() -> None:
    queues = [QueueInfo.from_json(q) for q in ({"id": "A", "name": "企业开办", "windows": ["W01", "W07"]},
                                               {"id": "S", "name": "办不成事", "kiosk_visible": False})]
    assert [q.id for q in visible_queues(queues)] == ["A"]
    assert windows_text(queues[0], {"W01": "1号窗口", "W07": "7号综合窗口"}, "zh") == "请留意 1号窗口、7号综合窗口 叫号"
    assert windows_text(None, {}, "zh") == "请留意大厅屏幕叫号"
    items = [Item.from_json(i) for i in ({"code": "1137A1", "name": "企业设立登记", "name_en": "Company registration"},
                                         {"code": "1137B2", "name": "不动产首次登记", "name_en": "First registration"},
                                         {"code": "2237C3", "name": "社保卡补办", "name_en": "Card replacement"})]
    assert [i.code for i in search_items(items, ["登记"])] == ["1137A1", "1137B2"]
    assert [i.code for i in search_items(items, ["登记", "企业"])] == ["1137A1"]
    assert [i.code for i in search_items(items, [], "2237")] == ["2237C3"]
    assert [i.code for i in search_items(items, ["card"])] == ["2237C3"]
    words = common_words(items)
    assert words[0] == "登记" and "企业" in words and "护照" not in words


def test_guide_rows_cover_the_guide() -> None:
    item = Item.from_json({"code": "X", "name": "n", "queue": "A", "queue_name": "企业开办",
                           "guide": {"conditions": "c", "materials": ["m1", "m2"], "process": ["p1"],
                                     "legal_limit_days": 15, "promised_limit_days": 5, "fees": "不收费", "visits": 0,
                                     "location": "大厅"}})
    rows = dict(guide_rows(item, "zh"))
    assert rows["申请材料"] == ["m1", "m2"] and rows["到现场次数"] == "0 次（全程网办）"
    assert rows["办结时限"] == "法定 15 个工作日，承诺 5 个工作日" and rows["取号类别"] == "A 企业开办"
    empty = dict(guide_rows(Item.from_json({"code": "Y", "name": "n", "guide": {}}), "en"))
    assert empty["Conditions"] == "Not stated"
