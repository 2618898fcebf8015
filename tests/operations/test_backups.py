"""Backups and restore with real servers and real databases (SQLite and PostgreSQL): a backup taken
while the server issues tickets, more tickets after it, a restore into a fresh install, and a
server on it that knows the earlier tickets and never issues a number printed before. Then
retention and the errors (one line, exit code 2, no traceback)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine

from queue_server.core.numbering import number_sort_key
from queue_server.storage import backups
from queue_server.storage.database import MIGRATIONS
from tests.support.api import HallClient
from tests.support.halls import write_config
from tests.support.postgres import PostgresCluster
from tests.support.servers import REPO, ServerProcess, free_port

HALL = "bk"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "queue_server", *args], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


def database_args(data_dir: Path, url: str | None) -> list[str]:
    return ["--data-dir", str(data_dir)] + (["--database", url] if url else [])


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "halls.toml", [HALL])


def highest(numbers: list[str], queue: str) -> int:
    return max(number_sort_key(n)[1] for n in numbers if n.startswith(queue))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_restored_older_backup_serves_the_hall_and_never_reuses_a_number(
    backend: str, config: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    old_url = new_url = None
    if backend == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        old_url, new_url = cluster.create_database(), cluster.create_database()
    old_dir, new_dir, backup_dir = tmp_path / "old", tmp_path / "new", tmp_path / "backups"
    server = ServerProcess(config=config, data_dir=old_dir, database_url=old_url).start()
    try:
        hall = HallClient(server, HALL)
        before = [hall.issue("A") for _ in range(3)] + [hall.issue("B")]
        hall.call("W01", expect=200)  # A001 is being served when the backup is taken
        made = cli("backup", "--config", str(config), *database_args(old_dir, old_url), "--to", str(backup_dir), "--keep", "14")
        assert made.returncode == 0, made.stderr
        after = [hall.issue("A") for _ in range(2)] + [hall.issue("C")]  # printed, then lost with the machine
        hall.close()
    finally:
        server.stop()

    (backup_file,) = backup_dir.iterdir()
    assert backups.taken_at(HALL, backup_file.name) is not None
    assert backup_file.suffix == (".sqlite3" if backend == "sqlite" else ".pgdump")
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert made.stdout.strip() == f"backup: {backup_file}"

    # A fresh install: an empty data dir (and an empty database).
    restored = cli("restore", "--config", str(config), *database_args(new_dir, new_url), "--from", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "numbering today continues A after 53" in restored.stdout  # 3 in the backup + 50

    server = ServerProcess(config=config, data_dir=new_dir, database_url=new_url).start()
    try:
        hall = HallClient(server, HALL)
        for ticket in before:
            assert hall.ticket(ticket["id"])["number"] == ticket["number"]
        assert hall.http.get(hall.path(f"/tickets/{after[0]['id']}"), headers=hall.kiosk).status_code == 404
        printed = [t["number"] for t in before + after]
        for queue in "ABC":
            issued = hall.issue(queue)["number"]
            assert issued not in printed
            if any(n.startswith(queue) for n in printed):
                assert number_sort_key(issued)[1] > highest(printed, queue), (queue, issued, printed)
        hall.close()
    finally:
        server.stop()

    # The restore is in the hall's audit log, with the counters it moved.
    if backend == "sqlite":
        with sqlite3.connect(new_dir / "queue.sqlite3") as conn:
            rows = conn.execute("SELECT actor, action, target FROM audit_log WHERE action = 'restore'").fetchall()
        assert rows == [(backups.RESTORE_ACTOR, "restore", backup_file.name)]

    # Restoring again over the served database needs --yes; with it the same numbers are skipped again.
    again = cli("restore", "--config", str(config), *database_args(new_dir, new_url), "--from", str(backup_file))
    assert_one_line_error(again, "already holds", "--yes")
    forced = cli("restore", "--config", str(config), *database_args(new_dir, new_url), "--from", str(backup_file), "--yes")
    assert forced.returncode == 0, forced.stderr


def test_retention_keeps_the_newest_of_our_own_files_only(config: Path, tmp_path: Path) -> None:
    names = [
        "bk-20261101T023000Z.sqlite3", "bk-20261102T023000Z.sqlite3", "bk-20261103T023000Z.pgdump",
        "bk-20261104T023000Z.sqlite3", "bk2-20261001T023000Z.sqlite3", "bk-copy.sqlite3", "notes.txt",
        ".bk-20261105T023000Z.sqlite3.x.part",
    ]
    assert backups.beyond_retention("bk", names, 2) == ["bk-20261101T023000Z.sqlite3", "bk-20261102T023000Z.sqlite3"]
    assert backups.beyond_retention("bk", names, 10) == []
    assert backups.backup_name("bk", "sqlite", dt.datetime(2026, 12, 3, 10, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))) == (
        "bk-20261203T023005Z.sqlite3"
    )
    parts = [(".bk-20261105T023000Z.sqlite3.x.part", 0.0), (".bk-20261106T023000Z.pgdump.y.part", 90_000.0), (".other.part", 0.0)]
    assert backups.stale_temporaries("bk", parts, now=100_000.0) == [".bk-20261105T023000Z.sqlite3.x.part"]
    assert backups.skipped_counters({"A": 3}, {"A": 120, "B": 7}, ["A", "B", "C"], 50) == {"A": 123, "B": 50, "C": 50}

    data, to = tmp_path / "data", tmp_path / "backups"
    ServerProcess(config=config, data_dir=data).start().stop()  # a migrated database
    to.mkdir()
    for name in names:
        (to / name).write_text("x")
    made = cli("backup", "--config", str(config), "--data-dir", str(data), "--to", str(to), "--keep", "2")
    assert made.returncode == 0, made.stderr
    new = Path(made.stdout.splitlines()[0].removeprefix("backup: "))
    left = sorted(p.name for p in to.iterdir())
    assert left == sorted([new.name, "bk-20261104T023000Z.sqlite3", *names[4:]])  # a fresh .part stays
    assert made.stdout.count("deleted: ") == 3
    killed = to / ".bk-20261104T023000Z.sqlite3.abc.part"  # a backup killed two days ago
    killed.write_text("x")
    os.utime(killed, (killed.stat().st_mtime - 2 * 86400,) * 2)
    again = cli("backup", "--config", str(config), "--data-dir", str(data), "--to", str(to))
    assert again.returncode == 0 and f"deleted: {killed}" in again.stdout, again.stdout + again.stderr


@pytest.fixture
def served(config: Path, tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    server = ServerProcess(config=config, data_dir=data).start()
    hall = HallClient(server, HALL)
    hall.issue("A")
    hall.close()
    server.stop()
    yield data


def test_errors_are_one_line_and_exit_2(config: Path, served: Path, tmp_path: Path) -> None:
    base = ["--config", str(config)]
    fresh = ["--data-dir", str(tmp_path / "fresh")]
    assert_one_line_error(cli("restore", *base, *fresh, "--from", str(tmp_path / "nothing.sqlite3")), "no backup file")
    text = tmp_path / "bk-20261203T000000Z.sqlite3"
    text.write_text("not a database\n")
    assert_one_line_error(cli("restore", *base, *fresh, "--from", str(text)), "is not a backup")
    foreign = tmp_path / "other.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    assert_one_line_error(cli("restore", *base, *fresh, "--from", str(foreign)), "not a queue server backup")
    # A SQLite backup offered to PostgreSQL (the format is checked before the database is reached).
    made = cli("backup", *base, "--data-dir", str(served), "--to", str(tmp_path / "b"))
    assert made.returncode == 0, made.stderr
    sqlite_backup = made.stdout.split("backup: ")[1].strip()
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    assert_one_line_error(cli("restore", *base, "--database", closed, "--from", sqlite_backup), "sqlite backup", "postgresql")
    # The PostgreSQL server cannot be reached; pg_dump is not installed.
    assert_one_line_error(cli("backup", *base, "--database", closed, "--to", str(tmp_path / "b")), "cannot open database")
    no_tools = {"PATH": str(tmp_path / "empty-path")}
    assert_one_line_error(cli("backup", *base, "--database", closed, "--to", str(tmp_path / "b"), env=no_tools), "pg_dump is not installed")
    # No database to back up; a config that does not load; an unwritable target directory.
    assert_one_line_error(cli("backup", *base, *fresh, "--to", str(tmp_path / "b")), "no database at")
    assert_one_line_error(cli("backup", "--config", str(tmp_path / "missing.toml"), *fresh, "--to", "x"), "config")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_one_line_error(cli("backup", *base, "--data-dir", str(served), "--to", str(blocker / "sub")), "cannot create")
    # Restoring over a database that holds tickets needs --yes.
    assert_one_line_error(cli("restore", *base, "--data-dir", str(served), "--from", sqlite_backup), "already holds 1 tickets")


def alembic_version(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def downgrade_one_revision(path: Path) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "-1")
            connection.commit()
    finally:
        engine.dispose()


def test_an_older_backup_of_an_earlier_day_is_migrated_rolled_over_and_still_skips(config: Path, served: Path, tmp_path: Path) -> None:
    made = cli("backup", "--config", str(config), "--data-dir", str(served), "--to", str(tmp_path / "b"))
    assert made.returncode == 0, made.stderr
    older = Path(made.stdout.split("backup: ")[1].strip())
    with sqlite3.connect(older) as conn:  # as if taken yesterday: its tickets and counters are yesterday's
        for table in ("hall_state", "counters", "tickets"):
            conn.execute(f"UPDATE {table} SET service_day = date(service_day, '-1 day')")
    head = alembic_version(served / "queue.sqlite3")
    downgrade_one_revision(older)  # and made by an older version of the code
    assert alembic_version(older) != head
    fresh = tmp_path / "fresh"
    restored = cli("restore", "--config", str(config), "--data-dir", str(fresh), "--from", str(older))
    assert restored.returncode == 0, restored.stderr
    assert "no secret key at" in restored.stdout  # the key is not in the backup
    assert alembic_version(fresh / "queue.sqlite3") == head  # migrated after the restore
    (fresh / "secret.key").write_bytes((served / "secret.key").read_bytes())
    server = ServerProcess(config=config, data_dir=fresh).start()
    try:
        hall = HallClient(server, HALL)
        assert hall.issue("A")["number"] == "A051"  # today's numbers before the loss are unknown: 50 skipped
        assert hall.queues()["A"]["waiting"] == 1  # yesterday's waiting ticket expired with the day
        hall.close()
    finally:
        server.stop()


def test_a_postgresql_restore_checks_the_archive_before_touching_the_database(config: Path, tmp_path: Path, postgres: PostgresCluster) -> None:
    url = postgres.create_database()
    server = ServerProcess(config=config, data_dir=tmp_path / "data", database_url=url).start()
    server.stop()  # a migrated, empty database
    garbage = tmp_path / "bk-20261203T000000Z.pgdump"
    garbage.write_bytes(b"PGDMP" + b"\0" * 200)
    result = cli("restore", "--config", str(config), "--database", url, "--from", str(garbage))
    assert_one_line_error(result, "not a queue server backup")
    server.start()  # the database is as it was
    server.stop()
