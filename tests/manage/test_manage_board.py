"""The device board and the day's reservations through their service functions, with a real
SQLite database and a clock the test moves: a device going silent past `device_stale_s`, a
reservation that becomes a no-show 30 minutes after its slot."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.config import load_config
from queue_server.manage import devices, reservations
from queue_server.runtime import Runtime
from queue_server.services import devices as device_service
from queue_server.services import reservations as reservation_service
from queue_server.services.auth import TokenIndex
from queue_server.services.principals import Principal
from tests.support.halls import hall_toml, token_for

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def hall_rt(tmp_path: Path) -> Iterator[tuple[Runtime, Clock]]:
    config = tmp_path / "halls.toml"
    config.write_text('[server]\ndevice_stale_s = 120\n\n' + hall_toml("b1"), encoding="utf-8")
    clock = Clock()
    rt = Runtime(load_config(config), data_dir=tmp_path / "data", clock=clock)
    try:
        yield rt, clock
    finally:
        rt.close()


def test_a_device_that_stops_reporting_is_flagged(hall_rt: tuple[Runtime, Clock]) -> None:
    rt, clock = hall_rt
    hall = rt.config.halls[0]
    tokens = TokenIndex(rt)
    kiosk = Principal(hall_id="b1", kind="kiosk", id="kiosk-1")
    components = [
        {"name": "printer", "level": "warning", "message_zh": "打印纸将尽", "message_en": "Paper low"},
        {"name": "camera", "level": "ok", "message_zh": "", "message_en": ""},
    ]

    async def run() -> list[list[devices.DeviceState]]:
        seen = []
        _, before = await devices.board(rt, hall, tokens)
        seen.append(before)
        await device_service.report(rt, kiosk, components, {"version": "1.4", "screen": "home"})
        clock.at += dt.timedelta(seconds=30)
        seen.append((await devices.board(rt, hall, tokens))[1])
        clock.at += dt.timedelta(seconds=120)
        seen.append((await devices.board(rt, hall, tokens))[1])
        # A screen that never reports but reads the hall stream is heard of.
        screen = hall.devices[1]
        unwatch = tokens.watch(screen.token_sha256, lambda: None)
        seen.append((await devices.board(rt, hall, tokens))[1])
        unwatch()
        return seen

    never, fresh, silent, streaming = asyncio.run(run())
    assert [(d.id, d.state, d.flagged) for d in never] == [
        ("kiosk-1", "never_reported", True), ("screen-1", "never_reported", True), ("platform", "not_reporting", False),
    ]
    kiosk_now = fresh[0]
    assert (kiosk_now.state, kiosk_now.flagged, kiosk_now.level) == ("reporting", False, "warning")
    assert kiosk_now.components[0] == {"name": "printer", "level": "warning", "message_zh": "打印纸将尽", "message_en": "Paper low"}
    assert kiosk_now.app == {"version": "1.4", "screen": "home"} and kiosk_now.last_seen_at == START
    assert (silent[0].state, silent[0].flagged, silent[0].silent_for_s) == ("silent", True, 150)
    assert (streaming[1].state, streaming[1].flagged, streaming[1].streams) == ("streaming", False, 1)
    assert token_for("b1", "screen-1")  # the board never shows a token


def test_the_day_s_reservations_with_check_ins_and_no_shows(hall_rt: tuple[Runtime, Clock]) -> None:
    rt, clock = hall_rt

    def booking(external: str, start_h: int, id_number: str) -> reservation_service.NewReservation:
        start = START.replace(hour=start_h)
        return reservation_service.NewReservation(
            queue="A", slot_start=start, slot_end=start + dt.timedelta(minutes=30), name="李四",
            id_number=id_number, phone="13800000000", external_id=external,
        )

    async def run() -> tuple[reservations.DayReservations, reservations.DayReservations]:
        early, _ = await reservation_service.create(rt, "b1", booking("e1", 9, "370102199001011231"))
        await reservation_service.create(rt, "b1", booking("e2", 10, "11010519491231002X"))
        late, _ = await reservation_service.create(rt, "b1", booking("e3", 11, "370102198506153011"))
        await reservation_service.cancel(rt, "b1", late["id"])
        await reservation_service.check_in(rt, "b1", code=early["code"])
        at_ten = await reservations.for_day(rt, "b1", START.date())
        clock.at = START.replace(hour=11, minute=1)  # 10:00–10:30 plus 30 minutes has passed
        return at_ten, await reservations.for_day(rt, "b1", START.date())

    before, after = asyncio.run(run())
    assert [r["state"] for r in before.rows] == ["checked_in", "booked", "cancelled"]
    assert before.counts == {"total": 3, "booked": 1, "checked_in": 1, "no_show": 0, "cancelled": 1}
    assert before.rows[0]["ticket_number"] == "A001" and before.rows[0]["ticket_status"] == "waiting"
    assert before.rows[0]["name"] == "李*" and before.rows[0]["id_number"] == "3701**********1231"
    assert before.rows[1]["phone"] == "138****0000" and before.rows[1]["ticket_number"] is None
    assert [r["state"] for r in after.rows] == ["checked_in", "no_show", "cancelled"]
    assert after.counts["no_show"] == 1 and after.counts["booked"] == 0
