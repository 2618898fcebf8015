"""统计分析 rollups commit with their ticket changes or not at all: a job that fails after its
change leaves no figure behind, jobs batched together add up in one upsert, and a batch rerun job
by job (after a batched write failed) counts each job once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from queue_server.config import load_config
from queue_server.core import engine
from queue_server.runtime import Runtime
from queue_server.storage import repository
from queue_server.storage import schema as s
from queue_server.storage.writer import WriteTx
from tests.manage.test_manage_board import START, Clock
from tests.support.halls import hall_toml

SHANGHAI_NINE = START  # 09:00 in the hall


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    config = tmp_path / "halls.toml"
    config.write_text(hall_toml("w1"), encoding="utf-8")
    runtime = Runtime(load_config(config), data_dir=tmp_path / "data", clock=Clock())
    try:
        yield runtime
    finally:
        runtime.close()


def issue_job(ticket_id: str, *, fail: bool = False):  # noqa: ANN201 - a writer job
    def job(tx: WriteTx) -> str:
        state = tx.hall("w1")
        change = engine.issue(state, engine.IssueRequest(ticket_id=ticket_id, queue="A", channel="walkin"), SHANGHAI_NINE)
        tx.commit_change("w1", change)
        if fail:
            raise RuntimeError("the job fails after its change")
        return ticket_id

    return job


def submit_together(rt: Runtime, jobs: list) -> list:  # type: ignore[type-arg]
    """Submit `jobs` while the writer is held, so they run as one batch."""
    gate = threading.Event()
    held = rt.writer.submit(lambda tx: gate.wait(30))
    futures = [rt.writer.submit(job) for job in jobs]
    gate.set()
    held.result(30)
    return futures


def rollup(rt: Runtime, dim: str, key: str) -> tuple[int | None, int | None, int | None]:
    """Tickets issued by the day, the month and the 09:00 hour rows of (dim, key)."""
    d, m, h = s.stats_daily, s.stats_monthly, s.stats_hourly
    with rt.read_engine.connect() as conn:
        daily = conn.execute(select(d.c.issued).where(d.c.hall_id == "w1", d.c.dim == dim, d.c.key == key)).scalar()
        monthly = conn.execute(select(m.c.issued).where(m.c.hall_id == "w1", m.c.dim == dim, m.c.key == key)).scalar()
        hourly = conn.execute(select(h.c.issued).where(h.c.hall_id == "w1", h.c.dim == dim, h.c.key == key, h.c.hour == 9)).scalar()
    return daily, monthly, hourly


def test_a_failed_job_leaves_no_figure_and_a_batch_adds_up(rt: Runtime) -> None:
    batches = rt.writer.batches
    futures = submit_together(rt, [issue_job(f"t{i}", fail=i == 2) for i in range(5)])
    results = []
    for future in futures:
        try:
            results.append(future.result(30))
        except RuntimeError:
            results.append(None)
    assert results == ["t0", "t1", None, "t3", "t4"]
    assert rt.writer.batches - batches <= 2  # held behind the gate, the five ran in one batch or two
    assert rollup(rt, "hall", "") == (4, 4, 4)
    assert rollup(rt, "queue", "A") == (4, 4, 4)
    assert rollup(rt, "channel", "walkin") == (4, 4, None)  # channels are kept by day and month only
    assert rollup(rt, "window", "") == (None, None, None)  # issued tickets are at no window yet
    with rt.read_engine.connect() as conn:
        assert len(conn.execute(select(s.tickets.c.id).where(s.tickets.c.hall_id == "w1")).scalars().all()) == 4


def test_a_batch_run_again_job_by_job_counts_each_job_once(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    real_flush = repository.PendingWrites.flush
    failed = []

    def flaky(self: repository.PendingWrites, conn: object) -> None:
        # The first batched write of several tickets fails; the writer reruns job by job.
        if not failed and len(self._tickets) > 1:
            failed.append(True)
            raise RuntimeError("disk hiccup")
        real_flush(self, conn)  # type: ignore[arg-type]

    monkeypatch.setattr(repository.PendingWrites, "flush", flaky)
    futures = submit_together(rt, [issue_job(f"u{i}") for i in range(6)])
    assert [f.result(30) for f in futures] == [f"u{i}" for i in range(6)]
    assert failed, "the batched write never failed: the rerun was not exercised"
    assert rt.writer.retries >= 1
    assert rollup(rt, "hall", "") == (6, 6, 6)
