"""Rank (CONTRACT §4): class (green, checked-in reservations whose slot has begun, others), then
the earliest effective time, then the number; and which tickets a window may call."""

from __future__ import annotations

import datetime as dt

import pytest
from core_builders import DAY, at
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.core.model import Ticket, TicketClass, TicketStatus, WindowState
from queue_server.core.ranking import callable_by, rank_key, select_next, ticket_class

GRACE = dt.timedelta(minutes=30)


def ticket(number: str = "A001", *, issued: dt.datetime | None = None, **fields) -> Ticket:
    issued = issued or at(9)
    queue = fields.pop("queue", number.rstrip("0123456789"))
    return Ticket(
        id=fields.pop("id", number),
        number=number,
        queue=queue,
        seq=int(number[len(number.rstrip("0123456789")) :]),
        service_day=DAY,
        channel=fields.pop("channel", "walkin"),
        status=fields.pop("status", TicketStatus.WAITING),
        issued_at=issued,
        effective_at=fields.pop("effective_at", issued),
        **fields,
    )


minutes = st.integers(min_value=-240, max_value=240).map(lambda m: dt.timedelta(minutes=m))


@given(slot_offset=minutes, length=st.sampled_from([15, 30, 60]), checkin=minutes, now=minutes, green=st.booleans())
@settings(max_examples=200, deadline=None)
def test_class_follows_the_contract(slot_offset, length, checkin, now, green) -> None:
    """Reservation class iff slot_start ≤ now and the check-in was no more than 30 minutes after
    slot_end; green beats everything; a late check-in stays ordinary even after its slot."""
    start = at(10) + slot_offset
    end = start + dt.timedelta(minutes=length)
    checked_in = at(10) + checkin
    moment = max(checked_in, at(10) + now)
    t = ticket(issued=checked_in, channel="reservation", slot_start=start, slot_end=end, green=green)
    if green:
        expected = TicketClass.GREEN
    elif start <= moment and checked_in - end <= GRACE:
        expected = TicketClass.RESERVATION
    else:
        expected = TicketClass.ORDINARY
    assert ticket_class(t, moment) is expected


@pytest.mark.parametrize(
    ("checkin", "expected"),
    [
        (at(9, 30) + GRACE, TicketClass.RESERVATION),  # exactly 30 minutes after slot_end
        (at(9, 30) + GRACE + dt.timedelta(seconds=1), TicketClass.ORDINARY),
        (at(8), TicketClass.RESERVATION),  # early check-in, slot begun by now
    ],
)
def test_class_boundaries(checkin: dt.datetime, expected: TicketClass) -> None:
    t = ticket(issued=checkin, channel="reservation", slot_start=at(9), slot_end=at(9, 30))
    assert ticket_class(t, at(11)) is expected
    assert ticket_class(t, at(8, 59, 59)) is TicketClass.ORDINARY  # the slot has not begun
    if checkin <= at(9):
        assert ticket_class(t, at(9)) is TicketClass.RESERVATION  # from the slot's first second


def test_rank_order() -> None:
    now = at(12)
    tickets = [
        ticket("A003", issued=at(9, 5)),
        ticket("A001", issued=at(9, 5)),  # same time: by number
        ticket("A1000", issued=at(9, 5)),  # natural number order
        ticket("A010", issued=at(9, 5)),
        ticket("A002", issued=at(9, 1)),
        ticket("A004", issued=at(11), green=True),
        ticket("A005", issued=at(10), channel="reservation", slot_start=at(11), slot_end=at(11, 30)),
        ticket("B001", queue="A", issued=at(9, 5)),  # transferred in: prefix order after A
        ticket("A006", issued=at(8, 59), effective_at=at(8), queue="A"),  # effective time counts
    ]
    ordered = sorted(tickets, key=lambda t: rank_key(t, now))
    assert [t.number for t in ordered] == ["A004", "A005", "A006", "A002", "A001", "A003", "A010", "A1000", "B001"]


def test_callable_by() -> None:
    window = WindowState("W1", "1号窗口", ("A", "B"))
    assert callable_by(ticket("A001"), window)
    assert not callable_by(ticket("C001"), window)
    assert not callable_by(ticket("A001", status=TicketStatus.CALLED), window)
    assert not callable_by(ticket("A001", target_window="W2"), window)
    assert callable_by(ticket("C001", target_window="W1"), window)  # sent here by name


def test_ordered_windows_take_tickets_sent_by_name_first() -> None:
    """Interpretation: a ticket sent to an `ordered` window by name from a queue the window does
    not (or no longer) list goes before the window's own queues (a colleague sent it on purpose)."""
    window = WindowState("W1", "1号窗口", ("A", "B"), policy="ordered")
    waiting = [ticket("A001", issued=at(9)), ticket("C001", issued=at(10), target_window="W1")]
    assert select_next(window, waiting, {}, at(11)).number == "C001"
    fifo = window.replace(policy="fifo")
    assert select_next(fifo, waiting, {}, at(11)).number == "A001"


def test_held_tickets() -> None:
    window = WindowState("W1", "1号窗口", ("A", "B"), policy="ordered")
    held = ticket("A001", hold_until_calls=2)
    other = ticket("A002", issued=at(9, 5))
    b = ticket("B001", issued=at(8))
    assert select_next(window, [held, other, b], {"A": 0}, at(10)).number == "A002"
    assert select_next(window, [held, other, b], {"A": 2}, at(10)).number == "A001"
    assert select_next(window, [held, b], {"A": 0}, at(10)).number == "A001"  # none other of A waits
    assert select_next(window, [], {}, at(10)) is None
