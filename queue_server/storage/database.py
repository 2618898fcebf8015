"""Opening the database: SQLite (WAL, durable by default) or PostgreSQL, migrated on start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(Exception):
    """The database cannot be used; the message names the URL (without its password)."""


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'queue.sqlite3').resolve()}"


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def open_engine(url: str, *, durability: str = "full", writer: bool = True) -> Engine:
    """`writer=False` gives a SQLite engine whose transactions start deferred (readers)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(url, durability, immediate=writer)
    elif backend == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            raise DatabaseError("PostgreSQL URLs start with postgresql+psycopg://")
        engine = create_engine(url, pool_size=10, max_overflow=5, pool_pre_ping=True)
    else:
        raise DatabaseError(f"unsupported database {backend!r} in {safe_url(url)} (sqlite or postgresql+psycopg)")
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        reason = str(exc.orig if hasattr(exc, "orig") and exc.orig else exc).strip().splitlines()[0]
        raise DatabaseError(f"cannot open database {safe_url(url)}: {reason}") from None
    return engine


def _sqlite_engine(url: str, durability: str, *, immediate: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    synchronous = "FULL" if durability == "full" else "NORMAL"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, manage transactions so BEGIN IMMEDIATE and SAVEPOINT work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Writers take the write lock at the start: no deadlock upgrading a read lock later.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def migrate(engine: Engine) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    except OperationalError as exc:
        raise DatabaseError(f"cannot migrate the database: {exc.orig}") from None
    except CommandError as exc:
        # Typically a database already migrated by a newer version (a rollback that kept the
        # upgraded database): say so rather than end in a traceback that systemd restarts forever.
        raise DatabaseError(
            f"the database's schema is not one this version knows ({exc}); it was probably upgraded by a "
            "newer version: run that version, or restore a backup taken before the upgrade (docs/upgrade.md)"
        ) from None
