"""The server's replies read into typed objects at the kiosk's client edge (kiosk/replies.py,
kiosk/api.py): what the server sends today reads into attributes and the contract's enums, and a
malformed reply is one clear ApiError ("服务器暂时出现问题"), never a crash further in. Also the
controller's action table: every button's action has exactly one handler, found by name."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from hall_common.vocabulary import Channel, ErrorCode, IdentifyMethod, TicketStatus
from kiosk.actions import WHILE_BUSY, Action
from kiosk.api import ApiClient, ApiError
from kiosk.config import Devices, KioskConfig
from kiosk.controller import Controller
from kiosk.devices import DeviceSet
from kiosk.flow import Screen
from kiosk.replies import ErrorReply, Followed, HallInfo, Item, QueueInfo, ReplyError, Ticket

ROOT = Path(__file__).resolve().parents[2]
TICKET = {"id": "t-1", "number": "A012", "queue": "A", "queue_name": "企业开办", "channel": "walkin",
          "status": "waiting", "issued_at": "2026-11-23T01:02:03+00:00", "waiting_ahead": 3,
          "estimated_wait_s": 240, "track_url": "/api/v1/track/t-1?k=s", "phone_url": "/t/t-1?k=s",
          "window": None, "window_name": None, "item_code": None, "item_name": None, "priority": "ordinary",
          "green": False, "reservation_id": None, "slot_start": None, "slot_end": None, "phone": None,
          "holder": None, "hall": "demo", "hall_name": "演示政务服务大厅"}


def client(answer: Any, status: int = 200) -> ApiClient:
    """A client whose server answers every request with `answer` (JSON, or raw bytes)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, bytes):
            return httpx.Response(status, content=answer)
        return httpx.Response(status, json=answer)

    return ApiClient("http://kiosk.test", "demo", "t", retries=0, transport=httpx.MockTransport(handler))


# -- what the server sends today -------------------------------------------------------------------

def test_a_ticket_reads_into_attributes_and_enums() -> None:
    ticket = Ticket.from_json(TICKET)
    assert (ticket.number, ticket.waiting_ahead, ticket.estimated_wait_s) == ("A012", 3, 240)
    assert ticket.channel is Channel.WALKIN and ticket.status is TicketStatus.WAITING
    assert ticket.issued_at == dt.datetime(2026, 11, 23, 1, 2, 3, tzinfo=dt.UTC)
    assert ticket.page_url == "/t/t-1?k=s" and ticket.item_name == "" and not ticket.green and not ticket.reprint
    # A newer server's word stays plain text: the slip still prints its number.
    newer = Ticket.from_json({**TICKET, "channel": "wechat", "status": "paused"})
    assert newer.channel == "wechat" and newer.status == "paused"


def test_the_hall_and_its_identification_rules() -> None:
    hall = HallInfo.from_json({"id": "demo", "name": "演示", "open_now": False, "next_opening": "2026-11-24T01:00:00+00:00",
                               "today_sessions": [{"start": "09:00", "end": "12:00"}], "notice": None,
                               "identification": {"methods": ["sms", "face"], "required_queues": ["C"],
                                                  "green_age": 65}})
    assert not hall.open_now and hall.next_opening is not None and hall.today_sessions[0].end == "12:00"
    assert hall.identification.methods == {IdentifyMethod.SMS, IdentifyMethod.FACE}
    assert hall.identification.required_queues == {"C"} and hall.identification.green_age == 65
    # An older server says nothing about identification: none offered, the provincial green age.
    bare = HallInfo.from_json({"id": "demo", "name": "演示"})
    assert bare.open_now and bare.identification.methods == frozenset() and bare.identification.green_age == 70


def test_queues_items_and_a_followed_ticket() -> None:
    queue = QueueInfo.from_json({"id": "A", "name": "企业开办", "waiting": 4, "estimated_wait_s": None,
                                 "windows": ["W01"], "open_windows": 1, "kiosk_visible": True, "daily_limit": 4,
                                 "issued_today": 4})
    assert queue.limit_reached and queue.windows == ("W01",)
    item = Item.from_json({"code": "X1", "name": "企业设立登记", "queue": "A",
                           "guide": {"materials": ["章程"], "visits": 0, "legal_limit_days": None}})
    assert item.guide.materials == ("章程",) and item.guide.visits == 0 and item.guide.conditions == ""
    followed = Followed.from_json({"number": "A012", "status": "called", "waiting_ahead": 0, "window": "W05",
                                   "window_name": "5号窗口"})
    assert followed.status is TicketStatus.CALLED and followed.window_name == "5号窗口"


def test_an_error_reply_is_read_and_never_raises() -> None:
    reply = ErrorReply.from_json({"code": "sms_code_wrong", "message": "Wrong code", "message_zh": "验证码不正确"})
    assert reply.code is ErrorCode.SMS_CODE_WRONG and reply.message_zh == "验证码不正确"
    assert ErrorReply.from_json("<html>bad gateway</html>") == ErrorReply()
    assert ErrorReply.from_json({"code": "brand_new"}).code == "brand_new"


# -- malformed replies ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body,field", [
    ("a ticket", "an object"),
    ({**TICKET, "number": None}, "'number'"),
    ({**TICKET, "number": 12}, "'number'"),
    ({**TICKET, "waiting_ahead": "three"}, "'waiting_ahead'"),
    ({**TICKET, "waiting_ahead": True}, "'waiting_ahead'"),
    ({**TICKET, "waiting_ahead": -1}, "'waiting_ahead'"),
    ({**TICKET, "issued_at": "2026-11-23T01:02:03"}, "'issued_at'"),  # no offset
    ({k: v for k, v in TICKET.items() if k != "issued_at"}, "'issued_at'"),
    ({**TICKET, "reprint": "yes"}, "'reprint'"),
])
def test_a_malformed_ticket_names_the_field(body: Any, field: str) -> None:
    with pytest.raises(ReplyError, match=re.escape(field)):
        Ticket.from_json(body)


@pytest.mark.parametrize("call,answer", [
    (lambda api: api.issue("A"), {"id": "t-1"}),
    (lambda api: api.check_in(code="AB12CD"), [TICKET]),
    (lambda api: api.hall_info(), {"name": "演示", "open_now": "yes"}),
    (lambda api: api.hall_info(), {"name": "演示", "identification": {"methods": "sms"}}),
    (lambda api: api.queues(), [{"id": "A"}, "B"]),
    (lambda api: api.queues(), [{"name": "no id"}]),
    (lambda api: api.items(), [{"code": "X", "guide": {"materials": "章程"}}]),
    (lambda api: api.windows(), {"W01": "1号窗口"}),
    (lambda api: api.track("/t/t-1?k=s"), {"number": "A012"}),
    (lambda api: api.identify(IdentifyMethod.SMS, {"phone": "p", "code": "123456"}), {"identity": ""}),
    (lambda api: api.send_sms_code("13800000000"), ["sent"]),
])
def test_a_malformed_reply_is_a_clear_api_error(call: Any, answer: Any) -> None:
    api = client(answer, 201)
    with pytest.raises(ApiError) as error:
        call(api)
    assert error.value.kind == "bad_response" and error.value.message_zh == "服务器暂时出现问题"
    assert not error.value.unreachable
    assert json.dumps(answer, ensure_ascii=False) not in str(error.value)  # the log line never carries the body


def test_a_good_reply_through_the_client() -> None:
    ticket = client({**TICKET, "reprint": True}, 200).issue("A", identity="s")
    assert ticket.reprint and ticket.number == "A012"
    assert not client({**TICKET, "reprint": True}, 201).issue("A").reprint  # only a 200 is a reprint
    ticket, created = client(TICKET, 201).check_in(code="AB12CD")
    assert created and ticket.id == "t-1"


# -- the action table -------------------------------------------------------------------------------

@pytest.fixture()
def controller() -> Controller:
    config = KioskConfig(server_url="http://kiosk.test", hall="demo", token="t")
    api = ApiClient("http://kiosk.test", "demo", "t", retries=0,
                    transport=httpx.MockTransport(lambda request: httpx.Response(503)))
    made = Controller(config, api=api, devices=DeviceSet(Devices()))
    yield made
    made.stop()


def test_every_action_has_exactly_one_handler(controller: Controller) -> None:
    plain, with_arg = set(controller.actions), set(controller.actions_with_arg)
    assert not plain & with_arg
    assert plain | with_arg == set(Action)
    for handler in controller.actions.values():
        assert not [p for p in inspect.signature(handler).parameters.values() if p.default is p.empty]
    for handler in controller.actions_with_arg.values():
        assert len(inspect.signature(handler).parameters) == 1


def test_every_button_of_the_views_sends_a_known_action() -> None:
    """Buttons name their action as `Action.X`, or by an option's key, which is an action's value."""
    sent = []
    for path in (ROOT / "kiosk" / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Btn" and len(node.args) >= 2:
                sent.append((path.name, ast.unparse(node.args[1])))
    assert len(sent) >= 40
    for where, action in sent:
        if action.startswith("Action."):
            assert action.removeprefix("Action.") in Action.__members__, (where, action)
        else:  # an option's key
            assert re.fullmatch(r"(o|option)\.key", action), (where, action)
    from kiosk.flow import Context, checkin_options, home_options, nocard_options

    ctx = Context(hall=HallInfo.from_json({"identification": {"methods": list(IdentifyMethod)}}))
    keys = {o.key for o in home_options(ctx) + checkin_options(ctx) + nocard_options(ctx)}
    assert keys <= {a.value for a in Action}  # every tile is an action (服务评价 too)


def test_act_finds_the_handler_by_name(controller: Controller) -> None:
    controller.act("home.guide")
    assert controller.flow.screen is Screen.GUIDE_HOME
    controller.act("nav.home")
    controller.act("home.checkin")
    controller.act(Action.CHECKIN_BY_CODE)
    assert controller.flow.screen is Screen.KEYPAD and controller.flow.session.keypad_purpose == "checkin_code"
    controller.act("key", "A")
    assert controller.flow.session.keypad_text == "A"


def test_unknown_actions_and_busy_kiosks(controller: Controller) -> None:
    controller.act("no.such.action")
    controller.act("_unexpected")  # a method's name is not an action
    assert controller.flow.screen is Screen.HOME
    controller.flow.busy = True
    controller.act("home.guide")
    assert controller.flow.screen is Screen.HOME  # ignored while the kiosk waits for the server
    for action in WHILE_BUSY:
        controller.act(action)
    assert controller.flow.large and controller.flow.lang == "en"
