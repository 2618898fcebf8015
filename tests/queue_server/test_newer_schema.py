"""A server started on a database that a newer version migrated (a rollback that kept the upgraded
database) refuses with one clear line and exit code 3, not a traceback that systemd restarts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from queue_server.storage.database import default_url, migrate, open_engine
from tests.support.halls import write_config

REPO = Path(__file__).resolve().parents[2]


def test_a_schema_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    engine = open_engine(default_url(data), durability="full", writer=True)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    config = write_config(tmp_path / "halls.toml", ["n01"])
    done = subprocess.run(
        [sys.executable, "-m", "queue_server", "serve", "--config", str(config), "--data-dir", str(data), "--port", "0"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "0099_from_the_future" in done.stderr and "newer version" in done.stderr
