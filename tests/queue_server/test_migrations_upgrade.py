"""Upgrading a hall's database: a day's data written under the first schema revision (0001, with
plain SQL as 0001 defines its tables) survives every migration step to head, on SQLite and on a
real PostgreSQL; the real server then serves the old tickets, sessions and reservations and goes
on numbering after them; a downgrade to 0001 and a second upgrade keep them too (docs/upgrade.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from websockets.sync.client import connect

from queue_server.storage.database import MIGRATIONS, open_engine
from tests.support.api import HallClient
from tests.support.halls import token_for, write_config
from tests.support.servers import ServerProcess
from tests.support.slots import HALL_ZONE, earlier_today, later_today

HALL = "up"
MINUTE = dt.timedelta(minutes=1)
OLD_STAFF_TOKEN = "a-staff-token-issued-before-the-upgrade"
FIRST_TABLES = ("audit_log", "counters", "device_reports", "events", "hall_state", "reservations",
                "staff_sessions", "tickets", "windows")


def _alembic(connection: sa.Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _migrate(engine: sa.Engine, action: str, revision: str) -> None:
    """As storage.database.migrate does at the server's start, to one revision."""
    with engine.connect() as connection:
        getattr(command, action)(_alembic(connection), revision)
        connection.commit()


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(_alembic(None))  # type: ignore[arg-type]
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _current(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


# -- a morning under revision 0001 ---------------------------------------------------------------


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _ids() -> dict[str, str]:
    return {name: _sha(name)[:32] for name in ("A001", "A002", "A003", "A004", "A005", "B001", "B002", "old-A001")}


def _ticket(id_: str, day: dt.date, queue: str, seq: int, status: str, issued: dt.datetime, **extra: Any) -> dict[str, Any]:
    row = {
        "id": id_, "hall_id": HALL, "service_day": day, "queue": queue, "seq": seq, "number": f"{queue}{seq:03d}",
        "channel": "walkin", "status": status, "green": False, "green_reason": None, "item_code": None,
        "window": None, "target_window": None, "hold_until_calls": None, "slot_start": None, "slot_end": None,
        "reservation_id": None, "issued_at": issued, "effective_at": issued, "called_at": None,
        "started_at": None, "finished_at": None, "recalls": 0, "phone_hash": None, "phone_masked": None,
        "phone_enc": None, "holder_masked": None, "identity_hash": None,
    }
    row.update(extra)
    return row


def morning() -> dict[str, list[dict[str, Any]]]:
    """Today's first hour in a hall under 0001: A001 served at W01, A002 called there now, A003
    waiting, A004 green, A005 a reservation's check-in, B001 cancelled, B002 waiting with a phone;
    yesterday's A001 served; one reservation checked in, one booked for later today; a staff
    session of s01; the events of the day so far."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    at = [earlier_today(dt.timedelta(minutes=m)).astimezone(dt.UTC) for m in (60, 50, 40, 30, 25, 20, 15, 10, 5)]
    today = now.astimezone(HALL_ZONE).date()
    yesterday = today - dt.timedelta(days=1)
    ids = _ids()
    booked_start = later_today(dt.timedelta(hours=2)).astimezone(dt.UTC)
    reservations = [
        {"id": "r-" + ids["A005"][:20], "hall_id": HALL, "external_id": "sd-2026-000123", "code": "K7M2Q9", "queue": "A",
         "slot_start": at[0], "slot_end": now + 30 * MINUTE, "service_day": today, "name_masked": "张*",
         "name_enc": None, "id_hash": _sha("370102199001011234"), "id_masked": "370102********1234",
         "phone_hash": _sha("13800138000"), "phone_masked": "138****8000", "phone_enc": None, "status": "checked_in",
         "ticket_id": ids["A005"], "created_at": at[0] - 24 * 60 * MINUTE, "updated_at": at[5]},
        {"id": "r-booked-later-today", "hall_id": HALL, "external_id": "sd-2026-000456", "code": "R2B3C4", "queue": "A",
         "slot_start": booked_start, "slot_end": booked_start + 30 * MINUTE, "service_day": today, "name_masked": "李*",
         "name_enc": None, "id_hash": _sha("370102198501015678"), "id_masked": "370102********5678",
         "phone_hash": None, "phone_masked": None, "phone_enc": None, "status": "booked", "ticket_id": None,
         "created_at": at[0] - 24 * 60 * MINUTE, "updated_at": at[0] - 24 * 60 * MINUTE},
    ]
    tickets = [
        _ticket(ids["old-A001"], yesterday, "A", 1, "done", at[0] - 24 * 60 * MINUTE, window="W01",
                called_at=at[0] - 23 * 60 * MINUTE, started_at=at[0] - 23 * 60 * MINUTE, finished_at=at[0] - 22 * 60 * MINUTE),
        _ticket(ids["A001"], today, "A", 1, "done", at[0], window="W01", item_code="ITEM-A-1",
                called_at=at[1], started_at=at[1], finished_at=at[3]),
        _ticket(ids["A002"], today, "A", 2, "called", at[1], window="W01", called_at=at[7]),
        _ticket(ids["A003"], today, "A", 3, "waiting", at[2]),
        _ticket(ids["A004"], today, "A", 4, "waiting", at[4], green=True, green_reason="disability"),
        _ticket(ids["A005"], today, "A", 5, "waiting", at[5], channel="reservation",
                reservation_id=reservations[0]["id"], slot_start=reservations[0]["slot_start"],
                slot_end=reservations[0]["slot_end"], holder_masked="张*", identity_hash=reservations[0]["id_hash"]),
        _ticket(ids["B001"], today, "B", 1, "cancelled", at[2], finished_at=at[4]),
        _ticket(ids["B002"], today, "B", 2, "waiting", at[6], phone_hash=_sha("13900139000"), phone_masked="139****9000"),
    ]
    window_event = {"window": "W01", "name": "1号窗口", "status": "open", "queues": ["A", "B"], "policy": "fifo",
                    "staff": {"id": "s01", "name": "王芳"}}
    events = [
        ("queue", {"queue": "A", "waiting": 1}, at[0]),
        ("window", window_event, at[1]),
        ("call", {"number": "A001", "queue": "A", "window": "W01", "window_name": "1号窗口",
                  "at": at[1].isoformat(), "recall": False}, at[1]),
        ("queue", {"queue": "A", "waiting": 3}, at[5]),
        ("queue", {"queue": "B", "waiting": 1}, at[6]),
        ("call", {"number": "A002", "queue": "A", "window": "W01", "window_name": "1号窗口",
                  "at": at[7].isoformat(), "recall": False}, at[7]),
        ("queue", {"queue": "A", "waiting": 3}, at[7]),
    ]
    windows = [
        {"hall_id": HALL, "window_id": "W01", "queues": ["A", "B"], "policy": "fifo", "paused": False,
         "staff_id": "s01", "staff_name": "王芳", "current_ticket": ids["A002"]},
        {"hall_id": HALL, "window_id": "W02", "queues": ["B", "A"], "policy": "ordered", "paused": False,
         "staff_id": None, "staff_name": None, "current_ticket": None},
        {"hall_id": HALL, "window_id": "W03", "queues": ["C"], "policy": "fifo", "paused": False,
         "staff_id": None, "staff_name": None, "current_ticket": None},
        {"hall_id": HALL, "window_id": "W04", "queues": ["A", "C"], "policy": "ordered", "paused": False,
         "staff_id": None, "staff_name": None, "current_ticket": None},
    ]
    return {
        "hall_state": [{"hall_id": HALL, "last_seq": len(events), "service_day": today}],
        "counters": [
            {"hall_id": HALL, "service_day": yesterday, "queue": "A", "last_seq": 1, "calls": 1},
            {"hall_id": HALL, "service_day": today, "queue": "A", "last_seq": 5, "calls": 2},
            {"hall_id": HALL, "service_day": today, "queue": "B", "last_seq": 2, "calls": 0},
        ],
        "tickets": tickets,
        "reservations": reservations,
        "windows": windows,
        "events": [{"hall_id": HALL, "seq": i, "type": t, "data": d, "created_at": c} for i, (t, d, c) in enumerate(events, 1)],
        "staff_sessions": [{"token_sha256": _sha(OLD_STAFF_TOKEN), "hall_id": HALL, "staff_id": "s01",
                            "created_at": at[1], "expires_at": now + 8 * 60 * MINUTE, "revoked_at": None}],
        "audit_log": [{"hall_id": HALL, "at": at[3], "actor": "staff:s01", "action": "login", "target": "s01",
                       "detail": {"window": "W01"}}],
        "device_reports": [{"hall_id": HALL, "device_id": "kiosk-1", "kind": "kiosk", "reported_at": at[8],
                            "report": {"printer": {"status": "ok", "paper": "ok"}, "version": "0.1"}}],
    }


def _sql_value(value: Any, dialect: str) -> Any:
    """Plain SQL parameters as each database stores 0001's columns (SQLite: SQLAlchemy's text
    forms, naive UTC datetimes; PostgreSQL: literals it casts to the column's type)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if dialect == "sqlite" else utc.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def insert_rows(engine: sa.Engine, data: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for table, rows in data.items():
            for row in rows:
                columns = ", ".join(f'"{c}"' for c in row)
                values = ", ".join(f":{c}" for c in row)
                conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"),
                             {c: _sql_value(v, engine.dialect.name) for c, v in row.items()})


def _normal(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def assert_survived(engine: sa.Engine, data: dict[str, list[dict[str, Any]]], where: str) -> None:
    """Every row written under 0001 is there with every value, in whatever revision (tables read
    by reflection, not through today's schema.py)."""
    metadata = sa.MetaData()
    with engine.connect() as conn:
        for name, rows in data.items():
            table = sa.Table(name, metadata, autoload_with=conn)
            key = table.primary_key.columns.values()
            stored = {tuple(r[c.name] for c in key): r for r in conn.execute(sa.select(table)).mappings()}
            for row in rows:
                if all(c.name in row for c in key):
                    found = stored.get(tuple(row[c.name] for c in key))
                else:  # an id the database gave: the row is the one with these values
                    found = next((r for r in stored.values() if all(_normal(r[c]) == _normal(v) for c, v in row.items())), None)
                assert found is not None, f"{where}: a row of {name} is gone: {row}"
                for column, value in row.items():
                    assert _normal(found[column]) == _normal(value), f"{where}: {name}.{column} {found[column]!r} != {value!r}"


def snapshot(engine: sa.Engine) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every row of 0001's tables by primary key, values normalised."""
    metadata = sa.MetaData()
    with engine.connect() as conn:
        tables = [sa.Table(name, metadata, autoload_with=conn) for name in FIRST_TABLES]
        return {
            table.name: {
                tuple(r[c.name] for c in table.primary_key.columns): {k: _normal(v) for k, v in r.items()}
                for r in conn.execute(sa.select(table)).mappings()
            }
            for table in tables
        }


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


# -- the test ------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        yield request.getfixturevalue("postgres").create_database()
    else:
        yield f"sqlite:///{tmp_path / 'data' / 'queue.sqlite3'}"


def _serve(tmp_path: Path, url: str) -> ServerProcess:
    config = write_config(tmp_path / "halls.toml", [HALL])
    return ServerProcess(config=config, data_dir=tmp_path / "data", database_url=url).start()


def test_a_day_under_0001_survives_every_step_to_head_and_back(database: str, tmp_path: Path) -> None:
    revisions = _revisions()
    assert revisions[0] == "0001" and len(revisions) >= 6, revisions
    engine = open_engine(database)
    try:
        _migrate(engine, "upgrade", "0001")
        assert _tables(engine) == set(FIRST_TABLES) | {"alembic_version"}
        data = morning()
        insert_rows(engine, data)
        assert_survived(engine, data, "0001")
        added_by: dict[str, set[str]] = {}
        for revision in revisions[1:]:
            before = _tables(engine)
            _migrate(engine, "upgrade", revision)
            assert _current(engine) == revision
            added_by[revision] = _tables(engine) - before
            assert_survived(engine, data, f"upgraded to {revision}")
        assert {"notifications", "identity_sessions", "evaluations", "stats_daily", "stats_monthly"} <= _tables(engine)
    finally:
        engine.dispose()

    server = _serve(tmp_path, database)
    hall = HallClient(server, HALL)
    try:
        numbers = check_served_after_upgrade(hall, data)
    finally:
        hall.close()
        server.stop()

    # Back to 0001 step by step: the tables each step added go, the first revision's rows stay
    # (with what the server wrote since); then up again and the server carries on.
    engine = open_engine(database)
    try:
        served = snapshot(engine)
        assert len(served["tickets"]) == len(data["tickets"]) + len(numbers)
        for revision in reversed(revisions[:-1]):
            _migrate(engine, "downgrade", revision)
            assert _current(engine) == revision
            following = revisions[revisions.index(revision) + 1]
            assert not added_by[following] & _tables(engine), f"downgrade to {revision} left {added_by[following]}"
            assert snapshot(engine) == served, f"downgrade to {revision} changed 0001's rows"
        assert _tables(engine) == set(FIRST_TABLES) | {"alembic_version"}
    finally:
        engine.dispose()
    server.start()  # migrates to head at its start, as in production
    hall = HallClient(server, HALL)
    try:
        for number, ticket_id in numbers.items():
            assert hall.ticket(ticket_id)["number"] == number
        again = hall.issue("A")["number"]
        assert again not in numbers and again == f"A{5 + len([n for n in numbers if n.startswith('A')]) + 1:03d}"
        assert hall.http.get("/healthz").status_code == 200
    finally:
        hall.close()
        server.stop()
    engine = open_engine(database)
    try:
        assert _current(engine) == revisions[-1]
        again_rows = snapshot(engine)
        for table, rows in served.items():
            assert rows.keys() <= again_rows[table].keys(), f"{table} lost rows on the second upgrade"
    finally:
        engine.dispose()


def check_served_after_upgrade(hall: HallClient, data: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """The server on the upgraded database: old tickets, the old staff session, the old
    reservations, numbers going on after the old ones. Returns the new tickets (number → id)."""
    ids = _ids()
    assert hall.http.get("/healthz").status_code == 200
    for key, status in (("A001", "done"), ("A002", "called"), ("A003", "waiting"), ("A004", "waiting"),
                        ("A005", "waiting"), ("B001", "cancelled"), ("B002", "waiting")):
        ticket = hall.ticket(ids[key])
        assert (ticket["number"], ticket["status"]) == (key, status), ticket
    assert hall.ticket(ids["A002"])["window"] == "W01"
    assert hall.ticket(ids["A004"])["green"] is True
    assert hall.ticket(ids["A005"])["channel"] == "reservation"
    assert hall.ticket(ids["old-A001"])["service_day"] == data["counters"][0]["service_day"].isoformat()
    queues = hall.queues()
    assert (queues["A"]["waiting"], queues["A"]["issued_today"]) == (3, 5), queues["A"]
    assert (queues["B"]["waiting"], queues["B"]["issued_today"]) == (1, 2), queues["B"]

    new: dict[str, str] = {}
    for queue, expected in (("A", "A006"), ("B", "B003")):
        ticket = hall.issue(queue)
        assert ticket["number"] == expected, ticket
        new[ticket["number"]] = ticket["id"]

    # The staff session from before the upgrade still signs in s01: W01 finishes A002 and calls
    # the green A004 ahead of older tickets.
    old_session = {"Authorization": f"Bearer {OLD_STAFF_TOKEN}"}
    finished = hall.http.post(hall.path(f"/tickets/{ids['A002']}/actions"), json={"action": "finish"}, headers=old_session)
    assert finished.status_code == 200, finished.text
    assert hall.ticket(ids["A002"])["status"] == "done"
    called = hall.http.post(hall.path("/windows/W01/call-next"), headers=old_session)
    assert called.status_code == 200, called.text
    assert called.json()["number"] == "A004"
    # A fresh login works too.
    assert hall.call("W03", staff="s02").status_code in (200, 204)

    # The checked-in reservation keeps its ticket; the booked one checks in and gets the next number.
    reservation = data["reservations"][0]
    stored = hall.http.get(hall.path(f"/reservations/{reservation['id']}"), headers=hall.platform)
    assert stored.status_code == 200, stored.text
    assert stored.json()["status"] == "checked_in"
    checked_in = hall.http.post(hall.path("/reservations/check-in"), json={"code": "R2B3C4"}, headers=hall.kiosk)
    assert checked_in.status_code == 201, checked_in.text
    assert checked_in.json()["number"] == "A007" and checked_in.json()["channel"] == "reservation"
    new["A007"] = checked_in.json()["id"]

    # The stream's sequence goes on after the old events; the hall screen opens.
    with connect(hall.stream_url()) as ws:
        assert json.loads(ws.recv(timeout=5))["seq"] > len(data["events"])
    screen = hall.http.get(f"/screen/hall?hall={HALL}&token={token_for(HALL, 'screen-1')}")
    assert screen.status_code == 200
    assert httpx.get(hall.server.url + "/healthz").status_code == 200
    return new
