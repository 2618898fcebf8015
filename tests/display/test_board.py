"""HallBoard: the pure model the screens draw, fed with stream messages shaped like the server's."""

from __future__ import annotations

import pytest

from display.board import (
    BoardError,
    CallEvent,
    HallBoard,
    OtherEvent,
    SequenceGap,
    Snapshot,
    TicketEvent,
    WindowEvent,
    page_count,
    page_of,
    parse_message,
)
from hall_common.vocabulary import TicketStatus, WindowStatus


def snapshot(seq: int = 10, **extra) -> dict:
    message = {
        "type": "snapshot",
        "seq": seq,
        "hall": {"id": "demo", "name": "演示政务服务大厅", "notice": "请带好身份证"},
        "service_day": "2026-11-23",
        "windows": [
            {"id": "W01", "name": "1号窗口", "status": "open", "queues": ["A"],
             "staff": {"id": "s001", "name": "王芳"}, "current": {"number": "A003", "status": "serving"}},
            {"id": "W02", "name": "2号窗口", "status": "paused", "queues": ["B"],
             "staff": {"id": "s002", "name": "李强"}, "current": None},
            {"id": "W03", "name": "3号窗口", "status": "closed", "queues": ["B"], "staff": None, "current": None},
        ],
        "queues": [{"id": "A", "name": "企业开办", "waiting": 4}, {"id": "B", "name": "不动产登记", "waiting": 0}],
        "recent_calls": [
            {"number": "A003", "window": "W01", "window_name": "1号窗口", "at": "2026-11-23T09:03:00+08:00"},
            {"number": "B001", "window": "W02", "window_name": "2号窗口", "at": "2026-11-23T09:02:00+08:00"},
            {"number": "A003", "window": "W01", "window_name": "1号窗口", "at": "2026-11-23T09:01:00+08:00"},
        ],
    }
    message.update(extra)
    return message


def call(seq: int, number: str, window: str = "W01", recall: bool = False) -> dict:
    return {"type": "call", "seq": seq, "number": number, "queue": number[0], "window": window,
            "window_name": f"{window[-1]}号窗口", "at": "2026-11-23T09:10:00+08:00", "recall": recall}


def ticket(seq: int, number: str, status: str, window: str | None = "W01") -> dict:
    return {"type": "ticket", "seq": seq, "number": number, "queue": number[0], "status": status, "window": window}


@pytest.fixture
def board() -> HallBoard:
    b = HallBoard()
    assert b.apply(snapshot()) is None
    return b


def test_snapshot_fills_the_board(board):
    assert board.synced and board.seq == 10 and board.snapshots == 1
    assert board.hall_name == "演示政务服务大厅" and board.notice == "请带好身份证"
    w1, w2, w3 = board.window_list()
    assert (w1.status, w1.staff.name, w1.current.number, w1.current.status) == ("open", "王芳", "A003", "serving")
    assert (w2.status, w2.current) == ("paused", None)
    assert (w3.status, w3.staff) == ("closed", None)
    assert [(q.id, q.waiting) for q in board.queue_list()] == [("A", 4), ("B", 0)]
    # One entry per number, newest first; the newest is the big number but not highlighted.
    assert [c.number for c in board.recent] == ["A003", "B001"]
    assert board.latest.number == "A003" and board.highlighted(now=100.0, seconds=5) is None


def test_call_moves_the_number_to_its_window_and_highlights(board):
    announced = board.apply(call(11, "A004"), now=50.0)
    assert announced.number == "A004" and not announced.recall
    assert board.windows["W01"].current.number == "A004" and board.windows["W01"].current.status == "called"
    assert board.highlighted(now=52.0, seconds=5).number == "A004"
    assert board.highlighted(now=56.0, seconds=5) is None
    assert [c.number for c in board.recent] == ["A004", "A003", "B001"]


def test_recall_highlights_again_without_duplicating(board):
    board.apply(call(11, "A004"), now=50.0)
    board.apply(call(12, "B002", "W02"), now=51.0)
    again = board.apply(call(13, "A004", recall=True), now=70.0)
    assert again.recall
    assert board.latest.number == "A004" and board.highlighted(now=72.0, seconds=5) is not None
    assert [c.number for c in board.recent] == ["A004", "B002", "A003", "B001"]


@pytest.mark.parametrize("status", ["done", "missed", "cancelled", "expired"])
def test_a_finished_ticket_frees_its_window(board, status):
    board.apply(ticket(11, "A003", status))
    assert board.windows["W01"].current is None


def test_serving_and_transfer(board):
    board.apply(call(11, "A004"), now=1.0)
    board.apply(ticket(12, "A004", "serving"))
    assert board.windows["W01"].current.status == "serving"
    board.apply(ticket(13, "A004", "waiting", window=None))  # transferred away
    assert board.windows["W01"].current is None


def test_expired_tickets_leave_the_recent_calls(board):
    board.apply(ticket(11, "A003", "expired"))
    assert [c.number for c in board.recent] == ["B001"] and board.latest.number == "B001"


def test_queue_and_window_events(board):
    board.apply({"type": "queue", "seq": 11, "queue": "B", "waiting": 7})
    assert board.queues["B"].waiting == 7 and board.queues["B"].name == "不动产登记"
    board.apply({"type": "window", "seq": 12, "window": "W03", "name": "3号窗口", "status": "open",
                 "queues": ["A", "B"], "policy": "fifo", "staff": {"id": "s009", "name": "周婷"}})
    w3 = board.windows["W03"]
    assert (w3.status, w3.staff.id, w3.staff.name, w3.queues) == ("open", "s009", "周婷", ("A", "B"))
    board.apply({"type": "window", "seq": 13, "window": "W01", "status": "paused", "queues": ["A"], "staff": {"id": "s001", "name": "王芳"}})
    assert board.windows["W01"].status == "paused" and board.windows["W01"].current.number == "A003"
    assert board.windows["W01"].name == "1号窗口"  # kept when an event leaves it out


def test_duplicates_are_ignored_and_gaps_detected(board):
    board.apply(call(11, "A004"), now=1.0)
    version = board.version
    assert board.apply(call(11, "A004"), now=2.0) is None  # replayed twice
    assert board.version == version
    with pytest.raises(SequenceGap) as gap:
        board.apply(call(13, "A005"))
    assert (gap.value.expected, gap.value.got) == (12, 13)
    assert board.seq == 11 and board.latest.number == "A004"


def test_unknown_event_types_advance_the_sequence(board):
    board.apply({"type": "notice", "seq": 11, "text": "x"})
    assert board.seq == 11


@pytest.mark.parametrize(
    "message",
    [
        "not an object",
        {"type": "call", "number": "A1"},  # no seq
        {"type": "call", "seq": True, "number": "A1"},
        call(11, "A004") | {"number": ""},
        {"type": "queue", "seq": 11, "queue": "A", "waiting": -1},
        {"type": "window", "seq": 11, "window": "W01", "status": "dancing"},
        {"type": "window", "seq": 11, "window": "W01", "status": "open", "staff": "王芳"},
        {"type": "window", "seq": 11, "window": "W01", "status": "open", "queues": "AB"},
        {"type": "window", "seq": 11, "window": "W01", "status": "open", "name": 7},
        {"seq": 11, "number": "A1"},  # no type
        {"type": 3, "seq": 11},
        ticket(11, "A003", "lost"),  # not a ticket status
        ticket(11, "A003", "done") | {"window": ["W01"]},
        call(11, "A004") | {"recall": "false"},  # a string is not a flag
        call(11, "A004") | {"at": 20261123},
        {"type": "day", "seq": 11},
        snapshot(11, hall="演示大厅"),
        snapshot(11, windows=[{"id": "W09", "status": "broken"}]),
        snapshot(11, windows=[{"id": "W09", "status": "open", "current": {"number": "A1", "status": "lost"}}]),
        snapshot(11, queues=[{"id": "A", "waiting": "4"}]),
        snapshot(11, recent_calls=[{"number": "A1"}]),
    ],
)
def test_malformed_messages_change_nothing(board, message):
    before = board.copy()
    with pytest.raises(BoardError):
        board.apply(message)
    assert board == before


def test_messages_are_read_into_typed_values():
    parsed = parse_message(snapshot())
    assert isinstance(parsed, Snapshot) and parsed.seq == 10
    w1 = parsed.windows[0]
    assert w1.status is WindowStatus.OPEN and w1.current.status is TicketStatus.SERVING and w1.queues == ("A",)
    assert isinstance(parse_message(call(11, "A004", recall=True)), CallEvent)
    done = parse_message(ticket(11, "A003", "done"))
    assert isinstance(done, TicketEvent) and done.status is TicketStatus.DONE and done.window == "W01"
    paused = parse_message({"type": "window", "seq": 12, "window": "W01", "status": "paused"})
    assert isinstance(paused, WindowEvent) and paused.status is WindowStatus.PAUSED and paused.queues is None
    assert parse_message({"type": "notice", "seq": 13, "text": "x"}) == OtherEvent(13, "notice")


def test_board_entries_hold_the_vocabulary(board):
    board.apply(call(11, "A004"), now=1.0)
    board.apply(ticket(12, "A004", "serving"))
    assert board.windows["W01"].current.status is TicketStatus.SERVING
    assert all(isinstance(w.status, WindowStatus) for w in board.window_list())


def test_a_new_service_day_is_noted(board):
    board.apply({"type": "day", "seq": 11, "service_day": "2026-11-24"})
    assert board.service_day == "2026-11-24" and board.seq == 11
    board.apply(ticket(12, "A003", "expired", window=None))
    assert board.windows["W01"].current is None and "A003" not in [c.number for c in board.recent]


def test_events_before_a_snapshot_are_refused():
    with pytest.raises(BoardError):
        HallBoard().apply(call(1, "A001"))


def test_a_new_snapshot_replaces_everything_but_keeps_the_big_number_quiet(board):
    board.apply(call(11, "A004"), now=1.0)
    fresh = snapshot(seq=30, windows=[], queues=[], recent_calls=[
        {"number": "A004", "window": "W01", "window_name": "1号窗口", "at": "x"}])
    board.apply(fresh, now=2.0)
    assert board.seq == 30 and board.windows == {} and board.latest.number == "A004"
    assert board.highlighted(now=2.5, seconds=5) is not None  # the same call, not a new one
    board.apply(snapshot(seq=40, recent_calls=[]))
    assert board.latest is None and board.snapshots == 3


def test_paging():
    items = list(range(45))
    assert page_count(45, 20) == 3 and page_count(0, 20) == 1
    assert page_of(items, 0, 20) == list(range(20))
    assert page_of(items, 2, 20) == list(range(40, 45))
    assert page_of(items, 3, 20) == list(range(20))  # wraps around
