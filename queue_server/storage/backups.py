"""Backups and restore of the hall database (docs/operations.md, "备份与恢复 / Backups and restore").

- SQLite: sqlite3's online backup API, a consistent copy while the server writes.
- PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean --if-exists`.

A backup file is `<identity>-<UTC timestamp>.<sqlite3|pgdump>`, written to a temporary file and
renamed, mode 0600 (it holds personal data). After a restore the database is migrated to this
code's schema and every queue's counter of the current service day moves forward
(`skipped_counters`): the tickets printed after the backup was taken are unknown to it, and their
numbers must never be issued again that day.

The decisions (names, retention, margins) are small pure functions; the I/O is around them.
Every failure is a `BackupError` with a one-line message."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..config import Config, Hall
from ..core import engine as core
from ..core.numbering import service_day
from . import repository
from . import schema as s
from .database import DatabaseError, migrate, open_engine, safe_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
EXTENSIONS = {"sqlite": "sqlite3", "postgresql": "pgdump"}
_STAMP = "%Y%m%dT%H%M%SZ"
RESTORE_ACTOR = "system:restore"


class BackupError(Exception):
    """A backup or restore cannot be done; the message is one line for the operator."""


# -- pure decisions ------------------------------------------------------------------------------


def identity(config: Config) -> str:
    """The name a config's backups go under: its hall ids ("+" is not allowed in an id)."""
    return "+".join(hall.id for hall in config.halls)


def backup_name(ident: str, backend: str, at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("backup times are aware")
    return f"{ident}-{at.astimezone(dt.UTC).strftime(_STAMP)}.{EXTENSIONS[backend]}"


def _name_pattern(ident: str) -> re.Pattern[str]:
    extensions = "|".join(EXTENSIONS.values())
    return re.compile(rf"^{re.escape(ident)}-(\d{{8}}T\d{{6}}Z)\.({extensions})$")


def taken_at(ident: str, name: str) -> dt.datetime | None:
    """When a file of our naming was taken, or None for any other file."""
    match = _name_pattern(ident).match(name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def beyond_retention(ident: str, names: Iterable[str], keep: int) -> list[str]:
    """The files to delete so that the newest `keep` backups of this identity stay; files of
    another naming (another config's, an operator's copy) are never chosen."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    ours = sorted((when, name) for name in names if (when := taken_at(ident, name)) is not None)
    return [name for _, name in ours[: max(0, len(ours) - keep)]]


def stale_temporaries(ident: str, files: Iterable[tuple[str, float]], now: float, older_than: float = 86400) -> list[str]:
    """Temporary files of our backups (`.<name>.<random>.part`) left by a backup that was killed,
    given as (name, mtime): those older than `older_than` seconds (a running backup's is newer)."""
    chosen = []
    for name, mtime in files:
        if name.startswith(".") and name.endswith(".part") and now - mtime > older_than:
            base = name[1:].rsplit(".", 2)[0]
            if taken_at(ident, base) is not None:
                chosen.append(name)
    return chosen


def skipped_counters(today: Mapping[str, int], busiest_day: Mapping[str, int], queues: Iterable[str], floor: int) -> dict[str, int]:
    """Each queue's new last number of the current service day after a restore.

    The tickets printed after the backup are unknown; we assume there were no more of them, per
    queue, than the queue ever issued in one service day recorded in the backup, nor fewer than
    `floor` (--skip-numbers). A whole busiest day covers the usual case, a nightly backup restored
    in the afternoon: everything printed that day is unknown."""
    if floor < 0:
        raise ValueError("--skip-numbers is not negative")
    return {q: today.get(q, 0) + max(floor, busiest_day.get(q, 0)) for q in queues}


def backend_of_file(head: bytes) -> str | None:
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


# -- database URLs and tools ---------------------------------------------------------------------


def backend_of_url(url: str) -> str:
    try:
        parsed = make_url(url)
    except Exception:
        raise BackupError(f"not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in EXTENSIONS:
        raise BackupError(f"unsupported database {backend!r} in {safe_url(url)} (sqlite or postgresql+psycopg)")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{safe_url(url)} is not a SQLite file")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore and its environment (the password goes in PGPASSWORD,
    not on a command line others can read)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str) -> str:
    """pg_dump or pg_restore on PATH (Debian's wrapper picks the version that fits the server)."""
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except OSError as exc:
        raise BackupError(f"cannot run {Path(command[0]).name}: {exc.strerror}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit code {result.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {reason}")


def _engine(url: str) -> Engine:
    try:
        return open_engine(url, durability="full")
    except DatabaseError as exc:
        raise BackupError(str(exc)) from None


# -- files ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _atomic_file(final: Path) -> Iterator[Path]:
    """A private (0600) temporary file beside `final`, renamed onto it once the body is done."""
    fd, temp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    path = Path(temp)
    try:
        path.chmod(0o600)
        yield path
        with open(path, "rb") as f:
            os.fsync(f.fileno())
        os.replace(path, final)
        directory = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        path.unlink(missing_ok=True)


def _prepare_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"cannot create {directory}: {exc.strerror}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BackupError(f"cannot write into {directory}")


# -- backup --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    deleted: list[Path]


def backup(url: str, ident: str, to_dir: Path, *, keep: int | None = None, now: dt.datetime | None = None) -> BackupResult:
    backend = backend_of_url(url)
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1")
    _prepare_dir(to_dir)
    final = to_dir / backup_name(ident, backend, now or dt.datetime.now(dt.UTC))
    try:
        with _atomic_file(final) as temp:
            if backend == "sqlite":
                _backup_sqlite(_sqlite_path(url), temp)
            else:
                dump = _tool("pg_dump")
                uri, env = _libpq(url)
                _engine(url).dispose()  # a clear message when the server cannot be reached
                _run([dump, "--format=custom", "--no-password", f"--file={temp}", f"--dbname={uri}"], env)
    except OSError as exc:
        raise BackupError(f"cannot write {final}: {exc.strerror}") from None
    deleted = []
    entries = [(p.name, p.stat().st_mtime) for p in to_dir.iterdir()]
    doomed = stale_temporaries(ident, entries, time.time())
    if keep is not None:
        doomed += beyond_retention(ident, (name for name, _ in entries), keep)
    for name in doomed:
        (to_dir / name).unlink(missing_ok=True)
        deleted.append(to_dir / name)
    return BackupResult(final, deleted)


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            if not src.execute("SELECT 1 FROM sqlite_master WHERE name = 'hall_state'").fetchone():
                raise BackupError(f"{source} is not a queue server database")
            # One step, one read transaction: a consistent copy while WAL lets the server write on;
            # DELETE leaves one self-contained file, no -wal beside it.
            _copy_pages(src, target, "DELETE")
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None


# -- restore -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    counters: dict[str, dict[str, int]]  # hall → queue → the last number now taken


def target_tickets(url: str) -> int:
    """Tickets the target database holds already (0 for a fresh one)."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("tickets"):
                return 0
            return int(conn.execute(select(func.count()).select_from(s.tickets)).scalar() or 0)
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot read {safe_url(url)}: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()


def check_file(path: Path, backend: str) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise BackupError(f"no backup file {path}") from None
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    kind = backend_of_file(head)
    if kind is None:
        raise BackupError(f"{path} is not a backup (neither a SQLite file nor a pg_dump custom archive)")
    if kind != backend:
        raise BackupError(f"{path} is a {kind} backup; the database is {backend}")
    if kind == "sqlite":
        try:
            with contextlib.closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:
            raise BackupError(f"{path} is not a readable SQLite file: {exc}") from None
        if not {"hall_state", "alembic_version"} <= tables:
            raise BackupError(f"{path} is a SQLite file but not a queue server backup")


def restore(url: str, source: Path, config: Config, *, skip_numbers: int, yes: bool, now: dt.datetime | None = None) -> RestoreResult:
    backend = backend_of_url(url)
    if skip_numbers < 0:
        raise BackupError("--skip-numbers must not be negative")
    check_file(source, backend)
    held = target_tickets(url)
    if held and not yes:
        raise BackupError(f"{safe_url(url)} already holds {held} tickets; stop the server and add --yes to replace them")
    if backend == "sqlite":
        _restore_sqlite(source, _sqlite_path(url))
    else:
        _restore_postgres(url, source)
    engine = _engine(url)
    try:
        try:
            migrate(engine)
        except DatabaseError as exc:
            raise BackupError(str(exc)) from None
        except Exception as exc:  # alembic: a revision this code does not know (a newer backup)
            raise BackupError(f"cannot migrate the restored database: {str(exc).splitlines()[0]}") from None
        with engine.begin() as conn:
            counters = {hall.id: _skip_numbers(conn, hall, skip_numbers, source.name, now or dt.datetime.now(dt.UTC)) for hall in config.halls}
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot prepare the restored database: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return RestoreResult(counters)


def _copy_pages(src: sqlite3.Connection, target: Path, journal_mode: str) -> None:
    """Every page of `src` into the database file `target` (sqlite3's online backup), then the
    journal mode the copy is left in."""
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode={journal_mode}")
    finally:
        dst.close()


def _restore_sqlite(source: Path, target: Path) -> None:
    try:
        target.chmod(0o600)  # before any page of personal data is in it
        src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            _copy_pages(src, target, "WAL")  # replaces every page of the target, its -wal included; WAL as the server opens it
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore into {target}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot restore into {target}: {exc.strerror}") from None


# Everything of the server's in the database's schema: a restore replaces the whole database, so a
# table a newer migration made (and the older backup lacks) does not stop the upgrade after it.
_TABLES = """SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"""
_FUNCTIONS = """SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
                WHERE n.nspname = current_schema() AND d.objid IS NULL"""


def _wipe(conn: Connection) -> None:
    # regclass and regprocedure render as quoted SQL names already.
    for table in conn.exec_driver_sql(_TABLES).scalars().all():
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    for function in conn.exec_driver_sql(_FUNCTIONS).scalars().all():
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")


def _restore_postgres(url: str, source: Path) -> None:
    uri, env = _libpq(url)
    restore_tool = _tool("pg_restore")
    listing = subprocess.run([restore_tool, "--list", str(source)], capture_output=True, text=True, timeout=600)
    if listing.returncode != 0 or not re.search(r" TABLE \S+ hall_state ", listing.stdout):
        raise BackupError(f"{source} is a pg_dump archive but not a queue server backup")
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            _wipe(conn)
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot empty {safe_url(url)}: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    _run(
        [restore_tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", "--no-password", f"--dbname={uri}", str(source)],
        env,
    )


def _skip_numbers(conn: Connection, hall: Hall, floor: int, source: str, now: dt.datetime) -> dict[str, int]:
    """Roll the hall over to the current service day if the backup is older, move each queue's
    counter past the numbers printed since the backup, and say so in the audit log."""
    repository.ensure_hall(conn, hall, service_day(now, hall.zone))
    state = repository.load_hall_state(conn, hall)
    change = core.roll_over(state, now)
    if not change.empty:
        pending = repository.PendingWrites()
        pending.add(state, change)
        pending.flush(conn)
        state.apply(change)
    c = s.counters
    busiest = dict(conn.execute(select(c.c.queue, func.max(c.c.last_seq)).where(c.c.hall_id == hall.id).group_by(c.c.queue)).all())
    queues = [q.id for q in hall.queues]
    new = skipped_counters(state.counters, busiest, queues, floor)
    day = state.service_day
    conn.execute(delete(c).where(c.c.hall_id == hall.id, c.c.service_day == day, c.c.queue.in_(queues)))
    conn.execute(
        insert(c),
        [{"hall_id": hall.id, "service_day": day, "queue": q, "last_seq": seq, "calls": state.queue_calls.get(q, 0)} for q, seq in new.items()],
    )
    repository.audit(
        conn, hall.id, now, RESTORE_ACTOR, "restore", source[:80],
        {"service_day": day.isoformat(), "counters_before": {q: state.counters.get(q, 0) for q in queues}, "counters_after": new},
    )
    return new
