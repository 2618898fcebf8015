"""统计分析 over real HTTP, on SQLite and on PostgreSQL: the figures of a worked morning (issued,
served, skipped, transferred, cancelled) by hall, queue, window, clerk and channel, written as
the tickets changed; the same figures after `stats rebuild`; exports as CSV and as a real .xlsx
opened again; every bad query a clear 422."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import openpyxl

from tests.support.api import HallClient
from tests.support.servers import REPO

COUNTS = ("issued", "served", "no_show", "transferred", "cancelled")


def report(hall: HallClient, **query: str) -> dict[str, Any]:
    response = hall.http.get(hall.path("/manage/statistics"), params=query, headers=hall.manager)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def counts(figures: dict[str, Any]) -> tuple[int, ...]:
    return tuple(figures[name] for name in COUNTS)


def by_key(found: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {row["key"]: counts(row) for row in found["rows"]}


def work_a_morning(hall: HallClient) -> None:
    """Four tickets for A and one for C; at W01 (s01): one served, one skipped, one transferred
    to C; the fourth cancelled while waiting; at W03 (s02) both C tickets served."""
    a = [hall.issue("A")["id"] for _ in range(4)]
    hall.issue("C")
    hall.call("W01", "s01", expect=200)
    hall.act(a[0], "finish")
    hall.call("W01", "s01", expect=200)
    hall.act(a[1], "skip")
    hall.call("W01", "s01", expect=200)
    hall.act(a[2], "transfer", queue="C")
    hall.act(a[3], "cancel")
    for _ in range(2):
        called = hall.call("W03", "s02", expect=200).json()
        hall.act(called["id"], "finish", staff="s02")


def expected(found: dict[str, Any]) -> None:
    assert counts(found["totals"]) == (5, 3, 1, 1, 1)
    assert found["totals"]["wait_max_s"] is not None and found["totals"]["handle_max_s"] is not None


def test_a_morning_s_figures_by_every_group_and_after_a_rebuild(hall: HallClient) -> None:
    work_a_morning(hall)
    today = report(hall)["from"]
    queues = report(hall, group="queue")
    expected(queues)
    assert by_key(queues) == {"A": (4, 1, 1, 1, 1), "C": (1, 2, 0, 0, 0)}
    windows = report(hall, group="window")
    assert by_key(windows) == {"W01": (0, 1, 1, 1, 0), "W03": (0, 2, 0, 0, 0)}
    assert {row["key"]: row["name"] for row in windows["rows"]} == {"W01": "1号窗口", "W03": "3号窗口"}
    w01 = next(row for row in windows["rows"] if row["key"] == "W01")
    assert w01["days_worked"] == 1  # the test hall has no [halls.hours]: a working day counts 8 hours
    assert w01["utilisation"] == round(w01["busy_s"] / (8 * 3600), 4)
    staff = report(hall, group="staff")
    assert by_key(staff) == {"s01": (0, 1, 1, 1, 0), "s02": (0, 2, 0, 0, 0)}
    assert {row["key"]: row["name"] for row in staff["rows"]} == {"s01": "王芳（s01）", "s02": "李明（s02）"}
    channels = report(hall, group="channel")
    assert by_key(channels) == {"walkin": (5, 3, 1, 1, 1)}
    hours = report(hall, period="hour", group="hall")
    assert sum(point["issued"] for point in hours["series"]) == 5
    assert sum(point["issued"] for point in hours["hours"]) == 5
    assert sum(hours["wait_histogram"]["counts"]) == 3
    one = report(hall, group="window", key="W03")
    assert sum(point["served"] for point in one["series"]) == 2 and sum(p["issued"] for p in one["series"]) == 0

    # The rollups rebuilt from the tickets and the audit log give the same counts.
    rebuild(hall)
    again = report(hall, group="queue", **{"from": today})
    assert counts(again["totals"]) == counts(queues["totals"])
    assert by_key(again) == by_key(queues)
    assert by_key(report(hall, group="staff")) == by_key(staff)
    assert again["totals"]["wait_max_s"] == queues["totals"]["wait_max_s"]
    assert again["totals"]["handle_p50_s"] == queues["totals"]["handle_p50_s"]


def test_exports_are_a_csv_and_a_real_workbook_of_the_table(hall: HallClient) -> None:
    work_a_morning(hall)
    path = hall.path("/manage/statistics/export")
    csv_reply = hall.http.get(path, params={"table": "rows", "group": "queue", "format": "csv"}, headers=hall.manager)
    assert csv_reply.status_code == 200, csv_reply.text
    assert csv_reply.headers["content-type"].startswith("text/csv")
    assert csv_reply.content.startswith("\ufeff".encode())
    lines = csv_reply.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("编号,名称,取号数,办结数,过号数")
    assert lines[1].split(",")[:7] == ["A", "企业开办", "4", "1", "1", "1", "1"]
    assert lines[2].split(",")[:4] == ["C", "户政", "1", "2"]
    xlsx = hall.http.get(path, params={"table": "series", "period": "hour", "format": "xlsx", "lang": "en"}, headers=hall.manager)
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["content-disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book.active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][:3] == ("Period", "Issued", "Served")
    assert sum(row[1] for row in values[2:]) == 5
    assert int(xlsx.headers["x-row-count"]) == len(values) - 2


def test_bad_queries_are_a_clear_422_and_change_nothing(hall: HallClient) -> None:
    today = dt.date.fromisoformat(report(hall)["from"])
    bad = [
        {"period": "year"},
        {"group": "building"},
        {"from": "2026-13-01"},
        {"from": today.isoformat(), "to": (today - dt.timedelta(days=1)).isoformat()},
        {"period": "hour", "from": today.isoformat(), "to": (today + dt.timedelta(days=31)).isoformat()},
        {"period": "day", "from": (today - dt.timedelta(days=400)).isoformat(), "to": today.isoformat()},
        {"key": "x" * 65},
        {"period": "hour", "group": "item", "key": "ITEM-A-1"},  # items and channels are kept by day
    ]
    for query in bad:
        for path in ("/manage/statistics", "/manage/statistics/export"):
            response = hall.http.get(hall.path(path), params=query, headers=hall.manager)
            assert response.status_code == 422, (path, query, response.text)
            body = response.json()
            assert body["code"] == "invalid" and body["message"] and body["message_zh"], body
    export = hall.http.get(hall.path("/manage/statistics/export"), params={"format": "pdf"}, headers=hall.manager)
    assert export.status_code == 422
    long = hall.http.get(hall.path("/manage/statistics"), params={"period": "hour", "from": today.isoformat(),
                                                                   "to": (today + dt.timedelta(days=40)).isoformat()},
                         headers=hall.manager)
    assert "按小时统计最多 31 天" in long.json()["message_zh"]
    assert counts(report(hall)["totals"]) == (0, 0, 0, 0, 0)


def test_reservations_and_evaluations_are_counted_by_the_database_and_rebuilt_alike(hall: HallClient) -> None:
    from tests.manage.test_manage_console import book

    booked = book(hall, [("张三", "370102199001011231"), ("李娜", "370102198506153011"), ("王建国", "37010219480506001X")])
    checked = hall.http.post(hall.path("/reservations/check-in"), json={"id_number": "370102199001011231"}, headers=hall.kiosk)
    assert checked.status_code == 201, checked.text
    cancelled = hall.http.delete(hall.path(f"/reservations/{booked[2]['id']}"), headers=hall.platform)
    assert cancelled.status_code == 200, cancelled.text
    ticket = checked.json()
    called = hall.call("W01", "s01", expect=200).json()
    assert called["id"] == ticket["id"]  # a checked-in reservation ranks first
    hall.act(ticket["id"], "finish")
    track = urlsplit(ticket["track_url"])
    evaluated = hall.http.post(hall.path("/evaluations"), json={
        "ticket_id": ticket["id"], "k": track.query.split("k=", 1)[1], "level": 1, "reasons": ["等待时间长"]})
    assert evaluated.status_code == 201, evaluated.text

    def figures() -> tuple[Any, ...]:
        totals = report(hall)["totals"]
        queues = {row["key"]: row for row in report(hall, group="queue")["rows"]}
        channels = {row["key"]: row for row in report(hall, group="channel")["rows"]}
        windows = {row["key"]: row for row in report(hall, group="window")["rows"]}
        return (
            (totals["reservations_due"], totals["reservations_checked_in"], totals["checkin_rate"]),
            (totals["evaluations"], totals["bad"], totals["bad_rate"]),
            (queues["A"]["reservations_due"], queues["A"]["checkin_rate"], queues["B"]["reservations_due"]),
            (channels["reservation"]["issued"], channels["reservation"]["checkin_rate"], channels["reservation"]["bad"]),
            (windows["W01"]["evaluations"], windows["W01"]["bad_rate"], windows["W01"]["checkin_rate"]),
        )

    live = figures()
    # Three booked (A, B, A), one cancelled: two due, one checked in; one 差评 of the served ticket.
    assert live == ((2, 1, 0.5), (1, 1, 1.0), (1, 1.0, 1), (1, 0.5, 1), (1, 1.0, None))
    rebuild(hall)
    assert figures() == live


def rebuild(hall: HallClient) -> None:
    server = hall.server
    database = server.database_url or f"sqlite:///{(server.data_dir / 'queue.sqlite3').resolve()}"
    rebuilt = subprocess.run(
        [sys.executable, "-m", "queue_server", "stats", "rebuild", "--config", str(server.config),
         "--database", database, "--hall", hall.hall],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{hall.hall}: 1 service days rebuilt" in rebuilt.stdout
