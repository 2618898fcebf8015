"""好差评 at the kiosk (the 服务评价 tile): the pure model (kiosk.evaluation), the typed replies, and
the tile end to end in a real Kivy window (offscreen SDL) driven by touches against a real queue
server with a simulated scanner: the slip's QR code, the typed number, a 差评 with its reason, a
追评, the refusals (a QR code that is no ticket's, an unknown number, a ticket not served yet, a
second evaluation) and the idle timeout that records nothing. The server's own state is checked
over HTTP. Screenshots (Chinese, English, 长辈模式, portrait and landscape) go to
tests/artifacts/kiosk-eval-*.png.

This file is also the script of its scenarios, played one per process (one Kivy window each) by
tests/kiosk/helpers.run_scenario:

    python tests/kiosk/test_kiosk_evaluation.py NAME --config KIOSK.toml --args ARGS.json --result OUT.json --artifacts DIR
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import pytest  # noqa: E402

from hall_common.vocabulary import ErrorCode  # noqa: E402
from kiosk.api import ApiClient  # noqa: E402
from kiosk.config import Devices, KioskConfig  # noqa: E402
from kiosk.controller import Controller  # noqa: E402
from kiosk.devices import DeviceSet  # noqa: E402
from kiosk.evaluation import (  # noqa: E402
    EvaluationVisit,
    TicketRef,
    Verdict,
    clerk_text,
    number_from_typed,
    ref_from_scan,
    refusal_texts,
    refused_submission,
    ticket_letters,
    verdict,
)
from kiosk.flow import Context, Flow, Screen, home_options  # noqa: E402
from kiosk.replies import Evaluated, EvaluationTicket, HallInfo, ReplyError  # noqa: E402
from kiosk.strings import t  # noqa: E402
from kiosk.testing import Driver  # noqa: E402
from tests.kiosk.helpers import Server, kiosk_toml, run_scenario  # noqa: E402
from tests.kiosk.scenarios import Shots, main, scenario  # noqa: E402

SCRIPT = Path(__file__).resolve()
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
REASONS = ["态度不好", "等待时间长", "一次告知不清"]


def status_json(**changes: Any) -> dict[str, Any]:
    """A GET …/evaluations/ticket reply as the server writes it (service.status)."""
    body: dict[str, Any] = {
        "ticket_id": "t1", "number": "A012", "status": "done", "hall": "demo", "hall_name": "演示政务服务大厅",
        "queue": "A", "queue_name": "企业开办", "item_code": None, "item_name": None, "window": "W01",
        "window_name": "1号窗口", "clerk_id": "s001", "clerk_name": "王芳",
        "served_at": "2026-12-03T10:00:00+08:00", "open_until": "2026-12-10T17:00:00+08:00",
        "evaluated": False, "first_level": None, "followed_up": False, "may_evaluate": True,
        "may_follow_up": False, "reasons": REASONS,
        "levels": [{"level": 5, "name": "非常满意", "name_en": "Very satisfied"}],
    }
    body.update(changes)
    return body


def ticket(**changes: Any) -> EvaluationTicket:
    return EvaluationTicket.from_json(status_json(**changes))


# -- the pure model ------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload,ok", [
    ("http://127.0.0.1:8000/t/abc123?k=Zx9-_q", True),  # the phone page, as the slip's QR holds it
    ("https://hall.example.cn/api/v1/track/abc123?k=Zx9", True),  # the track URL
    ("  /t/abc123?k=Zx9\n", True),  # relative, with a scanner's trailing newline
    ("https://hall.example.cn/t/abc123", False),  # no secret
    ("https://example.com/hello", False),
    ("AB12CD34", False),  # a reservation code
    ("lutong:eyJhbGciOi", False),  # a 鲁通码
    ("javascript:alert(1)", False),
    ("", False),
    ("https://h.cn/t/abc?k=" + "x" * 600, False),  # longer than the server reads
])
def test_a_scanned_code_is_a_ticket_link_or_never_sent(payload: str, ok: bool) -> None:
    ref = ref_from_scan(payload)
    assert (ref is not None) is ok
    if ref is not None:
        assert ref.fields() == {"link": payload.strip()}


@pytest.mark.parametrize("typed,number", [
    ("A012", "A012"), ("a12", "A012"), ("A2", "A002"), ("A0012", "A012"), ("K1234", "K1234"), ("AB007", "AB007"),
    ("A", None), ("12", None), ("ABC12", None), ("A12B", None), ("", None), ("A1234567", None),
])
def test_a_typed_number_is_read_as_printed(typed: str, number: str | None) -> None:
    assert number_from_typed(typed) == number


def test_the_number_keypad_offers_the_hall_letters() -> None:
    assert ticket_letters(["K", "A", "B", "AB"]) == ["A", "B", "K"]
    assert len(ticket_letters([])) == 26


@pytest.mark.parametrize("changes,expected", [
    ({}, Verdict.EVALUATE),
    ({"evaluated": True, "first_level": 4, "may_evaluate": False, "may_follow_up": True}, Verdict.FOLLOW_UP),
    ({"evaluated": True, "first_level": 4, "followed_up": True, "may_evaluate": False}, Verdict.ALREADY),
    ({"evaluated": True, "first_level": 2, "may_evaluate": False, "open_until": "2026-11-01T17:00:00+08:00"},
     Verdict.ALREADY),
    ({"may_evaluate": False, "open_until": "2026-11-01T17:00:00+08:00"}, Verdict.CLOSED),
    ({"status": "waiting", "may_evaluate": False, "open_until": None, "served_at": None}, Verdict.NOT_SERVED),
    ({"status": "serving", "may_evaluate": False, "open_until": None}, Verdict.NOT_SERVED),
    ({"status": "cancelled", "may_evaluate": False, "open_until": None}, Verdict.CANCELLED),
    ({"status": "missed", "may_evaluate": False, "open_until": None}, Verdict.MISSED),
    ({"status": "expired", "may_evaluate": False, "open_until": None}, Verdict.UNSERVED),
    ({"status": "on_hold", "may_evaluate": False, "open_until": None}, Verdict.NOT_SERVED),  # a newer server's word
])
def test_what_the_server_answer_means(changes: dict[str, Any], expected: Verdict) -> None:
    assert verdict(ticket(**changes)) is expected


def test_refused_submissions_about_the_ticket() -> None:
    assert refused_submission(404, ErrorCode.NOT_FOUND) is Verdict.UNKNOWN
    assert refused_submission(409, ErrorCode.EVALUATION_EXISTS) is Verdict.ALREADY
    assert refused_submission(409, ErrorCode.EVALUATION_CLOSED) is Verdict.CLOSED
    assert refused_submission(409, ErrorCode.EVALUATION_NOT_SERVED) is Verdict.NOT_SERVED
    assert refused_submission(422, ErrorCode.INVALID) is None
    assert refused_submission(409, "limit_reached") is None


def test_one_touch_records_fairly_satisfied_and_above() -> None:
    for level in (5, 4, 3):
        visit = EvaluationVisit(TicketRef(number="A012"), ticket(), Verdict.EVALUATE)
        assert visit.choose(level) is True and visit.ready
        assert visit.body() == {"number": "A012", "level": level, "reasons": [], "text": "", "followup": False}


def test_a_bad_evaluation_needs_one_of_the_hall_reasons() -> None:
    visit = EvaluationVisit(TicketRef(link="https://h/t/x?k=y"), ticket(), Verdict.EVALUATE)
    assert visit.choose(2) is False and not visit.ready
    with pytest.raises(ValueError):
        visit.body()
    visit.toggle("不是本厅的原因")  # not in the hall's list: ignored
    assert not visit.ready
    visit.toggle("一次告知不清")
    visit.toggle("态度不好")
    visit.toggle("一次告知不清")  # touched again: off
    visit.toggle("等待时间长")
    assert visit.ready
    body = visit.body()
    assert body == {"link": "https://h/t/x?k=y", "level": 2, "reasons": ["态度不好", "等待时间长"], "text": "",
                    "followup": False}
    visit.choose(1)  # another 差评 level keeps nothing chosen for the first
    assert visit.reasons == [] and not visit.ready
    visit.choose(5)
    assert visit.body()["reasons"] == []
    with pytest.raises(ValueError):
        visit.choose(6)


def test_a_follow_up_is_sent_as_one() -> None:
    visit = EvaluationVisit(TicketRef(number="A012"), ticket(evaluated=True, first_level=4, may_evaluate=False,
                                                             may_follow_up=True), Verdict.FOLLOW_UP, followup=True)
    visit.choose(5)
    assert visit.body()["followup"] is True


def test_refusal_texts_name_the_ticket_and_the_end_of_the_period() -> None:
    closed = EvaluationVisit(TicketRef(number="A012"), ticket(may_evaluate=False, open_until="2026-11-27T09:30:00+00:00"),
                             Verdict.CLOSED)
    title, body, hint, values = refusal_texts(closed, SHANGHAI)
    assert t(title) == "评价期限已过"
    assert values["number"] == "A012"
    assert t(body, "zh", **values) == "评价期限已于 11月27日 17:30 结束"
    assert t(body, "en", **values) == "It could be evaluated until 27/11 17:30"
    unknown = EvaluationVisit(TicketRef(number="K999"), verdict=Verdict.UNKNOWN)
    title, body, hint, values = refusal_texts(unknown, SHANGHAI)
    assert values["number"] == "K999" and t(body).startswith("今天没有这个号码的号票") and t(title) == "没有找到这张号票"
    by_link = EvaluationVisit(TicketRef(link="https://h/t/x?k=y"), verdict=Verdict.UNKNOWN)
    assert "二维码" in t(refusal_texts(by_link, SHANGHAI)[1])
    scanned = EvaluationVisit(TicketRef(), verdict=Verdict.NOT_A_TICKET)
    assert t(refusal_texts(scanned, SHANGHAI)[0]) == "这不是本大厅号票的二维码"
    for v in Verdict:
        if v is not Verdict.EVALUATE:
            keys = refusal_texts(EvaluationVisit(TicketRef(number="A1"), ticket(), v), SHANGHAI)[:3]
            assert all(t(k) != k and t(k, "en") != k for k in keys), (v, keys)


def test_the_clerk_is_named_with_the_job_number() -> None:
    assert clerk_text(ticket()) == "王芳（s001）"
    assert clerk_text(ticket(clerk_name=None)) == "s001"
    assert clerk_text(ticket(clerk_name=None, clerk_id=None)) == ""


def test_replies_are_read_and_malformed_ones_refused() -> None:
    read = ticket()
    assert read.number == "A012" and read.reasons == tuple(REASONS) and read.open_until is not None
    assert read.window_name == "1号窗口" and read.may_evaluate and read.first_level is None
    for broken in ({"number": None}, {"may_evaluate": "yes"}, {"reasons": "态度不好"}, {"open_until": "tomorrow"}):
        with pytest.raises(ReplyError):
            EvaluationTicket.from_json(status_json(**broken))
    with pytest.raises(ReplyError):
        EvaluationTicket.from_json(["not", "an", "object"])
    stored = Evaluated.from_json({"id": "e1", "ticket_id": "t1", "number": "A012", "kind": "first", "level": 1,
                                  "bad": True, "reasons": ["态度不好"], "case_id": "c1", "text": ""})
    assert stored.bad and stored.case_id == "c1" and stored.reasons == ("态度不好",)
    with pytest.raises(ReplyError):
        Evaluated.from_json({"id": "e1", "level": 7})


def test_the_tile_is_open_online_and_greyed_offline() -> None:
    online = {o.key: o for o in home_options(Context(online=True, hall=HallInfo()))}["home.evaluate"]
    assert online.enabled and online.reason is None
    offline = {o.key: o for o in home_options(Context(online=False, hall=HallInfo()))}["home.evaluate"]
    assert not offline.enabled and offline.reason == "reason.offline"
    # Outside the hall's hours a served ticket can still be evaluated.
    closed = {o.key: o for o in home_options(Context(online=True, hall=HallInfo(open_now=False)))}["home.evaluate"]
    assert closed.enabled


def test_the_thank_you_goes_home_after_the_ticket_screen_timeout() -> None:
    flow = Flow(idle_s=60, ticket_s=30, now=0)
    flow.go(Screen.EVALUATE)
    flow.session.evaluation = EvaluationVisit(TicketRef(number="A012"), ticket(), Verdict.EVALUATE)
    assert flow.idle_limit() == 60
    flow.replace(Screen.EVAL_DONE)
    assert flow.idle_limit() == 30
    assert flow.tick(29.5) is None
    assert flow.tick(30.5) == "home" and flow.session.evaluation is None


def test_the_number_keypad_takes_letters_and_digits() -> None:
    flow = Flow()
    flow.open_keypad("eval_number")
    for key in "a0127777777":
        flow.key(key)
    assert flow.session.keypad_text == "A0127777"  # at most eight keys


# -- the controller with a scripted server (the answers a real one gives only by accident of timing) -------

def scripted(answers: list[tuple[int, Any]], seen: list[tuple[str, str, Any]]) -> Controller:
    """A kiosk with no QR device whose server answers each request with the next of `answers`."""

    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content) if request.content else dict(request.url.params)
        seen.append((request.method, request.url.path, sent))
        status, body = answers.pop(0)
        return httpx.Response(status, json=body)

    config = KioskConfig(server_url="http://kiosk.test", hall="demo", token="t")
    api = ApiClient("http://kiosk.test", "demo", "t", retries=0, transport=httpx.MockTransport(handler))
    controller = Controller(config, api=api, devices=DeviceSet(Devices()))
    controller.online = True
    return controller


def settled(controller: Controller) -> Screen:
    deadline = time.monotonic() + 5
    while controller.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert controller.pending == 0
    return controller.flow.screen


def typed(controller: Controller, number: str) -> Screen:
    controller.act("home.evaluate")  # no scanner or camera here: straight to the keypad
    assert controller.flow.screen is Screen.KEYPAD and controller.flow.session.keypad_purpose == "eval_number"
    for key in number:
        controller.act("key", key)
    controller.act("keypad.ok")
    return settled(controller)


def test_a_submission_refused_because_the_ticket_changed_shows_what_it_allows_now() -> None:
    """Evaluated at the window a moment before the kiosk's POST: the kiosk asks again and offers 追评."""
    seen: list[tuple[str, str, Any]] = []
    exists = {"code": "evaluation_exists", "message": "evaluated already", "message_zh": "该号票已评价过"}
    controller = scripted([(200, status_json()), (409, exists),
                           (200, status_json(evaluated=True, first_level=5, may_evaluate=False, may_follow_up=True))],
                          seen)
    try:
        assert typed(controller, "A12") is Screen.EVALUATE
        controller.act("eval.level", "9")  # not a level: ignored
        controller.act("eval.level", "4")
        assert settled(controller) is Screen.EVAL_REFUSED
        assert controller.flow.session.evaluation.verdict is Verdict.FOLLOW_UP
        path = "/api/v1/halls/demo/evaluations"
        assert seen == [("GET", path + "/ticket", {"number": "A012"}),
                        ("POST", path, {"number": "A012", "level": 4, "reasons": [], "text": "", "followup": False}),
                        ("GET", path + "/ticket", {"number": "A012"})]
        controller.act("nav.back")  # not back to the levels the server refused
        assert controller.flow.screen is Screen.HOME
    finally:
        controller.stop()


def test_other_refusals_and_an_unreachable_server() -> None:
    seen: list[tuple[str, str, Any]] = []
    invalid = {"code": "invalid", "message": "a reason is not in the hall's list", "message_zh": "差评原因不在本厅的列表中"}
    controller = scripted([(200, status_json()), (422, invalid), (404, {"code": "not_found", "message_zh": "没有这张号票"}),
                           (503, {"code": "unavailable"})], seen)
    try:
        assert typed(controller, "A012") is Screen.EVALUATE
        controller.act("eval.level", "2")
        assert controller.flow.screen is Screen.EVAL_REASONS
        controller.act("eval.submit")  # no reason yet: nothing sent
        assert len(seen) == 1
        controller.act("eval.reason", "态度不好")
        controller.act("eval.submit")
        assert settled(controller) is Screen.MESSAGE  # the server's own words for the citizen
        assert controller.flow.session.message_body[0] == "差评原因不在本厅的列表中"
        controller.act("nav.home")
        assert typed(controller, "B7") is Screen.EVAL_REFUSED
        assert controller.flow.session.evaluation.verdict is Verdict.UNKNOWN
        controller.act("nav.back")
        assert controller.flow.screen is Screen.KEYPAD and controller.flow.session.keypad_text == "B7"
        controller.act("keypad.ok")
        assert settled(controller) is Screen.OFFLINE and not controller.online
    finally:
        controller.stop()


# -- the tile in a real window, against a real server ---------------------------------------------------

def texts_on(d: Driver, screen: Screen) -> str:
    d.wait_screen(screen)
    return d.texts()


def to_keypad(d: Driver) -> None:
    d.tap("home.evaluate")
    d.wait_screen(Screen.SCAN)
    d.tap("eval.by_number")
    d.wait_screen(Screen.KEYPAD)
    assert d.flow.session.keypad_purpose == "eval_number"


def by_number(d: Driver, typed: str, expect: Screen) -> str:
    to_keypad(d)
    d.type(typed)
    d.tap("keypad.ok")
    return texts_on(d, expect)


def scan(d: Driver, payload: str, expect: Screen) -> str:
    if d.flow.screen is not Screen.SCAN:
        d.tap("home.evaluate")
        d.wait_screen(Screen.SCAN)
    assert d.flow.session.scan_purpose == "evaluate"
    d.controller.devices.scanner.device.present_scan(payload)
    return texts_on(d, expect)


def go_home(d: Driver) -> None:
    if d.flow.screen is not Screen.HOME:
        d.tap("eval.done") if d.buttons("eval.done") else d.tap("nav.home")
    d.wait_screen(Screen.HOME)


@scenario
def evaluation(d: Driver, args: dict, shot: Shots) -> dict:
    out: dict[str, Any] = {}
    tile = d.button("home.evaluate")
    assert not tile.disabled and "服务评价" in tile.text and "即将开通" not in tile.text, tile.text
    shot("home")

    # A QR code that is not a ticket's: a clear refusal, nothing sent; back reads again.
    d.tap("home.evaluate")
    texts = texts_on(d, Screen.SCAN)
    assert "请将号票上的二维码对准扫码区" in texts and "输入号票号码" in texts
    shot("scan")
    texts = scan(d, "https://example.com/hello", Screen.EVAL_REFUSED)
    assert "这不是本大厅号票的二维码" in texts and d.controller.pending == 0
    out["not_a_ticket"] = texts
    shot("refused-not-a-ticket")
    d.tap("nav.back")
    d.wait_screen(Screen.SCAN)
    out["forged"] = scan(d, args["forged_link"], Screen.EVAL_REFUSED)  # a ticket link with a wrong secret
    d.tap("nav.back")

    # The scan path: the slip's QR → the ticket (number, window, clerk) → one touch on 满意.
    texts = scan(d, args["scan_link"], Screen.EVALUATE)
    for shown in (args["scan_number"], "1号窗口", "王芳", "您对本次服务满意吗", "非常满意", "非常不满意"):
        assert shown in texts, (shown, texts)
    assert len(d.buttons("eval.level")) == 5
    shot("levels")
    d.tap("eval.level", 4)
    texts = texts_on(d, Screen.EVAL_DONE)
    assert "感谢您的评价" in texts and "满意" in texts and args["scan_number"] in texts
    assert d.flow.idle_limit() == d.flow.ticket_s
    shot("thanks")
    d.tap("eval.done")
    d.wait_screen(Screen.HOME)

    # The typed-number path and a 差评: a wrong number first, then the number without its zeros.
    to_keypad(d)
    d.type("12")
    d.tap("keypad.ok")
    assert d.flow.screen is Screen.KEYPAD and "例如 A012" in d.texts()
    d.tap("key", "CLEAR")
    d.type(args["bad_typed"])
    shot("keypad")
    d.tap("keypad.ok")
    assert args["bad_number"] in texts_on(d, Screen.EVALUATE)
    d.tap("eval.level", 1)
    texts = texts_on(d, Screen.EVAL_REASONS)
    assert "请选择不满意的原因" in texts and "非常不满意" in texts
    assert d.button("eval.submit").disabled, "a 差评 without a reason cannot be sent"
    reasons = d.flow.session.evaluation.ticket.reasons
    assert "等待时间长" in reasons and "态度不好" in reasons
    d.tap("eval.reason", "态度不好")
    d.tap("eval.reason", "等待时间长")
    d.tap("eval.reason", "态度不好")  # changed their mind
    assert d.button("eval.reason", "等待时间长").selected and not d.button("eval.reason", "态度不好").selected
    shot("reasons")
    d.tap("eval.submit")
    texts = texts_on(d, Screen.EVAL_DONE)
    assert "非常不满意" in texts and "等待时间长" in texts and "大厅负责人" in texts
    shot("thanks-bad")
    go_home(d)

    # Refusals: a ticket still waiting, then (back on the keypad) a number nobody holds today.
    texts = by_number(d, args["waiting_number"], Screen.EVAL_REFUSED)
    assert "这张号票还没有办理完成" in texts and args["waiting_number"] in texts
    out["not_served"] = texts
    shot("refused-not-served")
    d.tap("nav.back")
    d.wait_screen(Screen.KEYPAD)
    d.tap("key", "CLEAR")
    d.type(args["unknown_number"])
    d.tap("keypad.ok")
    out["unknown"] = texts_on(d, Screen.EVAL_REFUSED)
    shot("refused-unknown")
    go_home(d)

    # A second evaluation: refused, with 追评 offered; the 追评 is recorded; a third is refused.
    texts = scan(d, args["scan_link"], Screen.EVAL_REFUSED)
    assert "这张号票已经评价过了" in texts and "满意" in texts
    out["second"] = texts
    shot("refused-already")
    d.tap("eval.follow_up")
    texts = texts_on(d, Screen.EVALUATE)
    assert "追评" in texts and "此前评价：满意" in texts
    d.tap("eval.level", 5)
    texts = texts_on(d, Screen.EVAL_DONE)
    assert "感谢您的追评" in texts
    d.flow.ticket_s = 1.0  # the thank-you goes home by itself (the ticket screen's timeout)
    d.wait(lambda: d.flow.screen is Screen.HOME, 5, "thank-you timeout")
    d.flow.ticket_s = 30.0
    d.settle()
    out["third"] = scan(d, args["scan_link"], Screen.EVAL_REFUSED)
    assert not d.buttons("eval.follow_up")
    go_home(d)

    # Idle on the reasons screen: home, the visit wiped, nothing recorded.
    by_number(d, args["timeout_number"], Screen.EVALUATE)
    d.tap("eval.level", 2)
    d.wait_screen(Screen.EVAL_REASONS)
    d.tap("eval.reason", "态度不好")
    d.flow.idle_s = 1.0
    d.wait(lambda: d.flow.screen is Screen.HOME, 5, "idle return")
    d.settle()
    out["after_timeout"] = {"evaluation": d.flow.session.evaluation is None, "pending": d.controller.pending}
    return out


@scenario
def evaluation_tour(d: Driver, args: dict, shot: Shots) -> dict:
    """Every 好差评 screen, for people to look at (and a check that nothing is cut off)."""
    shot("home")
    d.tap("home.evaluate")
    d.wait_screen(Screen.SCAN)
    shot("scan")
    d.tap("eval.by_number")
    d.wait_screen(Screen.KEYPAD)
    d.type("A01")
    shot("keypad")
    d.tap("nav.back")
    d.wait_screen(Screen.SCAN)
    scan(d, args["link"], Screen.EVALUATE)
    shot("levels")
    legible = {"levels": level_text_scale(d)}
    d.tap("eval.level", 2)
    d.wait_screen(Screen.EVAL_REASONS)
    shot("reasons-none")
    d.tap("eval.reason", d.flow.session.evaluation.ticket.reasons[1])
    shot("reasons")
    d.tap("nav.back")
    d.wait_screen(Screen.EVALUATE)
    d.tap("eval.level", 5)
    d.wait_screen(Screen.EVAL_DONE)
    shot("thanks")
    go_home(d)
    scan(d, args["link"], Screen.EVAL_REFUSED)
    shot("refused-already")
    d.tap("eval.follow_up")
    d.wait_screen(Screen.EVALUATE)
    shot("levels-followup")
    legible["followup"] = level_text_scale(d)
    go_home(d)
    scan(d, "https://example.com/not-a-ticket", Screen.EVAL_REFUSED)
    shot("refused-not-a-ticket")
    return {"shots": shot.taken, "legible": legible}


def level_text_scale(d: Driver) -> list[float]:
    """How much each level button had to shrink its text to fit (1.0: not at all)."""
    d.pump(0.2)
    return [round(b.font_size / b._base[1], 3) for b in d.buttons("eval.level")]


# -- the pytest side: tickets served on the server, the scenarios played, the server's state checked ------

class Hall:
    """The demo hall's side of the story: tickets issued, served at 1号窗口 by 王芳 (s001), and what
    the server then holds about their evaluations."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.staff = server.staff_token("s001")
        self.manager = server.staff_token("m001")
        with server.client(self.staff) as c:
            assert c.post("/api/v1/halls/demo/windows/W01/sign-in").status_code == 200

    def served(self) -> dict[str, Any]:
        """A ticket of queue A called at W01 and finished there (others called first are finished too)."""
        ticket = self.server.issue("A")
        with self.server.client(self.staff) as c:
            for _ in range(50):
                called = c.post("/api/v1/halls/demo/windows/W01/call-next")
                assert called.status_code == 200, called.text
                done = c.post(f"/api/v1/halls/demo/tickets/{called.json()['id']}/actions", json={"action": "finish"})
                assert done.status_code == 200, done.text
                if called.json()["id"] == ticket["id"]:
                    return ticket
        raise AssertionError("the ticket was never called")

    def status(self, ticket: dict[str, Any]) -> dict[str, Any]:
        with self.server.client() as c:
            r = c.get("/api/v1/halls/demo/evaluations/ticket", params={"number": ticket["number"]})
            assert r.status_code == 200, r.text
            return r.json()

    def mark(self, ticket: dict[str, Any]) -> dict[str, Any] | None:
        with self.server.client(self.staff) as c:
            r = c.get("/api/v1/halls/demo/evaluations/evaluated", params={"tickets": ticket["id"]})
            assert r.status_code == 200, r.text
            return r.json()["tickets"][ticket["id"]]

    def case_of(self, ticket: dict[str, Any]) -> dict[str, Any] | None:
        with self.server.client(self.manager) as c:
            cases = c.get("/api/v1/halls/demo/cases")
            assert cases.status_code == 200, cases.text
            found = [case for case in cases.json() if case["ticket_id"] == ticket["id"]]
            if not found:
                return None
            r = c.get(f"/api/v1/halls/demo/cases/{found[0]['id']}")
            assert r.status_code == 200, r.text
            return r.json()


@pytest.fixture(scope="module")
def hall(server: Server) -> Hall:
    return Hall(server)


@pytest.fixture(scope="module")
def played(hall: Hall, server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    scanned, bad, timed_out = hall.served(), hall.served(), hall.served()
    waiting = server.issue("A")
    link = server.url + scanned["phone_url"]
    digits = bad["number"][1:].lstrip("0")
    args = {
        "tag": "eval",
        "scan_link": link,
        "scan_number": scanned["number"],
        "forged_link": link.split("k=")[0] + "k=forged0secret",
        "bad_typed": bad["number"][0] + digits,  # A7 for A007: the zeros may be left out
        "bad_number": bad["number"],
        "waiting_number": waiting["number"],
        "unknown_number": "K987",
        "timeout_number": timed_out["number"],
    }
    result = run_scenario(tmp_path_factory.mktemp("eval"), "evaluation", kiosk_toml(server.url), args, script=SCRIPT)
    return {"result": result, "scanned": scanned, "bad": bad, "timed_out": timed_out, "waiting": waiting}


def test_the_scan_path_records_one_kiosk_evaluation_and_its_follow_up(played: dict, hall: Hall) -> None:
    status = hall.status(played["scanned"])
    assert status["evaluated"] and status["first_level"] == 4 and status["followed_up"]
    assert hall.mark(played["scanned"]) == {"level": 4, "level_name": "满意", "bad": False, "channel": "kiosk"}
    assert hall.case_of(played["scanned"]) is None  # 满意 opens no case
    assert "已经评价过了" in played["result"]["third"]


def test_the_typed_number_path_records_a_bad_evaluation_with_its_reason(played: dict, hall: Hall) -> None:
    status = hall.status(played["bad"])
    assert status["evaluated"] and status["first_level"] == 1 and not status["followed_up"]
    case = hall.case_of(played["bad"])
    assert case is not None and case["level"] == 1 and case["state"] == "pending"
    [evaluation] = case["evaluations"]
    assert evaluation["reasons"] == ["等待时间长"] and evaluation["text"] == "" and evaluation["channel"] == "kiosk"
    assert evaluation["window"] == "W01" and evaluation["clerk_id"] == "s001"


def test_refusals_change_nothing(played: dict, hall: Hall) -> None:
    result = played["result"]
    assert "这不是本大厅号票的二维码" in result["not_a_ticket"]
    assert "没有找到这张号票" in result["forged"]  # a wrong secret looks exactly like no ticket
    assert "没有找到这张号票" in result["unknown"] and "号票 K987" in result["unknown"] and "今天没有" in result["unknown"]
    assert "还没有办理完成" in result["not_served"]
    waiting = hall.status(played["waiting"])
    assert waiting["status"] == "waiting" and not waiting["evaluated"]
    assert hall.server.ticket(played["waiting"]["id"])["status"] == "waiting"
    assert "追评" in result["second"]


def test_an_idle_visit_records_nothing(played: dict, hall: Hall) -> None:
    assert played["result"]["after_timeout"] == {"evaluation": True, "pending": 0}
    status = hall.status(played["timed_out"])
    assert not status["evaluated"] and status["may_evaluate"]
    assert hall.mark(played["timed_out"]) is None and hall.case_of(played["timed_out"]) is None


@pytest.mark.parametrize("orientation,large,lang", [
    ("portrait", True, "zh"), ("portrait", False, "en"), ("landscape", False, "zh"), ("landscape", True, "en"),
])
def test_screenshots(hall: Hall, server: Server, tmp_path: Path, orientation: str, large: bool, lang: str) -> None:
    tag = f"eval-{orientation}-{'large' if large else 'normal'}-{lang}"
    ticket = hall.served()
    result = run_scenario(tmp_path, "evaluation_tour",
                          kiosk_toml(server.url, orientation=orientation, large=large, language=lang),
                          {"tag": tag, "link": server.url + ticket["phone_url"]}, script=SCRIPT)
    assert len(result["shots"]) == 10
    for screen, scales in result["legible"].items():  # the level names stay large, in 长辈模式 too
        assert len(scales) == 5 and min(scales) >= 0.88, (screen, scales)
    for path in result["shots"]:
        assert Path(path).stat().st_size > 10_000, path
    status = hall.status(ticket)
    assert status["first_level"] == 5 and not status["followed_up"]  # the tour's 追评 screen sent nothing


if __name__ == "__main__":
    sys.exit(main())
